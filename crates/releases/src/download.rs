//! Streaming asset downloads that survive a dropped connection.
//!
//! GitHub serves an asset from its API URL with `Accept: application/octet-stream`, either
//! directly (`200`) or by redirecting (`302`) to a pre-signed URL on a storage host. Redirects
//! are followed here, by hand, so that the token is attached only when the target is the API
//! origin and an https → http downgrade is refused. The body is never buffered: [`Download`]
//! hands bytes to the caller as they arrive (the `install` crate hashes while streaming).
//!
//! # Only the origin's own asset URLs
//!
//! An asset's API URL comes from a release listing, which may come from the cache. So a
//! download starts only from a URL on the configured API origin whose path is a release
//! asset's (`…/repos/{owner}/{repo}/releases/assets/{id}`): whatever a cache entry says, a
//! download cannot be pointed at a host the origin's API would not have named.
//!
//! # Resuming
//!
//! When the connection drops or the body ends early, the download goes on from the byte it
//! reached: the asset is requested again **through its API URL** (so an expired signed
//! storage URL is re-issued) with `Range: bytes=<reached>-`. A `206` whose `Content-Range`
//! starts there continues the stream seamlessly; the caller's hash simply keeps going. A
//! server that ignores ranges answers `200` with the whole asset: the bytes already handed
//! over are skipped, so the caller still sees each byte once. Either way the caller's final
//! digest check decides whether what arrived is the asset (a different asset on the second
//! request cannot pass it), and a second response announcing a different size is refused at
//! once. Attempts are bounded by the client's [`crate::RetryPolicy`] (with backoff between
//! them); each resume is announced as a [`Notice::Resuming`].

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ureq::BodyReader;
use ureq::http::Response;

use crate::client::{
    Attempts, Ctx, Failure, Fetched, GitHub, Inner, MAX_REDIRECTS, Retry, content_length,
    is_redirect,
};
use crate::error::Error;
use crate::model::AssetInfo;
use crate::notice::Notice;
use crate::url::{Origin, redact, redirect_target, repo_of};

const ACCEPT_OCTET: &str = "application/octet-stream";
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

impl GitHub {
    /// Starts downloading an asset: its API URL with `Accept: application/octet-stream`,
    /// following GitHub's redirect to the storage host by hand.
    ///
    /// The redirected request carries no `Authorization` (a token goes only to the API
    /// origin; storage rejects two auth mechanisms); an https → http redirect is refused; a
    /// direct `200` (Enterprise Server) is streamed as well. Nothing is cached. The returned
    /// [`Download`] streams the body, resumes after a dropped connection (see the module
    /// docs) and reports a body it could not complete as an error.
    ///
    /// # Errors
    ///
    /// As [`list_releases`](Self::list_releases), plus [`Error::InsecureRedirect`] and
    /// [`Error::BadRedirect`]; [`Error::InvalidResponse`] when the asset's URL is not a
    /// release asset URL on the API origin; [`Error::NotInCache`] in offline mode.
    pub fn download(&self, asset: &AssetInfo) -> Result<Download, Error> {
        if self.inner.offline {
            return Err(Error::NotInCache {
                url: redact(&asset.api_url),
            });
        }
        Download::start(self.inner.clone(), asset)
    }
}

/// An asset download in progress: read it like a file.
///
/// Reading reports, as an [`io::Error`] whose inner error is a [`crate::Error`] (reach it with
/// [`io::Error::get_ref`] and `downcast_ref`):
/// - [`Error::ShortBody`] (kind `UnexpectedEof`) if the body could not be completed within
///   the retry budget;
/// - [`Error::Network`] and the status errors for a failed resume.
pub struct Download {
    inner: Arc<Inner>,
    asset: AssetInfo,
    url: String,
    reader: BodyReader<'static>,
    /// The asset's full size, when a response said (Content-Length of a 200, the total of
    /// a 206's Content-Range).
    total: Option<u64>,
    /// Bytes handed to the caller.
    got: u64,
    /// Bytes of the current body to drop before handing any over (a server that ignored
    /// `Range` is sending what the caller already has).
    skip: u64,
    attempts: Attempts,
}

/// What a successful open returned.
struct Opened {
    response: Response<ureq::Body>,
    url: String,
    /// The asset's full size, if known.
    total: Option<u64>,
    /// Whether the body starts at the requested offset (`206`), rather than at byte 0.
    ranged: bool,
}

impl Download {
    pub(crate) fn start(inner: Arc<Inner>, asset: &AssetInfo) -> Result<Download, Error> {
        check_asset_url(&inner, asset)?;
        let mut attempts = Attempts::default();
        let opened = open_with_retries(&inner, asset, 0, &mut attempts)?;
        Ok(Download {
            url: redact(&opened.url),
            total: opened.total,
            reader: opened.response.into_body().into_reader(),
            inner,
            asset: asset.clone(),
            got: 0,
            skip: 0,
            attempts,
        })
    }

    /// The asset's size in bytes, if the server sent it.
    pub fn content_length(&self) -> Option<u64> {
        self.total
    }

    /// The URL the bytes come from, without its query (signed URLs carry a credential there).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Bytes handed to the caller so far.
    pub fn bytes_read(&self) -> u64 {
        self.got
    }

    /// Requests the rest of the asset after `error` cut the body off, within the retry
    /// budget; `Err` when the budget is spent (the caller then sees a short body).
    fn resume(&mut self, error: Error) -> io::Result<()> {
        let short = matches!(error, Error::ShortBody { .. }) || self.got > 0;
        let failure = Failure {
            error,
            retry: Retry::Backoff,
        };
        if let Err(error) = self.inner.retry_or_fail(failure, &mut self.attempts) {
            tracing::debug!(%error, got = self.got, "giving up on the download");
            return Err(if short { self.short() } else { to_io(error) });
        }
        let opened = open_with_retries(&self.inner, &self.asset, self.got, &mut self.attempts)
            .map_err(to_io)?;
        if let (Some(before), Some(now)) = (self.total, opened.total)
            && before != now
        {
            return Err(to_io(Error::InvalidResponse {
                url: redact(&opened.url),
                reason: format!(
                    "the asset changed size during the download ({before} bytes, then {now})"
                ),
                source: None,
            }));
        }
        if self.got > 0 {
            self.inner.notify.notify(&Notice::Resuming {
                asset: self.asset.name.clone(),
                at: self.got,
                ranged: opened.ranged,
            });
        }
        self.skip = if opened.ranged { 0 } else { self.got };
        self.total = self.total.or(opened.total);
        self.url = redact(&opened.url);
        self.reader = opened.response.into_body().into_reader();
        Ok(())
    }

    fn short(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            Error::ShortBody {
                url: self.url.clone(),
                expected: self.total.unwrap_or(self.got),
                got: self.got,
            },
        )
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("asset", &self.asset.name)
            .field("url", &self.url)
            .field("total", &self.total)
            .field("got", &self.got)
            .finish_non_exhaustive()
    }
}

impl Read for Download {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.reader.read(buf) {
                Ok(0) => match self.total {
                    Some(total) if self.got < total => {
                        let error = Error::ShortBody {
                            url: self.url.clone(),
                            expected: total,
                            got: self.got,
                        };
                        self.resume(error)?;
                    }
                    _ => return Ok(0),
                },
                Ok(n) => {
                    self.inner
                        .counters
                        .bytes
                        .fetch_add(n as u64, Ordering::Relaxed);
                    let n = self.drop_skipped(buf, n);
                    if n == 0 {
                        continue;
                    }
                    if self.total.is_some_and(|total| self.got + n as u64 > total) {
                        return Err(to_io(Error::InvalidResponse {
                            url: self.url.clone(),
                            reason: "the body is longer than announced".to_owned(),
                            source: None,
                        }));
                    }
                    self.got += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let error = Error::Network {
                        url: self.url.clone(),
                        source: Box::new(e),
                    };
                    tracing::debug!(%error, got = self.got, "download interrupted");
                    self.resume(error)?;
                }
            }
        }
    }
}

impl Download {
    /// Drops the part of the `n` bytes just read into `buf` that the caller already has;
    /// returns how many bytes are left (moved to the front of `buf`).
    fn drop_skipped(&mut self, buf: &mut [u8], n: usize) -> usize {
        if self.skip == 0 {
            return n;
        }
        let dropped = n.min(usize::try_from(self.skip).unwrap_or(usize::MAX));
        self.skip -= dropped as u64;
        buf.copy_within(dropped..n, 0);
        n - dropped
    }
}

fn to_io(error: Error) -> io::Error {
    let kind = match &error {
        Error::ShortBody { .. } => io::ErrorKind::UnexpectedEof,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

/// Refuses an asset whose URL is not a release asset URL on the API origin (see the module
/// docs): a cache entry or a hostile listing must not choose where a download comes from.
fn check_asset_url(inner: &Inner, asset: &AssetInfo) -> Result<(), Error> {
    let on_origin = Origin::of(&asset.api_url).as_ref() == Some(&inner.api_origin);
    let path_ok = asset
        .api_url
        .strip_prefix(&inner.api_url)
        .and_then(|rest| rest.strip_prefix("/repos/"))
        .and_then(|rest| {
            let mut parts = rest.split('/');
            let (_owner, _repo) = (parts.next()?, parts.next()?);
            let (releases, assets, id) = (parts.next()?, parts.next()?, parts.next()?);
            Some(
                releases == "releases"
                    && assets == "assets"
                    && !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_digit())
                    && parts.next().is_none(),
            )
        })
        .unwrap_or(false);
    if on_origin && path_ok {
        return Ok(());
    }
    Err(Error::InvalidResponse {
        url: redact(&asset.api_url),
        reason: format!(
            "asset `{}` does not come from a release of this API ({}); refusing to download it",
            asset.name, inner.api_url
        ),
        source: None,
    })
}

/// Opens the asset from byte `from`, retrying transient failures within `attempts`.
fn open_with_retries(
    inner: &Inner,
    asset: &AssetInfo,
    from: u64,
    attempts: &mut Attempts,
) -> Result<Opened, Error> {
    loop {
        match open(inner, asset, from) {
            Ok(opened) => return Ok(opened),
            Err(failure) => inner.retry_or_fail(failure, attempts)?,
        }
    }
}

/// One attempt: the API URL, then redirects, up to a `2xx`. From a non-zero offset every hop
/// carries `Range: bytes=<from>-`.
fn open(inner: &Inner, asset: &AssetInfo, from: u64) -> Result<Opened, Failure> {
    let never = |error| Failure {
        error,
        retry: Retry::Never,
    };
    let range = (from > 0).then(|| vec![("Range", format!("bytes={from}-"))]);
    let extra = range.as_deref().unwrap_or(&[]);
    let mut current = asset.api_url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut resp = inner.send(&current, ACCEPT_OCTET, extra)?;
        let status = resp.status().as_u16();
        if status == 206 && from > 0 {
            let total = content_range_total(resp.headers(), from).ok_or_else(|| {
                never(Error::InvalidResponse {
                    url: redact(&current),
                    reason: format!("a partial answer that does not start at byte {from}"),
                    source: None,
                })
            })?;
            return Ok(Opened {
                response: resp,
                url: current,
                total,
                ranged: true,
            });
        }
        if (200..300).contains(&status) {
            let total = content_length(resp.headers());
            return Ok(Opened {
                response: resp,
                url: current,
                total,
                ranged: false,
            });
        }
        if is_redirect(status) {
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| {
                    never(Error::BadRedirect {
                        url: redact(&current),
                        reason: "the response has no Location header",
                    })
                })?;
            current = redirect_target(&current, location).map_err(never)?;
            continue;
        }
        let headers = resp.headers().clone();
        let body = resp
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_vec()
            .unwrap_or_default();
        let ctx = Ctx {
            what: format!("asset `{}`", asset.name),
            repo: repo_of(&asset.api_url),
            git_ref: None,
        };
        return Err(inner.classify(
            &Fetched {
                status,
                headers,
                body,
            },
            &current,
            &ctx,
        ));
    }
    Err(never(Error::BadRedirect {
        url: redact(&asset.api_url),
        reason: "too many redirects",
    }))
}

/// The total size from `Content-Range: bytes <from>-<end>/<total>` (`Some(None)` for a `*`
/// total); `None` when the range does not start at `from`.
fn content_range_total(headers: &ureq::http::HeaderMap, from: u64) -> Option<Option<u64>> {
    let value = headers.get("content-range")?.to_str().ok()?.trim();
    let (range, total) = value.strip_prefix("bytes ")?.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    if start.trim().parse::<u64>().ok()? != from {
        return None;
    }
    Some(total.trim().parse::<u64>().ok())
}

#[cfg(test)]
mod tests {
    use ureq::http::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn content_range_must_start_where_we_asked() {
        let mut h = HeaderMap::new();
        h.insert(
            "content-range",
            HeaderValue::from_static("bytes 100-199/200"),
        );
        assert_eq!(content_range_total(&h, 100), Some(Some(200)));
        assert_eq!(content_range_total(&h, 50), None);
        h.insert("content-range", HeaderValue::from_static("bytes 100-199/*"));
        assert_eq!(content_range_total(&h, 100), Some(None));
        assert_eq!(content_range_total(&HeaderMap::new(), 100), None);
    }
}

//! Streaming asset downloads.
//!
//! GitHub serves an asset from its API URL with `Accept: application/octet-stream`, either
//! directly (`200`) or by redirecting (`302`) to a pre-signed URL on a storage host. Redirects
//! are followed here, by hand, so that the token is attached only when the target is the API
//! origin and an https → http downgrade is refused. The body is never buffered: [`Download`]
//! hands bytes to the caller as they arrive (the `install` crate hashes while streaming).
//!
//! Retries: a failure before the body starts (connection error, 5xx, a near rate-limit reset)
//! is retried like any request. A failure *while* streaming is retried only if no byte has
//! been handed to the caller yet; after that, the caller has consumed a prefix that a new
//! response cannot be spliced onto safely, so it gets an error.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ureq::BodyReader;
use ureq::http::Response;

use crate::client::{
    Ctx, Failure, Fetched, Inner, MAX_REDIRECTS, Retry, content_length, is_redirect,
    transport_failure,
};
use crate::error::Error;
use crate::model::AssetInfo;
use crate::url::{redact, redirect_target, repo_of};

const ACCEPT_OCTET: &str = "application/octet-stream";
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// An asset download in progress: read it like a file.
///
/// Reading reports, as an [`io::Error`] whose inner error is a [`crate::Error`] (reach it with
/// [`io::Error::get_ref`] and `downcast_ref`):
/// - [`Error::ShortBody`] (kind `UnexpectedEof`) if the body ends, cleanly or by a reset,
///   before `Content-Length` bytes;
/// - [`Error::Network`] for other transport failures after the first byte.
pub struct Download {
    inner: Arc<Inner>,
    asset: AssetInfo,
    url: String,
    reader: BodyReader<'static>,
    expected: Option<u64>,
    got: u64,
    failed: u32,
}

impl Download {
    pub(crate) fn start(inner: Arc<Inner>, asset: &AssetInfo) -> Result<Download, Error> {
        let (resp, url, failed) = open_with_retries(&inner, asset, 0)?;
        let expected = content_length(resp.headers());
        Ok(Download {
            inner,
            asset: asset.clone(),
            url: redact(&url),
            reader: resp.into_body().into_reader(),
            expected,
            got: 0,
            failed,
        })
    }

    /// `Content-Length` of the response, if the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.expected
    }

    /// The URL the bytes come from, without its query (signed URLs carry a credential there).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Bytes handed to the caller so far.
    pub fn bytes_read(&self) -> u64 {
        self.got
    }

    fn short(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            Error::ShortBody {
                url: self.url.clone(),
                expected: self.expected.unwrap_or(self.got),
                got: self.got,
            },
        )
    }

    /// Re-requests the asset after a failure before the first byte.
    fn restart(&mut self, error: Error) -> io::Result<()> {
        self.failed += 1;
        self.inner
            .retry_or_fail(
                Failure {
                    error,
                    retry: Retry::Backoff,
                },
                self.failed,
            )
            .map_err(to_io)?;
        let (resp, url, failed) =
            open_with_retries(&self.inner, &self.asset, self.failed).map_err(to_io)?;
        self.expected = content_length(resp.headers());
        self.url = redact(&url);
        self.reader = resp.into_body().into_reader();
        self.failed = failed;
        Ok(())
    }
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("asset", &self.asset.name)
            .field("url", &self.url)
            .field("content_length", &self.expected)
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
                Ok(0) => match self.expected {
                    Some(expected) if self.got < expected => {
                        if self.got == 0 {
                            self.restart(Error::ShortBody {
                                url: self.url.clone(),
                                expected,
                                got: 0,
                            })?;
                            continue;
                        }
                        return Err(self.short());
                    }
                    _ => return Ok(0),
                },
                Ok(n) => {
                    self.got += n as u64;
                    self.inner
                        .counters
                        .bytes
                        .fetch_add(n as u64, Ordering::Relaxed);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let error = Error::Network {
                        url: self.url.clone(),
                        source: Box::new(e),
                    };
                    if self.got == 0 {
                        self.restart(error)?;
                        continue;
                    }
                    if self.expected.is_some_and(|x| self.got < x) {
                        tracing::debug!(%error, "download interrupted");
                        return Err(self.short());
                    }
                    return Err(to_io(error));
                }
            }
        }
    }
}

fn to_io(error: Error) -> io::Error {
    let kind = match &error {
        Error::ShortBody { .. } => io::ErrorKind::UnexpectedEof,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

/// Opens the asset, retrying transient failures; returns the response, its final URL and
/// the number of failed attempts so far.
fn open_with_retries(
    inner: &Inner,
    asset: &AssetInfo,
    mut failed: u32,
) -> Result<(Response<ureq::Body>, String, u32), Error> {
    loop {
        match open(inner, asset) {
            Ok((resp, url)) => return Ok((resp, url, failed)),
            Err(failure) => {
                failed += 1;
                inner.retry_or_fail(failure, failed)?;
            }
        }
    }
}

/// One attempt: the API URL, then redirects, up to a `2xx`.
fn open(inner: &Inner, asset: &AssetInfo) -> Result<(Response<ureq::Body>, String), Failure> {
    let never = |error| Failure {
        error,
        retry: Retry::Never,
    };
    let mut current = asset.api_url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut resp = inner
            .send(&current, ACCEPT_OCTET, &[])
            .map_err(|e| transport_failure(&current, e))?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return Ok((resp, current));
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

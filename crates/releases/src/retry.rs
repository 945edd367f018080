//! Retry decisions: which failures are transient, how long to wait before the next attempt
//! (exponential backoff with jitter, or what GitHub's rate-limit headers say), and pausing.
//!
//! Rate limits follow GitHub's documented rules
//! (<https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api>): a
//! 429, or a 403 with `x-ratelimit-remaining: 0`, a `Retry-After`, or a "rate limit" message.
//! The wait is `Retry-After` (seconds or an HTTP date), else `x-ratelimit-reset` minus now,
//! else one minute (GitHub's advice for secondary limits without headers). Everything takes
//! `now` as a parameter so the arithmetic is testable.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, UNIX_EPOCH};

use ureq::http::HeaderMap;

use crate::config::RetryPolicy;

/// What a rate-limited response says about waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RateLimit {
    /// How long until requests are allowed again.
    pub(crate) wait: Duration,
    /// The reset instant (Unix seconds), when known.
    pub(crate) reset_at: Option<u64>,
    /// `x-ratelimit-limit`.
    pub(crate) limit: Option<u64>,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The rate limit a 403/429 response signals, or `None` if it is not a rate limit.
pub(crate) fn rate_limit(
    status: u16,
    headers: &HeaderMap,
    message: Option<&str>,
    now: u64,
) -> Option<RateLimit> {
    let remaining_zero = header(headers, "x-ratelimit-remaining") == Some("0");
    let retry_after = header(headers, "retry-after");
    let says_so = message.is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
    let limited =
        status == 429 || (status == 403 && (remaining_zero || retry_after.is_some() || says_so));
    if !limited {
        return None;
    }
    let reset_header = header(headers, "x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok());
    let limit = header(headers, "x-ratelimit-limit").and_then(|v| v.parse::<u64>().ok());
    let from_retry_after = retry_after.and_then(|v| match v.parse::<u64>() {
        Ok(secs) => Some(secs),
        Err(_) => httpdate::parse_http_date(v)
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs().saturating_sub(now)),
    });
    let (wait, reset_at) = match (from_retry_after, reset_header) {
        (Some(secs), _) => (secs, Some(now + secs)),
        (None, Some(reset)) if remaining_zero || status == 429 || says_so => {
            (reset.saturating_sub(now), Some(reset))
        }
        // A secondary limit without timing headers: GitHub says wait at least a minute.
        _ => (60, None),
    };
    Some(RateLimit {
        wait: Duration::from_secs(wait),
        reset_at,
        limit,
    })
}

/// The backoff before attempt `failed + 1`, after `failed` failures: `base * 2^(failed-1)`,
/// capped at `max_backoff`, then scaled into `[½, 1]` of that by `random` (equal jitter, so
/// concurrent clients spread out without ever retrying immediately).
pub(crate) fn backoff(policy: &RetryPolicy, failed: u32, random: u64) -> Duration {
    let exp = policy
        .base_delay
        .saturating_mul(1u32 << failed.saturating_sub(1).min(16))
        .min(policy.max_backoff);
    let half = exp / 2;
    let frac = (random % 1001) as f64 / 1000.0;
    half + half.mul_f64(frac)
}

/// A random number for jitter, from std's randomly keyed hasher (no RNG dependency needed).
pub(crate) fn jitter_random() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(util::time::unix_now());
    h.finish()
}

/// Sleeps `wait` unless the policy says not to (tests).
pub(crate) fn pause(policy: &RetryPolicy, wait: Duration) {
    if policy.sleep && !wait.is_zero() {
        std::thread::sleep(wait);
    }
}

/// Returns true if and only if a transport error may go away on retry: I/O, timeouts, failed
/// connections, DNS hiccups, garbled responses. TLS and configuration errors are permanent.
pub(crate) fn transient(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Protocol(_)
    )
}

#[cfg(test)]
mod tests {
    use ureq::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn rate_limit_classification() {
        let primary = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000300"),
            ("x-ratelimit-limit", "60"),
        ]);
        assert_eq!(
            rate_limit(403, &primary, None, NOW),
            Some(RateLimit {
                wait: Duration::from_secs(300),
                reset_at: Some(1_700_000_300),
                limit: Some(60)
            })
        );
        // Retry-After wins over the reset header, in seconds or as an HTTP date.
        let ra = headers(&[("retry-after", "7"), ("x-ratelimit-reset", "1700000300")]);
        assert_eq!(
            rate_limit(429, &ra, None, NOW).unwrap().wait,
            Duration::from_secs(7)
        );
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(NOW + 42));
        let ra = headers(&[("retry-after", &date)]);
        let rl = rate_limit(403, &ra, None, NOW).unwrap();
        assert_eq!(
            (rl.wait, rl.reset_at),
            (Duration::from_secs(42), Some(NOW + 42))
        );
        // A secondary limit known only by its message: one minute.
        let rl = rate_limit(
            403,
            &HeaderMap::new(),
            Some("You have exceeded a secondary rate limit"),
            NOW,
        )
        .unwrap();
        assert_eq!((rl.wait, rl.reset_at), (Duration::from_secs(60), None));
        // A reset in the past means "now".
        let past = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1")]);
        assert_eq!(
            rate_limit(403, &past, None, NOW).unwrap().wait,
            Duration::ZERO
        );
    }

    #[test]
    fn permission_403_is_not_a_rate_limit() {
        let h = headers(&[
            ("x-ratelimit-remaining", "4999"),
            ("x-ratelimit-reset", "1700000300"),
        ]);
        assert_eq!(
            rate_limit(403, &h, Some("Resource not accessible by integration"), NOW),
            None
        );
        assert_eq!(rate_limit(404, &h, None, NOW), None);
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for (failed, lo, hi) in [(1, 50, 100), (2, 100, 200), (3, 175, 350), (9, 175, 350)] {
            for random in [0, 500, 1000, u64::MAX] {
                let d = backoff(&p, failed, random).as_millis();
                assert!(
                    (lo..=hi).contains(&d),
                    "failed={failed} random={random}: {d}"
                );
            }
        }
        assert_eq!(backoff(&p, 1, 0), Duration::from_millis(50));
        assert_eq!(backoff(&p, 1, 1000), Duration::from_millis(100));
    }
}

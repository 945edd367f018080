//! Time for messages and records: Unix seconds, RFC 3339 timestamps, and the one way user
//! messages show a moment (`2026-08-01 14:05:09 UTC`) and a wait (`in 12 min`).
//!
//! Formatting is [`humantime`]'s (a well-kept crate) rather than a civil-date algorithm of our
//! own; the functions take their inputs explicitly so messages are testable.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `time` as RFC 3339 UTC with second precision (`2026-08-01T14:05:09Z`); times before 1970
/// are clamped to the epoch.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time.max(UNIX_EPOCH)).to_string()
}

/// `2026-08-01 14:05:09 UTC` for a Unix time: how messages show a moment.
pub fn format_utc(epoch: u64) -> String {
    let stamp = rfc3339(UNIX_EPOCH + Duration::from_secs(epoch));
    // `YYYY-MM-DDTHH:MM:SSZ` → `YYYY-MM-DD HH:MM:SS UTC`
    format!("{} UTC", stamp.trim_end_matches('Z').replacen('T', " ", 1))
}

/// `14:05:09` (UTC) for a Unix time: the short form for a wait that ends today.
pub fn format_clock(epoch: u64) -> String {
    let stamp = rfc3339(UNIX_EPOCH + Duration::from_secs(epoch));
    stamp
        .split_once('T')
        .map_or(stamp.as_str(), |(_, t)| t.trim_end_matches('Z'))
        .to_owned()
}

/// `in 45 s`, `in 12 min`, `in 2 h 5 min`; `now` for zero.
pub fn format_wait(wait: Duration) -> String {
    let secs = wait.as_secs();
    match secs {
        0 => "now".to_owned(),
        1..=59 => format!("in {secs} s"),
        60..=3599 => format!("in {} min", secs.div_ceil(60)),
        _ => {
            let (h, min) = (secs / 3600, (secs % 3600) / 60);
            if min == 0 {
                format!("in {h} h")
            } else {
                format!("in {h} h {min} min")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_clock(1_700_000_000), "22:13:20");
        let at = |s: u64| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(at(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn waits() {
        for (secs, want) in [
            (0, "now"),
            (1, "in 1 s"),
            (59, "in 59 s"),
            (60, "in 1 min"),
            (61, "in 2 min"),
            (3599, "in 60 min"),
            (3600, "in 1 h"),
            (7500, "in 2 h 5 min"),
        ] {
            assert_eq!(format_wait(Duration::from_secs(secs)), want, "{secs}");
        }
    }
}

//! Clock helpers: Unix seconds, and human-readable UTC times and durations for messages
//! (rate-limit resets). Pure functions of their inputs so messages are testable.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the clock is before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-08-01 14:05:09 UTC` for a Unix time.
pub(crate) fn format_utc(epoch: u64) -> String {
    let days = epoch / 86_400;
    let rem = epoch % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// `in 45 s`, `in 12 min`, `in 2 h 5 min`; `now` for zero.
pub(crate) fn format_wait(wait: Duration) -> String {
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
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn wait_formatting() {
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

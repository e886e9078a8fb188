//! Time: UTC inside, Beijing time (UTC+8) where the seeds render a date.
use chrono::{DateTime, FixedOffset, Utc};

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

use chrono::Offset;

/// `2020-11-19 13:34:38` in Beijing time, as the seeds print `expired_at`.
pub fn beijing_datetime(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `2020年11月18日11:01:46` in Beijing time, as the review lists print times.
pub fn beijing_chinese(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&beijing())
        .format("%Y年%m月%d日%H:%M:%S")
        .to_string()
}

/// Today's date in Beijing (`20201119`), for per-day limits.
pub fn beijing_day(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&beijing())
        .format("%Y%m%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_is_eight_hours_ahead() {
        assert_eq!(beijing_datetime(1_605_764_078), "2020-11-19 13:34:38");
        assert_eq!(beijing_chinese(1_605_668_506), "2020年11月18日11:01:46");
        assert_eq!(beijing_day(1_605_764_078), "20201119");
    }
}

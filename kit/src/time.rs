//! Time: UTC inside, Beijing time (UTC+8) where the seeds render a date.
use std::sync::LazyLock;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, Utc};

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

use chrono::Offset;

/// Unix seconds as a time on Beijing's clock.
fn on_beijing_clock(unix: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&beijing())
}

/// Unix seconds on Beijing's clock, written with `pattern` (chrono's `strftime`).
pub fn beijing_format(unix: i64, pattern: &str) -> String {
    on_beijing_clock(unix).format(pattern).to_string()
}

/// Unix seconds on Beijing's clock, written with a pattern parsed once ([`parsed`]): the helpers
/// below print fixed patterns (a list prints two times a row), and parsing a pattern cost more
/// than writing the time.
fn beijing_with(unix: i64, items: &[Item<'static>]) -> String {
    on_beijing_clock(unix)
        .format_with_items(items.iter())
        .to_string()
}

/// A `strftime` pattern's items, parsed when first used.
macro_rules! parsed {
    ($pattern:literal) => {{
        static ITEMS: LazyLock<Vec<Item<'static>>> =
            LazyLock::new(|| StrftimeItems::new($pattern).collect());
        &ITEMS
    }};
}

/// `2020-11-19 13:34:38` in Beijing time, as the seeds print `expired_at`.
pub fn beijing_datetime(unix: i64) -> String {
    beijing_with(unix, parsed!("%Y-%m-%d %H:%M:%S"))
}

/// `2020年11月18日11:01:46` in Beijing time, as the review lists print times.
pub fn beijing_chinese(unix: i64) -> String {
    beijing_with(unix, parsed!("%Y年%m月%d日%H:%M:%S"))
}

/// Today's date in Beijing (`20201119`), for per-day limits.
pub fn beijing_day(unix: i64) -> String {
    beijing_with(unix, parsed!("%Y%m%d"))
}

/// The first second of a Beijing date written `2020-12-13`, as unix seconds; `None` for
/// anything else.
pub fn beijing_date_start(date: &str) -> Option<i64> {
    let day = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let midnight = day.and_hms_opt(0, 0, 0)?;
    Some(midnight.and_local_timezone(beijing()).single()?.timestamp())
}

/// `2026-12-05 10:00` (Beijing time, to the minute) as unix seconds; `None` when it is not one.
pub fn beijing_minute(text: &str) -> Option<i64> {
    let minute = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").ok()?;
    Some(minute.and_local_timezone(beijing()).single()?.timestamp())
}

/// Unix seconds as `2026-12-05 10:00` in Beijing time.
pub fn beijing_minute_text(unix: i64) -> String {
    beijing_with(unix, parsed!("%Y-%m-%d %H:%M"))
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

    #[test]
    fn beijing_dates_start_at_beijing_midnight() {
        assert_eq!(beijing_date_start("2020-11-19"), Some(1_605_715_200));
        assert_eq!(beijing_datetime(1_605_715_200), "2020-11-19 00:00:00");
        for bad in ["", "2020-13-01", "2020/11/19", "19-11-2020", "2020-11-19x"] {
            assert_eq!(beijing_date_start(bad), None, "{bad}");
        }
    }
}

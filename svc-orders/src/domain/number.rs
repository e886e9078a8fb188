//! Order numbers: 20 digits, Beijing time to the second then 6 digits of microseconds, strictly
//! increasing within the process (the unique index catches replicas colliding).
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{FixedOffset, Offset, TimeZone, Utc};

static LAST_MICROS: AtomicI64 = AtomicI64::new(0);

/// The next order number, e.g. `20201211114931367693`.
pub fn next_order_number() -> String {
    let now = Utc::now().timestamp_micros();
    let mut last = LAST_MICROS.load(Ordering::SeqCst);
    let micros = loop {
        let candidate = now.max(last + 1);
        match LAST_MICROS.compare_exchange(last, candidate, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => break candidate,
            Err(seen) => last = seen,
        }
    };
    format_number(micros)
}

fn format_number(micros: i64) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix());
    let seconds = micros.div_euclid(1_000_000);
    let rest = micros.rem_euclid(1_000_000);
    let stamp = beijing
        .timestamp_opt(seconds, 0)
        .single()
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_else(|| "19700101080000".to_owned());
    format!("{stamp}{rest:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_are_twenty_digits_and_increase() {
        let a = next_order_number();
        let b = next_order_number();
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|c| c.is_ascii_digit()));
        assert!(b > a);
        assert_eq!(format_number(1_607_658_571_367_693), "20201211114931367693");
    }
}

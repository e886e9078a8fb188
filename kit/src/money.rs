//! Money: 元 with at most two decimals in, integer fen inside, `0.01元` out.

/// The largest single order, fen (一百万元).
pub const MAX_FEN: i64 = 100_000_000;

/// `"12.5"` → 1250 fen. Exact decimal parsing: no floats; at most 2 decimals; positive.
pub fn parse_yuan(input: &str) -> Result<i64, &'static str> {
    let text = input.trim();
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err("金额不能为空");
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || (text.contains('.') && fraction.is_empty()) {
        return Err("金额必须是数字，单位为元");
    }
    if fraction.len() > 2 {
        return Err("金额最多两位小数");
    }
    if whole.len() > 9 {
        return Err("金额过大");
    }
    let yuan: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "金额必须是数字，单位为元")?
    };
    let mut cents = format!("{fraction:0<2}");
    cents.truncate(2);
    let cents: i64 = cents.parse().map_err(|_| "金额必须是数字，单位为元")?;
    let fen = yuan * 100 + cents;
    if fen <= 0 {
        return Err("金额必须大于0");
    }
    if fen > MAX_FEN {
        return Err("金额过大");
    }
    Ok(fen)
}

/// 12345 fen as yuan with two places, `"123.45"` (how Alipay and DESIGN's `fee` write amounts).
pub fn yuan_decimal(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}{}.{:02}", fen / 100, fen % 100)
}

/// 1 → `0.01元`.
pub fn render_yuan(fen: i64) -> String {
    format!("{}.{:02}元", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_yuan_become_exact_fen() {
        assert_eq!(parse_yuan("0.01"), Ok(1));
        assert_eq!(parse_yuan("12.5"), Ok(1250));
        assert_eq!(parse_yuan("100"), Ok(10000));
        assert_eq!(parse_yuan(".5"), Ok(50));
        assert_eq!(parse_yuan("0.1"), Ok(10));
        for bad in [
            "",
            "0",
            "0.00",
            "1.234",
            "-1",
            "1e3",
            "abc",
            "1.",
            "1,5",
            "9999999999",
        ] {
            assert!(parse_yuan(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fen_render_as_the_seed_shows() {
        assert_eq!(render_yuan(1), "0.01元");
        assert_eq!(render_yuan(1250), "12.50元");
    }
}

//! Mainland licence plates (GA 36-2018) and parking spot numbers: checked strictly where a caller
//! gives one to store (the gateway reads them into these types), normalised leniently where one
//! is looked up.
use std::fmt;

/// Longest spot number, in characters.
pub const MAX_SPOT_CHARS: usize = 16;

/// The provinces' one-character abbreviations a plate starts with.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Upper case, no spaces (ASCII or full-width) and no `·` separator; full-width letters and
/// digits become ASCII. Checks nothing: look-ups use it as is.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '・'))
        .map(|c| match c {
            // Full-width ASCII (Ａ, ０) as a Chinese input method types it.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A serial character: a digit or a letter other than I and O (they read as 1 and 0).
fn is_serial_char(c: char) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

/// A mainland plate: province, issuing-office letter, then 5 characters (ordinary) or 6 starting
/// or ending with D/F (new-energy).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Plate(String);

impl Plate {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        const WRONG: &str = "车牌号格式不正确，请填写如冀C12345或冀CD12345的车牌号";
        let value = normalize(input);
        let chars: Vec<char> = value.chars().collect();
        let [province, office, serial @ ..] = chars.as_slice() else {
            return Err(WRONG);
        };
        if !PROVINCES.contains(*province) {
            return Err("车牌号的省份简称不正确");
        }
        if !(office.is_ascii_uppercase() && *office != 'I' && *office != 'O') {
            return Err(WRONG);
        }
        if !serial.iter().all(|c| is_serial_char(*c)) {
            return Err(WRONG);
        }
        let new_energy = |c: Option<&char>| matches!(c, Some('D' | 'F'));
        let valid = match serial.len() {
            5 => true,
            6 => new_energy(serial.first()) || new_energy(serial.last()),
            _ => false,
        };
        if valid { Ok(Self(value)) } else { Err(WRONG) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plate({})", self.0)
    }
}

/// A parking spot's number within its community (A012, B2-101): letters, digits and `-`, upper
/// case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpotNumber(String);

impl SpotNumber {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = normalize(input);
        if value.is_empty() || value.chars().count() > MAX_SPOT_CHARS {
            return Err("车位编号必须是1到16个字母、数字或-");
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("车位编号只能包含字母、数字和-");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_and_new_energy_plates_are_accepted_and_normalised() {
        for (typed, stored) in [
            ("冀C12345", "冀C12345"),
            (" 冀c 123a5 ", "冀C123A5"),
            ("京A·D12345", "京AD12345"),
            ("粤B12345F", "粤B12345F"),
            ("沪ＡＢ１２３４", "沪AB1234"),
        ] {
            assert_eq!(Plate::parse(typed).map(|p| p.0), Ok(stored.to_owned()));
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "GK12001",
            "冀12345",
            "冀C1234",
            "冀C1234567",
            "冀CA12345",
            "冀I12345",
            "冀O12345",
            "冀C12O45",
            "冀C12I45",
            "冀C12_45",
            "美A12345",
            "冀C12345学",
        ] {
            assert!(Plate::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn spot_numbers_are_short_codes_in_upper_case() {
        assert_eq!(SpotNumber::parse(" a012 ").map(|n| n.0), Ok("A012".into()));
        assert_eq!(
            SpotNumber::parse("B2-101").map(|n| n.0),
            Ok("B2-101".into())
        );
        assert!(SpotNumber::parse("").is_err());
        assert!(SpotNumber::parse("A%").is_err());
        assert!(SpotNumber::parse("车位1").is_err());
        assert!(SpotNumber::parse(&"A".repeat(17)).is_err());
    }

    #[test]
    fn lookups_normalise_without_checking() {
        assert_eq!(normalize(" gk 12001 "), "GK12001");
        assert_eq!(normalize("a012"), "A012");
    }
}

//! WeChat subscribe messages' value types (订阅消息参数值内容限制) and their limits, written once:
//! svc-auth cuts each value to fit before it sends, and the sandbox checks them as WeChat does
//! (47003 when one does not fit).

/// A template key's type: its name without the trailing digits (`thing1` → `Thing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// 20 characters at most, any.
    Thing,
    /// 32 digits at most, a decimal point allowed.
    Number,
    /// 32 letters at most.
    Letter,
    /// 5 symbols at most.
    Symbol,
    /// 32 digits, letters or symbols at most (no Chinese).
    CharacterString,
    /// A 24-hour time, with its date (`2026年12月05日 14:30`).
    Time,
    /// A date (`2026年12月05日`), maybe with a time.
    Date,
    /// A currency sign or `元` and at most 10 digits, a decimal point allowed (`12.50元`).
    Amount,
    /// 17 digits or symbols at most.
    PhoneNumber,
    /// 8 characters at most: a plate.
    CarNumber,
    /// 10 Chinese characters, or 20 letters.
    Name,
    /// 5 Chinese characters at most, nothing else.
    Phrase,
}

impl ValueType {
    /// The type of a template key (`thing1`, `character_string12`); `None` for an unknown one.
    pub fn of_key(key: &str) -> Option<Self> {
        Some(match key.trim_end_matches(|c: char| c.is_ascii_digit()) {
            "thing" => Self::Thing,
            "number" => Self::Number,
            "letter" => Self::Letter,
            "symbol" => Self::Symbol,
            "character_string" => Self::CharacterString,
            "time" => Self::Time,
            "date" => Self::Date,
            "amount" => Self::Amount,
            "phone_number" => Self::PhoneNumber,
            "car_number" => Self::CarNumber,
            "name" => Self::Name,
            "phrase" => Self::Phrase,
            _ => return None,
        })
    }

    /// True when WeChat takes `value` for a key of this type.
    pub fn accepts(self, value: &str) -> bool {
        let count = value.chars().count();
        if count == 0 {
            return false;
        }
        let symbol = |c: char| c.is_ascii_punctuation() || c == ' ';
        match self {
            Self::Thing => count <= 20,
            Self::Number => count <= 32 && value.chars().all(|c| c.is_ascii_digit() || c == '.'),
            Self::Letter => count <= 32 && value.chars().all(|c| c.is_ascii_alphabetic()),
            Self::Symbol => count <= 5 && value.chars().all(symbol),
            Self::CharacterString => count <= 32 && value.chars().all(|c| c.is_ascii_graphic()),
            Self::Time | Self::Date => {
                count <= 40
                    && value.chars().any(|c| c.is_ascii_digit())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_digit() || "年月日时分秒:-/~ ".contains(c))
            }
            Self::Amount => {
                let digits = value
                    .trim_start_matches(['¥', '￥', '$'])
                    .trim_end_matches('元');
                !digits.is_empty()
                    && digits.chars().filter(char::is_ascii_digit).count() <= 10
                    && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            }
            Self::PhoneNumber => {
                count <= 17 && value.chars().all(|c| c.is_ascii_digit() || symbol(c))
            }
            Self::CarNumber => count <= 8,
            // Mixed text counts as Chinese: 10 at most.
            Self::Name => count <= 10 || (count <= 20 && !value.chars().any(is_chinese)),
            Self::Phrase => count <= 5 && value.chars().all(is_chinese),
        }
    }

    /// `value` cut and cleaned to fit, or a stand-in (`无`, `-`, `0`) when nothing of it fits:
    /// WeChat refuses an empty value.
    pub fn fit(self, value: &str) -> String {
        let value = value.trim();
        let take = |chars: &mut dyn Iterator<Item = char>, max: usize| -> String {
            chars.take(max).collect()
        };
        let fitted = match self {
            Self::Thing => take(&mut value.chars(), 20),
            Self::Number => take(
                &mut value.chars().filter(|c| c.is_ascii_digit() || *c == '.'),
                32,
            ),
            Self::Letter => take(&mut value.chars().filter(char::is_ascii_alphabetic), 32),
            Self::Symbol => take(&mut value.chars().filter(char::is_ascii_punctuation), 5),
            Self::CharacterString => take(&mut value.chars().filter(char::is_ascii_graphic), 32),
            Self::PhoneNumber => take(
                &mut value
                    .chars()
                    .filter(|c| c.is_ascii_digit() || c.is_ascii_punctuation()),
                17,
            ),
            Self::CarNumber => take(&mut value.chars().filter(|c| !c.is_whitespace()), 8),
            Self::Name => take(&mut value.chars(), 10),
            Self::Phrase => take(&mut value.chars().filter(|c| is_chinese(*c)), 5),
            Self::Time | Self::Date | Self::Amount => value.to_owned(),
        };
        if self.accepts(&fitted) {
            return fitted;
        }
        match self {
            Self::Thing | Self::Phrase | Self::Name | Self::CarNumber => "无",
            Self::Number => "0",
            Self::Letter => "N",
            Self::Amount => "0.00元",
            Self::Time | Self::Date => "1970年01月01日 08:00",
            Self::Symbol | Self::CharacterString | Self::PhoneNumber => "-",
        }
        .to_owned()
    }
}

/// A CJK unified ideograph (what WeChat calls 汉字).
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_names_its_type() {
        assert_eq!(ValueType::of_key("thing12"), Some(ValueType::Thing));
        assert_eq!(
            ValueType::of_key("character_string3"),
            Some(ValueType::CharacterString)
        );
        assert_eq!(
            ValueType::of_key("phone_number1"),
            Some(ValueType::PhoneNumber)
        );
        assert_eq!(ValueType::of_key("colour1"), None);
    }

    #[test]
    fn values_are_cut_to_wechats_limits() {
        let long = "报修内容很长很长很长很长很长很长很长很长很长很长";
        let thing = ValueType::Thing.fit(long);
        assert_eq!(thing.chars().count(), 20);
        assert!(ValueType::Thing.accepts(&thing));
        assert!(!ValueType::Thing.accepts(long));
        assert_eq!(ValueType::Phrase.fit("已受理 ok"), "已受理");
        assert_eq!(ValueType::Phrase.fit("accepted"), "无");
        assert!(!ValueType::Phrase.accepts("已经受理了吗啊"));
        assert_eq!(
            ValueType::CharacterString.fit("单号20201211114931367693"),
            "20201211114931367693"
        );
        assert_eq!(ValueType::Number.fit(&"9".repeat(40)).len(), 32);
        assert_eq!(ValueType::PhoneNumber.fit("176****1130"), "176****1130");
        assert_eq!(ValueType::Thing.fit("  "), "无");
    }

    #[test]
    fn amounts_and_times_are_checked_as_wechat_writes_them() {
        assert!(ValueType::Amount.accepts("12.50元"));
        assert!(ValueType::Amount.accepts("¥12.50"));
        assert!(!ValueType::Amount.accepts("12345678901.00元"));
        assert!(!ValueType::Amount.accepts("十二元"));
        assert!(ValueType::Time.accepts("2026年12月05日 14:30"));
        assert!(ValueType::Time.accepts("2026-12-05 14:30"));
        assert!(!ValueType::Time.accepts("tomorrow"));
    }
}

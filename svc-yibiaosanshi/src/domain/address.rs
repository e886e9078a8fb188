//! The address tree's values: identifiers, parent ids, names and the seed's 房屋类型.

/// Longest name (in characters) a level of the tree may carry.
pub const MAX_NAME_CHARS: usize = 64;

/// Longest community identifier accepted (digits).
const MAX_IDENTIFIER_DIGITS: usize = 20;

/// 000 前言 房屋类型: the strings a house's type may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HouseType {
    /// 单元楼
    UnitBuilding,
    /// 筒子楼
    TubeBuilding,
    /// 四合院
    Courtyard,
    /// 独立平房
    Bungalow,
    /// 自建小楼
    SelfBuiltSmallBuilding,
    /// 别墅
    Villa,
    /// 自建
    SelfBuilt,
    /// 其他
    Other,
}

impl HouseType {
    pub const ALL: [Self; 8] = [
        Self::UnitBuilding,
        Self::TubeBuilding,
        Self::Courtyard,
        Self::Bungalow,
        Self::SelfBuiltSmallBuilding,
        Self::Villa,
        Self::SelfBuilt,
        Self::Other,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnitBuilding => "单元楼",
            Self::TubeBuilding => "筒子楼",
            Self::Courtyard => "四合院",
            Self::Bungalow => "独立平房",
            Self::SelfBuiltSmallBuilding => "自建小楼",
            Self::Villa => "别墅",
            Self::SelfBuilt => "自建",
            Self::Other => "其他",
        }
    }
}

/// True when `value` is a community identifier: 1–20 ASCII digits.
pub fn is_community_identifier(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_IDENTIFIER_DIGITS
        && value.bytes().all(|b| b.is_ascii_digit())
}

/// A parent row's id as a caller sent it: digits only, positive, within i64.
pub fn parse_positive_id(value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<i64>().ok().filter(|id| *id > 0)
}

/// What is wrong with a name of the tree, if anything.
pub fn name_problem(field: &str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return Some(format!("{field} must not be empty"));
    }
    if value.trim() != value {
        return Some(format!("{field} {value:?} has leading or trailing spaces"));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Some(format!(
            "{field} must be at most {MAX_NAME_CHARS} characters"
        ));
    }
    if value.chars().any(char::is_control) {
        return Some(format!("{field} {value:?} contains control characters"));
    }
    None
}

/// What is wrong with a community's pinyin (`ChenXiJiaYuan`), if anything.
pub fn pinyin_problem(value: &str) -> Option<String> {
    name_problem("community_pinyin", value).or_else(|| {
        (!value.chars().all(|c| c.is_ascii_graphic() || c == ' '))
            .then(|| format!("community_pinyin {value:?} must be Latin letters"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_house_type_of_the_seed_parses_back() {
        for kind in HouseType::ALL {
            assert_eq!(HouseType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(HouseType::parse("公寓"), None);
        assert_eq!(HouseType::parse("1"), None);
    }

    #[test]
    fn a_community_identifier_is_digits() {
        assert!(is_community_identifier("10002"));
        assert!(!is_community_identifier(""));
        assert!(!is_community_identifier("10a02"));
        assert!(!is_community_identifier(" 10002"));
        assert!(!is_community_identifier(&"1".repeat(21)));
    }

    #[test]
    fn a_parent_id_is_a_positive_whole_number() {
        assert_eq!(parse_positive_id("12"), Some(12));
        assert_eq!(parse_positive_id(" 12 "), Some(12));
        assert_eq!(parse_positive_id("0"), None);
        assert_eq!(parse_positive_id("-3"), None);
        assert_eq!(parse_positive_id("+3"), None);
        assert_eq!(parse_positive_id("1.5"), None);
        assert_eq!(parse_positive_id("99999999999999999999"), None);
        assert_eq!(parse_positive_id(""), None);
    }

    #[test]
    fn names_are_short_trimmed_and_printable() {
        assert_eq!(name_problem("building_name", "1栋"), None);
        assert!(name_problem("building_name", "").is_some());
        assert!(name_problem("building_name", " 1栋").is_some());
        assert!(name_problem("building_name", "a\nb").is_some());
        assert_eq!(name_problem("building_name", &"栋".repeat(64)), None);
        assert!(name_problem("building_name", &"栋".repeat(65)).is_some());
        assert_eq!(pinyin_problem("ChenXiJiaYuan"), None);
        assert!(pinyin_problem("晨曦").is_some());
    }
}

//! Seed 004's field shapes: sets of codes written `1|3`, ranges written `[100,500]` `[,800]`
//! `[1000,]`, decimals with two places (areas, a radius), GCJ-02 coordinates, tags written
//! `近地铁|拎包入住`. Each type's schema says exactly what its parser takes: the parser matches
//! the same pattern.
use std::sync::LazyLock;

use regex::Regex;
use serde::de::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::input::{integer_pattern, integer_schema, invalid, one_of, string_schema};

/// A value sent as text or as a JSON number, as its text (`None` for anything else). A whole
/// number written with a fraction (`5.0`) is an integer to JSON Schema, so it reads as `5`.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => match number.as_f64() {
            Some(whole) if !number.is_i64() && whole.fract() == 0.0 && whole.abs() < 1e15 => {
                Some(format!("{whole:.0}"))
            }
            _ => Some(number.to_string()),
        },
        _ => None,
    }
}

/// `min..=max` as a regex alternation without anchors.
fn integers(min: i64, max: i64) -> String {
    let anchored = integer_pattern(min, max);
    anchored
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .unwrap_or(&anchored)
        .to_owned()
}

fn whole(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|error| panic!("pattern {pattern}: {error}"))
}

/// Codes from `MIN` to `MAX`, one (`1`, `"1"`) or several joined by `|` (`"1|3"`): kept sorted,
/// each once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSet<const MIN: i64, const MAX: i64>(pub Vec<i64>);

impl<const MIN: i64, const MAX: i64> CodeSet<MIN, MAX> {
    /// At most one of each code, so at most this many parts.
    const MAX_PARTS: i64 = MAX - MIN + 1;

    fn pattern() -> String {
        let one = integers(MIN, MAX);
        format!("^{one}(\\|{one}){{0,{}}}$", Self::MAX_PARTS - 1)
    }

    /// As seed 004 writes it: `1|2|3`.
    pub fn joined(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(i64::to_string).collect();
        parts.join("|")
    }

    pub fn codes<T: TryFrom<i64>>(&self) -> Vec<T> {
        self.0.iter().filter_map(|c| T::try_from(*c).ok()).collect()
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for CodeSet<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bad = || {
            invalid(&format!(
                "必须是{MIN}到{MAX}的数字，多个用|隔开，如{MIN}|{MAX}"
            ))
        };
        let text = text_of(&Value::deserialize(deserializer)?).ok_or_else(bad)?;
        let parts: Vec<&str> = text.split('|').collect();
        if parts.len() as i64 > Self::MAX_PARTS {
            return Err(bad());
        }
        let mut codes = Vec::with_capacity(parts.len());
        for part in parts {
            // Exactly the digits of a code: no sign, no leading zero, no spaces.
            let code = part
                .parse::<i64>()
                .ok()
                .filter(|c| c.to_string() == part && (MIN..=MAX).contains(c))
                .ok_or_else(bad)?;
            codes.push(code);
        }
        codes.sort_unstable();
        codes.dedup();
        Ok(Self(codes))
    }
}

impl<const MIN: i64, const MAX: i64> PartialSchema for CodeSet<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        one_of([
            integer_schema(MIN, MAX),
            Schema::Object(string_schema().pattern(Some(Self::pattern())).build()),
        ])
    }
}

impl<const MIN: i64, const MAX: i64> ToSchema for CodeSet<MIN, MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Codes{MIN}To{MAX}").into()
    }
}

/// 押N付M as seed 004 writes it: `1|3` (deposit 0–3 months, paid 1, 2, 3, 6 or 12 months at a
/// time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentType(pub String);

const PAYMENT_TYPE: &str = r"^[0-3]\|(1|2|3|6|12)$";

impl<'de> Deserialize<'de> for PaymentType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULE: LazyLock<Regex> = LazyLock::new(|| whole(PAYMENT_TYPE));
        match text_of(&Value::deserialize(deserializer)?) {
            Some(text) if RULE.is_match(&text) => Ok(Self(text)),
            _ => Err(invalid("必须是押N付M的写法，如1|3（押一付三）")),
        }
    }
}

impl PartialSchema for PaymentType {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some(PAYMENT_TYPE))
                .examples(["1|3"])
                .build(),
        ))
    }
}

impl ToSchema for PaymentType {}

/// A listing's 房源核验码: the code a city's housing authority gives a listing before it may be
/// advertised (Beijing, Shanghai, Shenzhen…), letters, digits and hyphens, 6 to 32 of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationCode(pub String);

const VERIFICATION_CODE: &str = r"^[0-9A-Za-z-]{6,32}$";

impl<'de> Deserialize<'de> for VerificationCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULE: LazyLock<Regex> = LazyLock::new(|| whole(VERIFICATION_CODE));
        match text_of(&Value::deserialize(deserializer)?) {
            Some(text) if RULE.is_match(&text) => Ok(Self(text)),
            _ => Err(invalid("必须是6到32位的字母、数字或连字符")),
        }
    }
}

impl PartialSchema for VerificationCode {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some(VERIFICATION_CODE))
                .examples(["1101052026120300123"])
                .build(),
        ))
    }
}

impl ToSchema for VerificationCode {}

/// Times to the minute in Beijing time (`2026-12-05 10:00`), one or up to `MAX` joined by `|`:
/// kept as unix seconds, in order, each once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minutes<const MAX: usize>(pub Vec<i64>);

const MINUTE: &str =
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]";

impl<const MAX: usize> Minutes<MAX> {
    fn pattern() -> String {
        format!("^{MINUTE}(\\|{MINUTE}){{0,{}}}$", MAX - 1)
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Minutes<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bad = || {
            invalid(&format!(
                "必须是如2026-12-05 10:00的时间，最多{MAX}个，用|隔开"
            ))
        };
        let text = text_of(&Value::deserialize(deserializer)?).ok_or_else(bad)?;
        let parts: Vec<&str> = text.split('|').collect();
        if parts.len() > MAX {
            return Err(bad());
        }
        let mut minutes = parts
            .into_iter()
            .map(|part| {
                if part.len() == 16 {
                    kit::time::beijing_minute(part)
                } else {
                    None
                }
            })
            .collect::<Option<Vec<i64>>>()
            .ok_or_else(bad)?;
        minutes.sort_unstable();
        minutes.dedup();
        Ok(Self(minutes))
    }
}

impl<const MAX: usize> PartialSchema for Minutes<MAX> {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some(Self::pattern()))
                .examples(["2026-12-05 10:00|2026-12-06 15:30"])
                .build(),
        ))
    }
}

impl<const MAX: usize> ToSchema for Minutes<MAX> {}

/// An absolute http(s) address of at most 512 characters (a host name, a port up to 65535,
/// then printable ASCII: anything else is percent-encoded), such as a page the payer returns to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebAddress(pub String);

const WEB_ADDRESS: &str = r"^https?://[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?([/?#][!-~]*)?$";

impl<'de> Deserialize<'de> for WebAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULE: LazyLock<Regex> = LazyLock::new(|| whole(WEB_ADDRESS));
        let bad = || invalid("必须是以http://或https://开头的完整链接，最多512个字符");
        let text = text_of(&Value::deserialize(deserializer)?).ok_or_else(bad)?;
        if text.len() > 512 || !RULE.is_match(&text) {
            return Err(bad());
        }
        Ok(Self(text))
    }
}

impl PartialSchema for WebAddress {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some(WEB_ADDRESS))
                .max_length(Some(512))
                .examples(["https://m.example.com/paid"])
                .build(),
        ))
    }
}

impl ToSchema for WebAddress {}

/// A positive decimal with at most two places and at most `MAX_WHOLE` before the point
/// (`89.5`, `"3"`): kept in hundredths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal<const MAX_WHOLE: i64>(pub i64);

impl<const MAX_WHOLE: i64> Decimal<MAX_WHOLE> {
    fn pattern() -> String {
        let whole_part = integers(1, MAX_WHOLE);
        format!(r"^({whole_part}(\.[0-9]{{1,2}})?|0\.([1-9][0-9]?|0[1-9]))$")
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn value(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl<'de, const MAX_WHOLE: i64> Deserialize<'de> for Decimal<MAX_WHOLE> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULES: LazyLock<std::sync::Mutex<std::collections::HashMap<i64, Regex>>> =
            LazyLock::new(Default::default);
        let bad = || {
            invalid(&format!(
                "必须是0.01到{MAX_WHOLE}.99之间、最多两位小数的数字"
            ))
        };
        let text = text_of(&Value::deserialize(deserializer)?).ok_or_else(bad)?;
        let matches = {
            let mut rules = RULES
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            rules
                .entry(MAX_WHOLE)
                .or_insert_with(|| whole(&Self::pattern()))
                .is_match(&text)
        };
        if !matches {
            return Err(bad());
        }
        let (units, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let fraction = format!("{fraction:0<2}");
        let hundredths = units
            .parse::<i64>()
            .ok()
            .zip(fraction.parse::<i64>().ok())
            .map(|(u, f)| u * 100 + f)
            .ok_or_else(bad)?;
        Ok(Self(hundredths))
    }
}

impl<const MAX_WHOLE: i64> PartialSchema for Decimal<MAX_WHOLE> {
    fn schema() -> RefOr<Schema> {
        one_of([
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Number))
                    .minimum(Some(0.01))
                    .maximum(Some(MAX_WHOLE as f64 + 0.99))
                    .multiple_of(Some(0.01))
                    .build(),
            ),
            Schema::Object(string_schema().pattern(Some(Self::pattern())).build()),
        ])
    }
}

impl<const MAX_WHOLE: i64> ToSchema for Decimal<MAX_WHOLE> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Decimal{MAX_WHOLE}").into()
    }
}

const LONGITUDE: &str = r"^-?(180(\.0{1,10})?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]{1,10})?)$";
const LATITUDE: &str = r"^-?(90(\.0{1,10})?|[1-8]?[0-9](\.[0-9]{1,10})?)$";

/// Degrees from -`limit` to `limit`, a JSON number or text matching `rule` (at most 10 places).
fn degrees<'de, D: Deserializer<'de>>(
    deserializer: D,
    limit: f64,
    rule: &Regex,
) -> Result<f64, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => rule
            .is_match(&text)
            .then(|| text.parse::<f64>().ok())
            .flatten(),
        _ => None,
    }
    .filter(|d| d.is_finite() && d.abs() <= limit)
    .ok_or_else(|| invalid(&format!("必须是-{limit}到{limit}之间的经纬度")))
}

fn degrees_schema(limit: f64, pattern: &str, example: f64) -> RefOr<Schema> {
    one_of([
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Number))
                .minimum(Some(-limit))
                .maximum(Some(limit))
                .examples([example])
                .build(),
        ),
        Schema::Object(string_schema().pattern(Some(pattern)).build()),
    ])
}

/// A GCJ-02 longitude in degrees (what WeChat's map gives), as a number or its text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Longitude(pub f64);

impl<'de> Deserialize<'de> for Longitude {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULE: LazyLock<Regex> = LazyLock::new(|| whole(LONGITUDE));
        degrees(deserializer, 180.0, &RULE).map(Self)
    }
}

impl PartialSchema for Longitude {
    fn schema() -> RefOr<Schema> {
        degrees_schema(180.0, LONGITUDE, 119.600_492)
    }
}

impl ToSchema for Longitude {}

/// A GCJ-02 latitude in degrees, as a number or its text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Latitude(pub f64);

impl<'de> Deserialize<'de> for Latitude {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULE: LazyLock<Regex> = LazyLock::new(|| whole(LATITUDE));
        degrees(deserializer, 90.0, &RULE).map(Self)
    }
}

impl PartialSchema for Latitude {
    fn schema() -> RefOr<Schema> {
        degrees_schema(90.0, LATITUDE, 39.935_385)
    }
}

impl ToSchema for Latitude {}

/// A range as seed 004 writes it: `[100,500]`, `[,800]`, `[1000,]` (spaces allowed), each end
/// a decimal with at most two places; an absent end is open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

const RANGE: &str = r"^\[ *([0-9]{1,7}(\.[0-9]{1,2})?)? *, *([0-9]{1,7}(\.[0-9]{1,2})?)? *\]$";

impl<'de> Deserialize<'de> for Range {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        static RULE: LazyLock<Regex> = LazyLock::new(|| whole(RANGE));
        let bad = || invalid("必须是区间的写法，如[100,500]、[,800]或[1000,]");
        let text = text_of(&Value::deserialize(deserializer)?).ok_or_else(bad)?;
        let captures = RULE.captures(&text).ok_or_else(bad)?;
        let end = |i: usize| captures.get(i).and_then(|m| m.as_str().parse::<f64>().ok());
        Ok(Self {
            low: end(1),
            high: end(3),
        })
    }
}

impl PartialSchema for Range {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some(RANGE))
                .examples(["[100,500]"])
                .build(),
        ))
    }
}

impl ToSchema for Range {}

/// Words joined by `|` (`东|南`, `近地铁|拎包入住`): at most `PARTS`, each 1 to `EACH`
/// characters; blank ones are dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Words<const EACH: usize, const PARTS: usize>(pub Vec<String>);

impl<const EACH: usize, const PARTS: usize> Words<EACH, PARTS> {
    pub fn joined(&self) -> String {
        self.0.join("|")
    }
}

impl<'de, const EACH: usize, const PARTS: usize> Deserialize<'de> for Words<EACH, PARTS> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bad = || invalid(&format!("最多{PARTS}项，每项1到{EACH}个字，多项用|隔开"));
        let Value::String(text) = Value::deserialize(deserializer)? else {
            return Err(bad());
        };
        let parts: Vec<&str> = text.split('|').collect();
        if parts.len() > PARTS
            || parts
                .iter()
                .any(|p| p.is_empty() || p.chars().count() > EACH)
        {
            return Err(bad());
        }
        let mut words: Vec<String> = parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        words.dedup();
        Ok(Self(words))
    }
}

impl<const EACH: usize, const PARTS: usize> PartialSchema for Words<EACH, PARTS> {
    fn schema() -> RefOr<Schema> {
        let more = PARTS - 1;
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some(format!(
                    r"^[^|]{{1,{EACH}}}(\|[^|]{{1,{EACH}}}){{0,{more}}}$"
                )))
                .build(),
        ))
    }
}

impl<const EACH: usize, const PARTS: usize> ToSchema for Words<EACH, PARTS> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Words{EACH}x{PARTS}").into()
    }
}

/// 教育背景 as seed 004 lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, ToSchema)]
pub enum Education {
    #[serde(rename = "博士")]
    Doctor,
    #[serde(rename = "硕士")]
    Master,
    #[serde(rename = "本科")]
    Bachelor,
    #[serde(rename = "大专")]
    College,
    #[serde(rename = "中专")]
    Vocational,
    #[serde(rename = "高中")]
    HighSchool,
    #[serde(rename = "初中")]
    MiddleSchool,
}

impl Education {
    pub fn word(self) -> &'static str {
        match self {
            Self::Doctor => "博士",
            Self::Master => "硕士",
            Self::Bachelor => "本科",
            Self::College => "大专",
            Self::Vocational => "中专",
            Self::HighSchool => "高中",
            Self::MiddleSchool => "初中",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de;
    use serde_json::json;

    fn read<T: de::DeserializeOwned>(value: Value) -> Result<T, String> {
        crate::input::parse::<Wrapper<T>>(
            json!({ "f": value })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
        .map(|w| w.f)
        .map_err(|error| error.message)
    }

    #[derive(serde::Deserialize)]
    struct Wrapper<T> {
        f: T,
    }

    /// What each type's pattern says is what its parser takes.
    fn agrees<T: de::DeserializeOwned + PartialSchema>(cases: &[&str]) {
        let schema = serde_json::to_value(T::schema()).expect("schema");
        let pattern = schema["oneOf"]
            .as_array()
            .and_then(|all| all.iter().find_map(|s| s["pattern"].as_str()))
            .or_else(|| schema["pattern"].as_str())
            .expect("a pattern");
        let rule = whole(pattern);
        for case in cases {
            let parsed = read::<T>(json!(case)).is_ok();
            let blank = case.trim().is_empty();
            assert_eq!(rule.is_match(case), parsed || blank, "{pattern} {case:?}");
        }
    }

    #[test]
    fn code_sets_are_codes_joined_by_bars() {
        let set = read::<CodeSet<1, 12>>(json!("3|1|3")).expect("read");
        assert_eq!(set.0, vec![1, 3]);
        assert_eq!(set.joined(), "1|3");
        assert_eq!(read::<CodeSet<1, 12>>(json!(7)).expect("number").0, vec![7]);
        assert_eq!(
            read::<CodeSet<1, 8>>(json!("1|9")).expect_err("refused"),
            "f必须是1到8的数字，多个用|隔开，如1|8"
        );
        agrees::<CodeSet<1, 12>>(&[
            "1", "12", "13", "0", "01", "1|2", "1||2", "1|", "|1", "1 |2", "1|1", "-1", "1|2|3|4",
        ]);
        agrees::<CodeSet<0, 20>>(&["0", "20", "21", "0|20", "00"]);
    }

    #[test]
    fn payment_types_and_ranges_are_seed_004s_writing() {
        assert!(read::<PaymentType>(json!("1|3")).is_ok());
        assert!(read::<PaymentType>(json!("1|4")).is_err());
        assert_eq!(
            read::<CodeSet<1, 8>>(json!(5.0)).expect("5.0").joined(),
            "5"
        );
        let minutes = read::<Minutes<3>>(json!("2026-12-06 15:30|2026-12-05 10:00")).expect("two");
        assert_eq!(minutes.0.len(), 2);
        assert!(minutes.0[0] < minutes.0[1]);
        agrees::<Minutes<3>>(&[
            "2026-12-05 10:00",
            "2026-12-05 10:00|2026-12-06 15:30|2026-12-07 09:00",
            "2026-12-05 10:00|2026-12-06 15:30|2026-12-07 09:00|2026-12-08 09:00",
            "2026-12-05 24:00",
            "2026-12-05",
        ]);
        agrees::<WebAddress>(&[
            "https://m.example.com/paid?from=alipay#top",
            "http://127.0.0.1:8080/",
            "https://a.example.com:65535",
            "https://a.example.com:65536",
            "javascript:alert(1)",
            "https://-a.example.com/",
            "https://m.example.com/付款",
        ]);
        agrees::<VerificationCode>(&["1101052026120300123", "SH-2026-0001", "12345", "码123456"]);
        agrees::<PaymentType>(&["1|3", "0|12", "4|1", "1|13", "1 |3"]);
        let range = read::<Range>(json!("[100, 500]")).expect("range");
        assert_eq!((range.low, range.high), (Some(100.0), Some(500.0)));
        let range = read::<Range>(json!("[,800]")).expect("range");
        assert_eq!((range.low, range.high), (None, Some(800.0)));
        let range = read::<Range>(json!("[1000,]")).expect("range");
        assert_eq!((range.low, range.high), (Some(1000.0), None));
        assert_eq!(
            read::<Range>(json!("100-500")).expect_err("refused"),
            "f必须是区间的写法，如[100,500]、[,800]或[1000,]"
        );
        agrees::<Range>(&[
            "[1,2]",
            "[ 1 , 2 ]",
            "[,]",
            "[1.5,]",
            "[1.555,]",
            "(1,2)",
            "[-1,2]",
        ]);
    }

    #[test]
    fn decimals_have_two_places_at_most() {
        assert_eq!(read::<Decimal<99999>>(json!(89.5)).expect("n").0, 8950);
        assert_eq!(read::<Decimal<99999>>(json!("90")).expect("t").0, 9000);
        assert_eq!(read::<Decimal<50>>(json!("0.5")).expect("t").0, 50);
        assert!(read::<Decimal<50>>(json!(0)).is_err());
        assert!(read::<Decimal<50>>(json!(51)).is_err());
        assert!(read::<Decimal<50>>(json!(1.234)).is_err());
        agrees::<Decimal<50>>(&[
            "0", "0.0", "0.01", "0.1", "1", "50", "50.99", "51", "01", "1.", ".5", "1.234", "-1",
        ]);
    }

    #[test]
    fn coordinates_are_degrees_within_their_limit() {
        let lon = read::<Longitude>(json!(116.397_128)).expect("lon");
        assert!((lon.0 - 116.397_128).abs() < 1e-9);
        assert!(read::<Latitude>(json!(91)).is_err());
        assert!(read::<Latitude>(json!("-89.5")).is_ok());
        agrees::<Longitude>(&[
            "180",
            "180.0",
            "180.1",
            "-180",
            "179.99",
            "181",
            "0",
            "-0",
            "01",
            "1e2",
            "116.397128",
        ]);
        agrees::<Latitude>(&["90", "90.5", "89.999", "-90", "100", "9", "09"]);
    }

    #[test]
    fn words_are_joined_by_bars() {
        let words = read::<Words<10, 10>>(json!("近地铁| 拎包入住")).expect("words");
        assert_eq!(words.0, vec!["近地铁", "拎包入住"]);
        assert_eq!(words.joined(), "近地铁|拎包入住");
        agrees::<Words<2, 2>>(&[
            "东",
            "东|南",
            "东南|西北",
            "东|南|西",
            "东南西",
            "东||南",
            "|东",
        ]);
    }
}

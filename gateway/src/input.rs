//! The edge's one parser.
//!
//! A route names its input as one struct of the types below (`#[derive(Deserialize, ToSchema)]`).
//! [`Input`] reads the caller's fields however they came — JSON, form, multipart or the query
//! string, merged by [`crate::params`] — into that struct, and the same struct is the operation's
//! request schema in the OpenAPI document. The gateway then hands the service a typed proto:
//! services check domain rules, never text.
//!
//! Every sentence a caller can get back for a bad field is written here, once. A blank text is
//! the same as an absent one: a required field left blank is "missing".
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use kit::error::ServiceError;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::envelope::ApiError;
use crate::params::{Params, Upload};

/// Stands for the field's name in a type's sentence; [`refusal`] puts the name in.
const FIELD: &str = "{field}";

/// A route's fields, parsed and checked, and the files of a multipart body.
pub struct Input<T> {
    fields: T,
    files: BTreeMap<String, Vec<Upload>>,
}

impl<T> Input<T> {
    pub fn into_inner(self) -> T {
        self.fields
    }

    /// A file of a multipart body (the first, when several parts share the name).
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.get(name).and_then(|files| files.first())
    }

    /// Every file of a multipart body sent under `name`, in the order sent.
    pub fn files(&self, name: &str) -> &[Upload] {
        self.files.get(name).map_or(&[], Vec::as_slice)
    }
}

impl<T> Deref for Input<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.fields
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Input<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let params = Params::from_request(req, payload);
        Box::pin(async move {
            let (values, files) = params.await?.into_parts();
            Ok(Self {
                fields: parse(values)?,
                files,
            })
        })
    }
}

/// Reads `values` into `T`: blanks and nulls dropped, strings trimmed, the first bad field named.
pub fn parse<T: DeserializeOwned>(values: Map<String, Value>) -> Result<T, ServiceError> {
    let values = normalised(Value::Object(values)).unwrap_or(Value::Object(Map::new()));
    serde_path_to_error::deserialize(values).map_err(|error| {
        let path = error.path().to_string();
        refusal("", &path, &error.into_inner().to_string())
    })
}

/// Reads `values` into `T` as they were sent: nothing trimmed or dropped. For inputs whose map
/// keys are data (`results` of a subscribe report), where a blank entry is an answer to judge,
/// not a field left out.
pub fn parse_as_sent<T: DeserializeOwned>(values: Map<String, Value>) -> Result<T, ServiceError> {
    serde_path_to_error::deserialize(Value::Object(values)).map_err(|error| {
        let path = error.path().to_string();
        refusal("", &path, &error.into_inner().to_string())
    })
}

fn normalised(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(text) => {
            let text = text.trim();
            (!text.is_empty()).then(|| Value::String(text.to_owned()))
        }
        Value::Object(object) => Some(Value::Object(
            object
                .into_iter()
                .filter_map(|(key, value)| normalised(value).map(|value| (key, value)))
                .collect(),
        )),
        other => Some(other),
    }
}

/// The one translation from a deserialisation error at `path` to the caller's sentence; the
/// fields of a nested object are named `prefix` + their path.
fn refusal(prefix: &str, path: &str, cause: &str) -> ServiceError {
    if let Some(msg) = cause.strip_prefix(PASSED_ON) {
        let (field, message) = msg.split_once(": ").unwrap_or(("body", msg));
        return ServiceError::invalid(field, message);
    }
    let parent = if path == "." { "" } else { path };
    if let Some(name) = between(cause, "missing field `", "`") {
        let field = if parent.is_empty() {
            format!("{prefix}{name}")
        } else {
            format!("{prefix}{parent}.{name}")
        };
        return ServiceError::missing(&field);
    }
    let field = if parent.is_empty() {
        prefix.trim_end_matches('.').to_owned()
    } else {
        format!("{prefix}{parent}")
    };
    let field = if field.is_empty() { "body" } else { &field };
    if let Some(expected) = cause.split_once(", expected ").map(|(_, rest)| rest)
        && cause.starts_with("unknown variant")
    {
        return ServiceError::invalid(field, format!("{field}必须是{}", choices(expected)));
    }
    if cause.contains(FIELD) {
        return ServiceError::invalid(field, cause.replace(FIELD, field));
    }
    // serde's own words ("invalid type: …"): the field has the wrong shape.
    ServiceError::invalid(field, format!("{field}格式不正确"))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.split_once(start)?.1;
    Some(rest.split_once(end)?.0)
}

/// serde's "one of `a`, `b`, `c`" / "`a` or `b`" / "`a`" as `a、b或c`.
fn choices(expected: &str) -> String {
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match names.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{}或{last}", rest.join("、")),
        None => expected.to_owned(),
    }
}

/// Marks a refusal [`Both`] passes on whole from one of its parts.
const PASSED_ON: &str = "\u{0}refused\u{0}";

/// The fields of two input structs sent side by side (a route's own and a set other routes
/// share): each reads the same fields, and a refusal names the field as that struct would.
#[derive(Debug)]
pub struct Both<A, B>(pub A, pub B);

impl<'de, A: DeserializeOwned, B: DeserializeOwned> Deserialize<'de> for Both<A, B> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = Map::<String, Value>::deserialize(deserializer)?;
        let passed_on = |error: ServiceError| {
            <D::Error as de::Error>::custom(format!("{PASSED_ON}{}", error.msg))
        };
        let first = parse::<A>(fields.clone()).map_err(passed_on)?;
        let second = parse::<B>(fields).map_err(passed_on)?;
        Ok(Self(first, second))
    }
}

/// A field's refusal: `sentence` follows the field's name ("必须是…"), which [`refusal`] puts in
/// front. For the route-local types of a route module.
pub fn invalid<E: de::Error>(sentence: &str) -> E {
    E::custom(format!("{FIELD}{sentence}"))
}

/// A scalar as the caller sent it: text, or a number some clients send instead.
enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Self::Text(text) => text,
            Self::Integer(number) => number.to_string(),
            Self::Float(number) => number.to_string(),
            Self::Bool(flag) => flag.to_string(),
        }
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Integer(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        i64::try_from(v)
            .map(Scalar::Integer)
            .or(Ok(Scalar::Float(v as f64)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        // `12.0` is the integer 12 (some clients write every number as a float).
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            return Ok(Scalar::Integer(v as i64));
        }
        Ok(Scalar::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
}

fn scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
    deserializer.deserialize_any(ScalarVisitor)
}

pub fn one_of(alternatives: impl IntoIterator<Item = Schema>) -> RefOr<Schema> {
    let mut builder = OneOfBuilder::new();
    for alternative in alternatives {
        builder = builder.item(alternative);
    }
    RefOr::T(Schema::OneOf(builder.build()))
}

pub fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Type(Type::String))
}

/// What `str::trim` removes (Unicode `White_Space`), as the body of a regex class: the
/// document's "blank" and "not blank" say exactly what the parser trims.
pub const WHITESPACE: &str =
    r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Text with something besides whitespace in it.
pub fn not_blank_pattern() -> String {
    format!("[^{WHITESPACE}]")
}

/// Empty or only whitespace: the same as leaving the field out.
pub fn blank_pattern() -> String {
    format!("^[{WHITESPACE}]*$")
}

/// A value that counts as given: anything but null and blank text.
fn given() -> Schema {
    let any = utoipa::openapi::schema::AnyOfBuilder::new()
        .item(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Array(
                    [
                        Type::Integer,
                        Type::Number,
                        Type::Boolean,
                        Type::Object,
                        Type::Array,
                    ]
                    .into(),
                ))
                .build(),
        ))
        .item(Schema::Object(
            string_schema().pattern(Some(not_blank_pattern())).build(),
        ));
    Schema::AnyOf(any.build())
}

pub fn integer_schema(min: i64, max: i64) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Integer))
            .minimum(Some(min))
            .maximum(Some(max))
            .build(),
    )
}

/// The largest number a field of `digits` digits takes as a JSON number (at most 15 digits:
/// beyond that a JSON number is no longer exact).
const fn largest_of_digits(digits: usize) -> i64 {
    let digits = if digits < 15 { digits as u32 } else { 15 };
    10_i64.pow(digits) - 1
}

/// Text of 1 to `MAX` characters, trimmed. A number is taken as its digits (the mini-program
/// sends phone numbers as numbers).
#[derive(Clone, PartialEq, Eq)]
pub struct Text<const MAX: usize>(pub String);

impl<const MAX: usize> Text<MAX> {
    const LARGEST_NUMBER: i64 = largest_of_digits(MAX);

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Debug for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({} chars)", self.0.chars().count())
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A number stands for its digits: a whole one within the schema's bounds.
        let text = match scalar(deserializer)? {
            Scalar::Text(text) => text,
            Scalar::Integer(number) if (0..=Self::LARGEST_NUMBER).contains(&number) => {
                number.to_string()
            }
            _ => return Err(invalid("必须是字符串")),
        };
        if text.chars().count() > MAX {
            return Err(invalid(&format!("不能超过{MAX}个字")));
        }
        Ok(Self(text))
    }
}

impl<const MAX: usize> PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        // A number's digits count against MAX like any text.
        one_of([
            Schema::Object(
                string_schema()
                    .min_length(Some(1))
                    .max_length(Some(MAX))
                    .pattern(Some(not_blank_pattern()))
                    .build(),
            ),
            integer_schema(0, Self::LARGEST_NUMBER),
        ])
    }
}

impl<const MAX: usize> ToSchema for Text<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Text{MAX}").into()
    }
}

/// An integer from `MIN` to `MAX`, as a number or as its digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Int<const MIN: i64, const MAX: i64>(pub i64);

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    pub const MAX_VALUE: i64 = MAX;

    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = match scalar(deserializer)? {
            Scalar::Integer(number) => Some(number),
            Scalar::Float(number) if number.fract() == 0.0 && number.abs() < 9.0e15 => {
                Some(number as i64)
            }
            Scalar::Text(text) => text.parse::<i64>().ok(),
            _ => None,
        }
        .ok_or_else(|| invalid("必须是整数"))?;
        if !(MIN..=MAX).contains(&number) {
            return Err(invalid(&format!("必须在{MIN}到{MAX}之间")));
        }
        Ok(Self(number))
    }
}

impl<const MIN: i64, const MAX: i64> PartialSchema for Int<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        one_of([
            integer_schema(MIN, MAX),
            Schema::Object(
                string_schema()
                    .pattern(Some(integer_pattern(MIN, MAX)))
                    .build(),
            ),
        ])
    }
}

/// A regular expression for exactly the integers `min..=max` written in decimal, as the string
/// alternative of an [`Int`]'s schema says them.
pub fn integer_pattern(min: i64, max: i64) -> String {
    let mut alternatives = Vec::new();
    if min < 0 {
        let lowest = min.unsigned_abs();
        let highest = if max < 0 { max.unsigned_abs() } else { 1 };
        for part in digit_ranges(highest, lowest) {
            alternatives.push(format!("-{part}"));
        }
    }
    if max >= 0 {
        alternatives.extend(digit_ranges(min.max(0).unsigned_abs(), max.unsigned_abs()));
    }
    format!("^({})$", alternatives.join("|"))
}

/// `min..=max` (both ≥ 0) as patterns of one length each: `[1-9]`, `[1-9][0-9]`, `100`…
fn digit_ranges(min: u64, max: u64) -> Vec<String> {
    let power = |k: u32| 10_u128.pow(k);
    let (min, max) = (u128::from(min), u128::from(max));
    let mut stops = std::collections::BTreeSet::from([max]);
    // Up from `min`: fill its last k digits with nines (…199, …999).
    for k in 1..=20 {
        let stop = (min / power(k)) * power(k) + power(k) - 1;
        if stop < min || stop >= max {
            break;
        }
        stops.insert(stop);
    }
    // Down from `max`: zero its last k digits, one less (…099, …999 below a round number).
    for k in 1..=20 {
        let round = (max + 1) - (max + 1) % power(k);
        if round == 0 || round - 1 <= min || round - 1 > max {
            break;
        }
        stops.insert(round - 1);
    }
    let mut patterns = Vec::new();
    let mut start = min;
    for stop in stops {
        if stop < start {
            continue;
        }
        patterns.push(same_length_pattern(start, stop));
        start = stop + 1;
    }
    patterns
}

/// `start..=stop` of one length, differing in one digit then only in full `0-9` digits.
fn same_length_pattern(start: u128, stop: u128) -> String {
    let (start, stop) = (start.to_string(), stop.to_string());
    let mut pattern = String::new();
    let mut any = 0;
    for (low, high) in start.chars().zip(stop.chars()) {
        if low == high {
            pattern.push(low);
        } else if low == '0' && high == '9' {
            any += 1;
        } else {
            pattern.push_str(&format!("[{low}-{high}]"));
        }
    }
    match any {
        0 => pattern,
        1 => format!("{pattern}[0-9]"),
        n => format!("{pattern}[0-9]{{{n}}}"),
    }
}

impl<const MIN: i64, const MAX: i64> ToSchema for Int<MIN, MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Int{MIN}To{MAX}").replace('-', "Minus").into()
    }
}

/// A row id.
pub type Id = Int<1, 999_999_999_999>;
/// A page number (1 is the first).
pub type Page = Int<1, 1_000_000>;
/// Rows per page.
pub type PerPage = Int<1, { kit::paging::MAX_PER_PAGE }>;
/// A building, unit, floor or house number of the address tree.
pub type Level = Int<1, 99_999>;

/// `page` and `per_page` as one [`kit::paging::Paging`] (defaults 1 and 20).
pub fn paging(page: Option<Page>, per_page: Option<PerPage>) -> (i64, i64) {
    (
        page.map_or(1, Int::get),
        per_page.map_or(kit::paging::DEFAULT_PER_PAGE, Int::get),
    )
}

/// `0`/`1` (as numbers or text) or `true`/`false`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl Flag {
    pub fn get(self) -> bool {
        self.0
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match scalar(deserializer)? {
            Scalar::Bool(flag) => Ok(Self(flag)),
            Scalar::Integer(1) => Ok(Self(true)),
            Scalar::Integer(0) => Ok(Self(false)),
            Scalar::Text(text) if text == "1" || text == "true" => Ok(Self(true)),
            Scalar::Text(text) if text == "0" || text == "false" => Ok(Self(false)),
            _ => Err(invalid("必须是0或1")),
        }
    }
}

impl PartialSchema for Flag {
    fn schema() -> RefOr<Schema> {
        one_of([
            integer_schema(0, 1),
            Schema::Object(
                string_schema()
                    .enum_values(Some(["0", "1", "true", "false"]))
                    .build(),
            ),
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Boolean))
                    .build(),
            ),
        ])
    }
}

impl ToSchema for Flag {}

/// A text checked by one of kit's validated types.
pub trait Checked: Sized {
    /// What the schema says of it (a pattern as exact as a pattern can be).
    const PATTERN: &'static str;
    /// A format the pattern cannot say all of (a check digit: `gb11643`), named for clients and
    /// test generators.
    const FORMAT: Option<&'static str> = None;
    /// The whole numbers that are one, when a client may send it as a JSON number.
    const NUMBERS: Option<(i64, i64)> = None;
    /// One, for the document (and for test generators, where the pattern alone does not make
    /// one: a check character).
    const EXAMPLE: Option<&'static str> = None;
    const MAX_CHARS: usize;
    fn check(text: &str) -> Result<Self, &'static str>;
}

impl Checked for kit::types::Mobile {
    const PATTERN: &'static str = r"^(\+86|0086)?1[3-9][0-9]{9}$";
    /// `1[3-9]` and nine digits, as a number.
    const NUMBERS: Option<(i64, i64)> = Some((13_000_000_000, 19_999_999_999));
    const MAX_CHARS: usize = 15;
    fn check(text: &str) -> Result<Self, &'static str> {
        Self::parse(text)
    }
}

impl Checked for kit::types::IdCardNumber {
    const PATTERN: &'static str = r"^[1-9][0-9]{16}[0-9Xx]$";
    const FORMAT: Option<&'static str> = Some("gb11643");
    /// 1303**********2519 of the seeds, whole.
    const EXAMPLE: Option<&'static str> = Some("130302198001012519");
    const MAX_CHARS: usize = 18;
    fn check(text: &str) -> Result<Self, &'static str> {
        Self::parse(text)
    }
}

/// A value of a kit validated type, read from text (or a number's digits).
pub struct Valid<T>(pub T);

impl<T> Valid<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Valid<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de, T: Checked> Deserialize<'de> for Valid<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match scalar(deserializer)? {
            Scalar::Text(text) => text,
            Scalar::Integer(number) => number.to_string(),
            _ => return Err(invalid("格式不正确")),
        };
        T::check(&text).map(Self).map_err(|why| {
            // kit's sentences either name the thing ("身份证号…") or follow the field ("必须…").
            if why.starts_with('必') || why.starts_with('不') {
                invalid(why)
            } else {
                de::Error::custom(format!("{FIELD}: {why}"))
            }
        })
    }
}

impl<T: Checked> PartialSchema for Valid<T> {
    fn schema() -> RefOr<Schema> {
        let text = Schema::Object(
            string_schema()
                .max_length(Some(T::MAX_CHARS))
                .pattern(Some(T::PATTERN))
                .format(
                    T::FORMAT
                        .map(|format| utoipa::openapi::SchemaFormat::Custom(format.to_owned())),
                )
                .examples(T::EXAMPLE)
                .build(),
        );
        match T::NUMBERS {
            Some((least, most)) => one_of([text, integer_schema(least, most)]),
            None => RefOr::T(text),
        }
    }
}

impl<T: Checked> ToSchema for Valid<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        let full = std::any::type_name::<T>();
        full.rsplit("::").next().unwrap_or(full).to_owned().into()
    }
}

/// A mainland mobile number.
pub type Phone = Valid<kit::types::Mobile>;
/// A resident ID number (GB 11643).
pub type IdCard = Valid<kit::types::IdCardNumber>;

/// An amount in 元 with at most two decimals (`"12.5"`, `12.5`), kept as integer fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Yuan(pub i64);

impl Yuan {
    pub fn fen(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match scalar(deserializer)? {
            Scalar::Bool(_) => return Err(invalid("必须是数字，单位为元")),
            other => other.text(),
        };
        kit::money::parse_yuan(&text)
            .map(Self)
            .map_err(|why| de::Error::custom(format!("{FIELD}: {why}")))
    }
}

impl PartialSchema for Yuan {
    fn schema() -> RefOr<Schema> {
        let most = kit::money::MAX_FEN / 100 - 1;
        one_of([
            Schema::Object(
                string_schema()
                    .pattern(Some(
                        r"^([1-9][0-9]{0,5}(\.[0-9]{1,2})?|0\.([1-9][0-9]?|0[1-9]))$",
                    ))
                    .build(),
            ),
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Number))
                    .minimum(Some(0.01))
                    .maximum(Some(most as f64))
                    .multiple_of(Some(0.01))
                    .build(),
            ),
        ])
    }
}

impl ToSchema for Yuan {}

/// A Beijing date, `2020-12-13`: the Unix second its day starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub i64);

impl Date {
    pub fn day_start(self) -> i64 {
        self.0
    }

    /// The first second of the next day.
    pub fn day_end(self) -> i64 {
        self.0 + 24 * 3600
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match scalar(deserializer)? {
            Scalar::Text(text) => kit::time::beijing_date_start(&text).map(Self),
            _ => None,
        }
        .ok_or_else(|| invalid("必须是日期，如2020-12-13"))
    }
}

impl PartialSchema for Date {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Date,
                )))
                .pattern(Some(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
                .build(),
        ))
    }
}

impl ToSchema for Date {}

/// Ids joined by `A`, as 000 §4.2.1 sends them: `21A22A23` → {21, 22, 23}; at most `MAX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinedIds<const MAX: usize>(pub std::collections::BTreeSet<i64>);

impl<'de, const MAX: usize> Deserialize<'de> for JoinedIds<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bad = || invalid("必须是用A隔开的订单id，如21A22A23");
        let text = match scalar(deserializer)? {
            Scalar::Text(text) => text,
            Scalar::Integer(id) => id.to_string(),
            _ => return Err(bad()),
        };
        let mut ids = std::collections::BTreeSet::new();
        for part in text.split(['A', 'a']) {
            let id = part
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| (1..=Id::MAX_VALUE).contains(id))
                .ok_or_else(bad)?;
            ids.insert(id);
        }
        if ids.len() > MAX {
            return Err(invalid(&format!("一次最多{MAX}个")));
        }
        Ok(Self(ids))
    }
}

impl<const MAX: usize> PartialSchema for JoinedIds<MAX> {
    fn schema() -> RefOr<Schema> {
        let more = MAX.saturating_sub(1);
        one_of([
            Schema::Object(
                string_schema()
                    .pattern(Some(format!(
                        r"^[1-9][0-9]{{0,11}}(A[1-9][0-9]{{0,11}}){{0,{more}}}$"
                    )))
                    .build(),
            ),
            integer_schema(1, Id::MAX_VALUE),
        ])
    }
}

impl<const MAX: usize> ToSchema for JoinedIds<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        "JoinedIds".into()
    }
}

/// A birth date as 8 digits `YYYYMMDD`, which `-`, `/` or `.` may separate (`1992-11-30`,
/// `1992/11/30`): kept as its digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BirthDate(pub String);

impl BirthDate {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for BirthDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match scalar(deserializer)? {
            Scalar::Text(text) if text.chars().count() <= 10 => text,
            Scalar::Integer(number) => number.to_string(),
            _ => String::new(),
        };
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | '/' | '.'))
            .collect();
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("必须是YYYYMMDD格式的日期"));
        }
        Ok(Self(digits))
    }
}

impl PartialSchema for BirthDate {
    fn schema() -> RefOr<Schema> {
        one_of([
            Schema::Object(
                string_schema()
                    .max_length(Some(10))
                    .pattern(Some(r"^[-/.]*([0-9][-/.]*){8}$"))
                    .examples(["1992-11-30"])
                    .build(),
            ),
            integer_schema(10_000_000, 99_999_999),
        ])
    }
}

impl ToSchema for BirthDate {}

/// A file part of a multipart body. Files are read apart from the fields ([`Input::file`]); a
/// route's struct names it only so that the document does.
#[derive(Clone, Copy, Debug, Default)]
pub struct FilePart;

impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(deserializer).map(|_| Self)
    }
}

impl PartialSchema for FilePart {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Binary,
                )))
                .build(),
        ))
    }
}

impl ToSchema for FilePart {}

/// A request schema with a rule between fields the struct alone cannot say (which fields a
/// `type` needs, "one of these two"): `T`'s schema and `rule` both hold.
pub fn schema_with_rule<T: PartialSchema>(rule: Schema) -> RefOr<Schema> {
    RefOr::T(Schema::AllOf(
        utoipa::openapi::schema::AllOfBuilder::new()
            .item(T::schema())
            .item(rule)
            .build(),
    ))
}

/// What a body type built on `T` (with [`schema_with_rule`]) registers: `T` and what `T` names.
pub fn register_input<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into(), T::schema()));
    T::schemas(schemas);
}

/// An object that has every one of `fields`, each given (not null, not blank).
pub fn requires(fields: &[&str]) -> ObjectBuilder {
    also_requires(ObjectBuilder::new(), fields)
}

/// `object`, with every one of `fields` given too.
pub fn also_requires(object: ObjectBuilder, fields: &[&str]) -> ObjectBuilder {
    fields.iter().fold(object, |object, field| {
        object.required(*field).property(*field, given())
    })
}

/// Any one of `alternatives` holds.
pub fn any_of(alternatives: impl IntoIterator<Item = ObjectBuilder>) -> Schema {
    let builder = alternatives.into_iter().fold(
        utoipa::openapi::schema::AnyOfBuilder::new(),
        |any, alternative| any.item(Schema::Object(alternative.build())),
    );
    Schema::AnyOf(builder.build())
}

/// Exactly one of `alternatives` holds.
pub fn exactly_one_of(alternatives: impl IntoIterator<Item = ObjectBuilder>) -> Schema {
    let builder = alternatives
        .into_iter()
        .fold(OneOfBuilder::new(), |one, alternative| {
            one.item(Schema::Object(alternative.build()))
        });
    Schema::OneOf(builder.build())
}

/// An object whose `field` is the text `value`.
pub fn field_is(field: &str, value: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .property(field, string_schema().enum_values(Some([value])))
        .required(field)
}

/// A JSON object, sent as an object or as its text (a form field): kept as its JSON text.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonObject<const MAX_BYTES: usize>(pub String);

/// A JSON object sent as an object, or as its JSON text (a form field carries it so).
fn object_or_its_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(invalid("必须是JSON对象")),
        },
        Value::Object(object) => Ok(object),
        _ => Err(invalid("必须是JSON对象")),
    }
}

impl<'de, const MAX_BYTES: usize> Deserialize<'de> for JsonObject<MAX_BYTES> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Value::Object(object_or_its_text(deserializer)?).to_string();
        if text.len() > MAX_BYTES {
            return Err(invalid("过长"));
        }
        Ok(Self(text))
    }
}

impl<const MAX_BYTES: usize> PartialSchema for JsonObject<MAX_BYTES> {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Object))
                .max_properties(Some(64))
                .build(),
        ))
    }
}

impl<const MAX_BYTES: usize> ToSchema for JsonObject<MAX_BYTES> {
    fn name() -> std::borrow::Cow<'static, str> {
        "JsonObject".into()
    }
}

/// A nested object sent as an object or as its JSON text (a form field), read into `T`.
#[derive(Clone, Debug, PartialEq)]
pub struct Nested<T>(pub T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Nested<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Value::Object(object_or_its_text(deserializer)?);
        let object = normalised(object).unwrap_or(Value::Object(Map::new()));
        serde_path_to_error::deserialize(object)
            .map(Self)
            .map_err(|error| {
                let path = error.path().to_string();
                let prefix = format!("{FIELD}.");
                // Its sentence names `{field}.louhao`; the outer field's name goes in above.
                de::Error::custom(refusal(&prefix, &path, &error.into_inner().to_string()).message)
            })
    }
}

impl<T: ToSchema> ToSchema for Nested<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        T::name()
    }
}

// What utoipa's derive asks of a generic field's type: the schema is `T`'s.
impl<T: ToSchema> utoipa::__dev::ComposeSchema for Nested<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        T::schema()
    }
}

/// One of 001's enumerations (居民角色, 房屋状态, 性别...): the table its values come from.
pub trait CodeTable {
    fn table() -> &'static secplat::enums::Table;
}

/// A value of an enumeration of 001, as its name, an older spelling, or the numeric code seed
/// 002 gave it (a number or its digits): kept as 001's name. (Seed 003's codes, which stand for
/// variants of a text enum, are [`Code`].)
pub struct TableCode<T> {
    name: String,
    table: std::marker::PhantomData<T>,
}

impl<T> TableCode<T> {
    pub fn as_str(&self) -> &str {
        &self.name
    }

    pub fn into_string(self) -> String {
        self.name
    }
}

impl<T> fmt::Debug for TableCode<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl<'de, T: CodeTable> Deserialize<'de> for TableCode<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let table = T::table();
        let value = match scalar(deserializer)? {
            Scalar::Text(text) => Value::String(text),
            Scalar::Integer(code) => Value::from(code),
            _ => Value::Null,
        };
        table
            .name(&value)
            .map(|name| Self {
                name,
                table: std::marker::PhantomData,
            })
            .map_err(|_| invalid(&format!("必须是{}之一", table.names.join("、"))))
    }
}

impl<T: CodeTable> PartialSchema for TableCode<T> {
    fn schema() -> RefOr<Schema> {
        let table = T::table();
        let texts: Vec<String> = table
            .names
            .iter()
            .chain(table.aliases.iter().map(|(alias, _)| alias))
            .map(|name| (*name).to_owned())
            .chain(table.codes.iter().map(|(code, _)| code.to_string()))
            .collect();
        let mut alternatives = vec![Schema::Object(
            string_schema().enum_values(Some(texts)).build(),
        )];
        if !table.codes.is_empty() {
            alternatives.push(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Integer))
                    .enum_values(Some(table.codes.iter().map(|(code, _)| *code)))
                    .build(),
            ));
        }
        one_of(alternatives)
    }
}

impl<T: CodeTable> ToSchema for TableCode<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        let full = std::any::type_name::<T>();
        full.rsplit("::").next().unwrap_or(full).to_owned().into()
    }
}

/// A seed's code sent as text or as a number (`"1"` or `1`), read into the text enum `E` by its
/// text: `#[serde(rename = "1")]` on a variant names the code, and a code not among them is
/// refused as "<field>必须是0、1或all".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code<E>(pub E);

impl<E> Code<E> {
    pub fn get(self) -> E {
        self.0
    }
}

impl<'de, E: DeserializeOwned> Deserialize<'de> for Code<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = scalar(deserializer)?.text();
        E::deserialize(de::value::StringDeserializer::<D::Error>::new(text)).map(Self)
    }
}

impl<E: ToSchema> ToSchema for Code<E> {
    fn name() -> std::borrow::Cow<'static, str> {
        // utoipa appends the argument's name: `Code_RepairStatus`.
        "Code".into()
    }
}

// A generic type's schema (utoipa derives `PartialSchema` from it): the codes are the enum's
// texts, and a numeric code may come as its number.
impl<E: ToSchema> utoipa::__dev::ComposeSchema for Code<E> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        one_of([
            match E::schema() {
                RefOr::T(schema) => schema,
                RefOr::Ref(_) => Schema::Object(string_schema().build()),
            },
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Integer))
                    .enum_values(Some(numeric_codes::<E>()))
                    .build(),
            ),
        ])
    }
}

impl Checked for kit::vehicle::Plate {
    // Province, office letter, then 5 serial characters, or 6 with D/F first or last (new energy).
    const PATTERN: &'static str = r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Za-hj-np-z]([0-9A-HJ-NP-Za-hj-np-z]{5}|[DFdf][0-9A-HJ-NP-Za-hj-np-z]{5}|[0-9A-HJ-NP-Za-hj-np-z]{5}[DFdf])$";
    const MAX_CHARS: usize = 16;
    fn check(text: &str) -> Result<Self, &'static str> {
        Self::parse(text)
    }
}

impl Checked for kit::vehicle::SpotNumber {
    // 1 to 16 letters, digits or `-` (spaces are dropped).
    const PATTERN: &'static str = r"^ *([A-Za-z0-9-] *){1,16}$";
    const MAX_CHARS: usize = 32;
    fn check(text: &str) -> Result<Self, &'static str> {
        Self::parse(text)
    }
}

/// A mainland licence plate (冀C12345, new-energy 冀CD12345), kept normalised: upper case, no
/// spaces or `·`.
pub type PlateNumber = Valid<kit::vehicle::Plate>;
/// A parking spot's number (A012, B2-101), kept in upper case.
pub type SpotNo = Valid<kit::vehicle::SpotNumber>;

/// 1 to `MAX` ASCII digits (a community's identifier, `10002`), as text or a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digits<const MAX: usize>(pub String);

/// A community's identifier (`xiaoqu`, `community_identifier`): digits, as the seeds write it
/// (`10002`, `00001`: leading zeros kept).
pub type Xiaoqu = Digits<20>;

impl<const MAX: usize> Digits<MAX> {
    pub fn into_string(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Digits<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match scalar(deserializer)? {
            Scalar::Text(text) => Some(text),
            // A JSON number stands for its digits within the schema's bound (15 digits: beyond,
            // a JSON number is no longer exact).
            Scalar::Integer(number) if (0..=largest_of_digits(MAX)).contains(&number) => {
                Some(number.to_string())
            }
            _ => None,
        }
        .filter(|text| (1..=MAX).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()));
        text.map(Self)
            .ok_or_else(|| invalid(&format!("必须是1到{MAX}位数字")))
    }
}

impl<const MAX: usize> PartialSchema for Digits<MAX> {
    fn schema() -> RefOr<Schema> {
        one_of([
            Schema::Object(
                string_schema()
                    .pattern(Some(format!("^[0-9]{{1,{MAX}}}$")))
                    .build(),
            ),
            integer_schema(0, largest_of_digits(MAX)),
        ])
    }
}

/// The codes of `E` that are numbers: what a [`Code`] accepts as a JSON number.
fn numeric_codes<E: ToSchema>() -> Vec<i64> {
    let schema = serde_json::to_value(E::schema()).unwrap_or_default();
    schema["enum"]
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .filter_map(|code| code.as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

impl<const MAX: usize> ToSchema for Digits<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Digits{MAX}").into()
    }
}

/// What a resident answered for a template in `wx.requestSubscribeMessage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscribeAnswer {
    Accept,
    Reject,
    Ban,
    Filter,
}

/// The longest template id taken (WeChat's are 43 characters).
pub const TEMPLATE_ID_MAX: usize = 64;
/// The most templates one report names (`wx.requestSubscribeMessage` asks for at most 3 at once).
pub const SUBSCRIBE_RESULTS_MAX: usize = 20;

/// `wx.requestSubscribeMessage`'s answers, `{"<template_id>": "accept" | "reject" | "ban" |
/// "filter"}`: 1 to 20 templates, each id 1–64 characters of `[A-Za-z0-9_-]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeResults(pub BTreeMap<String, SubscribeAnswer>);

fn is_template_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= TEMPLATE_ID_MAX
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl<'de> Deserialize<'de> for SubscribeResults {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let refuse = |field: &str, message: &str| {
            <D::Error as de::Error>::custom(format!("{PASSED_ON}{field}: {message}"))
        };
        let Ok(answers) = Map::<String, Value>::deserialize(deserializer) else {
            return Err(refuse(
                "results",
                "results必须是对象：{\"模板id\": \"accept|reject|ban|filter\"}",
            ));
        };
        if answers.is_empty() {
            return Err(refuse("results", "results参数未传送"));
        }
        if answers.len() > SUBSCRIBE_RESULTS_MAX {
            return Err(refuse(
                "results",
                &format!("results最多{SUBSCRIBE_RESULTS_MAX}个模板"),
            ));
        }
        let mut parsed = BTreeMap::new();
        for (id, answer) in answers {
            if !is_template_id(&id) {
                return Err(refuse(
                    "results",
                    &format!("results的模板id须为1到{TEMPLATE_ID_MAX}个字母、数字、_或-"),
                ));
            }
            let field = format!("results.{id}");
            let answer = serde_json::from_value::<SubscribeAnswer>(answer).map_err(|_| {
                refuse(&field, &format!("{field}必须是accept、reject、ban或filter"))
            })?;
            parsed.insert(id, answer);
        }
        Ok(Self(parsed))
    }
}

impl PartialSchema for SubscribeResults {
    fn schema() -> RefOr<Schema> {
        let answer = string_schema().enum_values(Some(["accept", "reject", "ban", "filter"]));
        let names = string_schema()
            .min_length(Some(1))
            .max_length(Some(TEMPLATE_ID_MAX))
            .pattern(Some("^[A-Za-z0-9_-]+$"));
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Object))
                .description(Some(
                    "每个模板id（1–64个字母、数字、_或-）的用户选择：accept、reject、ban或filter",
                ))
                .additional_properties(Some(RefOr::T(Schema::Object(answer.build()))))
                .property_names(Some(Schema::Object(names.build())))
                .min_properties(Some(1))
                .max_properties(Some(SUBSCRIBE_RESULTS_MAX))
                .build(),
        ))
    }
}

impl ToSchema for SubscribeResults {
    fn name() -> std::borrow::Cow<'static, str> {
        "SubscribeResults".into()
    }
}

#[cfg(test)]
mod subscribe_results_tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Body {
        results: SubscribeResults,
    }

    fn parsed(body: Value) -> Result<Body, ServiceError> {
        let Value::Object(values) = body else {
            unreachable!()
        };
        parse(values)
    }

    #[test]
    fn a_blank_answer_is_judged_not_dropped() {
        let Value::Object(values) = json!({"results": {"sandbox-review": "accept", "bad id": ""}})
        else {
            unreachable!()
        };
        let error = parse_as_sent::<Body>(values).expect_err("a bad id with a blank answer");
        assert!(
            error.message.starts_with("results的模板id"),
            "{}",
            error.message
        );
    }

    #[test]
    fn answers_are_read_per_template() {
        let body = parsed(json!({"results": {"sandbox-review": "accept", "t_2": "reject"}}))
            .expect("valid");
        assert_eq!(body.results.0["sandbox-review"], SubscribeAnswer::Accept);
        assert_eq!(body.results.0["t_2"], SubscribeAnswer::Reject);
    }

    #[test]
    fn a_bad_answer_or_template_id_names_the_field() {
        let error = parsed(json!({"results": {"sandbox-review": "maybe"}})).expect_err("bad");
        assert_eq!(
            error.message,
            "results.sandbox-review必须是accept、reject、ban或filter"
        );
        assert!(
            error.msg.starts_with("results.sandbox-review"),
            "{}",
            error.msg
        );
        let long = "x".repeat(TEMPLATE_ID_MAX + 1);
        let error = parsed(json!({"results": {long: "accept"}})).expect_err("long");
        assert!(
            error.message.starts_with("results的模板id"),
            "{}",
            error.message
        );
        let error = parsed(json!({"results": {}})).expect_err("empty");
        assert!(error.msg.contains("results"), "{}", error.msg);
        let error = parsed(json!({"results": "accept"})).expect_err("not an object");
        assert!(
            error.message.starts_with("results必须是对象"),
            "{}",
            error.message
        );
    }
}

#[cfg(test)]
mod vehicle_and_digit_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blank_is_what_trim_removes() {
        let blank = regex::Regex::new(&blank_pattern()).expect("blank");
        let given = regex::Regex::new(&not_blank_pattern()).expect("not blank");
        for c in (0..=0x3100_u32)
            .chain(0xFEFF..=0xFEFF)
            .filter_map(char::from_u32)
        {
            let text = c.to_string();
            assert_eq!(blank.is_match(&text), text.trim().is_empty(), "{c:?}");
            assert_eq!(given.is_match(&text), !text.trim().is_empty(), "{c:?}");
        }
    }

    #[test]
    fn digits_as_a_json_number_stay_within_the_schemas_bound() {
        let read = |value: Value| Digits::<20>::deserialize(value).map(Digits::into_string);
        assert_eq!(read(json!(10002)).expect("number"), "10002");
        assert_eq!(read(json!("00001")).expect("text"), "00001");
        assert!(read(json!(999_999_999_999_999_i64)).is_ok());
        assert!(read(json!(1_000_000_000_000_000_i64)).is_err());
    }

    #[test]
    fn a_blank_or_null_field_is_a_missing_one() {
        #[derive(Debug, Deserialize)]
        struct Both {
            name: Option<Text<8>>,
            page: Option<Page>,
        }
        for value in [json!(""), json!(" \u{3000}\t"), json!(null)] {
            let both: Both = parse(
                json!({"name": value, "page": value})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            )
            .expect("blank");
            assert!(both.name.is_none() && both.page.is_none(), "{value}");
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        plate: Option<PlateNumber>,
        spot: Option<SpotNo>,
        xiaoqu: Option<Xiaoqu>,
    }

    fn read(value: Value) -> Result<Sample, ServiceError> {
        parse(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn plates_spots_and_digits_are_read_normalised() {
        let sample =
            read(json!({"plate": "冀c 12345", "spot": " a012", "xiaoqu": 10002})).expect("read");
        assert_eq!(
            sample.plate.map(|p| p.0.as_str().to_owned()).as_deref(),
            Some("冀C12345")
        );
        assert_eq!(
            sample.spot.map(|s| s.0.as_str().to_owned()).as_deref(),
            Some("A012")
        );
        assert_eq!(
            sample.xiaoqu.map(Digits::into_string).as_deref(),
            Some("10002")
        );
    }

    #[test]
    fn bad_plates_spots_and_digits_name_their_field() {
        let message = |value: Value| read(value).expect_err("refused").message;
        assert!(message(json!({"plate": "GK12001"})).starts_with("plate: 车牌号"));
        assert!(message(json!({"spot": "车位1"})).starts_with("spot: 车位编号"));
        assert_eq!(
            message(json!({"xiaoqu": "10a02"})),
            "xiaoqu必须是1到20位数字"
        );
        assert_eq!(message(json!({"xiaoqu": -3})), "xiaoqu必须是1到20位数字");
        assert_eq!(
            message(json!({"xiaoqu": "1".repeat(21)})),
            "xiaoqu必须是1到20位数字"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: Text<4>,
        page: Option<Page>,
        paied: Option<Flag>,
        phone: Option<Phone>,
        idcard: Option<IdCard>,
        kind: Option<Kind>,
        nested: Option<Nested<Inner>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        House,
        Phone,
        Idcard,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        louhao: Level,
    }

    fn read(value: Value) -> Result<Sample, ServiceError> {
        parse(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn numbers_as_text_and_text_as_numbers_are_read() {
        let sample =
            read(json!({"name": 1234, "page": " 3 ", "paied": "1", "phone": 17600381130_i64}))
                .expect("read");
        assert_eq!(sample.name.as_str(), "1234");
        assert_eq!(sample.page.map(Int::get), Some(3));
        assert_eq!(sample.paied.map(Flag::get), Some(true));
        assert_eq!(
            sample.phone.map(|p| p.0.as_str().to_owned()).as_deref(),
            Some("17600381130")
        );
    }

    #[test]
    fn every_refusal_names_its_field() {
        let message = |value: Value| read(value).expect_err("refused").message;
        assert_eq!(message(json!({})), "name参数未传送");
        assert_eq!(message(json!({"name": "   "})), "name参数未传送");
        assert_eq!(message(json!({"name": "abcde"})), "name不能超过4个字");
        assert_eq!(message(json!({"name": "a", "page": "x"})), "page必须是整数");
        assert_eq!(
            message(json!({"name": "a", "page": 0})),
            "page必须在1到1000000之间"
        );
        assert_eq!(message(json!({"name": "a", "paied": 2})), "paied必须是0或1");
        assert_eq!(
            message(json!({"name": "a", "phone": "123"})),
            "phone必须是正确的手机号"
        );
        assert_eq!(
            message(json!({"name": "a", "idcard": "123"})),
            "idcard: 身份证号必须是18位"
        );
        assert_eq!(
            message(json!({"name": "a", "kind": "car"})),
            "kind必须是house、phone或idcard"
        );
        assert_eq!(message(json!({"name": ["a"]})), "name格式不正确");
        assert_eq!(
            message(json!({"name": "a", "nested": {}})),
            "nested.louhao参数未传送"
        );
        assert_eq!(
            message(json!({"name": "a", "nested": "{\"louhao\": \"x\"}"})),
            "nested.louhao必须是整数"
        );
        let error = read(json!({"name": "a", "nested": 5})).expect_err("refused");
        assert_eq!(error.message, "nested必须是JSON对象");
        assert!(error.msg.starts_with("nested"));
    }

    struct Roles;

    impl CodeTable for Roles {
        fn table() -> &'static secplat::enums::Table {
            &secplat::enums::ROLE
        }
    }

    #[derive(Debug, Deserialize)]
    struct TableCoded {
        role: Option<TableCode<Roles>>,
    }

    #[test]
    fn a_code_is_read_as_a_name_a_number_or_its_digits() {
        let role = |value: Value| {
            parse::<TableCoded>(
                json!({ "role": value })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            )
            .map(|coded| coded.role.map(TableCode::into_string))
        };
        assert_eq!(role(json!("妻子")).expect("name").as_deref(), Some("妻子"));
        assert_eq!(role(json!(1)).expect("code").as_deref(), Some("业主"));
        assert_eq!(role(json!(" 2 ")).expect("digits").as_deref(), Some("租客"));
        assert_eq!(role(json!("本人")).expect("alias").as_deref(), Some("业主"));
        assert_eq!(role(json!("")).expect("blank").as_deref(), None);
        for bad in [json!("房东"), json!(14), json!(true), json!(1.5)] {
            let error = role(bad.clone()).expect_err("refused");
            assert!(
                error.message.starts_with("role必须是家属、业主、租客"),
                "{bad}: {}",
                error.message
            );
            assert!(error.msg.starts_with("role"), "{}", error.msg);
        }
        let schema = serde_json::to_value(TableCode::<Roles>::schema()).expect("json");
        assert_eq!(schema["oneOf"][1]["enum"][1], 1);
    }

    #[derive(Debug, Deserialize, PartialEq, ToSchema)]
    enum Solved {
        #[serde(rename = "0")]
        No,
        #[serde(rename = "1")]
        Yes,
        #[serde(rename = "all")]
        All,
    }

    #[derive(Debug, Deserialize)]
    struct Coded {
        status: Code<Solved>,
    }

    #[test]
    fn a_code_is_read_from_its_text_or_its_number() {
        let read = |value: Value| {
            parse::<Coded>(value.as_object().cloned().unwrap_or_default()).map(|c| c.status.get())
        };
        assert_eq!(read(json!({"status": 1})).expect("number"), Solved::Yes);
        assert_eq!(read(json!({"status": " 0 "})).expect("text"), Solved::No);
        assert_eq!(read(json!({"status": "all"})).expect("word"), Solved::All);
        let refused = |value: Value| read(value).expect_err("refused").message;
        assert_eq!(refused(json!({"status": 2})), "status必须是0、1或all");
        assert_eq!(refused(json!({"status": true})), "status必须是0、1或all");
        assert_eq!(refused(json!({})), "status参数未传送");
        let schema = serde_json::to_value(Code::<Solved>::schema()).expect("json");
        assert_eq!(schema["oneOf"][0]["enum"], json!(["0", "1", "all"]));
    }

    #[test]
    fn an_integer_range_becomes_a_pattern_of_exactly_its_numbers() {
        let matches = |min: i64, max: i64| {
            let pattern = integer_pattern(min, max);
            let alternatives: Vec<String> = pattern[2..pattern.len() - 2]
                .split('|')
                .map(str::to_owned)
                .collect();
            move |n: i64| {
                let text = n.to_string();
                alternatives.iter().any(|alt| matches_simple(alt, &text))
            }
        };
        for (min, max) in [
            (1, 100),
            (1, 1_000_000),
            (0, 1),
            (1, 99_999),
            (-999, 999),
            (7, 12),
            (15, 2345),
        ] {
            let in_range = matches(min, max);
            for n in (min - 30)..=(max.min(min + 3000) + 30) {
                assert_eq!(
                    in_range(n),
                    (min..=max).contains(&n),
                    "{n} in {min}..={max}"
                );
            }
            assert!(in_range(max));
            assert!(!in_range(max + 1));
        }
        assert_eq!(integer_pattern(1, 100), "^([1-9]|[1-9][0-9]|100)$");
    }

    /// Matches `text` against a pattern of literal digits, `-`, `[a-b]` and `[0-9]{n}` only.
    fn matches_simple(pattern: &str, text: &str) -> bool {
        let mut classes: Vec<(char, char)> = Vec::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '[' => {
                    classes.push((chars[i + 1], chars[i + 3]));
                    i += 5;
                }
                '{' => {
                    let end = i + chars[i..].iter().position(|c| *c == '}').unwrap_or(0);
                    let count: usize = chars[i + 1..end]
                        .iter()
                        .collect::<String>()
                        .parse()
                        .unwrap_or(1);
                    let last = classes.last().copied().unwrap_or(('0', '9'));
                    for _ in 1..count {
                        classes.push(last);
                    }
                    i = end + 1;
                }
                c => {
                    classes.push((c, c));
                    i += 1;
                }
            }
        }
        let text: Vec<char> = text.chars().collect();
        text.len() == classes.len()
            && text
                .iter()
                .zip(&classes)
                .all(|(c, (low, high))| low <= c && c <= high)
    }

    #[derive(Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct EitherField {
        number: Option<Text<20>>,
        id: Option<Id>,
    }

    #[test]
    fn a_rule_between_fields_stays_in_the_schema() {
        let schema = serde_json::to_value(schema_with_rule::<EitherField>(any_of([
            requires(&["number"]),
            requires(&["id"]),
        ])))
        .expect("json");
        assert_eq!(
            schema["allOf"][1]["anyOf"][0]["required"],
            json!(["number"]),
            "{schema}"
        );
        let oneof =
            serde_json::to_value(schema_with_rule::<EitherField>(exactly_one_of([field_is(
                "type", "house",
            )
            .required("number")])))
            .expect("json");
        assert_eq!(
            oneof["allOf"][1]["oneOf"][0]["properties"]["type"]["enum"],
            json!(["house"]),
            "{oneof}"
        );
    }

    #[test]
    fn the_schema_of_a_text_allows_what_is_accepted() {
        let schema = serde_json::to_value(Text::<4>::schema()).expect("json");
        assert_eq!(schema["oneOf"][0]["maxLength"], 4);
        assert_eq!(schema["oneOf"][1]["maximum"], 9999);
    }
}

//! Lenient parsing of query strings and form bodies: the providers answer bad input in their own
//! formats, so we never let an extractor reject a request with a plain-text 400.

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_TYPE;
use serde_json::Value;

/// Decodes `a=1&b=2` into a map; a repeated key keeps its last value; undecodable input is empty.
pub(crate) fn parse_pairs(encoded: &str) -> BTreeMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(encoded)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// The query string, then the body on top: a JSON object when the body is JSON (its numbers
/// and booleans become text, as a form would carry them), form pairs otherwise.
pub(crate) fn request_params(req: &HttpRequest, body: &[u8]) -> BTreeMap<String, String> {
    let mut params = parse_pairs(req.query_string());
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let looks_like_json = body
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'{');
    if content_type.starts_with("application/json") || (content_type.is_empty() && looks_like_json)
    {
        params.extend(json_pairs(body));
    } else if !body.is_empty() {
        params.extend(parse_pairs(&String::from_utf8_lossy(body)));
    }
    params
}

/// The scalar members of a JSON object as text; anything else is empty.
fn json_pairs(body: &[u8]) -> BTreeMap<String, String> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return BTreeMap::new();
    };
    object
        .into_iter()
        .filter_map(|(key, value)| {
            let text = match value {
                Value::String(text) => text,
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                _ => return None,
            };
            Some((key, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn json_bodies_carry_numbers_as_text() {
        let req = TestRequest::post()
            .uri("/x?token=t")
            .insert_header((CONTENT_TYPE, "application/json"))
            .to_http_request();
        let params = request_params(
            &req,
            r#"{"phone": 17600381130, "name": "王芳", "x": [1]}"#.as_bytes(),
        );
        assert_eq!(params.get("phone").map(String::as_str), Some("17600381130"));
        assert_eq!(params.get("name").map(String::as_str), Some("王芳"));
        assert_eq!(params.get("token").map(String::as_str), Some("t"));
        assert!(!params.contains_key("x"));
    }

    #[test]
    fn form_bodies_and_untyped_json_are_both_read() {
        let form = TestRequest::post()
            .insert_header((CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .to_http_request();
        let params = request_params(&form, b"key_k=a&key_d=b");
        assert_eq!(params.get("key_d").map(String::as_str), Some("b"));
        let untyped = TestRequest::post().to_http_request();
        let params = request_params(&untyped, br#" {"times": 2}"#);
        assert_eq!(params.get("times").map(String::as_str), Some("2"));
    }

    #[test]
    fn decodes_percent_escapes_and_keeps_the_last_repeated_key() {
        let pairs = parse_pairs("a=%E4%B8%AD&b=1&b=2");
        assert_eq!(pairs.get("a").map(String::as_str), Some("中"));
        assert_eq!(pairs.get("b").map(String::as_str), Some("2"));
    }
}

//! Lenient parsing of query strings and form bodies: the providers answer bad input in their own
//! formats, so we never let an extractor reject a request with a plain-text 400.

use std::collections::BTreeMap;

/// Decodes `a=1&b=2` into a map; a repeated key keeps its last value; undecodable input is empty.
pub(crate) fn parse_pairs(encoded: &str) -> BTreeMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(encoded)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_keeps_the_last_repeated_key() {
        let pairs = parse_pairs("a=%E4%B8%AD&b=1&b=2");
        assert_eq!(pairs.get("a").map(String::as_str), Some("中"));
        assert_eq!(pairs.get("b").map(String::as_str), Some("2"));
    }
}

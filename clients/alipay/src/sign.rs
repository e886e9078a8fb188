//! Alipay's openapi signatures (RSA2: SHA256withRSA, PKCS#1 v1.5, base64), both ways:
//! - a request signs every non-empty parameter but `sign`, sorted by name, as `k=v&k=v` with the
//!   values as they are (not URL-encoded);
//! - an asynchronous notification is verified the same way without `sign` and `sign_type`;
//! - an answer signs the exact text of its `<method>_response` (or `error_response`) object.
use std::collections::BTreeMap;

pub use wxpay::crypto::{CryptoError, RsaSigner, RsaVerifier};

/// `sign_type` of RSA2.
pub const RSA2: &str = "RSA2";

/// The text a request signs: every parameter with a value but `sign`, sorted, `k=v&k=v`.
pub fn request_content(params: &BTreeMap<String, String>) -> String {
    content(params, &["sign"])
}

/// The text a notification signs: as [`request_content`] without `sign_type` either.
pub fn notification_content(params: &BTreeMap<String, String>) -> String {
    content(params, &["sign", "sign_type"])
}

fn content(params: &BTreeMap<String, String>, without: &[&str]) -> String {
    params
        .iter()
        .filter(|(key, value)| !value.is_empty() && !without.contains(&key.as_str()))
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A PEM key as Alipay's consoles hand it out: bare base64 (no armour) is wrapped as `label`
/// (`PRIVATE KEY` for PKCS#8, `PUBLIC KEY` for SubjectPublicKeyInfo).
pub fn armoured(key: &str, label: &str) -> String {
    let key = key.trim();
    if key.starts_with("-----BEGIN") {
        return key.to_owned();
    }
    let body: String = key.split_whitespace().collect();
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The exact text of the JSON object that `key` names at the top of `body` (an answer's
/// `<method>_response`): what Alipay signed. `None` when there is no such object.
pub fn response_object<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    let needle = format!("\"{key}\"");
    let after_key = body.find(&needle)? + needle.len();
    let rest = &body[after_key..];
    let colon = rest.find(':')?;
    if !rest[..colon].trim().is_empty() {
        return None;
    }
    let value = &rest[colon + 1..];
    let start = value.find(|c: char| !c.is_whitespace())?;
    let value = &value[start..];
    if !value.starts_with('{') {
        return None;
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (at, c) in value.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&value[..=at]);
                }
            }
            _ => {}
        }
    }
    None
}

/// An Alipay amount (`"123.45"`, `"10"`) in fen; `None` when it is not one. Amounts are written
/// with [`kit::money::yuan_decimal`].
pub fn fen_of(amount: &str) -> Option<i64> {
    if amount.trim() == "0" || amount.trim() == "0.00" {
        return Some(0);
    }
    kit::money::parse_yuan(amount.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_request_signs_its_sorted_non_empty_parameters_but_sign() {
        let p = params(&[
            ("method", "alipay.trade.query"),
            ("app_id", "2021000000000001"),
            ("sign", "x"),
            ("sign_type", "RSA2"),
            ("biz_content", r#"{"out_trade_no":"A&B"}"#),
            ("notify_url", ""),
        ]);
        assert_eq!(
            request_content(&p),
            r#"app_id=2021000000000001&biz_content={"out_trade_no":"A&B"}&method=alipay.trade.query&sign_type=RSA2"#
        );
        assert_eq!(
            notification_content(&p),
            r#"app_id=2021000000000001&biz_content={"out_trade_no":"A&B"}&method=alipay.trade.query"#
        );
    }

    #[test]
    fn an_answer_signs_the_exact_text_of_its_response_object() {
        let body = r#"{"alipay_trade_query_response":{"code":"10000","msg":"Success","subject":"a \"}\" b","n":{"x":1}},"sign":"abc"}"#;
        assert_eq!(
            response_object(body, "alipay_trade_query_response"),
            Some(r#"{"code":"10000","msg":"Success","subject":"a \"}\" b","n":{"x":1}}"#)
        );
        assert_eq!(response_object(body, "error_response"), None);
        assert_eq!(response_object(r#"{"k": "v"}"#, "k"), None);
        assert_eq!(response_object(r#"{"k": {"a":1"#, "k"), None);
    }

    #[test]
    fn amounts_are_yuan_with_two_places() {
        assert_eq!(kit::money::yuan_decimal(1000), "10.00");
        assert_eq!(kit::money::yuan_decimal(1), "0.01");
        assert_eq!(kit::money::yuan_decimal(-250), "-2.50");
        assert_eq!(fen_of("10.00"), Some(1000));
        assert_eq!(fen_of("0.01"), Some(1));
        assert_eq!(fen_of("88.8"), Some(8880));
        assert_eq!(fen_of("0.00"), Some(0));
        assert_eq!(fen_of("ten"), None);
    }

    #[test]
    fn a_bare_base64_key_is_armoured() {
        let pem = armoured("MIIB\nIjAN", "PUBLIC KEY");
        assert_eq!(
            pem,
            "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n"
        );
        assert_eq!(armoured(&pem, "PUBLIC KEY"), pem.trim());
    }

    #[test]
    fn rsa2_signs_and_verifies_with_the_dev_keys() {
        let signer = RsaSigner::from_pem(include_str!(
            "../../../sandbox/fixtures/alipay/dev-app-private-key.pem"
        ))
        .expect("private key");
        let verifier = RsaVerifier::from_pem(include_str!(
            "../../../sandbox/fixtures/alipay/dev-app-public-key.pem"
        ))
        .expect("public key");
        let signature = signer.sign(b"a=1&b=2").expect("signed");
        assert!(verifier.verify(b"a=1&b=2", &signature));
        assert!(!verifier.verify(b"a=1&b=3", &signature));
    }
}

//! Alibaba Cloud request signing: the RPC signature (SignatureVersion 1.0, HMAC-SHA1) the SMS API
//! defines, and the V3 signature (`ACS3-HMAC-SHA256`, [`acs3`]) Alibaba Cloud's current SDKs send.
pub mod acs3;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Percent-encodes per RFC 3986 as Alibaba Cloud requires: only `A-Z a-z 0-9 - _ . ~` stay as
/// they are; every other UTF-8 byte becomes `%XX` (so a space is `%20` and `*` is `%2A`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The canonicalized query: every parameter except `Signature`, sorted by key, each key and value
/// percent-encoded, joined as `k=v` with `&`.
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(key, _)| key.as_str() != "Signature")
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `HTTPMethod & percentEncode("/") & percentEncode(canonicalQuery)`.
pub fn string_to_sign(method: &str, params: &BTreeMap<String, String>) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode("/"),
        percent_encode(&canonical_query(params))
    )
}

/// `base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`; a `Signature` entry in `params` is
/// ignored.
pub fn sign(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let key = format!("{secret}&");
    // HMAC takes keys of any length, so this never fails; an empty signature matches nothing.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(string_to_sign(method, params).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
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

    /// The SendSms example of Alibaba Cloud's SMS signing documentation.
    fn sms_doc_example() -> BTreeMap<String, String> {
        params(&[
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ])
    }

    #[test]
    fn percent_encoding_leaves_only_unreserved_characters() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("a b*c+d/e:f"), "a%20b%2Ac%2Bd%2Fe%3Af");
        assert_eq!(percent_encode("中"), "%E4%B8%AD");
        assert_eq!(percent_encode(r#"{"a":1}"#), "%7B%22a%22%3A1%7D");
    }

    #[test]
    fn sms_doc_example_string_to_sign_matches_the_documentation() {
        let expected = "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123\
            %26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF\
            %25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF\
            %2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D\
            45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3D\
            SMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D\
            %26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25";
        assert_eq!(string_to_sign("GET", &sms_doc_example()), expected);
    }

    #[test]
    fn sms_doc_example_signature_matches_the_documentation() {
        assert_eq!(
            sign("GET", &sms_doc_example(), "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
    }

    #[test]
    fn rpc_doc_example_signature_matches_the_documentation() {
        let describe_regions = params(&[
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Version", "2014-05-26"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
        ]);
        assert_eq!(
            sign("GET", &describe_regions, "testsecret"),
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
        );
    }

    #[test]
    fn an_existing_signature_parameter_is_ignored() {
        let mut with_signature = sms_doc_example();
        with_signature.insert("Signature".to_owned(), "stale".to_owned());
        assert_eq!(
            sign("GET", &with_signature, "testSecret"),
            sign("GET", &sms_doc_example(), "testSecret")
        );
    }

    #[test]
    fn method_and_secret_change_the_signature() {
        let get = sign("GET", &sms_doc_example(), "testSecret");
        assert_ne!(sign("POST", &sms_doc_example(), "testSecret"), get);
        assert_ne!(sign("GET", &sms_doc_example(), "otherSecret"), get);
    }
}

//! Alibaba Cloud's V3 request signature, `ACS3-HMAC-SHA256` (阿里云 V3 版本请求体&签名机制), which
//! the current SDKs (`alibabacloud_dysmsapi20170525` and the other Darabonba/Tea SDKs) send:
//!
//! ```text
//! CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n
//!                    hex(SHA256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
//! Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=h1;h2,Signature=…
//! ```
use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::percent_encode;

/// The algorithm's name, first in `Authorization` and in the string to sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// `hex(SHA256(bytes))`: the `x-acs-content-sha256` of a body.
pub fn content_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The query, sorted by name, names and values percent-encoded (RFC 3986), as `k=v&k=v`.
pub fn canonical_query(query: &BTreeMap<String, String>) -> String {
    query
        .iter()
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signed headers, each `name:value\n` (names lowercase and sorted; a header sent several
/// times has its trimmed values sorted and joined with `,`), and the names joined with `;`.
pub fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        by_name
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.trim().to_owned());
    }
    let mut canonical = String::new();
    for (name, values) in &mut by_name {
        values.sort();
        canonical.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let names = by_name.keys().cloned().collect::<Vec<_>>().join(";");
    (canonical, names)
}

/// What is signed, for a request to `path` with `query`, the signed `headers` and a body whose
/// SHA-256 is `payload_sha256` (hex).
pub fn string_to_sign(
    method: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    headers: &[(String, String)],
    payload_sha256: &str,
) -> String {
    let (canonical_headers, signed_headers) = canonical_headers(headers);
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_sha256}",
        method.to_ascii_uppercase(),
        if path.is_empty() { "/" } else { path },
        canonical_query(query),
    );
    format!(
        "{ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// `hex(HMAC-SHA256(secret, string_to_sign))`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    // HMAC takes keys of any length, so this never fails; an empty signature matches nothing.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    /// Lowercase header names.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    /// The header's parts; `None` when it is not an `ACS3-HMAC-SHA256` authorization.
    pub fn parse(header: &str) -> Option<Self> {
        let rest = header.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (name, value) = part.trim().split_once('=')?;
            match name {
                "Credential" => credential = Some(value.to_owned()),
                "SignedHeaders" => signed = Some(value),
                "Signature" => signature = Some(value.to_owned()),
                _ => return None,
            }
        }
        Some(Self {
            access_key_id: credential?,
            signed_headers: signed?
                .split(';')
                .filter(|name| !name.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
            signature: signature?,
        })
    }

    /// The header value our side would send.
    pub fn header_value(&self) -> String {
        format!(
            "{ALGORITHM} Credential={},SignedHeaders={},Signature={}",
            self.access_key_id,
            self.signed_headers.join(";"),
            self.signature
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> BTreeMap<String, String> {
        [
            ("PhoneNumbers", "13800000000"),
            ("SignName", "万家灯火"),
            ("TemplateParam", r#"{"code":"123456"}"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn the_canonical_query_is_sorted_and_encoded_per_rfc_3986() {
        assert_eq!(
            canonical_query(&query()),
            "PhoneNumbers=13800000000&SignName=%E4%B8%87%E5%AE%B6%E7%81%AF%E7%81%AB\
             &TemplateParam=%7B%22code%22%3A%22123456%22%7D"
        );
    }

    #[test]
    fn headers_are_lowercased_sorted_trimmed_and_repeated_ones_joined() {
        let headers = [
            ("x-acs-action".to_owned(), "SendSms".to_owned()),
            ("Host".to_owned(), " 127.0.0.1:8091 ".to_owned()),
            ("x-acs-b".to_owned(), "2".to_owned()),
            ("x-acs-b".to_owned(), "1".to_owned()),
        ];
        let (canonical, names) = canonical_headers(&headers);
        assert_eq!(
            canonical,
            "host:127.0.0.1:8091\nx-acs-action:SendSms\nx-acs-b:1,2\n"
        );
        assert_eq!(names, "host;x-acs-action;x-acs-b");
    }

    #[test]
    fn the_string_to_sign_hashes_the_canonical_request() {
        let headers = [("host".to_owned(), "dysmsapi.aliyuncs.com".to_owned())];
        let empty = content_sha256(b"");
        assert_eq!(
            empty,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let canonical = format!(
            "POST\n/\n{}\nhost:dysmsapi.aliyuncs.com\n\nhost\n{empty}",
            canonical_query(&query())
        );
        assert_eq!(
            string_to_sign("post", "", &query(), &headers, &empty),
            format!(
                "ACS3-HMAC-SHA256\n{}",
                hex::encode(Sha256::digest(canonical.as_bytes()))
            )
        );
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn an_authorization_reads_back_what_it_wrote() {
        let authorization = Authorization {
            access_key_id: "sandbox-ak".to_owned(),
            signed_headers: vec!["host".to_owned(), "x-acs-date".to_owned()],
            signature: "ab".repeat(32),
        };
        assert_eq!(
            Authorization::parse(&authorization.header_value()),
            Some(authorization)
        );
        assert_eq!(Authorization::parse("ACS3-RSA-SHA256 Credential=a"), None);
        assert_eq!(
            Authorization::parse("ACS3-HMAC-SHA256 Credential=a,Signature=b"),
            None
        );
    }
}

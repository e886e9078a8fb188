//! WeChat Pay's signatures and encryption: APIv2's MD5 / HMAC-SHA256 signs over sorted fields,
//! APIv3's SHA256withRSA signatures (requests, answers, notifications, `paySign`), the
//! AEAD_AES_256_GCM that seals notification resources, and the AES-256-ECB of APIv2 refund
//! notifications' `req_info`.

use std::collections::BTreeMap;
use std::sync::Arc;

use aes::Aes256;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecrypt, BlockEncrypt};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs1::{
    DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey,
};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

use crate::settings::WxPaySignType;
use kit::secret::constant_time_eq;

/// The `Authorization` scheme of APIv3 requests.
pub const V3_AUTH_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";
/// The AEAD of notification resources.
pub const V3_RESOURCE_ALGORITHM: &str = "AEAD_AES_256_GCM";

/// A key that cannot be read, or data that cannot be sealed or opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CryptoError(pub String);

/// APIv2's string to sign: the non-empty fields other than `sign`, sorted by name, as
/// `k=v&k=v`, then `&key=KEY`.
pub fn v2_sign_string(fields: &BTreeMap<String, String>, key: &str) -> String {
    let mut joined: String = fields
        .iter()
        .filter(|(name, value)| name.as_str() != "sign" && !value.is_empty())
        .map(|(name, value)| format!("{name}={value}&"))
        .collect();
    joined.push_str("key=");
    joined.push_str(key);
    joined
}

/// APIv2's `sign`: uppercase hex of MD5(string), or of HMAC-SHA256(key, string).
pub fn v2_sign(fields: &BTreeMap<String, String>, key: &str, sign_type: WxPaySignType) -> String {
    let text = v2_sign_string(fields, key);
    let digest = match sign_type {
        WxPaySignType::Md5 => Md5::digest(text.as_bytes()).to_vec(),
        WxPaySignType::HmacSha256 => {
            // HMAC takes keys of any length, so this never fails; an empty sign matches nothing.
            let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) else {
                return String::new();
            };
            mac.update(text.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    hex::encode_upper(digest)
}

/// Whether `fields["sign"]` is the sign of the other fields.
pub fn v2_verify(fields: &BTreeMap<String, String>, key: &str, sign_type: WxPaySignType) -> bool {
    let Some(sign) = fields.get("sign") else {
        return false;
    };
    let expected = v2_sign(fields, key, sign_type);
    !expected.is_empty() && constant_time_eq(&expected, &sign.to_ascii_uppercase())
}

/// A SHA256withRSA (PKCS#1 v1.5) signer; its `Debug` shows nothing of the key. The key is read
/// with `rsa` and used through `ring`, whose RSA is several times faster.
#[derive(Clone)]
pub struct RsaSigner(Arc<RsaKeyPair>);

impl std::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RsaSigner(***)")
    }
}

impl RsaSigner {
    /// Reads a PEM private key, PKCS#8 (`BEGIN PRIVATE KEY`, WeChat's `apiclient_key.pem`) or
    /// PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let pem = pem.trim();
        let unreadable = || CryptoError("not an RSA private key in PEM".to_owned());
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
            .map_err(|_| unreadable())?;
        let der = key.to_pkcs1_der().map_err(|_| unreadable())?;
        let pair = RsaKeyPair::from_der(der.as_bytes())
            .map_err(|e| CryptoError(format!("an RSA private key ring refuses: {e}")))?;
        Ok(Self(Arc::new(pair)))
    }

    /// Base64 of the signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<String, CryptoError> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| CryptoError("RSA signing failed".to_owned()))?;
        Ok(STANDARD.encode(signature))
    }
}

/// A SHA256withRSA (PKCS#1 v1.5) verifier of 2048- to 8192-bit keys (read with `rsa`, used
/// through `ring`).
#[derive(Clone, Debug)]
pub struct RsaVerifier(UnparsedPublicKey<Vec<u8>>);

impl RsaVerifier {
    /// Reads a PEM public key, SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, WeChat Pay's public key)
    /// or PKCS#1 (`BEGIN RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let pem = pem.trim();
        let unreadable = || CryptoError("not an RSA public key in PEM".to_owned());
        let key = RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
            .map_err(|_| unreadable())?;
        let der = key.to_pkcs1_der().map_err(|_| unreadable())?;
        Ok(Self(UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            der.as_bytes().to_vec(),
        )))
    }

    /// Whether `signature` (base64) signs `message`; false for anything unreadable.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = STANDARD.decode(signature.trim()) else {
            return false;
        };
        self.0.verify(message, &bytes).is_ok()
    }
}

/// What an APIv3 request signs: `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`.
pub fn v3_request_message(
    method: &str,
    path_and_query: &str,
    timestamp: &str,
    nonce: &str,
    body: &str,
) -> String {
    format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n")
}

/// What an answer or a notification signs: `TIMESTAMP\nNONCE\nBODY\n`.
pub fn v3_answer_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// The fields of an APIv3 `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Authorization {
    pub mchid: String,
    pub nonce_str: String,
    pub signature: String,
    pub timestamp: String,
    pub serial_no: String,
}

impl V3Authorization {
    /// `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
    pub fn header_value(&self) -> String {
        format!(
            "{V3_AUTH_SCHEME} mchid=\"{}\",nonce_str=\"{}\",signature=\"{}\",timestamp=\"{}\",serial_no=\"{}\"",
            self.mchid, self.nonce_str, self.signature, self.timestamp, self.serial_no
        )
    }

    /// Reads a header built by [`Self::header_value`]; `None` when any field is missing.
    pub fn parse(header: &str) -> Option<Self> {
        let params = header.trim().strip_prefix(V3_AUTH_SCHEME)?;
        let mut fields = BTreeMap::new();
        for pair in params.split(',') {
            let (name, value) = pair.trim().split_once('=')?;
            let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
            fields.insert(name.trim(), value.to_owned());
        }
        let mut take = |name: &str| fields.remove(name);
        Some(Self {
            mchid: take("mchid")?,
            nonce_str: take("nonce_str")?,
            signature: take("signature")?,
            timestamp: take("timestamp")?,
            serial_no: take("serial_no")?,
        })
    }
}

/// The AES-256-GCM cipher of a 32-byte APIv3 key.
fn cipher(key: &[u8]) -> Result<Aes256Gcm, CryptoError> {
    Aes256Gcm::new_from_slice(key)
        .map_err(|_| CryptoError("the APIv3 key is not 32 bytes".to_owned()))
}

/// WeChat's nonces are 12 characters: exactly GCM's 96-bit nonce.
fn gcm_nonce(nonce: &[u8]) -> Result<&Nonce<aes_gcm::aead::consts::U12>, CryptoError> {
    if nonce.len() != 12 {
        return Err(CryptoError("the nonce is not 12 bytes".to_owned()));
    }
    Ok(Nonce::from_slice(nonce))
}

/// Base64 of ciphertext‖tag, as a notification's `resource.ciphertext` carries it.
pub fn aes_gcm_seal(
    key: &[u8],
    nonce: &[u8],
    associated_data: &[u8],
    plaintext: &[u8],
) -> Result<String, CryptoError> {
    let sealed = cipher(key)?
        .encrypt(
            gcm_nonce(nonce)?,
            Payload {
                msg: plaintext,
                aad: associated_data,
            },
        )
        .map_err(|_| CryptoError("AES-GCM encryption failed".to_owned()))?;
    Ok(STANDARD.encode(sealed))
}

/// Opens a `resource.ciphertext`; any tampering with it, the nonce or the associated data fails.
pub fn aes_gcm_open(
    key: &[u8],
    nonce: &[u8],
    associated_data: &[u8],
    ciphertext: &str,
) -> Result<Vec<u8>, CryptoError> {
    let sealed = STANDARD
        .decode(ciphertext.trim())
        .map_err(|_| CryptoError("the ciphertext is not base64".to_owned()))?;
    cipher(key)?
        .decrypt(
            gcm_nonce(nonce)?,
            Payload {
                msg: &sealed,
                aad: associated_data,
            },
        )
        .map_err(|_| CryptoError("the resource does not decrypt".to_owned()))
}

/// The AES-256 key of APIv2 refund notifications: the lowercase hex MD5 of the APIv2 key.
fn req_info_cipher(v2_key: &str) -> Result<Aes256, CryptoError> {
    let key = hex::encode(Md5::digest(v2_key.as_bytes()));
    Aes256::new_from_slice(key.as_bytes())
        .map_err(|_| CryptoError("the req_info key is not 32 bytes".to_owned()))
}

/// An APIv2 refund notification's `req_info`: base64 of `plaintext` under AES-256-ECB with
/// PKCS#7 padding, keyed by the lowercase hex MD5 of the APIv2 key.
pub fn v2_req_info_seal(v2_key: &str, plaintext: &[u8]) -> Result<String, CryptoError> {
    let sealed = req_info_cipher(v2_key)?.encrypt_padded_vec::<Pkcs7>(plaintext);
    Ok(STANDARD.encode(sealed))
}

/// Opens a `req_info`. ECB carries no tag: a wrong key shows as bad padding, or as text that is
/// not the `<root>` XML the caller then fails to read.
pub fn v2_req_info_open(v2_key: &str, req_info: &str) -> Result<Vec<u8>, CryptoError> {
    let sealed = STANDARD
        .decode(req_info.trim())
        .map_err(|_| CryptoError("req_info is not base64".to_owned()))?;
    req_info_cipher(v2_key)?
        .decrypt_padded_vec::<Pkcs7>(&sealed)
        .map_err(|_| CryptoError("req_info does not decrypt".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MERCHANT_KEY: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-merchant-private-key.pem");
    const MERCHANT_PUBLIC: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-merchant-public-key.pem");
    const PLATFORM_PUBLIC: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-platform-public-key.pem");

    /// The example of WeChat Pay's APIv2 security rules (安全规范, 签名算法).
    fn documented_example() -> BTreeMap<String, String> {
        [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
    const DOCUMENTED_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    #[test]
    fn v2_signs_match_wechats_documented_example() {
        let fields = documented_example();
        assert_eq!(
            v2_sign_string(&fields, DOCUMENTED_KEY),
            "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100\
             &nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d"
        );
        assert_eq!(
            v2_sign(&fields, DOCUMENTED_KEY, WxPaySignType::Md5),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        assert_eq!(
            v2_sign(&fields, DOCUMENTED_KEY, WxPaySignType::HmacSha256),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn v2_signs_skip_empty_fields_and_the_sign_itself() {
        let mut fields = documented_example();
        fields.insert("attach".to_owned(), String::new());
        fields.insert(
            "sign".to_owned(),
            "9A0A8659F005D6984697E2CA0A9CF3B7".to_owned(),
        );
        assert!(v2_verify(&fields, DOCUMENTED_KEY, WxPaySignType::Md5));
        assert!(!v2_verify(
            &fields,
            DOCUMENTED_KEY,
            WxPaySignType::HmacSha256
        ));
        assert!(!v2_verify(&fields, "another-key", WxPaySignType::Md5));
        fields.insert("body".to_owned(), "tampered".to_owned());
        assert!(!v2_verify(&fields, DOCUMENTED_KEY, WxPaySignType::Md5));
        fields.remove("sign");
        assert!(!v2_verify(&fields, DOCUMENTED_KEY, WxPaySignType::Md5));
    }

    #[test]
    fn rsa_signatures_verify_only_with_the_matching_key_and_message() {
        let signer = RsaSigner::from_pem(MERCHANT_KEY).expect("dev key reads");
        let verifier = RsaVerifier::from_pem(MERCHANT_PUBLIC).expect("dev key reads");
        let stranger = RsaVerifier::from_pem(PLATFORM_PUBLIC).expect("dev key reads");
        let message = v3_request_message("GET", "/v3/x?mchid=1", "1554208460", "n", "");
        assert_eq!(message, "GET\n/v3/x?mchid=1\n1554208460\nn\n\n");
        let signature = signer.sign(message.as_bytes()).expect("signed");
        assert!(verifier.verify(message.as_bytes(), &signature));
        assert!(!verifier.verify(b"another message", &signature));
        assert!(!stranger.verify(message.as_bytes(), &signature));
        assert!(!verifier.verify(message.as_bytes(), "not base64!"));
        assert!(!verifier.verify(message.as_bytes(), ""));
        assert!(!format!("{signer:?}").contains("PRIVATE"));
    }

    #[test]
    fn keys_that_are_not_rsa_pem_are_refused() {
        assert!(RsaSigner::from_pem("").is_err());
        assert!(RsaSigner::from_pem(MERCHANT_PUBLIC).is_err());
        assert!(
            RsaVerifier::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                .is_err()
        );
    }

    #[test]
    fn authorization_headers_read_back() {
        let authorization = V3Authorization {
            mchid: "1900000001".to_owned(),
            nonce_str: "593BEC0C930BF1AFEB40B4A08C8FB242".to_owned(),
            signature: "uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==".to_owned(),
            timestamp: "1554208460".to_owned(),
            serial_no: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C".to_owned(),
        };
        let header = authorization.header_value();
        assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str="));
        assert_eq!(V3Authorization::parse(&header), Some(authorization));
        assert_eq!(V3Authorization::parse("Bearer x"), None);
        assert_eq!(
            V3Authorization::parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\""),
            None
        );
    }

    #[test]
    fn aes_gcm_round_trips_and_detects_tampering() {
        let key = b"sandbox-wxpay-v3-api-key-0123456";
        let sealed =
            aes_gcm_seal(key, b"0123456789ab", b"transaction", b"{\"a\":1}").expect("sealed");
        assert_eq!(
            aes_gcm_open(key, b"0123456789ab", b"transaction", &sealed).expect("opened"),
            b"{\"a\":1}"
        );
        assert!(aes_gcm_open(key, b"0123456789ab", b"certificate", &sealed).is_err());
        assert!(aes_gcm_open(key, b"0123456789ac", b"transaction", &sealed).is_err());
        assert!(
            aes_gcm_open(
                b"another-key-of-thirty-two-bytes!",
                b"0123456789ab",
                b"transaction",
                &sealed
            )
            .is_err()
        );
        assert!(aes_gcm_open(key, b"short", b"transaction", &sealed).is_err());
        assert!(aes_gcm_open(b"short key", b"0123456789ab", b"transaction", &sealed).is_err());
        assert!(aes_gcm_open(key, b"0123456789ab", b"transaction", "%%%").is_err());
        let mut bytes = STANDARD.decode(&sealed).expect("base64");
        bytes[0] ^= 1;
        assert!(
            aes_gcm_open(
                key,
                b"0123456789ab",
                b"transaction",
                &STANDARD.encode(bytes)
            )
            .is_err()
        );
    }

    /// Made with `openssl enc -aes-256-ecb -nosalt -K <hex of md5hex(key)>` over [`ROOT`], then
    /// base64: an outside implementation of what WeChat Pay does.
    const REQ_INFO_KEY: &str = "sandbox-wxpay-v2-key-0123456789a";
    const ROOT: &str = "<root><out_refund_no><![CDATA[WJDHR0001]]></out_refund_no>\
        <refund_fee><![CDATA[300]]></refund_fee><refund_status><![CDATA[SUCCESS]]></refund_status>\
        </root>";
    const REQ_INFO: &str = "3B+pNNudUW2rNaBdjve3ufYQvuCnZKeoEuP87uHc9l56h7aS1qK1vAvnAhLOrNRtj55u\
        yY/TuUnQOlXimmAmV1t4nRSpNiTU86wxTwr+9TD9nu8EJj0F4ffjAnHPKMEE1KejXsm0HtaCjIAXsfbw6Pp9BOQ/P4\
        SL6K4MLZyVzMZILy7lW4XX6hXed1e988Ww8g5ajxbVltU46ns3FTV6pg==";

    #[test]
    fn req_info_opens_as_openssl_sealed_it_and_seals_the_same() {
        assert_eq!(
            v2_req_info_open(REQ_INFO_KEY, REQ_INFO).expect("opens"),
            ROOT.as_bytes()
        );
        assert_eq!(
            v2_req_info_seal(REQ_INFO_KEY, ROOT.as_bytes()).expect("sealed"),
            REQ_INFO
        );
    }

    #[test]
    fn req_info_under_another_key_or_mangled_does_not_open() {
        // Almost every wrong key breaks the padding; the rare one that does not yields bytes
        // the notification reader refuses as XML.
        let opened = v2_req_info_open("another-v2-key-0123456789abcdefg", REQ_INFO);
        assert!(opened.is_err() || opened.is_ok_and(|bytes| !bytes.starts_with(b"<root>")));
        assert!(v2_req_info_open(REQ_INFO_KEY, "%%%").is_err());
        assert!(v2_req_info_open(REQ_INFO_KEY, "").is_err());
        // Not a whole number of blocks.
        assert!(v2_req_info_open(REQ_INFO_KEY, &STANDARD.encode([0u8; 17])).is_err());
        let mut bytes = STANDARD.decode(REQ_INFO).expect("base64");
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        assert!(v2_req_info_open(REQ_INFO_KEY, &STANDARD.encode(bytes)).is_err());
    }
}

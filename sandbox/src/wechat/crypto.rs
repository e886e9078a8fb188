//! WeChat's cryptography as the mini-program sees it: session keys and encrypted user data.

use aes::Aes128;
use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac, digest::InvalidLength};
use rand::RngCore;
use serde::Serialize;
use sha2::Sha256;

/// The raw 16 bytes of a session_key.
pub(crate) type SessionKey = [u8; 16];

/// `first 16 bytes of HMAC-SHA256(wechat_secret, "session_key:" + openid)`: stable per openid, so
/// tests can log in again and still decrypt.
pub(crate) fn derive_session_key(secret: &str, openid: &str) -> Result<SessionKey, InvalidLength> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())?;
    mac.update(b"session_key:");
    mac.update(openid.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    Ok(key)
}

pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The watermark WeChat puts inside every piece of encrypted user data.
#[derive(Serialize)]
pub(crate) struct Watermark<'a> {
    pub timestamp: i64,
    pub appid: &'a str,
}

/// The plaintext of `getPhoneNumber`'s encryptedData, also the `phone_info` of
/// `getuserphonenumber`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhoneInfo<'a> {
    pub phone_number: &'a str,
    pub pure_phone_number: &'a str,
    pub country_code: &'a str,
    pub watermark: Watermark<'a>,
}

/// `encryptedData` and `iv`, both standard base64.
pub(crate) struct Encrypted {
    pub encrypted_data: String,
    pub iv: String,
}

/// AES-128-CBC with PKCS#7 padding under `key` and a random iv, as WeChat encrypts user data.
pub(crate) fn encrypt(key: &SessionKey, plaintext: &[u8]) -> Encrypted {
    let mut iv = [0u8; 16];
    rand::rng().fill_bytes(&mut iv);
    let ciphertext = cbc::Encryptor::<Aes128>::new(&(*key).into(), &iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    Encrypted {
        encrypted_data: encode(&ciphertext),
        iv: encode(&iv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockDecryptMut;

    #[test]
    fn session_keys_are_stable_per_openid_and_differ_between_openids() {
        let a = derive_session_key("s", "alice").expect("key");
        assert_eq!(a, derive_session_key("s", "alice").expect("key"));
        assert_ne!(a, derive_session_key("s", "bob").expect("key"));
        assert_ne!(a, derive_session_key("t", "alice").expect("key"));
    }

    #[test]
    fn encrypted_data_decrypts_with_the_session_key_and_iv() {
        let key = derive_session_key("s", "alice").expect("key");
        let sealed = encrypt(&key, b"hello, wechat");
        let iv: [u8; 16] = STANDARD
            .decode(&sealed.iv)
            .expect("iv base64")
            .try_into()
            .expect("16-byte iv");
        let ciphertext = STANDARD
            .decode(&sealed.encrypted_data)
            .expect("data base64");
        let plaintext = cbc::Decryptor::<Aes128>::new(&key.into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
            .expect("valid padding");
        assert_eq!(plaintext, b"hello, wechat");
    }
}

//! WeChat's encrypted user data: AES-128-CBC with the session key, PKCS#7, and a watermark
//! naming the mini-program it was produced for.
use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

type Decryptor = cbc::Decryptor<aes::Aes128>;

#[derive(Debug, Deserialize)]
struct Watermark {
    appid: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneData {
    pure_phone_number: Option<String>,
    phone_number: Option<String>,
    watermark: Watermark,
}

/// Why the phone could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("encryptedData, iv or session_key is not valid base64 of the right length")]
    Encoding,
    #[error("encryptedData does not decrypt with this session")]
    Decrypt,
    #[error("the data was produced for another mini-program")]
    WrongApp,
}

/// Decrypts `encrypted_data` and returns the phone number, checking the watermark's appid.
pub fn decrypt_phone(
    session_key_b64: &str,
    encrypted_data_b64: &str,
    iv_b64: &str,
    appid: &str,
) -> Result<String, DecryptError> {
    let key = STANDARD
        .decode(session_key_b64)
        .map_err(|_| DecryptError::Encoding)?;
    let iv = STANDARD
        .decode(iv_b64)
        .map_err(|_| DecryptError::Encoding)?;
    let mut data = STANDARD
        .decode(encrypted_data_b64)
        .map_err(|_| DecryptError::Encoding)?;
    let decryptor = Decryptor::new_from_slices(&key, &iv).map_err(|_| DecryptError::Encoding)?;
    let plain = decryptor
        .decrypt_padded_mut::<Pkcs7>(&mut data)
        .map_err(|_| DecryptError::Decrypt)?;
    let parsed: PhoneData = serde_json::from_slice(plain).map_err(|_| DecryptError::Decrypt)?;
    if parsed.watermark.appid != appid {
        return Err(DecryptError::WrongApp);
    }
    parsed
        .pure_phone_number
        .or(parsed.phone_number)
        .ok_or(DecryptError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockEncryptMut;

    fn encrypt(key: &[u8; 16], iv: &[u8; 16], plain: &str) -> String {
        let encryptor = cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into());
        STANDARD.encode(encryptor.encrypt_padded_vec_mut::<Pkcs7>(plain.as_bytes()))
    }

    #[test]
    fn the_phone_comes_out_when_the_watermark_matches() {
        let (key, iv) = ([7u8; 16], [9u8; 16]);
        let data = encrypt(
            &key,
            &iv,
            r#"{"phoneNumber":"17600381130","purePhoneNumber":"17600381130","countryCode":"86","watermark":{"timestamp":1,"appid":"wx1"}}"#,
        );
        let phone = decrypt_phone(&STANDARD.encode(key), &data, &STANDARD.encode(iv), "wx1");
        assert_eq!(phone.as_deref(), Ok("17600381130"));
        assert_eq!(
            decrypt_phone(&STANDARD.encode(key), &data, &STANDARD.encode(iv), "wx2"),
            Err(DecryptError::WrongApp)
        );
        assert!(
            decrypt_phone(
                &STANDARD.encode([1u8; 16]),
                &data,
                &STANDARD.encode(iv),
                "wx1"
            )
            .is_err()
        );
        assert_eq!(
            decrypt_phone("!!", &data, &STANDARD.encode(iv), "wx1"),
            Err(DecryptError::Encoding)
        );
    }
}

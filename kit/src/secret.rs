//! Small secrets: random keys and codes, keyed hashes, constant-time comparison.
use hmac::{Hmac, Mac};
use rand::Rng;
use rand::distr::{Alphanumeric, SampleString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// `len` random letters and digits.
pub fn random_alnum(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// `len` random decimal digits (verification codes).
pub fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// HMAC-SHA256 of `data` under `key`, hex: how codes and handles are stored.
pub fn keyed_hash(key: &str, data: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two strings without leaking where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_and_keys_are_alphanumeric() {
        let code = random_digits(6);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert!(random_alnum(15).chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn keyed_hashes_depend_on_the_key() {
        assert_ne!(keyed_hash("a", "123456"), keyed_hash("b", "123456"));
        assert!(constant_time_eq(
            &keyed_hash("a", "x"),
            &keyed_hash("a", "x")
        ));
        assert!(!constant_time_eq("abc", "abd"));
    }
}

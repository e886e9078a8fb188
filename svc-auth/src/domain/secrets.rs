//! Platform credential secrets are stored as Argon2id hashes, never in clear.
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// A PHC-format Argon2id hash of `secret`.
pub fn hash_secret(secret: &str) -> Result<String, String> {
    hash_secret_in(secret, &mut Vec::new())
}

/// A PHC-format Argon2id hash of `secret`, computed in `memory` (grown to the memory cost and
/// kept by the caller): hashing several secrets in one buffer allocates its 19 MiB once. Each
/// buffer freed is handed back to the OS only while no larger one has been freed before (glibc
/// raises its threshold for that), so a second one stays in the heap after startup.
pub fn hash_secret_in(secret: &str, memory: &mut Vec<Block>) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let hasher = Argon2::default();
    let mut salt_bytes = [0_u8; Salt::MAX_LENGTH];
    let decoded = salt
        .as_salt()
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let params = hasher.params().clone();
    memory.resize(params.block_count(), Block::default());
    let output = Output::init_with(
        params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN),
        |out| {
            hasher
                .hash_password_into_with_memory(secret.as_bytes(), decoded, out, &mut memory[..])
                .map_err(|_| argon2::password_hash::Error::Crypto)
        },
    )
    .map_err(|e| e.to_string())?;
    let hash = PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `secret` matches `hash` (false for a malformed hash).
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    verify_secret_in(secret, hash, &mut Vec::new())
}

/// Whether `secret` matches `hash`, computed in `memory`: grown to the hash's memory cost and
/// kept by the caller for the next verification, so repeated verifications allocate nothing
/// (freed 19 MiB blocks would otherwise linger in the allocator's per-thread arenas).
pub fn verify_secret_in(secret: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        parsed.salt,
        parsed.hash,
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0_u8; Salt::MAX_LENGTH];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    memory.resize(params.block_count(), Block::default());
    let mut computed = vec![0_u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        secret.as_bytes(),
        salt,
        &mut computed,
        &mut memory[..],
    );
    // `Output` compares in constant time.
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_verifies_against_its_hash_only() {
        let hash = hash_secret("123456").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_secret("123456", &hash));
        assert!(!verify_secret("1234567", &hash));
        assert!(!verify_secret("123456", "not-a-hash"));
    }

    #[test]
    fn memory_kept_between_verifications_gives_the_same_answers() {
        let hash = hash_secret("123456").expect("hash");
        let mut memory = Vec::new();
        assert!(verify_secret_in("123456", &hash, &mut memory));
        let capacity = memory.capacity();
        assert!(!verify_secret_in("654321", &hash, &mut memory));
        assert!(verify_secret_in("123456", &hash, &mut memory));
        assert_eq!(memory.capacity(), capacity, "no new allocation");
        // Hashing in the same memory allocates nothing either, and verifies alike.
        let again = hash_secret_in("abcdef", &mut memory).expect("hash");
        assert_eq!(memory.capacity(), capacity, "no new allocation");
        assert!(verify_secret_in("abcdef", &again, &mut memory));
        assert!(!verify_secret_in("123456", &again, &mut memory));
        // A hash made elsewhere with the crate's own verifier agrees.
        use argon2::password_hash::PasswordVerifier;
        let parsed = PasswordHash::new(&hash).expect("phc");
        assert!(
            Argon2::default()
                .verify_password(b"123456", &parsed)
                .is_ok()
        );
    }
}

//! Opaque random tokens (invitation links, refresh tokens, recovery codes). A token is shown
//! once; only its SHA-256 is stored. The server's keys are in [`super::keyring`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::ServiceError;

/// 256 random bits, URL-safe.
pub fn random_token() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ServiceError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A recovery code: 10 characters from an alphabet without look-alikes, shown as `xxxxx-xxxxx`.
pub fn recovery_code() -> Result<String, ServiceError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).map_err(ServiceError::internal)?;
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

/// Recovery codes as stored: (id, hash) pairs.
pub type StoredCodes = Vec<(String, String)>;

/// A fresh set of `n` recovery codes: the codes to show once, and what to store of them.
pub fn recovery_codes(n: usize) -> Result<(Vec<String>, StoredCodes), ServiceError> {
    let codes = (0..n)
        .map(|_| recovery_code())
        .collect::<Result<Vec<_>, _>>()?;
    let stored = codes
        .iter()
        .map(|code| (uuid::Uuid::new_v4().to_string(), hash_token(code)))
        .collect();
    Ok((codes, stored))
}

/// The stored form of a token: hex SHA-256. Tokens carry 256 random bits, so a fast hash is
/// enough (unlike passwords).
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn recovery_codes_have_their_shape() {
        let code = recovery_code().unwrap();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
    }
}

//! Opaque random tokens (invitation links, refresh tokens, recovery codes) and the keys derived
//! from the server's signing key. A token is shown once; only its SHA-256 is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
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

/// Keys derived from the one signing key, one per purpose, so that no key serves two.
pub struct Keys {
    pub jwt: jsonwebtoken::EncodingKey,
    pub jwt_verify: jsonwebtoken::DecodingKey,
    sealing: ChaCha20Poly1305,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    pub fn derive(master: &[u8]) -> Keys {
        let hkdf = Hkdf::<Sha256>::new(Some(b"partner-hub"), master);
        let mut jwt = [0u8; 32];
        let mut sealing = [0u8; 32];
        // Only fails for outputs longer than 255 × 32 bytes.
        let _ = hkdf.expand(b"access-token signing v1", &mut jwt);
        let _ = hkdf.expand(b"secret sealing v1", &mut sealing);
        Keys {
            jwt: jsonwebtoken::EncodingKey::from_secret(&jwt),
            jwt_verify: jsonwebtoken::DecodingKey::from_secret(&jwt),
            sealing: ChaCha20Poly1305::new(Key::from_slice(&sealing)),
        }
    }

    /// Encrypts a secret the server must read back (a TOTP secret): nonce ‖ ciphertext, base64.
    pub fn seal(&self, secret: &[u8]) -> Result<String, ServiceError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(ServiceError::internal)?;
        let sealed = self
            .sealing
            .encrypt(Nonce::from_slice(&nonce), secret)
            .map_err(|_| ServiceError::internal("sealing failed"))?;
        Ok(URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat()))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, ServiceError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| ServiceError::internal("a sealed secret is not base64"))?;
        if bytes.len() < 12 {
            return Err(ServiceError::internal("a sealed secret is truncated"));
        }
        let (nonce, sealed) = bytes.split_at(12);
        self.sealing
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| ServiceError::internal("a sealed secret does not open with this key"))
    }
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

    #[test]
    fn sealed_secrets_open_with_the_same_key_only() {
        let keys = Keys::derive(&[7u8; 64]);
        let sealed = keys.seal(b"totp secret").unwrap();
        assert_ne!(
            keys.seal(b"totp secret").unwrap(),
            sealed,
            "a fresh nonce every time"
        );
        assert_eq!(keys.open(&sealed).unwrap(), b"totp secret");
        assert!(Keys::derive(&[8u8; 64]).open(&sealed).is_err());
    }
}

//! The server's keys: a ring of master keys, the newest current. Each master gives, one per
//! purpose, the key that signs access tokens and the key that seals the secrets the server must
//! read back (TOTP secrets, outgoing email); each has an id, derived from it, that every token
//! (`kid`) and every sealed value (`<id>.<sealed>`) names, so that a rotation adds a key without
//! invalidating what the older ones made:
//!
//! - tokens signed with an older key verify until they expire (15 minutes);
//! - values sealed with an older key open until they are sealed again with the current one
//!   (`partner-hub keys rotate` does it for every one, in one transaction);
//! - a server meeting an id it does not know (another process rotated) reads its key file again.

use std::sync::{Arc, RwLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

use crate::error::ServiceError;

/// One master key's derived keys.
struct Derived {
    id: String,
    jwt: jsonwebtoken::EncodingKey,
    jwt_verify: jsonwebtoken::DecodingKey,
    sealing: ChaCha20Poly1305,
}

impl Derived {
    fn of(master: &[u8]) -> Derived {
        let hkdf = Hkdf::<Sha256>::new(Some(b"partner-hub"), master);
        let mut jwt = [0u8; 32];
        let mut sealing = [0u8; 32];
        let mut id = [0u8; 8];
        // Only fails for outputs longer than 255 × 32 bytes.
        let _ = hkdf.expand(b"access-token signing v1", &mut jwt);
        let _ = hkdf.expand(b"secret sealing v1", &mut sealing);
        let _ = hkdf.expand(b"key id v1", &mut id);
        Derived {
            id: id.iter().map(|b| format!("{b:02x}")).collect(),
            jwt: jsonwebtoken::EncodingKey::from_secret(&jwt),
            jwt_verify: jsonwebtoken::DecodingKey::from_secret(&jwt),
            sealing: ChaCha20Poly1305::new(Key::from_slice(&sealing)),
        }
    }
}

/// Reads the master keys again, oldest first, from the key file the server started with; `None`
/// when the file has not changed since it was last read (a token naming a made-up key must not
/// cost a read of the file).
pub type Reload = Box<dyn Fn() -> Result<Option<Vec<Vec<u8>>>, String> + Send + Sync>;

/// The ring: oldest first, the last one current.
struct Ring(Vec<Derived>);

impl Ring {
    fn of(masters: &[Vec<u8>]) -> Ring {
        Ring(masters.iter().map(|m| Derived::of(m)).collect())
    }

    fn current(&self) -> &Derived {
        // `Keys` is never made empty.
        &self.0[self.0.len() - 1]
    }

    fn find(&self, id: &str) -> Option<&Derived> {
        self.0.iter().find(|k| k.id == id)
    }
}

pub struct Keys {
    ring: RwLock<Arc<Ring>>,
    reload: Option<Reload>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    /// One master key, never reloaded.
    pub fn derive(master: &[u8]) -> Keys {
        Keys::ring(&[master.to_vec()], None).unwrap_or_else(|_| unreachable!("one key"))
    }

    /// The ring of `masters` (oldest first, the last current), read again by `reload` when a
    /// token or sealed value names a key it does not hold.
    pub fn ring(masters: &[Vec<u8>], reload: Option<Reload>) -> Result<Keys, ServiceError> {
        if masters.is_empty() {
            return Err(ServiceError::internal("the key ring is empty"));
        }
        Ok(Keys {
            ring: RwLock::new(Arc::new(Ring::of(masters))),
            reload,
        })
    }

    fn snapshot(&self) -> Arc<Ring> {
        match self.ring.read() {
            Ok(ring) => Arc::clone(&ring),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The key `id`, reading the key file again once when the ring does not hold it.
    fn with_key<T>(&self, id: &str, use_key: impl Fn(&Derived) -> Option<T>) -> Option<T> {
        if let Some(found) = self.snapshot().find(id) {
            return use_key(found);
        }
        let masters = (self.reload.as_ref()?)()
            .ok()
            .flatten()
            .filter(|m| !m.is_empty())?;
        let ring = Arc::new(Ring::of(&masters));
        let found = ring.find(id).and_then(&use_key);
        self.replace(ring);
        found
    }

    fn replace(&self, ring: Arc<Ring>) {
        match self.ring.write() {
            Ok(mut held) => *held = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
    }

    /// Reads the key file again: a server does so every minute, so that it signs with the key
    /// another process added, before an older one is retired.
    pub fn refresh(&self) {
        let Some(masters) = self.reload.as_ref().and_then(|r| r().ok().flatten()) else {
            return;
        };
        if !masters.is_empty() {
            self.replace(Arc::new(Ring::of(&masters)));
        }
    }

    /// The id of the current key: what new tokens and sealed values name.
    pub fn current_id(&self) -> String {
        self.snapshot().current().id.clone()
    }

    /// The ids of every key in the ring, oldest first.
    pub fn ids(&self) -> Vec<String> {
        self.snapshot().0.iter().map(|k| k.id.clone()).collect()
    }

    /// Signs `claims` with the current key, naming it in the header.
    pub fn sign(&self, claims: &impl serde::Serialize) -> Result<String, ServiceError> {
        let ring = self.snapshot();
        let current = ring.current();
        let header = jsonwebtoken::Header {
            kid: Some(current.id.clone()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        };
        jsonwebtoken::encode(&header, claims, &current.jwt).map_err(ServiceError::internal)
    }

    /// The claims of `token` if the key its header names signed it.
    pub fn verify<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        validation: &jsonwebtoken::Validation,
    ) -> Option<T> {
        let decode = |key: &Derived| {
            jsonwebtoken::decode::<T>(token, &key.jwt_verify, validation)
                .ok()
                .map(|data| data.claims)
        };
        match jsonwebtoken::decode_header(token).ok()?.kid {
            Some(id) => self.with_key(&id, decode),
            // Signed before tokens named their key.
            None => self.snapshot().0.iter().find_map(decode),
        }
    }

    /// Encrypts a secret the server must read back: `<key id>.<base64 of nonce ‖ ciphertext>`.
    pub fn seal(&self, secret: &[u8]) -> Result<String, ServiceError> {
        let ring = self.snapshot();
        let current = ring.current();
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(ServiceError::internal)?;
        let sealed = current
            .sealing
            .encrypt(Nonce::from_slice(&nonce), secret)
            .map_err(|_| ServiceError::internal("sealing failed"))?;
        let sealed = URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat());
        Ok(format!("{}.{sealed}", current.id))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, ServiceError> {
        // Sealed before values named their key: any key of the ring may open it.
        let (id, sealed) = sealed.split_once('.').unwrap_or(("", sealed));
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| ServiceError::internal("a sealed secret is not base64"))?;
        if bytes.len() < 12 {
            return Err(ServiceError::internal("a sealed secret is truncated"));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let decrypt = |key: &Derived| key.sealing.decrypt(Nonce::from_slice(nonce), sealed).ok();
        let opened = if id.is_empty() {
            self.snapshot().0.iter().find_map(decrypt)
        } else {
            self.with_key(id, decrypt)
        };
        opened
            .ok_or_else(|| ServiceError::internal("a sealed secret does not open with these keys"))
    }

    /// Whether `sealed` was sealed with the current key (a rotation seals the others again).
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed
            .split_once('.')
            .is_some_and(|(id, _)| id == self.snapshot().current().id)
    }
}

/// A key's id as the ring derives it: for the key file's tooling, which never prints a key.
pub fn id_of(master: &[u8]) -> String {
    Derived::of(master).id
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(sealed.starts_with(&format!("{}.", keys.current_id())));
        assert!(Keys::derive(&[8u8; 64]).open(&sealed).is_err());
    }

    #[test]
    fn an_older_key_still_opens_and_verifies_what_it_made() {
        let old = Keys::derive(&[1u8; 64]);
        let sealed = old.seal(b"secret").unwrap();
        let token = old
            .sign(&serde_json::json!({"sub": "u", "exp": 4_000_000_000i64}))
            .unwrap();
        let ring = Keys::ring(&[vec![1u8; 64], vec![2u8; 64]], None).unwrap();
        assert_ne!(ring.current_id(), old.current_id());
        assert_eq!(ring.open(&sealed).unwrap(), b"secret");
        assert!(!ring.is_current(&sealed));
        let validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        let claims: Option<serde_json::Value> = ring.verify(&token, &validation);
        assert_eq!(claims.unwrap()["sub"], "u");
        assert!(ring.is_current(&ring.seal(b"x").unwrap()));
    }

    #[test]
    fn a_key_it_does_not_hold_is_looked_for_in_the_key_file_again() {
        let newer = Keys::ring(&[vec![1u8; 64], vec![2u8; 64]], None).unwrap();
        let sealed = newer.seal(b"secret").unwrap();
        let reload: Reload = Box::new(|| Ok(Some(vec![vec![1u8; 64], vec![2u8; 64]])));
        let older = Keys::ring(&[vec![1u8; 64]], Some(reload)).unwrap();
        assert_eq!(older.open(&sealed).unwrap(), b"secret");
        assert_eq!(
            older.current_id(),
            newer.current_id(),
            "the ring was read again"
        );
    }
}

//! The key that signs access tokens: read from a file, or generated into it on first start.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const KEY_BYTES: usize = 64;

pub struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("signing key file {path} must hold at least {KEY_BYTES} base64-encoded bytes")]
    Invalid { path: String },
    #[error("no randomness available: {0}")]
    Random(#[from] getrandom::Error),
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey, KeyError> {
        let mut bytes = vec![0u8; KEY_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(SigningKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Reads the key; when the file does not exist yet, creates it (owner-only) with a new key.
    pub fn load_or_create(path: &Path) -> Result<SigningKey, KeyError> {
        match SigningKey::load(path)? {
            Some(key) => Ok(key),
            None => SigningKey::create(path),
        }
    }

    /// Reads the key, or `None` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<SigningKey>, KeyError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = STANDARD.decode(text.trim()).unwrap_or_default();
                if bytes.len() < KEY_BYTES {
                    return Err(KeyError::Invalid {
                        path: path.display().to_string(),
                    });
                }
                Ok(Some(SigningKey(bytes)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(KeyError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Writes a new key to a file that must not exist yet (owner-only), creating its folder.
    pub fn create(path: &Path) -> Result<SigningKey, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let key = SigningKey::generate()?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = owner_only_new_file(path).map_err(io)?;
        writeln!(file, "{}", STANDARD.encode(&key.0)).map_err(io)?;
        tracing::info!(path = %path.display(), "generated a new signing key");
        Ok(key)
    }
}

fn owner_only_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_then_read_back() {
        let dir = std::env::temp_dir().join(format!("ph-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("signing.key");
        let first = SigningKey::load_or_create(&path).unwrap();
        let second = SigningKey::load_or_create(&path).unwrap();
        assert_eq!(first.as_bytes(), second.as_bytes());
        assert_eq!(first.as_bytes().len(), KEY_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "c2hvcnQ=").unwrap();
        assert!(matches!(
            SigningKey::load_or_create(&path),
            Err(KeyError::Invalid { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

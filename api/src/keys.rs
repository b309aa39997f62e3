//! The key file: the server's master keys, one per line, oldest first, the last one current
//! (`services::identity::keyring` derives what signs and seals from each). Generated with one
//! key on first start; `partner-hub keys rotate` adds one and retires those no longer needed.
//!
//! A line is `<base64 key> <when it was added, RFC 3339>`; a file of one bare key (as written
//! before keys rotated) is a ring of that key.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};

const KEY_BYTES: usize = 64;

/// One master key of the file.
#[derive(Clone)]
pub struct Entry {
    pub key: Vec<u8>,
    /// When it was added (unknown for a key written before keys rotated).
    pub added_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entry(…, {:?})", self.added_at)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "signing key file {path}: line {line} must hold a key of at least {KEY_BYTES} base64-encoded bytes and when it was added"
    )]
    Invalid { path: String, line: usize },
    #[error("no randomness available: {0}")]
    Random(#[from] getrandom::Error),
}

impl Entry {
    pub fn generate(now: DateTime<Utc>) -> Result<Entry, KeyError> {
        let mut key = vec![0u8; KEY_BYTES];
        getrandom::fill(&mut key)?;
        Ok(Entry {
            key,
            added_at: Some(now),
        })
    }
}

/// The file's keys, oldest first; `None` when the file does not exist.
pub fn load(path: &Path) -> Result<Option<Vec<Entry>>, KeyError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(KeyError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    let entries = lines
        .enumerate()
        .map(|(n, line)| {
            let invalid = || KeyError::Invalid {
                path: path.display().to_string(),
                line: n + 1,
            };
            let mut parts = line.split_whitespace();
            let key = STANDARD
                .decode(parts.next().unwrap_or_default())
                .ok()
                .filter(|k| k.len() >= KEY_BYTES)
                .ok_or_else(invalid)?;
            let added_at = match parts.next() {
                Some(at) => Some(
                    DateTime::parse_from_rfc3339(at)
                        .map_err(|_| invalid())?
                        .with_timezone(&Utc),
                ),
                None => None,
            };
            Ok::<_, KeyError>(Entry { key, added_at })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if entries.is_empty() {
        return Err(KeyError::Invalid {
            path: path.display().to_string(),
            line: 1,
        });
    }
    Ok(Some(entries))
}

/// Writes `entries` to `path` whole: to a new owner-only file beside it, then renamed over it,
/// so that a reader sees the old ring or the new one, never half of one.
pub fn store(path: &Path, entries: &[Entry]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let staged = path.with_extension(format!("new-{}", uuid::Uuid::new_v4().simple()));
    let mut file = owner_only_new_file(&staged).map_err(io)?;
    for entry in entries {
        let added = entry.added_at.map(|at| at.to_rfc3339()).unwrap_or_default();
        writeln!(file, "{} {added}", STANDARD.encode(&entry.key)).map_err(io)?;
    }
    file.sync_all().map_err(io)?;
    std::fs::rename(&staged, path).map_err(io)
}

/// A file with one new key, which must not exist yet.
pub fn create(path: &Path, now: DateTime<Utc>) -> Result<Vec<Entry>, KeyError> {
    let entries = vec![Entry::generate(now)?];
    store(path, &entries)?;
    tracing::info!(path = %path.display(), "generated a new signing key");
    Ok(entries)
}

/// When the file was last written (`None` when it cannot be told): a rotation replaces it whole,
/// so a new time means new keys.
pub fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The keys as the ring takes them.
pub fn masters(entries: &[Entry]) -> Vec<Vec<u8>> {
    entries.iter().map(|e| e.key.clone()).collect()
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
    fn a_ring_is_written_whole_and_read_back() {
        let dir = std::env::temp_dir().join(format!("ph-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("signing.key");
        let now = Utc::now();
        assert!(load(&path).unwrap().is_none());
        let first = create(&path, now).unwrap();
        let mut ring = load(&path).unwrap().unwrap();
        assert_eq!(ring.len(), 1);
        assert_eq!(ring[0].key, first[0].key);
        assert_eq!(ring[0].key.len(), KEY_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        ring.push(Entry::generate(now).unwrap());
        store(&path, &ring).unwrap();
        assert_eq!(load(&path).unwrap().unwrap().len(), 2);
        // A file of one bare key, as written before keys rotated.
        std::fs::write(&path, format!("{}\n", STANDARD.encode([5u8; 64]))).unwrap();
        let legacy = load(&path).unwrap().unwrap();
        assert_eq!((legacy.len(), legacy[0].added_at), (1, None));
        std::fs::write(&path, "c2hvcnQ=").unwrap();
        assert!(matches!(
            load(&path),
            Err(KeyError::Invalid { line: 1, .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}

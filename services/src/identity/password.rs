//! Password hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), on a pool of
//! its own.
//!
//! Each hash takes tens of milliseconds of CPU and 19 MiB. Run on the shared blocking pool, a burst of
//! logins would take every blocking thread and the database work of all other requests would
//! queue behind it. Here hashes run on at most half the cores, at the lowest CPU priority
//! (nice 19), and wait their turn in a bounded queue: logins slow down under load, everything
//! else does not.

use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use domain::password::{NewPassword, Owner};
use persistence::users::UserRow;

use crate::error::ServiceError;

fn argon2() -> Argon2<'static> {
    // The parameters are constants within argon2's bounds.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Niceness of the hashing threads: the scheduler gives a request thread far more than a hashing
/// thread's share when both want the CPU, and the hashes run in the gaps a loaded server leaves
/// (the benchmark's A1 compares nice 19 with nice 10).
const NICE: i32 = 19;
/// Hashes waiting beyond this many make their callers wait before queueing.
const QUEUE: usize = 64;

type Job = Box<dyn FnOnce() + Send>;

static POOL: LazyLock<tokio::sync::mpsc::Sender<Job>> = LazyLock::new(|| {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().div_ceil(2));
    let (sender, receiver) = tokio::sync::mpsc::channel::<Job>(QUEUE);
    let receiver = Arc::new(Mutex::new(receiver));
    for n in 0..threads {
        let receiver = receiver.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                // Linux keeps the nice value per thread; where this fails, hashing still works.
                let _ = rustix::process::setpriority_process(None, NICE);
                loop {
                    let job = match receiver.lock() {
                        Ok(mut receiver) => receiver.blocking_recv(),
                        Err(_) => None,
                    };
                    match job {
                        Some(job) => job(),
                        None => return,
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start a password hashing thread");
        }
    }
    sender
});

/// Runs `work` on the hashing pool.
async fn on_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    let (done, result) = tokio::sync::oneshot::channel();
    POOL.send(Box::new(move || {
        let _ = done.send(work());
    }))
    .await
    .map_err(|_| ServiceError::internal("the password hashing pool has stopped"))?;
    result
        .await
        .map_err(|_| ServiceError::internal("a password hashing job was lost"))
}

/// The argon2id hash of `password`, computed on the hashing pool.
pub async fn hash(password: String) -> Result<String, ServiceError> {
    on_pool(move || hash_now(&password)).await?
}

/// A new password, its shape checked and its hash computed, still to be checked against the user
/// it is for: the hash comes out only through [`Chosen::for_user`], so a use case cannot store a
/// password that holds its user's name. Hashed before the transaction, which it must not hold
/// for tens of milliseconds.
pub struct Chosen {
    field: &'static str,
    password: NewPassword,
    hash: String,
}

impl Chosen {
    /// Hashes `password`, which was given in the request's `field`.
    pub async fn hash(field: &'static str, password: NewPassword) -> Result<Chosen, ServiceError> {
        let hash = hash(password.expose().to_owned()).await?;
        Ok(Chosen {
            field,
            password,
            hash,
        })
    }

    /// The hash to store for `user`, unless the password holds something of the user's own.
    pub fn for_user(&self, user: &UserRow) -> Result<String, ServiceError> {
        let owner = Owner {
            email: &user.email,
            logon: &user.logon,
            name: &user.name,
        };
        self.password
            .check_owner(&owner)
            .map_err(|invalid| ServiceError::field(self.field, invalid))?;
        Ok(self.hash.clone())
    }
}

/// Checks `password` against `stored` on the hashing pool; see [`verify_now`].
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ServiceError> {
    on_pool(move || verify_now(&password, stored.as_deref())).await
}

fn hash_now(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(ServiceError::internal)
}

/// Checks `password` against `stored`. With no stored hash (unknown user, no password yet) a
/// hash is still computed, so that the answer takes as long either way.
fn verify_now(password: &str, stored: Option<&str>) -> bool {
    let Some(parsed) = stored.and_then(|s| PasswordHash::new(s).ok()) else {
        let _ = hash_now(password);
        return false;
    };
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let pw = |s: &str| s.to_owned();
        let stored = hash(pw("correct horse battery")).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify(pw("correct horse battery"), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify(pw("wrong horse battery"), Some(stored))
                .await
                .unwrap()
        );
        assert!(!verify(pw("correct horse battery"), None).await.unwrap());
        assert!(
            !verify(pw("correct horse battery"), Some(pw("not a hash")))
                .await
                .unwrap()
        );
    }
}

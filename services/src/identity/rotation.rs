//! A rotation of the server's keys, the database's half: every value sealed with an older key
//! (TOTP secrets, pending ones, outgoing email) is sealed again with the current one, all in
//! one transaction, so that the older keys can then be retired. The key file's half is
//! `partner-hub keys rotate` (api).

use chrono::{DateTime, Utc};
use persistence::{DbConnection, outbox, users};

use crate::audit::{self, By, Change};
use crate::caller::RequestMeta;
use crate::error::ServiceError;
use crate::identity::keyring::Keys;

/// `sealed` sealed with the current key: as it is when it already is, else opened and sealed
/// again.
fn again(keys: &Keys, sealed: Option<String>) -> Result<Option<String>, ServiceError> {
    match sealed {
        Some(value) if !keys.is_current(&value) => Ok(Some(keys.seal(&keys.open(&value)?)?)),
        other => Ok(other),
    }
}

/// Seals every value again with `keys`' current key; returns how many were sealed again.
pub fn reseal(
    conn: &mut DbConnection,
    keys: &Keys,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let mut resealed = 0;
    for (id, totp, pending) in users::sealed_secrets(conn)? {
        let (new_totp, new_pending) = (again(keys, totp.clone())?, again(keys, pending.clone())?);
        if (&new_totp, &new_pending) != (&totp, &pending) {
            users::set_sealed(conn, &id, new_totp.as_deref(), new_pending.as_deref())?;
            resealed += 1;
        }
    }
    for (id, body) in outbox::sealed_bodies(conn)? {
        if let Some(sealed) = again(keys, Some(body.clone()))?.filter(|b| *b != body) {
            outbox::set_body(conn, &id, &sealed)?;
            resealed += 1;
        }
    }
    let current = keys.current_id();
    audit::record(
        conn,
        By::anonymous(meta, now),
        Change {
            action: "keys.rotated",
            target_type: "keys",
            target_id: &current,
            after: audit::snapshot(&serde_json::json!({"keys": keys.ids(), "resealed": resealed})),
            ..Change::default()
        },
    )?;
    Ok(resealed)
}

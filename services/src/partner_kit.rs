//! The partner kit (seed 000 "Partner Kit"): marketing files the platform publishes for every
//! partner; partner admins and marketing users list and download them.

use chrono::{DateTime, Utc};
use domain::files;
use domain::ids::{DisplayName, Invalid};
use domain::policy::Action;
use persistence::DbConnection;
use persistence::partner_kit::{self, KitItemRow, KitItemSummary};
use persistence::time::to_db;
use sha2::{Digest, Sha256};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{Fields, ServiceError};

/// Who reads the kit: partner admins, marketing users and the platform.
pub fn reader(caller: &Caller) -> Result<(), ServiceError> {
    caller.authorize(Action::ViewPartnerKit, "partner kit")
}

/// Who publishes and withdraws: platform admins.
pub fn publisher(caller: &Caller) -> Result<(), ServiceError> {
    caller.authorize(Action::ManagePartnerKit, "partner kit")
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<KitItemSummary>, ServiceError> {
    Ok(partner_kit::list(conn)?)
}

pub fn file(conn: &mut DbConnection, id: &str) -> Result<KitItemRow, ServiceError> {
    partner_kit::find(conn, id)?.ok_or(ServiceError::NotFound("partner kit item"))
}

/// What a publisher uploads.
#[derive(Debug)]
pub struct KitUpload {
    pub title: String,
    /// The name the client gave the file, if any.
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// An upload that passed the checks: only [`checked`] makes one, before the transaction (a
/// retry checks and copies nothing again).
#[derive(Debug)]
pub struct CheckedKitItem(KitItemRow);

/// Checks an upload: a title of 1–100 characters and a file that is not empty (every bad field
/// at once); the file is typed by its content and its name made safe to serve.
pub fn checked(upload: KitUpload, now: DateTime<Utc>) -> Result<CheckedKitItem, ServiceError> {
    let mut fields = Fields::default();
    let title = fields.check("title", DisplayName::parse(&upload.title));
    if upload.bytes.is_empty() {
        fields.refuse("file", Invalid::new("required", "the file is empty"));
    }
    let title = fields.conclude(title)?;
    Ok(CheckedKitItem(KitItemRow {
        id: uuid::Uuid::new_v4().to_string(),
        title: title.into(),
        file_name: files::safe_file_name(upload.file_name.as_deref()),
        content_type: files::content_type_of(&upload.bytes).to_owned(),
        size: i32::try_from(upload.bytes.len()).unwrap_or(i32::MAX),
        sha256: format!("{:x}", Sha256::digest(&upload.bytes)),
        bytes: upload.bytes,
        created_at: to_db(now),
    }))
}

/// Publishes a checked file.
pub fn publish(
    conn: &mut DbConnection,
    caller: &Caller,
    item: &CheckedKitItem,
    now: DateTime<Utc>,
) -> Result<KitItemSummary, ServiceError> {
    let row = &item.0;
    partner_kit::insert(conn, row)?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "partner_kit.published",
            target_type: "partner_kit_item",
            target_id: &row.id,
            after: Some(serde_json::json!({
                "title": row.title, "file_name": row.file_name,
                "content_type": row.content_type, "sha256": row.sha256,
            })),
            ..Change::default()
        },
    )?;
    Ok(KitItemSummary {
        id: row.id.clone(),
        title: row.title.clone(),
        file_name: row.file_name.clone(),
        content_type: row.content_type.clone(),
        size: row.size,
        sha256: row.sha256.clone(),
        created_at: row.created_at,
    })
}

pub fn withdraw(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    if partner_kit::delete(conn, id)? == 0 {
        return Err(ServiceError::NotFound("partner kit item"));
    }
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "partner_kit.withdrawn",
            target_type: "partner_kit_item",
            target_id: id,
            ..Change::default()
        },
    )
}

//! The partner kit (seed 000 "Partner Kit"): marketing files the platform publishes for every
//! partner; partner admins and marketing users list and download them.

use chrono::{DateTime, Utc};
use domain::policy::Action;
use persistence::DbConnection;
use persistence::partner_kit::{self, KitItemRow, KitItemSummary};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::ServiceError;

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

/// Publishes a checked file.
pub fn publish(
    conn: &mut DbConnection,
    caller: &Caller,
    row: &KitItemRow,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
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
    )
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

//! The lists the platform keeps (sectors, product plans, add-ons, entity types, products):
//! everyone signed in reads them; platform admins add, relabel, reorder and retire items (never
//! delete: customers keep a retired code they already have).

use chrono::{DateTime, Utc};
use domain::catalogue::{CatalogueCode, CatalogueKind};
use domain::entity::GROUP_TYPE;
use domain::ids::{DisplayName, Invalid};
use domain::policy::Action;
use persistence::DbConnection;
use persistence::catalogue::{self, CatalogueItemRow};
use persistence::time::{from_db, to_db};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{Fields, ServiceError};

/// A catalogue item as readers (and the audit trail) see it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub code: String,
    pub label: String,
    pub active: bool,
    pub position: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<CatalogueItemRow> for ItemView {
    fn from(row: CatalogueItemRow) -> Self {
        ItemView {
            code: row.code,
            label: row.label,
            active: row.active,
            position: row.position,
            updated_at: from_db(row.updated_at),
        }
    }
}

/// A catalogue named in a path: an unknown one answers as a missing one.
pub fn kind(name: &str) -> Result<CatalogueKind, ServiceError> {
    CatalogueKind::parse(name).map_err(|_| ServiceError::NotFound("catalogue"))
}

/// Every item of `kind`, retired ones included, in display order.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    kind: CatalogueKind,
) -> Result<Vec<ItemView>, ServiceError> {
    caller.authorize(Action::ViewCatalogues, "catalogue")?;
    let rows = catalogue::list(conn, kind.as_str())?;
    Ok(rows.into_iter().map(ItemView::from).collect())
}

/// Who edits catalogues: platform admins.
pub fn editor(caller: &Caller) -> Result<(), ServiceError> {
    caller.authorize(Action::ManageCatalogues, "catalogue")
}

/// An item as sent, its code from the path.
#[derive(Debug, Clone)]
pub struct ItemInput {
    pub label: String,
    pub active: Option<bool>,
    pub position: Option<i32>,
}

/// A checked item, ready to be saved.
pub struct CheckedItem {
    kind: CatalogueKind,
    code: CatalogueCode,
    label: DisplayName,
    active: Option<bool>,
    position: Option<i32>,
}

/// Checks an item before its transaction: `group` is the group layer's own entity type.
pub fn check(
    kind: CatalogueKind,
    code: &str,
    input: &ItemInput,
) -> Result<CheckedItem, ServiceError> {
    let mut fields = Fields::default();
    let code = fields.check("code", CatalogueCode::parse(code));
    if kind == CatalogueKind::EntityType && code.as_ref().is_some_and(|c| c.as_str() == GROUP_TYPE)
    {
        fields.refuse(
            "code",
            Invalid::new("reserved", "`group` is the group layer's built-in type"),
        );
    }
    let label = fields.check("label", DisplayName::parse(&input.label));
    let (code, label) = fields.conclude(code.zip(label))?;
    Ok(CheckedItem {
        kind,
        code,
        label,
        active: input.active,
        position: input.position,
    })
}

/// Adds or changes an item; a new one goes to the end of the list unless placed. Answers the
/// item and whether it is new.
pub fn save(
    conn: &mut DbConnection,
    caller: &Caller,
    item: &CheckedItem,
    now: DateTime<Utc>,
) -> Result<(ItemView, bool), ServiceError> {
    let kind = item.kind.as_str();
    let before = catalogue::find(conn, kind, item.code.as_str())?;
    let position = match (item.position, &before) {
        (Some(position), _) => position,
        (None, Some(before)) => before.position,
        (None, None) => catalogue::list(conn, kind)?
            .iter()
            .map(|item| item.position)
            .max()
            .unwrap_or(0)
            .saturating_add(1),
    };
    let row = CatalogueItemRow {
        kind: kind.to_owned(),
        code: item.code.to_string(),
        label: item.label.to_string(),
        active: item.active.unwrap_or(true),
        position,
        updated_at: to_db(now),
    };
    catalogue::save(conn, &row)?;
    let target = format!("{kind}/{}", item.code);
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "catalogue.item_saved",
            target_type: "catalogue_item",
            target_id: &target,
            before: before
                .clone()
                .and_then(|b| audit::snapshot(&ItemView::from(b))),
            after: audit::snapshot(&ItemView::from(row.clone())),
            ..Change::default()
        },
    )?;
    Ok((row.into(), before.is_none()))
}

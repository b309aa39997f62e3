//! The partner kit: marketing material the platform publishes for every partner.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::partner_kit_items;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = partner_kit_items, treat_none_as_default_value = false)]
pub struct KitItemRow {
    pub id: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub size: i32,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

/// An item without its bytes, for listings.
#[derive(Debug, Clone, Queryable)]
pub struct KitItemSummary {
    pub id: String,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, item: &KitItemRow) -> QueryResult<()> {
    diesel::insert_into(partner_kit_items::table)
        .values(item)
        .execute(conn)
        .map(drop)
}

/// Every item, newest first, without the bytes.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<KitItemSummary>> {
    use partner_kit_items::*;
    partner_kit_items::table
        .select((id, title, file_name, content_type, size, sha256, created_at))
        .order((created_at.desc(), id))
        .load(conn)
}

pub fn find(conn: &mut DbConnection, item_id: &str) -> QueryResult<Option<KitItemRow>> {
    partner_kit_items::table
        .find(item_id)
        .select(KitItemRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, item_id: &str) -> QueryResult<usize> {
    diesel::delete(partner_kit_items::table.find(item_id)).execute(conn)
}

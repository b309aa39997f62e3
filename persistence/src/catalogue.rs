//! The lists the platform keeps: sectors, product plans, add-ons, entity types, products.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::catalogue_items;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = catalogue_items, treat_none_as_default_value = false)]
pub struct CatalogueItemRow {
    pub kind: String,
    pub code: String,
    pub label: String,
    pub active: bool,
    pub position: i32,
    pub updated_at: NaiveDateTime,
}

/// Every item of `kind`, in display order.
pub fn list(conn: &mut DbConnection, kind: &str) -> QueryResult<Vec<CatalogueItemRow>> {
    catalogue_items::table
        .filter(catalogue_items::kind.eq(kind))
        .order((catalogue_items::position, catalogue_items::code))
        .select(CatalogueItemRow::as_select())
        .load(conn)
}

/// Every item of every catalogue (they are small: a form's worth each).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<CatalogueItemRow>> {
    catalogue_items::table
        .select(CatalogueItemRow::as_select())
        .load(conn)
}

pub fn find(
    conn: &mut DbConnection,
    kind: &str,
    code: &str,
) -> QueryResult<Option<CatalogueItemRow>> {
    catalogue_items::table
        .find((kind, code))
        .select(CatalogueItemRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts the item, or replaces the one with the same kind and code.
pub fn save(conn: &mut DbConnection, item: &CatalogueItemRow) -> QueryResult<()> {
    let updated = diesel::update(catalogue_items::table.find((&item.kind, &item.code)))
        .set((
            catalogue_items::label.eq(&item.label),
            catalogue_items::active.eq(item.active),
            catalogue_items::position.eq(item.position),
            catalogue_items::updated_at.eq(item.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(catalogue_items::table)
            .values(item)
            .execute(conn)?;
    }
    Ok(())
}

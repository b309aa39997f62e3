//! Entities of a customer: the group layer (number 0) and the sites, offices… under it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::entities;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = entities, treat_none_as_default_value = false)]
pub struct EntityRow {
    pub id: String,
    pub customer_id: String,
    pub number: i32,
    pub name: String,
    pub entity_type: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, entity: &EntityRow) -> QueryResult<()> {
    diesel::insert_into(entities::table)
        .values(entity)
        .execute(conn)
        .map(drop)
}

/// Inserts many rows at once (the demo dataset).
pub fn insert_many(conn: &mut DbConnection, rows: &[EntityRow]) -> QueryResult<()> {
    insert_rows!(conn, entities::table, rows)
}

pub fn find(
    conn: &mut DbConnection,
    customer_id: &str,
    id: &str,
) -> QueryResult<Option<EntityRow>> {
    entities::table
        .find(id)
        .filter(entities::customer_id.eq(customer_id))
        .select(EntityRow::as_select())
        .first(conn)
        .optional()
}

/// A customer's entities by number, after `after_number` when given.
pub fn list(
    conn: &mut DbConnection,
    customer_id: &str,
    active: Option<bool>,
    after_number: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<EntityRow>> {
    let mut query = entities::table
        .filter(entities::customer_id.eq(customer_id.to_owned()))
        .order(entities::number)
        .limit(limit)
        .select(EntityRow::as_select())
        .into_boxed();
    if let Some(active) = active {
        query = query.filter(entities::active.eq(active));
    }
    if let Some(after) = after_number {
        query = query.filter(entities::number.gt(after));
    }
    query.load(conn)
}

pub fn update(conn: &mut DbConnection, entity: &EntityRow) -> QueryResult<()> {
    diesel::update(entities::table.find(&entity.id))
        .set((
            entities::name.eq(&entity.name),
            entities::entity_type.eq(&entity.entity_type),
            entities::active.eq(entity.active),
            entities::updated_at.eq(entity.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// How many active entities of each type the customer has, by type.
pub fn count_active_by_type(
    conn: &mut DbConnection,
    customer_id: &str,
) -> QueryResult<Vec<(String, i64)>> {
    entities::table
        .filter(entities::customer_id.eq(customer_id))
        .filter(entities::active.eq(true))
        .group_by(entities::entity_type)
        .select((entities::entity_type, diesel::dsl::count_star()))
        .order(entities::entity_type)
        .load(conn)
}

//! Partners: the organisations the platform hosts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::partners;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = partners)]
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, partner: &PartnerRow) -> QueryResult<()> {
    diesel::insert_into(partners::table)
        .values(partner)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<PartnerRow>> {
    partners::table
        .find(id)
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

/// Partners ordered by name then id, after the (name, id) cursor when given.
pub fn list(
    conn: &mut DbConnection,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<PartnerRow>> {
    let mut query = partners::table
        .select(PartnerRow::as_select())
        .order((partners::name, partners::id))
        .limit(limit)
        .into_boxed();
    if let Some((name, id)) = after {
        query = query.filter(
            partners::name.gt(name.to_owned()).or(partners::name
                .eq(name.to_owned())
                .and(partners::id.gt(id.to_owned()))),
        );
    }
    query.load(conn)
}

pub fn update(conn: &mut DbConnection, partner: &PartnerRow) -> QueryResult<()> {
    diesel::update(partners::table.find(&partner.id))
        .set((
            partners::name.eq(&partner.name),
            partners::email.eq(&partner.email),
            partners::active.eq(partner.active),
            partners::updated_at.eq(partner.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

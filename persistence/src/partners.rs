//! Partners: the organisations the platform hosts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::customer_listing::{like_pattern, lower};
use crate::schema::partners;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = partners, treat_none_as_default_value = false)]
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Its customers get a product plan (else add-ons); set by the platform.
    pub on_price_plan: bool,
    /// Where its customers' support requests go instead of the platform's.
    pub support_email: Option<String>,
    /// The "Powered by" link shown in the hub header.
    pub powered_by_url: Option<String>,
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

/// The partner's `active` flag, `None` when there is no such partner: only that column (the
/// login reads it; `AccountKind::lets_users_in` decides).
pub fn active_flag(conn: &mut DbConnection, id: &str) -> QueryResult<Option<bool>> {
    partners::table
        .find(id)
        .select(partners::active)
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    pub active: Option<bool>,
    /// Part of the name or the ID, any case.
    pub contains: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerSort {
    Name,
    Id,
}

/// One page of partners in `sort` order (`descending` reverses it), after the (sort key, id)
/// cursor when given. Keyset paging: the cursor's row is the last one already seen.
pub fn list(
    conn: &mut DbConnection,
    filter: &PartnerFilter,
    sort: PartnerSort,
    descending: bool,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<PartnerRow>> {
    let mut query = partners::table
        .select(PartnerRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(active) = filter.active {
        query = query.filter(partners::active.eq(active));
    }
    if let Some(text) = &filter.contains {
        let pattern = like_pattern(text);
        query = query.filter(
            lower(partners::name.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(partners::id.nullable()).like(pattern).escape('\\')),
        );
    }
    query = match (sort, descending) {
        (PartnerSort::Name, false) => query.order((partners::name.asc(), partners::id.asc())),
        (PartnerSort::Name, true) => query.order((partners::name.desc(), partners::id.desc())),
        (PartnerSort::Id, false) => query.order(partners::id.asc()),
        (PartnerSort::Id, true) => query.order(partners::id.desc()),
    };
    if let Some((key, id)) = after {
        let (key, id) = (key.to_owned(), id.to_owned());
        query = match (sort, descending) {
            (PartnerSort::Name, false) => query.filter(
                partners::name
                    .gt(key.clone())
                    .or(partners::name.eq(key).and(partners::id.gt(id))),
            ),
            (PartnerSort::Name, true) => query.filter(
                partners::name
                    .lt(key.clone())
                    .or(partners::name.eq(key).and(partners::id.lt(id))),
            ),
            (PartnerSort::Id, false) => query.filter(partners::id.gt(id)),
            (PartnerSort::Id, true) => query.filter(partners::id.lt(id)),
        };
    }
    query.load(conn)
}

pub fn update(conn: &mut DbConnection, partner: &PartnerRow) -> QueryResult<()> {
    diesel::update(partners::table.find(&partner.id))
        .set((
            partners::name.eq(&partner.name),
            partners::email.eq(&partner.email),
            partners::active.eq(partner.active),
            partners::on_price_plan.eq(partner.on_price_plan),
            partners::support_email.eq(&partner.support_email),
            partners::powered_by_url.eq(&partner.powered_by_url),
            partners::updated_at.eq(partner.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

/// A white-label image (logo, "Powered by" logo), stored with what serving it needs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::partner_images, treat_none_as_default_value = false)]
pub struct PartnerImageRow {
    pub partner_id: String,
    pub slot: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub sha256: String,
    pub updated_at: NaiveDateTime,
}

pub fn find_image(
    conn: &mut DbConnection,
    partner_id: &str,
    slot: &str,
) -> QueryResult<Option<PartnerImageRow>> {
    use crate::schema::partner_images;
    partner_images::table
        .find((partner_id, slot))
        .select(PartnerImageRow::as_select())
        .first(conn)
        .optional()
}

/// The slots that hold an image, for links to them.
pub fn image_slots(conn: &mut DbConnection, partner_id: &str) -> QueryResult<Vec<String>> {
    use crate::schema::partner_images;
    partner_images::table
        .filter(partner_images::partner_id.eq(partner_id))
        .select(partner_images::slot)
        .order(partner_images::slot)
        .load(conn)
}

/// Stores the image in its slot, replacing any there.
pub fn save_image(conn: &mut DbConnection, image: &PartnerImageRow) -> QueryResult<()> {
    delete_image(conn, &image.partner_id, &image.slot)?;
    diesel::insert_into(crate::schema::partner_images::table)
        .values(image)
        .execute(conn)
        .map(drop)
}

pub fn delete_image(conn: &mut DbConnection, partner_id: &str, slot: &str) -> QueryResult<bool> {
    use crate::schema::partner_images;
    diesel::delete(partner_images::table.find((partner_id, slot)))
        .execute(conn)
        .map(|n| n > 0)
}

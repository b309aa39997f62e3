//! Seats of a customer's licences held by its users. The licence itself (type, seats
//! available, dates) is part of the customer's record; seats used is the count of these rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::DbConnection;
use crate::schema::{licence_assignments, users};

/// Gives `user_id` a seat of the customer's `product`; holding one already changes nothing.
pub fn assign(
    conn: &mut DbConnection,
    customer_id: &str,
    product: &str,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let key = (customer_id, product, user_id);
    let held: bool = diesel::select(diesel::dsl::exists(licence_assignments::table.find(key)))
        .get_result(conn)?;
    if !held {
        diesel::insert_into(licence_assignments::table)
            .values((
                licence_assignments::customer_id.eq(customer_id),
                licence_assignments::product.eq(product),
                licence_assignments::user_id.eq(user_id),
                licence_assignments::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(!held)
}

/// Frees the user's seat of `product`; whether it held one.
pub fn unassign(
    conn: &mut DbConnection,
    customer_id: &str,
    product: &str,
    user_id: &str,
) -> QueryResult<bool> {
    diesel::delete(licence_assignments::table.find((customer_id, product, user_id)))
        .execute(conn)
        .map(|n| n > 0)
}

/// Frees every seat the user holds (the user is being removed); the products they held.
pub fn unassign_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<String>> {
    let products = licence_assignments::table
        .filter(licence_assignments::user_id.eq(user_id))
        .select(licence_assignments::product)
        .load(conn)?;
    diesel::delete(licence_assignments::table.filter(licence_assignments::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(products)
}

/// How many seats of `product` the customer's users hold.
pub fn seats_used(conn: &mut DbConnection, customer_id: &str, product: &str) -> QueryResult<i64> {
    licence_assignments::table
        .filter(licence_assignments::customer_id.eq(customer_id))
        .filter(licence_assignments::product.eq(product))
        .count()
        .get_result(conn)
}

/// Seats held per product, by product.
pub fn seats_used_by_product(
    conn: &mut DbConnection,
    customer_id: &str,
) -> QueryResult<Vec<(String, i64)>> {
    licence_assignments::table
        .filter(licence_assignments::customer_id.eq(customer_id))
        .group_by(licence_assignments::product)
        .select((licence_assignments::product, diesel::dsl::count_star()))
        .order(licence_assignments::product)
        .load(conn)
}

/// A seat and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Holder {
    pub product: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// Who holds a seat of each of the customer's products, by product then name.
pub fn holders(conn: &mut DbConnection, customer_id: &str) -> QueryResult<Vec<Holder>> {
    licence_assignments::table
        .inner_join(users::table)
        .filter(licence_assignments::customer_id.eq(customer_id))
        .select((
            licence_assignments::product,
            users::id,
            users::name,
            users::email,
        ))
        .order((licence_assignments::product, users::name, users::id))
        .load(conn)
}

/// The products each of `user_ids` holds a seat of, as (user, product) by user then product.
pub fn held_by(
    conn: &mut DbConnection,
    customer_id: &str,
    user_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    licence_assignments::table
        .filter(licence_assignments::customer_id.eq(customer_id))
        .filter(licence_assignments::user_id.eq_any(user_ids))
        .select((licence_assignments::user_id, licence_assignments::product))
        .order((licence_assignments::user_id, licence_assignments::product))
        .load(conn)
}

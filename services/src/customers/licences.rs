//! A customer's licences and their seats (seed 001 "Manage Users and Licences", "License
//! summary"): a seat is assigned to one of the customer's users and unassigned again, and seats
//! used is the count of seats held — never typed, never more than seats available.
//!
//! Every change of seats rewrites the licence list on the customer's row in the same
//! serializable transaction: two assignments racing for the last seat both write that row, so
//! one of them waits (SQLite) or is re-run (PostgreSQL) and then finds the seat taken.

use chrono::{DateTime, NaiveDate, Utc};
use persistence::DbConnection;
use persistence::customers::{self, CustomerRow};
use persistence::licences::{self, Holder};
use persistence::time::to_db;
use serde::Serialize;

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::customers::record::{Licence, licences_of, to_json};
use crate::customers::users::{Managed, Readable};
use crate::error::{ErrorCode, ServiceError};

/// One licence as its summary shows it: the licence and who holds its seats.
#[derive(Debug, Clone, Serialize)]
pub struct LicenceSummary {
    pub product: String,
    pub licence_type: String,
    pub seats_used: i32,
    pub seats_available: i32,
    pub contract_expiry: Option<NaiveDate>,
    pub next_renewal: Option<NaiveDate>,
    pub holders: Vec<SeatHolder>,
}

/// A user holding a seat.
#[derive(Debug, Clone, Serialize)]
pub struct SeatHolder {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// The customer's licences by product, each with who holds its seats.
pub fn summary(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Readable,
) -> Result<(String, Vec<LicenceSummary>), ServiceError> {
    let (row, _) = customer.open(conn, caller)?;
    let all = summary_of(conn, &row)?;
    Ok((row.id, all))
}

/// The licences of `row`, a customer the caller may see, with their holders.
pub fn summary_of(
    conn: &mut DbConnection,
    row: &CustomerRow,
) -> Result<Vec<LicenceSummary>, ServiceError> {
    let mut holders = licences::holders(conn, &row.id)?;
    let mut all: Vec<LicenceSummary> = licences_of(row)
        .into_iter()
        .map(|licence| {
            let (mine, rest): (Vec<Holder>, Vec<Holder>) = holders
                .drain(..)
                .partition(|h| h.product == licence.product);
            holders = rest;
            LicenceSummary {
                holders: mine
                    .into_iter()
                    .map(|h| SeatHolder {
                        user_id: h.user_id,
                        name: h.name,
                        email: h.email,
                    })
                    .collect(),
                product: licence.product,
                licence_type: licence.licence_type,
                seats_used: licence.seats_used,
                seats_available: licence.seats_available,
                contract_expiry: licence.contract_expiry,
                next_renewal: licence.next_renewal,
            }
        })
        .collect();
    all.sort_by(|a, b| a.product.cmp(&b.product));
    Ok(all)
}

/// Gives the customer's user `user_id` a seat of `product`: 409 `no_seats_available` when
/// every seat is held; holding one already changes nothing. Returns the licence after.
pub fn assign(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    product: &str,
    now: DateTime<Utc>,
) -> Result<Licence, ServiceError> {
    change_seat(conn, caller, customer, user_id, product, true, now)
}

/// Frees the user's seat of `product`; holding none changes nothing.
pub fn unassign(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    product: &str,
    now: DateTime<Utc>,
) -> Result<Licence, ServiceError> {
    change_seat(conn, caller, customer, user_id, product, false, now)
}

fn change_seat(
    conn: &mut DbConnection,
    caller: &Caller,
    customer: &Managed,
    user_id: &str,
    product: &str,
    assign: bool,
    now: DateTime<Utc>,
) -> Result<Licence, ServiceError> {
    let (row, members) = customer.open(conn, caller)?;
    let user = members.load(conn, user_id)?;
    let mut list = licences_of(&row);
    let licence = list
        .iter_mut()
        .find(|l| l.product == product)
        .ok_or(ServiceError::NotFound("licence"))?;
    let changed = if assign {
        let used = licences::seats_used(conn, &row.id, product)?;
        let holds = licences::held_by(conn, &row.id, std::slice::from_ref(&user.id))?
            .iter()
            .any(|(_, p)| p == product);
        if !holds && used >= i64::from(licence.seats_available) {
            return Err(ServiceError::rule(
                ErrorCode::NoSeatsAvailable,
                format!(
                    "All {} seats of {}'s {product} licence are held.",
                    licence.seats_available, row.id
                ),
            ));
        }
        licences::assign(conn, &row.id, product, &user.id, to_db(now))?
    } else {
        licences::unassign(conn, &row.id, product, &user.id)?
    };
    if !changed {
        return Ok(licence.clone());
    }
    licence.seats_used = seats(licences::seats_used(conn, &row.id, product)?);
    let after = licence.clone();
    customers::set_licences(conn, &row.id, &to_json(&list))?;
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: if assign {
                "licence.assigned"
            } else {
                "licence.unassigned"
            },
            target_type: "licence",
            target_id: &format!("{}/{product}", row.id),
            partner_id: Some(&row.partner_id),
            customer_id: Some(&row.id),
            before: None,
            after: Some(serde_json::json!({
                "user_id": user.id, "product": product, "seats_used": after.seats_used,
                "seats_available": after.seats_available,
            })),
        },
    )?;
    Ok(after)
}

/// Frees every seat `user_id` holds in the customer (the user is being removed).
pub fn release_all(
    conn: &mut DbConnection,
    customer_id: &str,
    user_id: &str,
) -> Result<(), ServiceError> {
    if licences::unassign_user(conn, user_id)?.is_empty() {
        return Ok(());
    }
    let row = customers::find(conn, customer_id)?.ok_or(ServiceError::NotFound("customer"))?;
    let mut list = licences_of(&row);
    count_seats(conn, customer_id, &mut list)?;
    customers::set_licences(conn, customer_id, &to_json(&list))?;
    Ok(())
}

/// Fills in each licence's seats used from the seats held, for a record about to be stored:
/// 409 `seats_in_use` when the record offers fewer seats than are held, or drops a licence
/// whose seats are held.
pub fn count_seats(
    conn: &mut DbConnection,
    customer_id: &str,
    list: &mut [Licence],
) -> Result<(), ServiceError> {
    for licence in list.iter_mut() {
        licence.seats_used = 0;
    }
    for (product, used) in licences::seats_used_by_product(conn, customer_id)? {
        let used = seats(used);
        match list.iter_mut().find(|l| l.product == product) {
            Some(licence) if licence.seats_available >= used => licence.seats_used = used,
            Some(licence) => {
                return Err(ServiceError::rule(
                    ErrorCode::SeatsInUse,
                    format!(
                        "{used} seats of {customer_id}'s {product} licence are held: seats \
                         available cannot go down to {}.",
                        licence.seats_available
                    ),
                ));
            }
            None => {
                return Err(ServiceError::rule(
                    ErrorCode::SeatsInUse,
                    format!(
                        "{used} seats of {customer_id}'s {product} licence are held: unassign \
                         them before removing the licence."
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn seats(count: i64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

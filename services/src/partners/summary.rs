//! A partner's own account at a glance (seed 001 "My Account", "License summary"): its users
//! by role, its customers by status and by account state, the seats of every product across
//! its customers, and the nearest contract expiry and renewal.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::customer::CustomerStatus;
use persistence::{DbConnection, customers, partners, users};
use serde::Serialize;

use crate::customers::record::Licence;
use crate::error::ServiceError;
use crate::partners::records::Readable;

#[derive(Debug, Clone, Serialize)]
pub struct PartnerSummary {
    pub partner_id: String,
    pub users: UserCounts,
    pub customers: CustomerCounts,
    /// Per product, by product.
    pub licences: Vec<ProductSeats>,
    /// The soonest contract expiry of any customer's licence on or after today.
    pub next_contract_expiry: Option<NaiveDate>,
    /// The soonest renewal of any customer's licence on or after today.
    pub next_renewal: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UserCounts {
    pub total: i64,
    /// Active users of each role.
    pub by_role: BTreeMap<String, i64>,
    pub inactive: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerCounts {
    pub total: i64,
    /// Customers whose Active flag is off.
    pub inactive: i64,
    pub by_status: BTreeMap<String, i64>,
    pub by_account_state: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ProductSeats {
    pub product: String,
    /// How many customers hold a licence of it.
    pub customers: i64,
    pub seats_used: i64,
    pub seats_available: i64,
}

pub fn summary(
    conn: &mut DbConnection,
    partner: &Readable,
    today: NaiveDate,
) -> Result<PartnerSummary, ServiceError> {
    let id = partner.id().as_str();
    partners::find(conn, id)?.ok_or(ServiceError::NotFound("partner"))?;
    let mut people = UserCounts::default();
    for (role, active, n) in users::count_by_role(conn, id)? {
        people.total += n;
        if active {
            *people.by_role.entry(role).or_default() += n;
        } else {
            people.inactive += n;
        }
    }
    let mut accounts = CustomerCounts::default();
    for (rank, state, active, n) in customers::count_by_state(conn, id)? {
        accounts.total += n;
        if !active {
            accounts.inactive += n;
        }
        let status = CustomerStatus::from_rank(rank).map_or("unknown", |s| s.as_str());
        *accounts.by_status.entry(status.to_owned()).or_default() += n;
        *accounts.by_account_state.entry(state).or_default() += n;
    }
    let mut products: BTreeMap<String, ProductSeats> = BTreeMap::new();
    let (mut expiry, mut renewal): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
    let upcoming = |date: Option<NaiveDate>| date.filter(|d| *d >= today);
    for list in customers::licence_lists(conn, id)? {
        let licences: Vec<Licence> = serde_json::from_str(&list).unwrap_or_default();
        for licence in licences {
            let seats = products
                .entry(licence.product.clone())
                .or_insert_with(|| ProductSeats {
                    product: licence.product.clone(),
                    ..ProductSeats::default()
                });
            seats.customers += 1;
            seats.seats_used += i64::from(licence.seats_used);
            seats.seats_available += i64::from(licence.seats_available);
            expiry = earliest(expiry, upcoming(licence.contract_expiry));
            renewal = earliest(renewal, upcoming(licence.next_renewal));
        }
    }
    Ok(PartnerSummary {
        partner_id: id.to_owned(),
        users: people,
        customers: accounts,
        licences: products.into_values().collect(),
        next_contract_expiry: expiry,
        next_renewal: renewal,
    })
}

fn earliest(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

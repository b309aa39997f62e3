//! A customer as the API answers it, with its stored JSON passed through.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, Utc};
use domain::customer::{AccountState, CustomerStatus};
use persistence::customers::CustomerRow;
use persistence::time::from_db;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::fields::Licence;
use crate::json_time;
use crate::json_writer::VERBATIM;

pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// A `T` kept on the customer's row as JSON, written by [`to_json`] from the typed value, so
/// exactly as the API shows it: answers pass the text through instead of parsing and
/// serializing it again (that was a fifth of the listing's CPU), and without checking it again
/// on every read (`RawValue::from_string` parses it: another 11 %); it is written as a
/// [`VERBATIM`] struct, as `RawValue` itself is. [`Stored::typed`] reads it where the values
/// are needed.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    json: String,
    of: PhantomData<T>,
}

impl<T: Serialize + DeserializeOwned + Default> Stored<T> {
    /// The stored text. Only serde_json writes these columns; text not shaped like `T`'s JSON
    /// (an array or an object, never written by us) reads as `T`'s empty value.
    pub fn from_text(text: String) -> Self {
        let shaped = matches!(
            (text.as_bytes().first(), text.as_bytes().last()),
            (Some(b'['), Some(b']')) | (Some(b'{'), Some(b'}'))
        );
        let json = if shaped { text } else { to_json(&T::default()) };
        Stored {
            json,
            of: PhantomData,
        }
    }

    pub fn typed(&self) -> T {
        serde_json::from_str(&self.json).unwrap_or_default()
    }
}

impl<T> Serialize for Stored<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut verbatim = serializer.serialize_struct(VERBATIM, 1)?;
        verbatim.serialize_field(VERBATIM, self.json.as_str())?;
        verbatim.end()
    }
}

/// Counts of a customer's entities or users, in total and by type.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Counts {
    pub total: i32,
    /// Entity type (or user role) → how many.
    #[schema(value_type = BTreeMap<String, i64>, example = json!({"group": 1, "site": 3}))]
    pub by_type: Stored<BTreeMap<String, i64>>,
}

/// A customer as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Customer {
    #[schema(example = "ACME")]
    pub id: String,
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    #[serde(rename = "ref")]
    #[schema(example = "INV-0042")]
    pub reference: String,
    #[schema(example = "Acme Dental Group")]
    pub name: String,
    pub active: bool,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    #[schema(example = "practice")]
    pub termset: String,
    pub product_plan: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub add_ons: Stored<Vec<String>>,
    pub sector: Option<String>,
    #[schema(example = "onboarding")]
    pub status: String,
    pub requires_access_permission: bool,
    pub iframe_embedding: bool,
    #[schema(value_type = Vec<String>)]
    pub iframe_domains: Stored<Vec<String>>,
    #[serde(serialize_with = "json_time::optional_day")]
    pub membership_end_date: Option<NaiveDate>,
    pub locations: Option<i32>,
    #[schema(example = "paid")]
    pub account_type: String,
    pub billing_recipient: Option<String>,
    pub compliance_percent: Option<i32>,
    pub workers: Option<i32>,
    #[schema(value_type = Vec<Licence>)]
    pub licences: Stored<Vec<Licence>>,
    /// The earliest next renewal among the licences.
    #[serde(serialize_with = "json_time::optional_day")]
    pub next_renewal_date: Option<NaiveDate>,
    #[schema(example = "active")]
    pub account_state: String,
    /// The last time one of the customer's users logged in.
    #[serde(serialize_with = "json_time::optional_timestamp")]
    pub last_login_at: Option<DateTime<Utc>>,
    /// Active entities; the group layer counts as type `group`.
    pub entities: Counts,
    /// Active users, by role.
    pub users: Counts,
    /// Whether the caller may switch into this customer now: it holds a live access grant and
    /// the customer is active.
    pub can_access: bool,
    /// The customer's own admins switched `requires_access_permission` on: the partner cannot
    /// switch it off.
    pub access_permission_locked_by_customer: bool,
    /// The record's version, also its `ETag`; send it in `If-Match` to update safely.
    pub version: i32,
    #[serde(serialize_with = "json_time::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "json_time::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerRow> for Customer {
    fn from(row: CustomerRow) -> Self {
        Customer {
            licences: Stored::from_text(row.licences),
            add_ons: Stored::from_text(row.add_ons),
            iframe_domains: Stored::from_text(row.iframe_domains),
            entities: Counts {
                total: row.entity_count,
                by_type: Stored::from_text(row.entity_counts),
            },
            users: Counts {
                total: row.user_count,
                by_type: Stored::from_text(row.user_counts),
            },
            status: CustomerStatus::from_rank(row.status)
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            id: row.id,
            partner_id: row.partner_id,
            reference: row.reference,
            name: row.name,
            active: row.active,
            website: row.website,
            contact_name: row.contact_name,
            contact_email: row.contact_email,
            termset: row.termset,
            product_plan: row.product_plan,
            sector: row.sector,
            requires_access_permission: row.requires_access_permission,
            iframe_embedding: row.iframe_embedding,
            membership_end_date: row.membership_end_date,
            locations: row.locations,
            account_type: row.account_type,
            billing_recipient: row.billing_recipient,
            compliance_percent: row.compliance_percent,
            workers: row.workers,
            next_renewal_date: row.next_renewal_date,
            account_state: row.account_state,
            last_login_at: row.last_login_at.map(from_db),
            can_access: false,
            access_permission_locked_by_customer: row.access_permission_locked,
            version: row.version,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        }
    }
}

/// The customer as a caller sees it: `can_access` when the caller holds a live grant into it
/// (`live_grant`) and the customer is active and not suspended.
pub fn seen(row: CustomerRow, live_grant: bool) -> Customer {
    Customer {
        can_access: row.active && AccountState::lets_users_in(&row.account_state) && live_grant,
        ..Customer::from(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_json_is_answered_as_written_and_read_typed() {
        let licences = vec![Licence {
            product: "core".to_owned(),
            licence_type: "subscription".to_owned(),
            seats_used: 3,
            seats_available: 4,
            contract_expiry: NaiveDate::from_ymd_opt(2027, 1, 31),
            next_renewal: None,
        }];
        let text = to_json(&licences);
        let stored = Stored::<Vec<Licence>>::from_text(text.clone());
        assert_eq!(serde_json::to_string(&stored).unwrap(), text);
        assert_eq!(stored.typed(), licences);
        // Also read right through `serde_json::Value`.
        let value = serde_json::json!({"licences": stored});
        assert_eq!(value["licences"][0]["seats_used"], 3);
    }

    #[test]
    fn stored_text_that_is_not_json_reads_as_empty() {
        for text in ["not json", "[", "{\"a\": 1]"] {
            let stored = Stored::<Vec<String>>::from_text(text.to_owned());
            assert_eq!(serde_json::to_string(&stored).unwrap(), "[]");
            assert!(stored.typed().is_empty());
        }
        let counts = Stored::<BTreeMap<String, i64>>::from_text(String::new());
        assert_eq!(serde_json::to_string(&counts).unwrap(), "{}");
    }
}

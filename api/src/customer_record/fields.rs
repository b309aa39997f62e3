//! The customer's fields as sent, and its licences.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use services::customers::record::{self, CustomerInput, LicenceInput};
use utoipa::ToSchema;

use super::{Field, present};

/// A customer's fields as sent. On create `id`, `ref` and `name` are required and the rest
/// default; on update only the fields sent change and `null` clears an optional one (`id` can
/// never change).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "ACME", "ref": "INV-0042", "name": "Acme Dental Group", "website": "https://acme.example",
    "contact_name": "Ana Byrne", "contact_email": "ana@acme.example", "termset": "practice",
    "add_ons": ["advanced_reporting"], "sector": "healthcare", "status": "onboarding",
    "requires_access_permission": false, "iframe_embedding": true,
    "iframe_domains": ["intranet.acme.example"], "membership_end_date": "2027-12-31",
    "locations": 4, "account_type": "paid", "billing_recipient": "partner",
    "compliance_percent": 87, "workers": 120,
    "licences": [{"product": "analytics", "licence_type": "subscription", "seats_available": 10,
                  "contract_expiry": "2027-06-30", "next_renewal": "2027-06-01"}]
}))]
pub struct CustomerFields {
    /// The login prefix: 1–10 letters, stored upper-case, unique across the deployment, fixed.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "ACME")]
    pub id: Field<String>,
    /// The partner's own reference, unique within the partner.
    #[serde(
        rename = "ref",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "INV-0042")]
    pub reference: Field<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "Acme Dental Group")]
    pub name: Field<String>,
    /// `false` stops every login to the customer and ends its sessions. Default `true`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<bool>)]
    pub active: Field<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "https://acme.example")]
    pub website: Field<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub contact_name: Field<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub contact_email: Field<String>,
    /// `group` (default), `practice` or `franchise`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "practice")]
    pub termset: Field<String>,
    /// A `product_plan` catalogue code; required when the partner is on price plan, refused
    /// otherwise.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "professional")]
    pub product_plan: Field<String>,
    /// `add_on` catalogue codes; only when the partner is not on price plan.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<String>>)]
    pub add_ons: Field<Vec<String>>,
    /// A `sector` catalogue code.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "healthcare")]
    pub sector: Field<String>,
    /// pre_sales (default), demo, onboarding, handholding, established, advocate, read_only,
    /// churned — in lifecycle order.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "onboarding")]
    pub status: Field<String>,
    /// With it on, partner users get in only through access requests the customer approves.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<bool>)]
    pub requires_access_permission: Field<bool>,
    /// Allow embedding by iframe into the domains listed in `iframe_domains` (at least one).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<bool>)]
    pub iframe_embedding: Field<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<String>>)]
    pub iframe_domains: Field<Vec<String>>,
    /// `YYYY-MM-DD`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date, example = "2027-12-31")]
    pub membership_end_date: Field<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub locations: Field<i64>,
    /// `trial` (default), `paid` or `free`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "paid")]
    pub account_type: Field<String>,
    /// `client` or `partner`: required for a paid account, refused otherwise.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "partner")]
    pub billing_recipient: Field<String>,
    /// 0–100.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100)]
    pub compliance_percent: Field<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub workers: Field<i64>,
    /// The whole list: an update replaces it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<LicenceFields>>)]
    pub licences: Field<Vec<LicenceFields>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceFields {
    /// A `product` catalogue code; one licence per product.
    #[schema(example = "analytics")]
    pub product: String,
    /// `subscription`, `perpetual` or `trial`.
    #[schema(example = "subscription")]
    pub licence_type: String,
    /// Counted from the seats held (`PUT /customers/{customer_id}/users/{user_id}/licences/{product}`):
    /// ignored when sent, so that a licence read can be sent back as it is.
    #[schema(read_only, minimum = 0)]
    #[serde(default, skip_serializing)]
    pub seats_used: Option<i64>,
    /// Lowering it below the seats held is refused with 409 `seats_in_use`.
    #[schema(minimum = 0)]
    pub seats_available: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub contract_expiry: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_renewal: Option<String>,
}

/// A licence as stored and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Licence {
    #[schema(example = "analytics")]
    pub product: String,
    #[schema(example = "subscription")]
    pub licence_type: String,
    /// How many of the customer's users hold a seat.
    pub seats_used: i32,
    pub seats_available: i32,
    pub contract_expiry: Option<NaiveDate>,
    pub next_renewal: Option<NaiveDate>,
}

impl From<CustomerFields> for CustomerInput {
    fn from(body: CustomerFields) -> Self {
        CustomerInput {
            id: body.id,
            reference: body.reference,
            name: body.name,
            active: body.active,
            website: body.website,
            contact_name: body.contact_name,
            contact_email: body.contact_email,
            termset: body.termset,
            product_plan: body.product_plan,
            add_ons: body.add_ons,
            sector: body.sector,
            status: body.status,
            requires_access_permission: body.requires_access_permission,
            iframe_embedding: body.iframe_embedding,
            iframe_domains: body.iframe_domains,
            membership_end_date: body.membership_end_date,
            locations: body.locations,
            account_type: body.account_type,
            billing_recipient: body.billing_recipient,
            compliance_percent: body.compliance_percent,
            workers: body.workers,
            // Changed only by POST /customers/{id}/suspend and /resume, with a reason.
            account_state: None,
            licences: body
                .licences
                .map(|list| list.map(|list| list.into_iter().map(LicenceInput::from).collect())),
        }
    }
}

impl From<LicenceFields> for LicenceInput {
    fn from(body: LicenceFields) -> Self {
        LicenceInput {
            product: body.product,
            licence_type: body.licence_type,
            seats_available: body.seats_available,
            contract_expiry: body.contract_expiry,
            next_renewal: body.next_renewal,
        }
    }
}

impl From<record::Licence> for Licence {
    fn from(l: record::Licence) -> Self {
        Licence {
            product: l.product,
            licence_type: l.licence_type,
            seats_used: l.seats_used,
            seats_available: l.seats_available,
            contract_expiry: l.contract_expiry,
            next_renewal: l.next_renewal,
        }
    }
}

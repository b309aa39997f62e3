//! The customer record as the API reads and writes it: the input every create and edit goes
//! through (one parse, so a field is checked the same way both times), the answer, and the
//! conversion to and from the stored row.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, Utc};
use domain::catalogue::CatalogueKind;
use domain::customer::{
    self, AccountState, AccountType, BillingRecipient, CustomerRef, CustomerStatus, Embedding,
    LicenceType, Offering, Termset, Website,
};
use domain::ids::{DisplayName, Email, Invalid};
use persistence::DbConnection;
use persistence::catalogue;
use persistence::customers::CustomerRow;
use persistence::time::from_db;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::error::{ApiError, Fields};
use crate::json_time;
use crate::json_writer::VERBATIM;

/// A field of a partial update: absent (`None`), cleared with `null` (`Some(None)`) or set.
pub type Field<T> = Option<Option<T>>;

/// Tells an explicit `null` from an absent field.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Field<T>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

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
    "licences": [{"product": "analytics", "licence_type": "subscription", "seats_used": 8,
                  "seats_available": 10, "contract_expiry": "2027-06-30", "next_renewal": "2027-06-01"}]
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
    /// `active` (default) or `suspended`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, example = "active")]
    pub account_state: Field<String>,
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
    #[schema(minimum = 0)]
    pub seats_used: i64,
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
    pub seats_used: i32,
    pub seats_available: i32,
    pub contract_expiry: Option<NaiveDate>,
    pub next_renewal: Option<NaiveDate>,
}

impl CustomerFields {
    /// `self` with every field that `changes` carries taken from `changes`.
    pub fn overlay(mut self, changes: CustomerFields) -> CustomerFields {
        macro_rules! take {
            ($($field:ident),+) => { $(if changes.$field.is_some() { self.$field = changes.$field; })+ };
        }
        take!(
            id,
            reference,
            name,
            active,
            website,
            contact_name,
            contact_email,
            termset,
            product_plan,
            add_ons,
            sector,
            status,
            requires_access_permission,
            iframe_embedding,
            iframe_domains,
            membership_end_date,
            locations,
            account_type,
            billing_recipient,
            compliance_percent,
            workers,
            licences,
            account_state
        );
        self
    }
}

impl From<&CustomerRow> for CustomerFields {
    fn from(row: &CustomerRow) -> Self {
        let text = |s: &Option<String>| Some(s.clone());
        CustomerFields {
            id: Some(Some(row.id.clone())),
            reference: Some(Some(row.reference.clone())),
            name: Some(Some(row.name.clone())),
            active: Some(Some(row.active)),
            website: text(&row.website),
            contact_name: text(&row.contact_name),
            contact_email: text(&row.contact_email),
            termset: Some(Some(row.termset.clone())),
            product_plan: text(&row.product_plan),
            add_ons: Some(Some(json_list(&row.add_ons))),
            sector: text(&row.sector),
            status: Some(CustomerStatus::from_rank(row.status).map(|s| s.as_str().to_owned())),
            requires_access_permission: Some(Some(row.requires_access_permission)),
            iframe_embedding: Some(Some(row.iframe_embedding)),
            iframe_domains: Some(Some(json_list(&row.iframe_domains))),
            membership_end_date: Some(row.membership_end_date.map(|d| d.to_string())),
            locations: Some(row.locations.map(i64::from)),
            account_type: Some(Some(row.account_type.clone())),
            billing_recipient: text(&row.billing_recipient),
            compliance_percent: Some(row.compliance_percent.map(i64::from)),
            workers: Some(row.workers.map(i64::from)),
            licences: Some(Some(
                licences_of(row)
                    .into_iter()
                    .map(|l| LicenceFields {
                        product: l.product,
                        licence_type: l.licence_type,
                        seats_used: i64::from(l.seats_used),
                        seats_available: i64::from(l.seats_available),
                        contract_expiry: l.contract_expiry.map(|d| d.to_string()),
                        next_renewal: l.next_renewal.map(|d| d.to_string()),
                    })
                    .collect(),
            )),
            account_state: Some(Some(row.account_state.clone())),
        }
    }
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub fn licences_of(row: &CustomerRow) -> Vec<Licence> {
    serde_json::from_str(&row.licences).unwrap_or_default()
}

/// The catalogue codes a record may use: active ones, and retired ones it already had.
pub struct Catalogues {
    items: Vec<(String, String, bool)>,
    previous: Vec<(String, String)>,
}

impl Catalogues {
    pub fn load(conn: &mut DbConnection, previous: Option<&CustomerRow>) -> Result<Self, ApiError> {
        let items = catalogue::all(conn)?
            .into_iter()
            .map(|item| (item.kind, item.code, item.active))
            .collect();
        let mut kept = Vec::new();
        if let Some(row) = previous {
            let mut keep = |kind: CatalogueKind, code: &str| {
                kept.push((kind.as_str().to_owned(), code.to_owned()));
            };
            row.sector
                .iter()
                .for_each(|c| keep(CatalogueKind::Sector, c));
            row.product_plan
                .iter()
                .for_each(|c| keep(CatalogueKind::ProductPlan, c));
            json_list(&row.add_ons)
                .iter()
                .for_each(|c| keep(CatalogueKind::AddOn, c));
            licences_of(row)
                .iter()
                .for_each(|l| keep(CatalogueKind::Product, &l.product));
        }
        Ok(Catalogues {
            items,
            previous: kept,
        })
    }

    fn check(&self, kind: CatalogueKind, code: &str) -> Result<String, Invalid> {
        let kept = self
            .previous
            .iter()
            .any(|(k, c)| k == kind.as_str() && c == code);
        let usable = self
            .items
            .iter()
            .any(|(k, c, active)| k == kind.as_str() && c == code && (*active || kept));
        if usable {
            Ok(code.to_owned())
        } else {
            Err(Invalid::new(
                "unknown_code",
                format!("is not an active {kind} code: see GET /catalogues/{kind}"),
            ))
        }
    }
}

/// A valid record, ready to be stored.
pub struct Record {
    pub reference: CustomerRef,
    pub name: DisplayName,
    pub active: bool,
    pub website: Option<Website>,
    pub contact_name: Option<DisplayName>,
    pub contact_email: Option<Email>,
    pub termset: Termset,
    pub offering: Offering<String>,
    pub sector: Option<String>,
    pub status: CustomerStatus,
    pub requires_access_permission: bool,
    pub embedding: Embedding,
    pub membership_end_date: Option<NaiveDate>,
    pub locations: Option<i32>,
    pub account_type: AccountType,
    pub billing_recipient: Option<BillingRecipient>,
    pub compliance_percent: Option<i32>,
    pub workers: Option<i32>,
    pub licences: Vec<Licence>,
    pub account_state: AccountState,
}

fn date(input: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .map_err(|_| Invalid::new("date", "must be a date YYYY-MM-DD"))
}

/// Empty text clears an optional field, like `null`.
fn non_empty(value: &Field<String>) -> Option<&str> {
    value
        .as_ref()
        .and_then(|v| v.as_deref())
        .filter(|v| !v.trim().is_empty())
}

fn required<'a>(fields: &mut Fields, name: &str, value: &'a Field<String>) -> Option<&'a str> {
    let value = value.as_ref().and_then(|v| v.as_deref());
    if value.is_none() {
        fields.check::<()>(name, Err(Invalid::new("required", "is required")));
    }
    value
}

/// A choice with a default when absent or null.
fn choice<T: Copy>(
    fields: &mut Fields,
    name: &str,
    value: &Field<String>,
    default: T,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Option<T> {
    match value.as_ref().and_then(|v| v.as_deref()) {
        Some(text) => fields.check(name, parse(text)),
        None => Some(default),
    }
}

fn number(
    fields: &mut Fields,
    name: &str,
    value: &Field<i64>,
    check: fn(i64) -> Result<i32, Invalid>,
) -> Option<Option<i32>> {
    match value.flatten() {
        Some(n) => fields.check(name, check(n)).map(Some),
        None => Some(None),
    }
}

/// Checks every field of `input` and reports each invalid one into `fields`; `None` when any
/// is invalid. `on_price_plan` is the partner's flag, `catalogues` what codes may be used.
pub fn parse(
    input: &CustomerFields,
    on_price_plan: bool,
    catalogues: &Catalogues,
    fields: &mut Fields,
) -> Option<Record> {
    let reference = required(fields, "ref", &input.reference)
        .and_then(|r| fields.check("ref", CustomerRef::parse(r)));
    let name = required(fields, "name", &input.name)
        .and_then(|n| fields.check("name", DisplayName::parse(n)));
    let website = match non_empty(&input.website) {
        Some(w) => fields.check("website", Website::parse(w)).map(Some),
        None => Some(None),
    };
    let contact_name = match non_empty(&input.contact_name) {
        Some(n) => fields
            .check("contact_name", DisplayName::parse(n))
            .map(Some),
        None => Some(None),
    };
    let contact_email = match non_empty(&input.contact_email) {
        Some(e) => fields.check("contact_email", Email::parse(e)).map(Some),
        None => Some(None),
    };
    let termset = choice(
        fields,
        "termset",
        &input.termset,
        Termset::Group,
        Termset::parse,
    );
    let status = choice(
        fields,
        "status",
        &input.status,
        CustomerStatus::PreSales,
        CustomerStatus::parse,
    );
    let account_type = choice(
        fields,
        "account_type",
        &input.account_type,
        AccountType::Trial,
        AccountType::parse,
    );
    let account_state = choice(
        fields,
        "account_state",
        &input.account_state,
        AccountState::Active,
        AccountState::parse,
    );
    let recipient = match non_empty(&input.billing_recipient) {
        Some(r) => fields
            .check("billing_recipient", BillingRecipient::parse(r))
            .map(Some),
        None => Some(None),
    };
    let billing_recipient = match (account_type, recipient) {
        (Some(account_type), Some(recipient)) => fields.check(
            "billing_recipient",
            customer::billing(account_type, recipient),
        ),
        _ => None,
    };
    let sector = match non_empty(&input.sector) {
        Some(s) => fields
            .check("sector", catalogues.check(CatalogueKind::Sector, s))
            .map(Some),
        None => Some(None),
    };
    let plan = match non_empty(&input.product_plan) {
        Some(p) => fields
            .check(
                "product_plan",
                catalogues.check(CatalogueKind::ProductPlan, p),
            )
            .map(Some),
        None => Some(None),
    };
    let add_on_codes = input.add_ons.clone().flatten().unwrap_or_default();
    let mut add_ons = Some(Vec::new());
    for (i, code) in add_on_codes.iter().enumerate() {
        let checked = fields.check(
            &format!("add_ons[{i}]"),
            catalogues.check(CatalogueKind::AddOn, code),
        );
        add_ons = add_ons.zip(checked).map(|(mut all, code)| {
            all.push(code);
            all
        });
    }
    let offering = match (plan, add_ons) {
        (Some(plan), Some(add_ons)) => match customer::offering(on_price_plan, plan, add_ons) {
            Ok(offering) => Some(offering),
            Err((field, invalid)) => fields.check(field, Err(invalid)),
        },
        _ => None,
    };
    let domains = input.iframe_domains.clone().flatten().unwrap_or_default();
    let embedding =
        match Embedding::parse(input.iframe_embedding.flatten().unwrap_or(false), &domains) {
            Ok(embedding) => Some(embedding),
            Err(errors) => {
                for (index, invalid) in errors {
                    let field = match index {
                        Some(i) => format!("iframe_domains[{i}]"),
                        None => "iframe_domains".to_owned(),
                    };
                    fields.check::<()>(&field, Err(invalid));
                }
                None
            }
        };
    let membership_end_date = match non_empty(&input.membership_end_date) {
        Some(d) => fields.check("membership_end_date", date(d)).map(Some),
        None => Some(None),
    };
    let locations = number(fields, "locations", &input.locations, customer::count);
    let workers = number(fields, "workers", &input.workers, customer::count);
    let compliance_percent = number(
        fields,
        "compliance_percent",
        &input.compliance_percent,
        customer::percentage,
    );
    let licences = parse_licences(
        input.licences.clone().flatten().unwrap_or_default(),
        catalogues,
        fields,
    );
    Some(Record {
        reference: reference?,
        name: name?,
        active: input.active.flatten().unwrap_or(true),
        website: website?,
        contact_name: contact_name?,
        contact_email: contact_email?,
        termset: termset?,
        offering: offering?,
        sector: sector?,
        status: status?,
        requires_access_permission: input.requires_access_permission.flatten().unwrap_or(false),
        embedding: embedding?,
        membership_end_date: membership_end_date?,
        locations: locations?,
        account_type: account_type?,
        billing_recipient: billing_recipient?,
        compliance_percent: compliance_percent?,
        workers: workers?,
        licences: licences?,
        account_state: account_state?,
    })
}

fn parse_licences(
    input: Vec<LicenceFields>,
    catalogues: &Catalogues,
    fields: &mut Fields,
) -> Option<Vec<Licence>> {
    let mut licences = Some(Vec::with_capacity(input.len()));
    let mut seen: Vec<String> = Vec::new();
    for (i, licence) in input.into_iter().enumerate() {
        let at = |name: &str| format!("licences[{i}].{name}");
        let mut product = fields.check(
            &at("product"),
            catalogues.check(CatalogueKind::Product, &licence.product),
        );
        if seen.contains(&licence.product) {
            product = fields.check(
                &at("product"),
                Err(Invalid::new(
                    "duplicate",
                    "has a licence already in this list",
                )),
            );
        }
        seen.push(licence.product.clone());
        let licence_type = fields.check(
            &at("licence_type"),
            LicenceType::parse(&licence.licence_type),
        );
        let seats_used = fields.check(&at("seats_used"), customer::count(licence.seats_used));
        let seats_available = fields.check(
            &at("seats_available"),
            customer::count(licence.seats_available),
        );
        let optional_date = |fields: &mut Fields, name: &str, value: &Option<String>| match value {
            Some(d) => fields.check(&at(name), date(d)).map(Some),
            None => Some(None),
        };
        let contract_expiry = optional_date(fields, "contract_expiry", &licence.contract_expiry);
        let next_renewal = optional_date(fields, "next_renewal", &licence.next_renewal);
        let parsed = (|| {
            Some(Licence {
                product: product?,
                licence_type: licence_type?.as_str().to_owned(),
                seats_used: seats_used?,
                seats_available: seats_available?,
                contract_expiry: contract_expiry?,
                next_renewal: next_renewal?,
            })
        })();
        licences = licences.zip(parsed).map(|(mut all, licence)| {
            all.push(licence);
            all
        });
    }
    licences
}

impl Record {
    /// Writes the record's fields onto `row` (the ID, owner, counts and times stay).
    pub fn apply_to(self, row: &mut CustomerRow) {
        let (product_plan, add_ons) = match self.offering {
            Offering::ProductPlan(plan) => (Some(plan), Vec::new()),
            Offering::AddOns(add_ons) => (None, add_ons),
        };
        let mut products: Vec<&str> = self.licences.iter().map(|l| l.product.as_str()).collect();
        products.sort_unstable();
        row.reference = self.reference.into();
        row.name = self.name.into();
        row.active = self.active;
        row.website = self.website.map(String::from);
        row.contact_name = self.contact_name.map(String::from);
        row.contact_email = self.contact_email.map(String::from);
        row.termset = self.termset.as_str().to_owned();
        row.product_plan = product_plan;
        row.add_ons = to_json(&add_ons);
        row.sector = self.sector;
        row.status = self.status.rank();
        row.requires_access_permission = self.requires_access_permission;
        row.iframe_embedding = self.embedding.enabled;
        row.iframe_domains = to_json(&self.embedding.domains);
        row.membership_end_date = self.membership_end_date;
        row.locations = self.locations;
        row.account_type = self.account_type.as_str().to_owned();
        row.billing_recipient = self.billing_recipient.map(|b| b.as_str().to_owned());
        row.compliance_percent = self.compliance_percent;
        row.workers = self.workers;
        row.licensed_products = if products.is_empty() {
            String::new()
        } else {
            format!(" {} ", products.join(" "))
        };
        row.next_renewal_date = self.licences.iter().filter_map(|l| l.next_renewal).min();
        row.licences = to_json(&self.licences);
        row.account_state = self.account_state.as_str().to_owned();
    }
}

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
/// (`live_grant`) and the customer is active.
pub fn seen(row: CustomerRow, live_grant: bool) -> Customer {
    Customer {
        can_access: row.active && live_grant,
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

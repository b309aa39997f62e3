//! The customer record: the input every create and edit goes through (one parse, so a field is
//! checked the same way both times), and its conversion to the stored row.

use chrono::NaiveDate;
use domain::catalogue::CatalogueKind;
use domain::customer::{
    self, AccountState, AccountType, BillingRecipient, CustomerRef, CustomerStatus, Embedding,
    LicenceType, Offering, Termset, Website,
};
use domain::ids::{DisplayName, Email, Invalid};
use persistence::DbConnection;
use persistence::catalogue;
use persistence::customers::CustomerRow;
use serde::{Deserialize, Serialize};

use crate::error::{Fields, ServiceError};

/// A field of a partial update: absent (`None`), cleared with `null` (`Some(None)`) or set.
pub type Field<T> = Option<Option<T>>;

/// A customer's fields as sent. On create `id`, `ref` and `name` are required and the rest
/// default; on update only the fields sent change and `null` clears an optional one (`id` can
/// never change).
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub id: Field<String>,
    pub reference: Field<String>,
    pub name: Field<String>,
    pub active: Field<bool>,
    pub website: Field<String>,
    pub contact_name: Field<String>,
    pub contact_email: Field<String>,
    pub termset: Field<String>,
    pub product_plan: Field<String>,
    pub add_ons: Field<Vec<String>>,
    pub sector: Field<String>,
    pub status: Field<String>,
    pub requires_access_permission: Field<bool>,
    pub iframe_embedding: Field<bool>,
    pub iframe_domains: Field<Vec<String>>,
    pub membership_end_date: Field<String>,
    pub locations: Field<i64>,
    pub account_type: Field<String>,
    pub billing_recipient: Field<String>,
    pub compliance_percent: Field<i64>,
    pub workers: Field<i64>,
    pub licences: Field<Vec<LicenceInput>>,
    pub account_state: Field<String>,
}

/// A licence as sent (seats used is counted from the seats held, never sent).
#[derive(Debug, Clone)]
pub struct LicenceInput {
    pub product: String,
    pub licence_type: String,
    pub seats_available: i64,
    pub contract_expiry: Option<String>,
    pub next_renewal: Option<String>,
}

/// A licence as stored (the customer row keeps the list as JSON) and answered; `seats_used`
/// is the count of its seats held, kept by [`super::licences`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub product: String,
    pub licence_type: String,
    pub seats_used: i32,
    pub seats_available: i32,
    pub contract_expiry: Option<NaiveDate>,
    pub next_renewal: Option<NaiveDate>,
}

impl CustomerInput {
    /// `self` with every field that `changes` carries taken from `changes`.
    pub fn overlay(mut self, changes: CustomerInput) -> CustomerInput {
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

impl From<&CustomerRow> for CustomerInput {
    fn from(row: &CustomerRow) -> Self {
        let text = |s: &Option<String>| Some(s.clone());
        CustomerInput {
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
                    .map(|l| LicenceInput {
                        product: l.product,
                        licence_type: l.licence_type,
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

pub fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub fn licences_of(row: &CustomerRow) -> Vec<Licence> {
    serde_json::from_str(&row.licences).unwrap_or_default()
}

/// A value as the customer row keeps it: JSON text.
pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// The catalogue codes a record may use: active ones, and retired ones it already had.
pub struct Catalogues {
    items: Vec<(String, String, bool)>,
    previous: Vec<(String, String)>,
}

impl Catalogues {
    pub fn load(
        conn: &mut DbConnection,
        previous: Option<&CustomerRow>,
    ) -> Result<Self, ServiceError> {
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
        fields.refuse(name, Invalid::new("required", "is required"));
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

/// The record's names and contact details.
#[allow(clippy::type_complexity)]
fn contact(
    input: &CustomerInput,
    fields: &mut Fields,
) -> (
    Option<CustomerRef>,
    Option<DisplayName>,
    Option<Option<Website>>,
    Option<Option<DisplayName>>,
    Option<Option<Email>>,
) {
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
    (reference, name, website, contact_name, contact_email)
}

/// Where the customer stands: its termset, status, account type and state, who is billed.
#[allow(clippy::type_complexity)]
fn lifecycle(
    input: &CustomerInput,
    fields: &mut Fields,
) -> (
    Option<Termset>,
    Option<CustomerStatus>,
    Option<AccountType>,
    Option<AccountState>,
    Option<Option<BillingRecipient>>,
) {
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
    (
        termset,
        status,
        account_type,
        account_state,
        billing_recipient,
    )
}

/// The sector, and the product plan or add-ons the partner's price plan asks for.
fn offering(
    input: &CustomerInput,
    on_price_plan: bool,
    catalogues: &Catalogues,
    fields: &mut Fields,
) -> (Option<Option<String>>, Option<Offering<String>>) {
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
    (sector, offering)
}

/// Whether the customer's pages may be embedded, and where.
fn embedding(input: &CustomerInput, fields: &mut Fields) -> Option<Embedding> {
    let domains = input.iframe_domains.clone().flatten().unwrap_or_default();
    match Embedding::parse(input.iframe_embedding.flatten().unwrap_or(false), &domains) {
        Ok(embedding) => Some(embedding),
        Err(errors) => {
            for (index, invalid) in errors {
                let field = match index {
                    Some(i) => format!("iframe_domains[{i}]"),
                    None => "iframe_domains".to_owned(),
                };
                fields.refuse(&field, invalid);
            }
            None
        }
    }
}

/// Checks every field of `input` and reports each invalid one into `fields`; `None` when any
/// is invalid. `on_price_plan` is the partner's flag, `catalogues` what codes may be used.
pub fn parse(
    input: &CustomerInput,
    on_price_plan: bool,
    catalogues: &Catalogues,
    fields: &mut Fields,
) -> Option<Record> {
    let (reference, name, website, contact_name, contact_email) = contact(input, fields);
    let (termset, status, account_type, account_state, billing_recipient) =
        lifecycle(input, fields);
    let (sector, offering) = offering(input, on_price_plan, catalogues, fields);
    let embedding = embedding(input, fields);
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
    input: Vec<LicenceInput>,
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
                // Counted from the seats held when the record is stored.
                seats_used: 0,
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

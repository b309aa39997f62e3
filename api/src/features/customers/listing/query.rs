//! The listing's query language, as the API spells it.
//!
//! Filters: text columns match when they *contain* the text (any case); choices and flags
//! match *one of* a comma-separated list (`none` matches an empty choice); numbers and dates
//! take `_min`/`_max` and `_from`/`_to` bounds, both inclusive. `sort` names up to three
//! columns, each with `-` first for descending; ties are broken by ID in the last one's
//! direction, and the page cursor holds every key.

use actix_web::web;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use domain::customer::{AccountState, AccountType, BillingRecipient, CustomerStatus, Termset};
use domain::ids::Invalid;
use persistence::customer_listing::{
    After, Column, Filter, Kind, MAX_SORT_KEYS, Sort, SortKey, Value,
};
use persistence::customers::CustomerRow;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::paging::{self, PageQuery};

/// The listing's filters and sort; the exports take the same.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Customer ID contains.
    pub id: Option<String>,
    /// Name contains.
    pub name: Option<String>,
    /// Customer ref contains.
    #[serde(rename = "ref")]
    #[param(rename = "ref")]
    pub reference: Option<String>,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    /// `true`, `false`, or both.
    #[param(example = "true")]
    pub active: Option<String>,
    /// One or more statuses, comma-separated.
    #[param(example = "onboarding,handholding")]
    pub status: Option<String>,
    /// Product plan codes; `none` for customers without one.
    pub product_plan: Option<String>,
    /// Sector codes; `none` for customers without one.
    pub sector: Option<String>,
    /// group, practice, franchise.
    pub termset: Option<String>,
    /// trial, paid, free.
    pub account_type: Option<String>,
    /// client, partner; `none` for unpaid accounts.
    pub billing_recipient: Option<String>,
    /// active, suspended.
    pub account_state: Option<String>,
    pub requires_access_permission: Option<String>,
    pub iframe_embedding: Option<String>,
    /// Customers licensed for one of these product codes.
    pub product: Option<String>,
    pub locations_min: Option<String>,
    pub locations_max: Option<String>,
    pub workers_min: Option<String>,
    pub workers_max: Option<String>,
    pub compliance_percent_min: Option<String>,
    pub compliance_percent_max: Option<String>,
    /// Active entities in total.
    pub entities_min: Option<String>,
    pub entities_max: Option<String>,
    /// Active users in total.
    pub users_min: Option<String>,
    pub users_max: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub membership_end_date_from: Option<String>,
    pub membership_end_date_to: Option<String>,
    pub next_renewal_date_from: Option<String>,
    pub next_renewal_date_to: Option<String>,
    pub last_login_at_from: Option<String>,
    pub last_login_at_to: Option<String>,
    pub created_at_from: Option<String>,
    pub created_at_to: Option<String>,
    /// Up to three column names, comma-separated, each with `-` first for descending
    /// (`name` by default; `account_type,name` is seed 003's order; ties end by ID): id, name, ref, active,
    /// status, product_plan, sector, termset, website, contact_name, contact_email,
    /// requires_access_permission, iframe_embedding, membership_end_date, locations,
    /// account_type, billing_recipient, compliance_percent, workers, next_renewal_date,
    /// account_state, last_login_at, created_at, updated_at, entities, users.
    #[param(example = "account_type,-status")]
    pub sort: Option<String>,
}

/// The listing's own parameters, beside the filters: which page, and whether to count.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListingPage {
    /// `true` adds the number of matching customers over all pages.
    pub total: Option<bool>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u16>,
}

const PAGE_PARAMETERS: [&str; 3] = ["total", "after", "limit"];

/// Splits the listing's query string into its filters and its page parameters; each part
/// refuses what it does not know, naming it.
pub(super) fn split_query(query: &str) -> Result<(CustomerQuery, ListingPage), ApiError> {
    let invalid = |e: actix_web::error::QueryPayloadError| ApiError::InvalidQuery(e.to_string());
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query).map_err(invalid)?;
    let (page, filters): (Vec<_>, Vec<_>) = pairs
        .into_inner()
        .into_iter()
        .partition(|(key, _)| PAGE_PARAMETERS.contains(&key.as_str()));
    let encode = |pairs: Vec<(String, String)>| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    let filters = web::Query::<CustomerQuery>::from_query(&encode(filters)).map_err(invalid)?;
    let page = web::Query::<ListingPage>::from_query(&encode(page)).map_err(invalid)?;
    Ok((filters.into_inner(), page.into_inner()))
}

const COLUMNS: &[(&str, Column)] = &[
    ("id", Column::Id),
    ("name", Column::Name),
    ("ref", Column::Ref),
    ("active", Column::Active),
    ("status", Column::Status),
    ("product_plan", Column::ProductPlan),
    ("sector", Column::Sector),
    ("termset", Column::Termset),
    ("website", Column::Website),
    ("contact_name", Column::ContactName),
    ("contact_email", Column::ContactEmail),
    (
        "requires_access_permission",
        Column::RequiresAccessPermission,
    ),
    ("iframe_embedding", Column::IframeEmbedding),
    ("membership_end_date", Column::MembershipEndDate),
    ("locations", Column::Locations),
    ("account_type", Column::AccountType),
    ("billing_recipient", Column::BillingRecipient),
    ("compliance_percent", Column::CompliancePercent),
    ("workers", Column::Workers),
    ("next_renewal_date", Column::NextRenewalDate),
    ("account_state", Column::AccountState),
    ("last_login_at", Column::LastLoginAt),
    ("created_at", Column::CreatedAt),
    ("updated_at", Column::UpdatedAt),
    ("entities", Column::Entities),
    ("users", Column::Users),
];

/// A parameter's value, or `None` when it is absent or empty (`?sector=` filters nothing, as
/// forms send empty fields).
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad(param: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::InvalidQuery(format!("`{param}`: {message}"))
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|v| !v.is_empty())
}

/// A comma-separated list of choices, each checked by `parse`; `none` means empty where
/// `nullable`.
fn one_of(
    filters: &mut Vec<Filter>,
    param: &str,
    column: Column,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<Value, Invalid>,
) -> Result<(), ApiError> {
    let Some(value) = given(value) else {
        return Ok(());
    };
    let mut values = Vec::new();
    let mut none = false;
    for word in list(value) {
        if word == "none" && column.nullable() {
            none = true;
        } else {
            values.push(parse(word).map_err(|e| bad(param, e.message))?);
        }
    }
    match (values.is_empty(), none) {
        (true, true) => filters.push(Filter::Empty(column, true)),
        (false, false) => filters.push(Filter::OneOf(column, values)),
        (false, true) => {
            // "empty or one of": the complement of "set and none of them" is not expressible
            // as one filter, so "none" alone or values alone only.
            return Err(bad(param, "combine `none` with no other value"));
        }
        (true, false) => return Err(bad(param, "names no value")),
    }
    Ok(())
}

fn text(word: &str) -> Result<Value, Invalid> {
    Ok(Value::Text(word.to_owned()))
}

fn choice<T>(
    parse: fn(&str) -> Result<T, Invalid>,
    spell: fn(T) -> &'static str,
) -> impl Fn(&str) -> Result<Value, Invalid> {
    move |word| parse(word).map(|v| Value::Text(spell(v).to_owned()))
}

fn flag(word: &str) -> Result<Value, Invalid> {
    match word {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        _ => Err(Invalid::new("flag", "must be true, false or both")),
    }
}

fn date(param: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad(param, "must be a date YYYY-MM-DD"))
}

impl CustomerQuery {
    /// The filters, checked: a bad value answers 400 naming its parameter.
    pub fn filters(&self) -> Result<Vec<Filter>, ApiError> {
        let mut filters = Vec::new();
        self.text_filters(&mut filters)?;
        self.choice_filters(&mut filters)?;
        self.number_filters(&mut filters)?;
        self.date_filters(&mut filters)?;
        Ok(filters)
    }

    /// "Contains" on the text columns.
    fn text_filters(&self, filters: &mut Vec<Filter>) -> Result<(), ApiError> {
        for (param, column, value) in [
            ("id", Column::Id, &self.id),
            ("name", Column::Name, &self.name),
            ("ref", Column::Ref, &self.reference),
            ("website", Column::Website, &self.website),
            ("contact_name", Column::ContactName, &self.contact_name),
            ("contact_email", Column::ContactEmail, &self.contact_email),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                if value.chars().count() > 200 {
                    return Err(bad(param, "is longer than 200 characters"));
                }
                filters.push(Filter::Contains(column, value.trim().to_owned()));
            }
        }
        Ok(())
    }

    /// "One of" on the choices and flags, and the licensed products.
    fn choice_filters(&self, f: &mut Vec<Filter>) -> Result<(), ApiError> {
        one_of(f, "active", Column::Active, &self.active, flag)?;
        one_of(
            f,
            "requires_access_permission",
            Column::RequiresAccessPermission,
            &self.requires_access_permission,
            flag,
        )?;
        one_of(
            f,
            "iframe_embedding",
            Column::IframeEmbedding,
            &self.iframe_embedding,
            flag,
        )?;
        one_of(f, "status", Column::Status, &self.status, |w| {
            CustomerStatus::parse(w).map(|s| Value::Int(s.rank()))
        })?;
        one_of(
            f,
            "product_plan",
            Column::ProductPlan,
            &self.product_plan,
            text,
        )?;
        one_of(f, "sector", Column::Sector, &self.sector, text)?;
        one_of(
            f,
            "termset",
            Column::Termset,
            &self.termset,
            choice(Termset::parse, Termset::as_str),
        )?;
        one_of(
            f,
            "account_type",
            Column::AccountType,
            &self.account_type,
            choice(AccountType::parse, AccountType::as_str),
        )?;
        one_of(
            f,
            "billing_recipient",
            Column::BillingRecipient,
            &self.billing_recipient,
            choice(BillingRecipient::parse, BillingRecipient::as_str),
        )?;
        one_of(
            f,
            "account_state",
            Column::AccountState,
            &self.account_state,
            choice(AccountState::parse, AccountState::as_str),
        )?;
        if let Some(products) = given(&self.product) {
            let codes: Vec<String> = list(products).map(str::to_owned).collect();
            if codes.is_empty() || codes.iter().any(|c| c.contains([' ', '%', '_'])) {
                return Err(bad("product", "must list product codes"));
            }
            f.push(Filter::LicensedProduct(codes));
        }
        Ok(())
    }

    /// Inclusive bounds on the numbers.
    fn number_filters(&self, f: &mut Vec<Filter>) -> Result<(), ApiError> {
        for (name, column, min, max) in [
            (
                "locations",
                Column::Locations,
                &self.locations_min,
                &self.locations_max,
            ),
            (
                "workers",
                Column::Workers,
                &self.workers_min,
                &self.workers_max,
            ),
            (
                "compliance_percent",
                Column::CompliancePercent,
                &self.compliance_percent_min,
                &self.compliance_percent_max,
            ),
            (
                "entities",
                Column::Entities,
                &self.entities_min,
                &self.entities_max,
            ),
            ("users", Column::Users, &self.users_min, &self.users_max),
        ] {
            let number = |suffix: &str, text: &str| {
                text.trim()
                    .parse::<i32>()
                    .map(Value::Int)
                    .map_err(|_| bad(&format!("{name}_{suffix}"), "must be a whole number"))
            };
            if let Some(min) = given(min) {
                f.push(Filter::AtLeast(column, number("min", min)?));
            }
            if let Some(max) = given(max) {
                f.push(Filter::AtMost(column, number("max", max)?));
            }
        }
        Ok(())
    }

    /// Inclusive bounds on the dates and times, by day.
    fn date_filters(&self, f: &mut Vec<Filter>) -> Result<(), ApiError> {
        for (name, column, from, to) in [
            (
                "membership_end_date",
                Column::MembershipEndDate,
                &self.membership_end_date_from,
                &self.membership_end_date_to,
            ),
            (
                "next_renewal_date",
                Column::NextRenewalDate,
                &self.next_renewal_date_from,
                &self.next_renewal_date_to,
            ),
            (
                "last_login_at",
                Column::LastLoginAt,
                &self.last_login_at_from,
                &self.last_login_at_to,
            ),
            (
                "created_at",
                Column::CreatedAt,
                &self.created_at_from,
                &self.created_at_to,
            ),
        ] {
            let as_value = |day: NaiveDate, end: bool| match column.kind() {
                Kind::Time => Value::Time(NaiveDateTime::new(
                    day,
                    if end {
                        NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or_default()
                    } else {
                        NaiveTime::MIN
                    },
                )),
                _ => Value::Date(day),
            };
            if let Some(from) = given(from) {
                let day = date(&format!("{name}_from"), from)?;
                f.push(Filter::AtLeast(column, as_value(day, false)));
            }
            if let Some(to) = given(to) {
                let day = date(&format!("{name}_to"), to)?;
                f.push(Filter::AtMost(column, as_value(day, true)));
            }
        }
        Ok(())
    }

    /// The sort: up to three column names, comma-separated, each with `-` first for
    /// descending (`account_type,-name`).
    pub fn sort(&self) -> Result<Sort, ApiError> {
        let text = given(&self.sort).unwrap_or("name");
        let mut keys = Vec::new();
        for part in text.split(',') {
            let (descending, name) = match part.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, part),
            };
            let column = COLUMNS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| *c)
                .ok_or_else(|| bad("sort", format!("`{name}` is not a column of the listing")))?;
            if keys.iter().any(|k: &SortKey| k.column == column) {
                return Err(bad("sort", format!("`{name}` is named twice")));
            }
            keys.push(SortKey { column, descending });
        }
        if keys.len() > MAX_SORT_KEYS {
            return Err(bad(
                "sort",
                format!("at most {MAX_SORT_KEYS} columns, not {}", keys.len()),
            ));
        }
        let mut sort = Sort::by(keys[0].column, keys[0].descending);
        for (slot, key) in sort.then.iter_mut().zip(keys.into_iter().skip(1)) {
            *slot = Some(key);
        }
        Ok(sort)
    }
}

impl ListingPage {
    pub fn limit(&self) -> Result<i64, ApiError> {
        PageQuery {
            after: None,
            limit: self.limit,
        }
        .limit()
    }

    /// Where the page starts: the cursor also names its sort, so it cannot be reused with
    /// another one.
    pub fn after(&self, sort: Sort) -> Result<Option<After>, ApiError> {
        let Some(cursor) = given(&self.after) else {
            return Ok(None);
        };
        let (sort_name, values, id): (String, Vec<serde_json::Value>, String) =
            paging::decode_value(cursor)?;
        if sort_name != sort_name_of(sort) || values.len() != sort.keys().count() {
            return Err(paging::not_a_cursor());
        }
        let mut keys = Vec::with_capacity(values.len());
        for (key, value) in sort.keys().zip(values) {
            keys.push(match value {
                serde_json::Value::Null => None,
                value => Some(
                    value_from_json(key.column.kind(), value).ok_or_else(paging::not_a_cursor)?,
                ),
            });
        }
        Ok(Some(After { keys, id }))
    }
}

/// The sort as the query string names it, `account_type,-name`.
fn sort_name_of(sort: Sort) -> String {
    let names: Vec<String> = sort
        .keys()
        .map(|key| {
            let name = COLUMNS
                .iter()
                .find(|(_, c)| *c == key.column)
                .map_or("", |(n, _)| *n);
            if key.descending {
                format!("-{name}")
            } else {
                name.to_owned()
            }
        })
        .collect();
    names.join(",")
}

fn value_to_json(value: Option<Value>) -> serde_json::Value {
    match value {
        None => serde_json::Value::Null,
        Some(Value::Text(t)) => t.into(),
        Some(Value::Int(n)) => n.into(),
        Some(Value::Bool(b)) => b.into(),
        Some(Value::Date(d)) => d.to_string().into(),
        Some(Value::Time(t)) => t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string().into(),
    }
}

fn value_from_json(kind: Kind, json: serde_json::Value) -> Option<Value> {
    Some(match kind {
        Kind::Text => Value::Text(json.as_str()?.to_owned()),
        Kind::Int => Value::Int(i32::try_from(json.as_i64()?).ok()?),
        Kind::Bool => Value::Bool(json.as_bool()?),
        Kind::Date => Value::Date(json.as_str()?.parse().ok()?),
        Kind::Time => {
            Value::Time(NaiveDateTime::parse_from_str(json.as_str()?, "%Y-%m-%dT%H:%M:%S%.f").ok()?)
        }
    })
}

/// The cursor that starts the page after `row`.
pub fn cursor_after(sort: Sort, row: &CustomerRow) -> String {
    let keys: Vec<serde_json::Value> = sort.key_of(row).into_iter().map(value_to_json).collect();
    paging::encode_value(&serde_json::json!([sort_name_of(sort), keys, row.id]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn column() -> impl Strategy<Value = (Column, Kind)> {
        proptest::sample::select(COLUMNS.to_vec()).prop_map(|(_, c)| (c, c.kind()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn filters_from_any_text_are_checked_never_a_panic(
            text in "\\PC{0,30}", number in "\\PC{0,12}", sort in "\\PC{0,20}",
        ) {
            let query = CustomerQuery {
                name: Some(text.clone()),
                status: Some(text.clone()),
                active: Some(text.clone()),
                sector: Some(text.clone()),
                product: Some(text.clone()),
                locations_min: Some(number.clone()),
                membership_end_date_to: Some(number),
                last_login_at_from: Some(text.clone()),
                sort: Some(sort),
                ..CustomerQuery::default()
            };
            let _ = query.filters();
            let page = ListingPage { after: Some(text.clone()), ..ListingPage::default() };
            if let Ok(sort) = query.sort() {
                let _ = page.after(sort);
            }
            let _ = split_query(&text);
        }

        #[test]
        fn cursor_values_round_trip((column, kind) in column(), text in "\\PC{0,20}", n in any::<i32>(), flag in any::<bool>(), secs in 0i64..4_000_000_000) {
            let time = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default().naive_utc();
            let value = match kind {
                Kind::Text => Value::Text(text),
                Kind::Int => Value::Int(n),
                Kind::Bool => Value::Bool(flag),
                Kind::Date => Value::Date(time.date()),
                Kind::Time => Value::Time(time),
            };
            let json = value_to_json(Some(value.clone()));
            prop_assert_eq!(value_from_json(column.kind(), json), Some(value));
        }
    }
}

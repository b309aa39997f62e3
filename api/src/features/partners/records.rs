//! Partners (seed 000 "Partners"): the HTTP side of [`services::partners::records`].

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::ids::{DisplayName, Email, Logon};
use persistence::partners::{PartnerFilter, PartnerSort};
use serde::{Deserialize, Serialize};
use services::partners::records::{self as cases, PartnerView};
use services::users::onboarding::{self, Person};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, Fields};
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
    cfg.service(create_partner)
        .service(list_partners)
        .service(get_partner)
        .service(update_partner);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "PARTACME", "name": "Acme Accountants", "email": "office@acme.example", "admin": {"name": "Ana Byrne", "email": "ana@acme.example"}}))]
pub struct NewPartner {
    /// `PART` and 1–16 letters or digits; stored upper-case.
    #[schema(example = "PARTACME", pattern = "^[Pp][Aa][Rr][Tt][A-Za-z0-9]{1,16}$")]
    pub id: String,
    #[schema(example = "Acme Accountants")]
    pub name: String,
    #[schema(example = "office@acme.example")]
    pub email: String,
    /// The partner's first admin, who is sent an invitation.
    pub admin: NewUser,
    /// Its customers get a product plan instead of add-ons. Default `false`.
    pub on_price_plan: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ana Byrne", "email": "ana@acme.example"}))]
pub struct NewUser {
    #[schema(example = "Ana Byrne")]
    pub name: String,
    #[schema(example = "ana@acme.example")]
    pub email: String,
    /// Defaults to the email address.
    #[schema(example = "ana")]
    pub logon: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Partner {
    #[schema(example = "PARTACME")]
    pub id: String,
    #[schema(example = "Acme Accountants")]
    pub name: String,
    #[schema(example = "office@acme.example")]
    pub email: String,
    pub active: bool,
    /// Its customers get a product plan (set by the platform); otherwise add-ons.
    pub on_price_plan: bool,
    /// Where its customers' support requests go instead of the platform's.
    pub support_email: Option<String>,
    /// The "Powered by" link in the hub header.
    pub powered_by_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl NewUser {
    /// The new user's name, email and logon (the email when none is given), each invalid one
    /// recorded under `prefix` + its field name.
    pub fn parse(&self, fields: &mut Fields, prefix: &str) -> Option<(DisplayName, Email, Logon)> {
        onboarding::parse_person(
            fields,
            prefix,
            &self.name,
            &self.email,
            self.logon.as_deref(),
        )
    }
}

impl From<PartnerView> for Partner {
    fn from(view: PartnerView) -> Self {
        Partner {
            id: view.id,
            name: view.name,
            email: view.email,
            active: view.active,
            on_price_plan: view.on_price_plan,
            support_email: view.support_email,
            powered_by_url: view.powered_by_url,
            created_at: view.created_at,
            updated_at: view.updated_at,
        }
    }
}

impl From<NewUser> for Person {
    fn from(body: NewUser) -> Self {
        Person {
            name: body.name,
            email: body.email,
            logon: body.logon,
        }
    }
}

impl From<NewPartner> for cases::NewPartner {
    fn from(body: NewPartner) -> Self {
        cases::NewPartner {
            id: body.id,
            name: body.name,
            email: body.email,
            admin: body.admin.into(),
            on_price_plan: body.on_price_plan,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerListQuery {
    /// Only active (`true`) or inactive (`false`) partners.
    pub active: Option<bool>,
    /// Only partners whose name or ID contains this text, in any case.
    pub q: Option<String>,
    /// `name` (default) or `id`; a leading `-` sorts descending.
    #[param(example = "-name")]
    pub sort: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerPage {
    pub items: Vec<Partner>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"support_email": "help@acme.example", "powered_by_url": "https://acme.example/about"}))]
pub struct PartnerChanges {
    /// Platform admins only.
    pub name: Option<String>,
    /// The partner's own admins may change it too.
    pub email: Option<String>,
    /// Platform admins only. `false` ends every session of the partner's users at once,
    /// including their sessions inside customers.
    pub active: Option<bool>,
    /// Platform admins only. Customers keep their plan or add-ons until their next edit, which
    /// must then give what the new setting asks for.
    pub on_price_plan: Option<bool>,
    /// Where its customers' support requests go (the partner's admins may change it); `""`
    /// clears it.
    pub support_email: Option<String>,
    /// The "Powered by" link (the partner's admins may change it); `""` clears it.
    pub powered_by_url: Option<String>,
}

impl From<PartnerChanges> for cases::PartnerChanges {
    fn from(body: PartnerChanges) -> Self {
        cases::PartnerChanges {
            name: body.name,
            email: body.email,
            active: body.active,
            on_price_plan: body.on_price_plan,
            support_email: body.support_email,
            powered_by_url: body.powered_by_url,
        }
    }
}

/// Create a partner and invite its first admin.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    request_body = NewPartner,
    responses(
        (status = 201, description = "Created; the admin's invitation is on its way", body = Partner,
         headers(("Location" = String, description = "The new partner's URL"))),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins create partners"),
        (status = 409, description = "The partner ID is taken"),
    ),
)]
#[post("/partners")]
async fn create_partner(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewPartner>,
) -> Result<HttpResponse, ApiError> {
    let platform = cases::platform(&caller)?;
    let input = body.into_inner()?.into();
    let now = state.clock.now();
    let partner: Partner = state
        .transaction(move |state, conn| {
            cases::create(
                conn,
                &state.settings,
                &state.keys,
                &caller,
                platform,
                &input,
                now,
            )
        })
        .await?
        .into();
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/partners/{}", partner.id)))
        .json(partner))
}

/// List partners: filter by active flag or text, sort by name or ID.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(PartnerListQuery, PageQuery),
    responses(
        (status = 200, description = "A page of partners", body = PartnerPage),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only platform admins list partners"),
    ),
)]
#[get("/partners")]
async fn list_partners(
    state: web::Data<AppState>,
    caller: Caller,
    list: web::Query<PartnerListQuery>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<PartnerPage>, ApiError> {
    let platform = cases::platform(&caller)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let sort_param = list
        .sort
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("name");
    let (descending, key) = match sort_param.strip_prefix('-') {
        Some(key) => (true, key),
        None => (false, sort_param),
    };
    let sort = match key {
        "name" => PartnerSort::Name,
        "id" => PartnerSort::Id,
        _ => {
            return Err(ApiError::InvalidQuery(format!(
                "sort `{sort_param}` is not one of name, -name, id, -id"
            )));
        }
    };
    let filter = PartnerFilter {
        active: list.active,
        contains: list.q.clone().filter(|q| !q.trim().is_empty()),
    };
    let rows = state
        .read(move |_, conn| {
            let after = after.as_ref().map(|(k, i)| (k.as_str(), i.as_str()));
            cases::list(conn, platform, &filter, sort, descending, after, limit + 1)
        })
        .await?;
    let (rows, next) = paging::page(rows, limit, |row| match sort {
        PartnerSort::Name => (&row.name, &row.id),
        PartnerSort::Id => (&row.id, &row.id),
    });
    let items = rows.into_iter().map(Partner::from).collect();
    Ok(web::Json(PartnerPage { items, next }))
}

/// Read one partner.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, description = "The partner's ID", example = "PARTACME")),
    responses(
        (status = 200, description = "The partner", body = Partner),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller's role may not read partner records"),
        (status = 404, description = "No such partner"),
    ),
)]
#[get("/partners/{partner_id}")]
async fn get_partner(
    state: web::Data<AppState>,
    caller: Caller,
    partner_id: web::Path<String>,
) -> Result<web::Json<Partner>, ApiError> {
    let partner = cases::readable(&caller, &partner_id)?;
    let view = state
        .read(move |_, conn| cases::get(conn, &partner))
        .await?;
    Ok(web::Json(view.into()))
}

/// Edit a partner: name, active flag and price plan (platform admins); email, support email
/// and "Powered by" URL (also the partner's admins).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("partner_id" = String, Path, description = "The partner's ID", example = "PARTACME")),
    request_body = PartnerChanges,
    responses(
        (status = 200, description = "The updated partner", body = Partner),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller's role may not change these fields"),
        (status = 404, description = "No such partner"),
    ),
)]
#[patch("/partners/{partner_id}")]
async fn update_partner(
    state: web::Data<AppState>,
    caller: Caller,
    partner_id: web::Path<String>,
    body: JsonBody<PartnerChanges>,
) -> Result<web::Json<Partner>, ApiError> {
    let partner = cases::readable(&caller, &partner_id)?;
    let changes = cases::check_changes(&caller, &body.into_inner()?.into())?;
    let now = state.clock.now();
    let view = state
        .transaction(move |_, conn| cases::update(conn, &caller, &partner, &changes, now))
        .await?;
    Ok(web::Json(view.into()))
}

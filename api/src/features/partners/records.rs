//! Partners, as the platform manages them: create one together with its first admin (who is
//! invited), list them, read one.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use domain::customer::Website;
use domain::ids::{AccountId, DisplayName, Email, Logon, PartnerId};
use domain::policy::Action;
use domain::role::Role;
use persistence::partners::{self, PartnerFilter, PartnerRow, PartnerSort};
use persistence::sessions;
use persistence::time::{from_db, to_db};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, Fields};
use crate::extract::JsonBody;
use crate::paging::{self, PageQuery};
use crate::state::AppState;
use services::audit::{self, Change};
use services::users::onboarding::{self, Invitee};

pub fn configure(cfg: &mut ServiceConfig) {
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

impl From<PartnerRow> for Partner {
    fn from(row: PartnerRow) -> Self {
        Partner {
            id: row.id,
            name: row.name,
            email: row.email,
            active: row.active,
            on_price_plan: row.on_price_plan,
            support_email: row.support_email,
            powered_by_url: row.powered_by_url,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
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
    caller.authorize(Action::ManagePartners, "partner")?;
    let body = body.into_inner()?;
    let mut fields = Fields::default();
    let id = fields.check("id", PartnerId::parse(&body.id));
    let name = fields.check("name", DisplayName::parse(&body.name));
    let email = fields.check("email", Email::parse(&body.email));
    let admin = body.admin.parse(&mut fields, "admin.");
    let complete = (|| Some((id?, name?, email?, admin?)))();
    let (id, name, email, (admin_name, admin_email, admin_logon)) = fields.conclude(complete)?;

    let now = state.clock.now();
    let partner = state
        .transaction(move |state, conn| {
            if partners::find(conn, id.as_str())?.is_some() {
                return Err(ApiError::rule(
                    ErrorCode::PartnerIdTaken,
                    format!("A partner with ID {id} already exists."),
                ));
            }
            let row = PartnerRow {
                id: id.to_string(),
                name: name.to_string(),
                email: email.to_string(),
                active: true,
                created_at: to_db(now),
                updated_at: to_db(now),
                on_price_plan: body.on_price_plan.unwrap_or(false),
                support_email: None,
                powered_by_url: None,
            };
            partners::insert(conn, &row)?;
            let by = caller.by(now);
            audit::record(
                conn,
                by,
                Change {
                    action: "partner.created",
                    target_type: "partner",
                    target_id: &row.id,
                    partner_id: Some(&row.id),
                    after: audit::snapshot(&Partner::from(row.clone())),
                    ..Change::default()
                },
            )?;
            onboarding::invite(
                conn,
                &state.settings,
                by,
                Invitee {
                    account: AccountId::Partner(id.clone()),
                    role: Role::PartnerAdmin,
                    name: admin_name.clone(),
                    email: admin_email.clone(),
                    logon: admin_logon.clone(),
                },
            )?;
            Ok(Partner::from(row))
        })
        .await?;
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
    caller.authorize(Action::ManagePartners, "partner")?;
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
            Ok::<_, ApiError>(partners::list(
                conn,
                &filter,
                sort,
                descending,
                after,
                limit + 1,
            )?)
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
    let id = PartnerId::parse(&partner_id).map_err(|_| ApiError::NotFound("partner"))?;
    caller.authorize(Action::ViewPartner(&id), "partner")?;
    let row = web::block(move || {
        state
            .db
            .read(|conn| Ok::<_, ApiError>(partners::find(conn, id.as_str())?))
    })
    .await??;
    row.map(|row| web::Json(Partner::from(row)))
        .ok_or(ApiError::NotFound("partner"))
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
    let id = PartnerId::parse(&partner_id).map_err(|_| ApiError::NotFound("partner"))?;
    caller.authorize(Action::ViewPartner(&id), "partner")?;
    let changes = body.into_inner()?;
    if changes.name.is_some() || changes.active.is_some() || changes.on_price_plan.is_some() {
        caller.authorize(Action::ManagePartners, "partner")?;
    }
    let mut fields = Fields::default();
    let name = fields.optional("name", changes.name.as_deref(), DisplayName::parse);
    let email = fields.optional("email", changes.email.as_deref(), Email::parse);
    let support_email = fields.optional("support_email", changes.support_email.as_deref(), |e| {
        if e.trim().is_empty() {
            Ok(None)
        } else {
            Email::parse(e).map(Some)
        }
    });
    let powered_by_url =
        fields.optional("powered_by_url", changes.powered_by_url.as_deref(), |u| {
            if u.trim().is_empty() {
                Ok(None)
            } else {
                Website::parse(u).map(Some)
            }
        });
    fields.finish()?;
    let now = state.clock.now();
    let partner = state
        .transaction(move |_, conn| {
            let before = partners::find(conn, id.as_str())?.ok_or(ApiError::NotFound("partner"))?;
            let mut after = before.clone();
            if let Some(name) = &name {
                after.name = name.to_string();
            }
            if let Some(email) = &email {
                after.email = email.to_string();
            }
            if let Some(active) = changes.active {
                after.active = active;
            }
            if let Some(support_email) = &support_email {
                after.support_email = support_email.as_ref().map(Email::to_string);
            }
            if let Some(powered_by_url) = &powered_by_url {
                after.powered_by_url = powered_by_url.as_ref().map(Website::to_string);
            }
            if let Some(on_price_plan) = changes.on_price_plan {
                after.on_price_plan = on_price_plan;
            }
            if after == before {
                return Ok::<_, ApiError>(Partner::from(after));
            }
            after.updated_at = to_db(now);
            partners::update(conn, &after)?;
            if before.active && !after.active {
                sessions::revoke_all_for_account(
                    conn,
                    &after.id,
                    "partner_deactivated",
                    to_db(now),
                )?;
            }
            audit::record(
                conn,
                caller.by(now),
                Change {
                    action: "partner.updated",
                    target_type: "partner",
                    target_id: &after.id,
                    partner_id: Some(&after.id),
                    before: audit::snapshot(&Partner::from(before.clone())),
                    after: audit::snapshot(&Partner::from(after.clone())),
                    ..Change::default()
                },
            )?;
            Ok(Partner::from(after))
        })
        .await?;
    Ok(web::Json(partner))
}

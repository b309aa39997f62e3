//! The caller's own profile: who am I, in which account, and what may I do.

use actix_web::{get, web};
use domain::ids::AccountId;
use domain::policy::{self, Action, Decision};
use persistence::{partners, users};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_me);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: MeUser,
    pub account: MeAccount,
    /// What the caller may do, so that a front end can build its menus.
    #[schema(example = json!(["manage_partners"]))]
    pub can: Vec<&'static str>,
    /// Set while a partner user acts inside a customer (after POST /auth/switch): `account` is
    /// then the customer, `user.role` the role the grant gives there.
    pub acting: Option<MeActing>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeActing {
    /// The partner user's own partner.
    #[schema(example = "PARTACME")]
    pub partner_id: String,
    pub grant_id: String,
    #[schema(example = json!(["view_entities"]))]
    pub permissions: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub logon: String,
    #[schema(example = "admin")]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeAccount {
    #[schema(example = "PARTACME")]
    pub id: String,
    #[schema(example = "partner")]
    pub kind: String,
    #[schema(example = "Acme Accountants")]
    pub name: String,
}

/// Who am I.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not authenticated"),
    ),
)]
#[get("/me")]
async fn get_me(state: web::Data<AppState>, caller: Caller) -> Result<web::Json<Me>, ApiError> {
    let actor = caller.actor.clone();
    let (user, account_name) = state
        .read(move |_, conn| {
            let user = users::find(conn, &actor.user_id)?.ok_or_else(ApiError::unauthenticated)?;
            let name = match &actor.account {
                AccountId::Platform => "Platform".to_owned(),
                AccountId::Partner(id) => partners::find(conn, id.as_str())?
                    .map(|p| p.name)
                    .unwrap_or_default(),
                AccountId::Customer(id) => persistence::customers::find(conn, id.as_str())?
                    .map(|c| c.name)
                    .unwrap_or_default(),
            };
            Ok::<_, ApiError>((user, name))
        })
        .await?;
    let actor = &caller.actor;
    let mut can = Vec::new();
    let checks: [(&str, Action<'_>); 12] = [
        ("manage_partners", Action::ManagePartners),
        ("invite_platform_admins", Action::InvitePlatformAdmin),
        ("manage_catalogues", Action::ManageCatalogues),
        ("list_customers", Action::ListCustomers),
        ("manage_customers", Action::ManageCustomers),
        ("manage_access", Action::ManageAccess),
        ("oversee_access", Action::OverseeAccess),
        ("control_access", Action::ControlAccess),
        ("switch_into_customers", Action::SwitchIntoCustomer),
        ("read_audit", Action::ReadAudit),
        ("view_partner_kit", Action::ViewPartnerKit),
        ("manage_partner_kit", Action::ManagePartnerKit),
    ];
    for (name, action) in checks {
        if policy::decide(actor, action) == Decision::Allow {
            can.push(name);
        }
    }
    if let AccountId::Partner(own) = &actor.account
        && policy::decide(actor, Action::ViewPartner(own)) == Decision::Allow
    {
        can.push("view_own_partner");
    }
    if let AccountId::Customer(own) = &actor.account {
        for (name, action) in [
            ("view_entities", Action::ViewEntities(own)),
            ("manage_entities", Action::ManageEntities(own)),
        ] {
            if policy::decide(actor, action) == Decision::Allow {
                can.push(name);
            }
        }
    }
    Ok(web::Json(Me {
        user: MeUser {
            id: user.id,
            name: user.name,
            email: user.email,
            logon: user.logon,
            role: actor.role.name().to_owned(),
        },
        account: MeAccount {
            id: actor.account.as_str().to_owned(),
            kind: actor.account.kind().as_str().to_owned(),
            name: account_name,
        },
        can,
        acting: actor.acting.as_ref().map(|acting| MeActing {
            partner_id: acting.partner.as_str().to_owned(),
            grant_id: acting.grant_id.clone(),
            permissions: acting.permissions.codes(),
        }),
    }))
}

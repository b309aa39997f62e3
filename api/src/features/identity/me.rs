//! The caller's own profile: who am I, in which account, and what may I do.

use actix_web::{get, web};
use serde::Serialize;
use services::identity::profile;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;

pub fn configure(cfg: &mut Registry) {
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
    let me = caller.clone();
    let profile::WhoAmI {
        user,
        account_name,
        can,
    } = state
        .read(move |_, conn| profile::who_am_i(conn, &me))
        .await?;
    let actor = &caller.actor;
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

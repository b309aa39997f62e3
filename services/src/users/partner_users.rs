//! A partner's own users, as its admins (and the platform) manage them: the account members
//! flow of [`crate::users::members`] over the partner's account, where an active admin always
//! remains.

use domain::ids::{AccountId, PartnerId};
use domain::policy::Action;
use domain::role::Role;
use persistence::DbConnection;

use crate::caller::Caller;
use crate::error::ServiceError;
use crate::users::members::Members;

/// A partner whose users the caller may manage: only [`manager`] makes one.
#[derive(Debug, Clone)]
pub struct ManagedPartner(PartnerId);

/// The partner in the path, if the policy lets the caller manage its users (another tenant's
/// partner answers as one that does not exist).
pub fn manager(caller: &Caller, partner_id: &str) -> Result<ManagedPartner, ServiceError> {
    let partner = PartnerId::parse(partner_id).map_err(|_| ServiceError::NotFound("partner"))?;
    caller.authorize(Action::ManagePartnerUsers(&partner), "partner")?;
    Ok(ManagedPartner(partner))
}

impl ManagedPartner {
    pub fn id(&self) -> &PartnerId {
        &self.0
    }

    /// 404 unless the partner exists (the platform may name any id).
    pub fn exists(&self, conn: &mut DbConnection) -> Result<(), ServiceError> {
        match persistence::partners::find(conn, self.0.as_str())? {
            Some(_) => Ok(()),
            None => Err(ServiceError::NotFound("partner")),
        }
    }

    /// The partner's users: every partner role, and an active admin always remains.
    pub fn members(&self) -> Members {
        Members {
            account: AccountId::Partner(self.0.clone()),
            partner_id: self.0.to_string(),
            roles: &[
                Role::PartnerAdmin,
                Role::PartnerUser,
                Role::PartnerMarketing,
                Role::PartnerNotifications,
            ],
            keep_an_active_admin: true,
            noun: "partner_user",
        }
    }
}

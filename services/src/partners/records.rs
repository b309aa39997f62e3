//! Partners (seed 000 "Partners"): the platform creates them, with their first admin invited;
//! the platform and the partner's own admins read and edit them.

use chrono::{DateTime, Utc};
use domain::customer::Website;
use domain::ids::{AccountId, DisplayName, Email, PartnerId};
use domain::policy::Action;
use domain::role::Role;
use persistence::partners::{self, PartnerFilter, PartnerRow, PartnerSort};
use persistence::time::{from_db, to_db};
use persistence::{DbConnection, sessions};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{ErrorCode, Fields, ServiceError};
use crate::identity::keyring::Keys;
use crate::settings::Settings;
use crate::users::onboarding::{self, Invitee, Person};

/// A partner as its readers (and the audit trail) see it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub on_price_plan: bool,
    pub support_email: Option<String>,
    pub powered_by_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PartnerRow> for PartnerView {
    fn from(row: PartnerRow) -> Self {
        PartnerView {
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

fn snapshot(row: &PartnerRow) -> Option<serde_json::Value> {
    audit::snapshot(&PartnerView::from(row.clone()))
}

/// The caller may act on the platform's partners (create, list): a platform admin.
#[derive(Debug, Clone, Copy)]
pub struct Platform(());

pub fn platform(caller: &Caller) -> Result<Platform, ServiceError> {
    caller.authorize(Action::ManagePartners, "partner")?;
    Ok(Platform(()))
}

/// A partner the caller may read: the platform any, a partner admin its own (another partner
/// answers as one that does not exist).
#[derive(Debug, Clone)]
pub struct Readable(PartnerId);

impl Readable {
    pub fn id(&self) -> &PartnerId {
        &self.0
    }
}

pub fn readable(caller: &Caller, id: &str) -> Result<Readable, ServiceError> {
    let id = PartnerId::parse(id).map_err(|_| ServiceError::NotFound("partner"))?;
    caller.authorize(Action::ViewPartner(&id), "partner")?;
    Ok(Readable(id))
}

/// A new partner and its first admin, as sent.
#[derive(Debug, Clone)]
pub struct NewPartner {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: Person,
    pub on_price_plan: Option<bool>,
}

/// Creates a partner and invites its first admin, in one transaction.
pub fn create(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    caller: &Caller,
    _platform: Platform,
    input: &NewPartner,
    now: DateTime<Utc>,
) -> Result<PartnerView, ServiceError> {
    let mut fields = Fields::default();
    let id = fields.check("id", PartnerId::parse(&input.id));
    let name = fields.check("name", DisplayName::parse(&input.name));
    let email = fields.check("email", Email::parse(&input.email));
    let admin = input.admin.parse(&mut fields, "admin.");
    let complete = (|| Some((id?, name?, email?, admin?)))();
    let (id, name, email, (admin_name, admin_email, admin_logon)) = fields.conclude(complete)?;
    if partners::find(conn, id.as_str())?.is_some() {
        return Err(ServiceError::rule(
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
        on_price_plan: input.on_price_plan.unwrap_or(false),
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
            after: snapshot(&row),
            ..Change::default()
        },
    )?;
    onboarding::invite(
        conn,
        settings,
        keys,
        by,
        Invitee {
            account: AccountId::Partner(id),
            role: Role::PartnerAdmin,
            name: admin_name,
            email: admin_email,
            logon: admin_logon,
        },
    )?;
    Ok(row.into())
}

/// Up to `take` partners after the key `after`, filtered and sorted.
pub fn list(
    conn: &mut DbConnection,
    _platform: Platform,
    filter: &PartnerFilter,
    sort: PartnerSort,
    descending: bool,
    after: Option<(&str, &str)>,
    take: i64,
) -> Result<Vec<PartnerView>, ServiceError> {
    let rows = partners::list(conn, filter, sort, descending, after, take)?;
    Ok(rows.into_iter().map(PartnerView::from).collect())
}

pub fn get(conn: &mut DbConnection, partner: &Readable) -> Result<PartnerView, ServiceError> {
    partners::find(conn, partner.0.as_str())?
        .map(PartnerView::from)
        .ok_or(ServiceError::NotFound("partner"))
}

/// What an edit of a partner sends: absent fields keep their value; `""` clears the support
/// email and the "Powered by" URL.
#[derive(Debug, Clone, Default)]
pub struct PartnerChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub active: Option<bool>,
    pub on_price_plan: Option<bool>,
    pub support_email: Option<String>,
    pub powered_by_url: Option<String>,
}

impl PartnerChanges {
    /// Whether the changes touch what only the platform may change.
    fn platform_only(&self) -> bool {
        self.name.is_some() || self.active.is_some() || self.on_price_plan.is_some()
    }
}

/// The checked values of [`PartnerChanges`].
pub struct CheckedChanges {
    name: Option<DisplayName>,
    email: Option<Email>,
    active: Option<bool>,
    on_price_plan: Option<bool>,
    support_email: Option<Option<Email>>,
    powered_by_url: Option<Option<Website>>,
}

/// Checks an edit before its transaction: the name, active flag and price plan are the
/// platform's; the email, support email and "Powered by" URL also the partner's admins'.
pub fn check_changes(
    caller: &Caller,
    changes: &PartnerChanges,
) -> Result<CheckedChanges, ServiceError> {
    if changes.platform_only() {
        caller.authorize(Action::ManagePartners, "partner")?;
    }
    let mut fields = Fields::default();
    let cleared_or = |text: &str| !text.trim().is_empty();
    let name = fields.optional("name", changes.name.as_deref(), DisplayName::parse);
    let email = fields.optional("email", changes.email.as_deref(), Email::parse);
    let support_email = fields.optional("support_email", changes.support_email.as_deref(), |e| {
        cleared_or(e).then(|| Email::parse(e)).transpose()
    });
    let powered_by_url =
        fields.optional("powered_by_url", changes.powered_by_url.as_deref(), |u| {
            cleared_or(u).then(|| Website::parse(u)).transpose()
        });
    fields.finish()?;
    Ok(CheckedChanges {
        name,
        email,
        active: changes.active,
        on_price_plan: changes.on_price_plan,
        support_email,
        powered_by_url,
    })
}

/// Applies checked changes; deactivating ends every session of the partner's users at once.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &Readable,
    changes: &CheckedChanges,
    now: DateTime<Utc>,
) -> Result<PartnerView, ServiceError> {
    let before =
        partners::find(conn, partner.0.as_str())?.ok_or(ServiceError::NotFound("partner"))?;
    let mut after = before.clone();
    if let Some(name) = &changes.name {
        after.name = name.to_string();
    }
    if let Some(email) = &changes.email {
        after.email = email.to_string();
    }
    if let Some(active) = changes.active {
        after.active = active;
    }
    if let Some(support_email) = &changes.support_email {
        after.support_email = support_email.as_ref().map(Email::to_string);
    }
    if let Some(powered_by_url) = &changes.powered_by_url {
        after.powered_by_url = powered_by_url.as_ref().map(Website::to_string);
    }
    if let Some(on_price_plan) = changes.on_price_plan {
        after.on_price_plan = on_price_plan;
    }
    if after == before {
        return Ok(after.into());
    }
    after.updated_at = to_db(now);
    partners::update(conn, &after)?;
    if before.active && !after.active {
        sessions::revoke_all_for_account(conn, &after.id, "partner_deactivated", to_db(now))?;
    }
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "partner.updated",
            target_type: "partner",
            target_id: &after.id,
            partner_id: Some(&after.id),
            before: snapshot(&before),
            after: snapshot(&after),
            ..Change::default()
        },
    )?;
    Ok(after.into())
}

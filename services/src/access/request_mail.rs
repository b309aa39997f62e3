//! The emails of access requests: to the customer admins who decide, and back to the partner
//! admin who asked. Queued in the outbox in the request's own transaction.

use chrono::{DateTime, Utc};
use domain::request::{self, Decision};
use persistence::DbConnection;
use persistence::access::RequestRow;
use persistence::partners;
use persistence::users::{self, UserRow};

use crate::access::terms;
use crate::error::ServiceError;
use crate::identity::keyring::Keys;
use crate::mail::{self, Message};
use crate::settings::Settings;

pub(crate) fn to_deciders(
    conn: &mut DbConnection,
    settings: &Settings,
    keys: &Keys,
    admins: &[UserRow],
    row: &RequestRow,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let link = format!("{}/access-requests/{}", settings.public_url, row.id);
    let partner_name = partners::find(conn, &row.partner_id)?
        .map(|p| p.name)
        .unwrap_or_else(|| row.partner_id.clone());
    for admin in admins {
        mail::queue(
            conn,
            keys,
            now,
            Message {
                kind: "access_request",
                recipient: admin.email.clone(),
                subject: format!(
                    "{partner_name} asks for access to {} for {}",
                    row.customer_id, user.name
                ),
                body: format!(
                    "Hello {admin},\n\n{partner_name} asks you to let {user} ({email}) into your \
                     account {customer} with the profile \"{profile}\", role {role} and \
                     permissions {permissions}{duration}.\n{message}\nApprove or deny it here \
                     within 24 hours, before {expires} (UTC):\n\n{link}\n",
                    admin = admin.name,
                    user = user.name,
                    email = user.email,
                    customer = row.customer_id,
                    profile = row.profile,
                    role = row.role,
                    permissions = terms::stored_permissions(&row.permissions).join(", "),
                    duration = row
                        .duration_hours
                        .map(|h| format!(", for {h} hours"))
                        .unwrap_or_default(),
                    message = row
                        .message
                        .as_deref()
                        .map(|m| format!("\nTheir note: {m}\n"))
                        .unwrap_or_default(),
                    expires = (now + request::EXPIRES_AFTER).format("%Y-%m-%d %H:%M"),
                ),
            },
        )?;
    }
    Ok(())
}

/// Tells the partner admin who asked what was decided.
pub(crate) fn to_requester(
    conn: &mut DbConnection,
    keys: &Keys,
    row: &RequestRow,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(requester) = users::find(conn, &row.requested_by)?.filter(|u| u.active) else {
        return Ok(());
    };
    let decision = decision.as_str();
    mail::queue(
        conn,
        keys,
        now,
        Message {
            kind: "access_request_decided",
            recipient: requester.email,
            subject: format!("Your access request for {} was {decision}", row.customer_id),
            body: format!(
                "Hello {},\n\n{} {decision} your request for access to their account.{}\n",
                requester.name,
                row.customer_id,
                row.decision_message
                    .as_deref()
                    .map(|m| format!("\n\nTheir note: {m}"))
                    .unwrap_or_default(),
            ),
        },
    )
}

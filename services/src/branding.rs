//! A partner's white label (seed 000 "White Labelling"): its logo and "Powered by" logo, set by
//! its admins (and the platform), and the branding a hub header shows, read by anyone.

use chrono::{DateTime, Utc};
use domain::files;
use domain::ids::PartnerId;
use domain::policy::Action;
use persistence::DbConnection;
use persistence::partners::{self, PartnerImageRow, PartnerRow};
use persistence::time::to_db;
use sha2::{Digest, Sha256};

use crate::audit::{self, Change};
use crate::caller::Caller;
use crate::error::{ErrorCode, ServiceError};

/// A partner whose branding the caller may change: only [`editor`] makes one.
#[derive(Debug, Clone)]
pub struct Branded(PartnerId);

impl Branded {
    pub fn id(&self) -> &PartnerId {
        &self.0
    }
}

/// The partner in the path, if the caller may change its branding (its admins, the platform).
pub fn editor(caller: &Caller, partner_id: &str) -> Result<Branded, ServiceError> {
    let partner = PartnerId::parse(partner_id).map_err(|_| ServiceError::NotFound("partner"))?;
    caller.authorize(Action::ViewPartner(&partner), "partner")?;
    Ok(Branded(partner))
}

/// An uploaded image that passed the checks: only [`checked_image`] makes one.
#[derive(Debug)]
pub struct NewImage(PartnerImageRow);

impl NewImage {
    pub fn row(&self) -> &PartnerImageRow {
        &self.0
    }
}

/// Checks an upload for the partner's image `slot` by its content (`domain::files`), before the
/// transaction: a retry checks and copies nothing again.
pub fn checked_image(
    partner: &Branded,
    slot: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<NewImage, ServiceError> {
    let checked = files::check_image(&bytes)
        .map_err(|refused| ServiceError::rule(ErrorCode::InvalidImage, format!("{refused}.")))?;
    Ok(NewImage(PartnerImageRow {
        partner_id: partner.id().to_string(),
        slot: slot.to_owned(),
        content_type: checked.content_type.to_owned(),
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        bytes,
        width: i32::try_from(checked.width).unwrap_or(0),
        height: i32::try_from(checked.height).unwrap_or(0),
        updated_at: to_db(now),
    }))
}

/// Stores a checked image in its slot, replacing the one before.
pub fn save_image(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &Branded,
    image: &NewImage,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let image = &image.0;
    let partner = partner.id();
    partners::find(conn, partner.as_str())?.ok_or(ServiceError::NotFound("partner"))?;
    partners::save_image(conn, image)?;
    let target = format!("{partner}/{}", image.slot);
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "partner.image_saved",
            target_type: "partner_image",
            target_id: &target,
            partner_id: Some(partner.as_str()),
            after: Some(serde_json::json!({
                "content_type": image.content_type, "sha256": image.sha256,
                "width": image.width, "height": image.height,
            })),
            ..Change::default()
        },
    )
}

/// Removes the image in `slot`, if there is one.
pub fn remove_image(
    conn: &mut DbConnection,
    caller: &Caller,
    partner: &Branded,
    slot: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let partner = partner.id();
    partners::find(conn, partner.as_str())?.ok_or(ServiceError::NotFound("partner"))?;
    if !partners::delete_image(conn, partner.as_str(), slot)? {
        return Ok(());
    }
    let target = format!("{partner}/{slot}");
    audit::record(
        conn,
        caller.by(now),
        Change {
            action: "partner.image_removed",
            target_type: "partner_image",
            target_id: &target,
            partner_id: Some(partner.as_str()),
            ..Change::default()
        },
    )
}

/// An active partner and the image slots it has filled: what a hub header shows, before anyone
/// signs in.
pub fn branding(
    conn: &mut DbConnection,
    partner_id: &str,
) -> Result<(PartnerRow, Vec<String>), ServiceError> {
    let missing = || ServiceError::NotFound("partner");
    let partner = PartnerId::parse(partner_id).map_err(|_| missing())?;
    let row = partners::find(conn, partner.as_str())?
        .filter(|p| p.active)
        .ok_or_else(missing)?;
    let slots = partners::image_slots(conn, &row.id)?;
    Ok((row, slots))
}

/// An active partner's image in `slot`.
pub fn image(
    conn: &mut DbConnection,
    partner_id: &str,
    slot: &str,
) -> Result<PartnerImageRow, ServiceError> {
    let missing = || ServiceError::NotFound("image");
    let partner = PartnerId::parse(partner_id).map_err(|_| missing())?;
    let active = partners::find(conn, partner.as_str())?.is_some_and(|p| p.active);
    partners::find_image(conn, partner.as_str(), slot)?
        .filter(|_| active)
        .ok_or_else(missing)
}

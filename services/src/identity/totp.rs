//! TOTP (RFC 6238): 6 digits, 30-second steps, one step of clock skew either way; a code is
//! accepted once (the step it matched must be later than the last one accepted).

use chrono::{DateTime, Utc};
use totp_rs::{Builder, Secret, Totp};

use crate::error::ServiceError;

pub const ISSUER: &str = "Partner Hub";

pub fn generate_secret() -> Vec<u8> {
    Secret::generate().as_bytes().to_vec()
}

/// The secret's TOTP. Its own skew is 0: [`check`] walks the window itself, one step at a time.
fn totp(secret: &[u8], account_name: &str) -> Result<Totp, ServiceError> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_skew(0)
        .with_issuer(Some(ISSUER))
        .with_account_name(account_name)
        .build()
        .map_err(ServiceError::internal)
}

pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The `otpauth://` URI an authenticator app reads (from a QR code or pasted).
pub fn otpauth_uri(secret: &[u8], account_name: &str) -> Result<String, ServiceError> {
    totp(secret, account_name)?
        .to_url()
        .map_err(ServiceError::internal)
}

/// The URI as a QR code, in SVG.
pub fn qr_svg(uri: &str) -> Result<String, ServiceError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(ServiceError::internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

/// Steps of clock skew accepted either way.
const SKEW: i64 = 1;

/// The time step `code` matches at `now`, if it matches one later than `last_step`. Each step of
/// the window is tried on its own: two steps can share a code, and a code already used for the
/// earlier one must still open the later (totp-rs's own window stops at the first match).
pub fn check(secret: &[u8], code: &str, now: DateTime<Utc>, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let exact = totp(secret, "").ok()?;
    let step_seconds = i64::try_from(exact.step()).ok()?;
    let origin = now.timestamp().div_euclid(step_seconds);
    (origin - SKEW..=origin + SKEW)
        .filter(|step| last_step.is_none_or(|last| *step > last))
        .find(|step| {
            u64::try_from(step * step_seconds).is_ok_and(|at| exact.check(&code, at).is_some())
        })
}

/// The code for `at` (tests and the demo compute codes the way an authenticator app does).
pub fn code_at(secret: &[u8], at: DateTime<Utc>) -> Result<String, ServiceError> {
    let time = u64::try_from(at.timestamp()).map_err(ServiceError::internal)?;
    Ok(totp(secret, "")?.generate(time).to_string())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_code_is_accepted_once_within_the_skew() {
        let secret = generate_secret();
        assert!(secret.len() >= 16, "at least 128 bits");
        let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let code = code_at(&secret, now).unwrap();
        let step = check(&secret, &code, now, None).unwrap();
        assert_eq!(step, now.timestamp() / 30);
        assert_eq!(check(&secret, &code, now, Some(step)), None, "used once");
        let late = now + chrono::Duration::seconds(30);
        assert!(
            check(&secret, &code, late, None).is_some(),
            "one step of skew"
        );
        let too_late = now + chrono::Duration::seconds(90);
        assert_eq!(check(&secret, &code, too_late, None), None);
        assert_eq!(check(&secret, "000000x", now, None), None);
    }

    #[test]
    fn a_code_shared_by_two_steps_still_opens_the_later() {
        // Steps 59 061 240 and 59 061 241 of RFC 6238's key share the code 963181 (found by
        // search: one pair of neighbours in a million does).
        let secret = b"12345678901234567890";
        let later = Utc.timestamp_opt(59_061_241 * 30, 0).unwrap();
        let earlier = later - chrono::Duration::seconds(30);
        assert_eq!(code_at(secret, earlier).unwrap(), "963181");
        assert_eq!(code_at(secret, later).unwrap(), "963181");
        assert_eq!(
            check(secret, "963181", later, Some(59_061_240)),
            Some(59_061_241)
        );
        assert_eq!(check(secret, "963181", later, Some(59_061_241)), None);
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); its last 6 digits are the
        // 6-digit code for the same counter.
        let secret = b"12345678901234567890";
        let at = Utc.timestamp_opt(59, 0).unwrap();
        assert_eq!(code_at(secret, at).unwrap(), "287082");
    }

    #[test]
    fn the_enrolment_uri_and_qr_code() {
        let secret = generate_secret();
        let uri = otpauth_uri(&secret, "ana (PARTACME)").unwrap();
        assert!(uri.starts_with("otpauth://totp/Partner%20Hub:ana"), "{uri}");
        assert!(
            uri.contains(&format!("secret={}", base32(&secret))),
            "{uri}"
        );
        assert!(qr_svg(&uri).unwrap().starts_with("<?xml"));
    }
}

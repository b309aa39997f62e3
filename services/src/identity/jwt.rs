//! Access tokens: short-lived JWTs (HS256 with the current key of the ring, named by `kid`). The token
//! only says who and which session; every request still checks that session in the database.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ServiceError;
use crate::identity::keyring::Keys;

pub const ACCESS_TOKEN_TTL: Duration = Duration::minutes(15);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The account the token acts in.
    pub acct: String,
    /// The kind of that account: platform, partner or customer.
    pub kind: String,
    /// The session.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    /// While a partner user is switched into a customer: that partner user (RFC 8693 `act`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
}

pub fn issue(keys: &Keys, mut claims: Claims, now: DateTime<Utc>) -> Result<String, ServiceError> {
    claims.iat = now.timestamp();
    claims.exp = (now + ACCESS_TOKEN_TTL).timestamp();
    keys.sign(&claims)
}

/// The claims of a token signed with our key, with the HS256 algorithm only, not expired at
/// `now` (the injected clock's, not the system's).
pub fn verify(keys: &Keys, token: &str, now: DateTime<Utc>) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims = ["exp", "sub"].into_iter().map(String::from).collect();
    let claims: Claims = keys.verify(token, &validation)?;
    (claims.exp > now.timestamp()).then_some(claims)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::TimeZone;

    use super::*;

    fn claims() -> Claims {
        Claims {
            sub: "user".into(),
            acct: "PARTACME".into(),
            kind: "partner".into(),
            sid: "session".into(),
            iat: 0,
            exp: 0,
            act: None,
        }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let keys = Keys::derive(&[1u8; 64]);
        let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let token = issue(&keys, claims(), now).unwrap();
        assert_eq!(verify(&keys, &token, now).unwrap().sub, "user");
        assert!(verify(&keys, &token, now + Duration::minutes(14)).is_some());
        assert!(verify(&keys, &token, now + Duration::minutes(15)).is_none());
    }

    #[test]
    fn tampered_foreign_and_unsigned_tokens_are_refused() {
        let keys = Keys::derive(&[1u8; 64]);
        let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let token = issue(&keys, claims(), now).unwrap();

        let other = issue(&Keys::derive(&[2u8; 64]), claims(), now).unwrap();
        assert!(verify(&keys, &other, now).is_none(), "another key");

        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims();
        forged.sub = "admin".into();
        forged.exp = now.timestamp() + 60;
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
        assert!(verify(&keys, &tampered, now).is_none(), "tampered payload");

        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{payload}.");
        assert!(verify(&keys, &unsigned, now).is_none(), "alg none");
        assert!(verify(&keys, "not.a.jwt", now).is_none());
    }
}

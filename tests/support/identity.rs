//! Getting users in the way a person does: invitation email → password → authenticator →
//! login with a real TOTP code computed from the enrolled secret.

use persistence::DbError;
use persistence::outbox;
use reqwest::StatusCode;
use serde_json::{Value, json};
use totp_rs::{Builder, Secret};

use crate::TestApp;

pub const PASSWORD: &str = "correct horse battery staple";

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub account_id: String,
    pub logon: String,
    pub access_token: String,
    pub refresh_token: String,
    /// The authenticator secret, base32, as the enrolment showed it.
    pub secret: String,
}

/// The code an authenticator app shows for `secret` at `at`.
pub fn totp_code(secret: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let secret = Secret::try_from_base32(secret).unwrap();
    let totp = Builder::new().with_secret(secret).build().unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap())
        .to_string()
}

impl TestApp {
    pub fn bearer(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get_as(&self, session: &Session, path: &str) -> reqwest::Response {
        self.bearer(reqwest::Method::GET, path, &session.access_token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_as(&self, session: &Session, path: &str, body: &Value) -> reqwest::Response {
        self.bearer(reqwest::Method::POST, path, &session.access_token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_as(&self, session: &Session, path: &str, body: &Value) -> reqwest::Response {
        self.bearer(reqwest::Method::PATCH, path, &session.access_token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Ends the session (and any session switched into a customer from it).
    pub async fn logout(&self, session: &Session) -> reqwest::Response {
        self.bearer(reqwest::Method::POST, "/auth/logout", &session.access_token)
            .send()
            .await
            .unwrap()
    }

    /// The actions of every audit event about `target_id`, oldest first.
    pub fn audit_actions(&self, target_id: &str) -> Vec<String> {
        let target_id = target_id.to_owned();
        self.db
            .read(|conn| persistence::audit::for_target(conn, &target_id).map_err(DbError::from))
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect()
    }

    /// A user of `account` invited by `admin` through `invite_path` (a partner's users or a
    /// customer's admins), enrolled and logged in; returns the user's id and session.
    pub async fn invited_member(
        &self,
        admin: &Session,
        invite_path: &str,
        account: &str,
        body: Value,
    ) -> (String, Session) {
        let response = self.post_as(admin, invite_path, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let user: Value = response.json().await.unwrap();
        let email = body["email"].as_str().unwrap();
        let secret = self.enrol(&self.invitation_token(email)).await;
        let logon = user["logon"].as_str().unwrap().to_owned();
        (
            user["id"].as_str().unwrap().to_owned(),
            self.login(account, &logon, &secret).await,
        )
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Every email sent to `recipient`, oldest first, its body opened with the app's key (a
    /// delivered one's body is gone).
    pub fn emails_to(&self, recipient: &str) -> Vec<outbox::MessageRow> {
        let recipient = recipient.to_owned();
        let mut emails = self
            .db
            .read(|conn| outbox::for_recipient(conn, &recipient).map_err(DbError::from))
            .unwrap();
        for email in emails.iter_mut().filter(|e| !e.body.is_empty()) {
            let text = self
                .keys
                .open(&email.body)
                .expect("a body sealed with the app's key");
            email.body = String::from_utf8(text).unwrap();
        }
        emails
    }

    /// The token of the newest invitation link emailed to `recipient`.
    pub fn invitation_token(&self, recipient: &str) -> String {
        self.emailed_token(recipient, "/invitations/")
    }

    /// The token at the end of the newest link to `path` emailed to `recipient`.
    pub fn emailed_token(&self, recipient: &str, path: &str) -> String {
        let email = self.emails_to(recipient).pop().expect("an email was sent");
        let start = email.body.find(path).expect("the email has the link") + path.len();
        email.body[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    }

    /// Bootstraps a platform admin as `partner-hub create-platform-admin` does; returns the
    /// invitation token.
    pub fn invite_platform_admin(&self, email: &str) -> String {
        let invitee =
            services::users::onboarding::Invitee::platform_admin(email, None, None).unwrap();
        let now = self.clock_now();
        let link =
            api::invite_platform_admin(&self.db, &self.settings, &self.keys, now, invitee).unwrap();
        link.rsplit('/').next().unwrap().to_owned()
    }

    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        domain::clock::Clock::now(self.clock.as_ref())
    }

    /// Accepts an invitation with [`PASSWORD`] and confirms the authenticator; returns the
    /// secret (base32).
    pub async fn enrol(&self, token: &str) -> String {
        let response = self
            .post(
                &format!("/invitations/{token}/accept"),
                &json!({"password": PASSWORD}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
        let enrolment: Value = response.json().await.unwrap();
        let secret = enrolment["secret"].as_str().unwrap().to_owned();
        let code = totp_code(&secret, self.clock_now());
        let response = self
            .post(
                &format!("/invitations/{token}/confirm"),
                &json!({"code": code}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
        secret
    }

    /// Logs in with a fresh code (the clock moves one TOTP step first: a code works once).
    pub async fn login(&self, account_id: &str, logon: &str, secret: &str) -> Session {
        self.clock.advance(chrono::Duration::seconds(30));
        let code = totp_code(secret, self.clock_now());
        let response = self
            .post(
                "/auth/login",
                &json!({"account_id": account_id, "logon": logon, "password": PASSWORD, "code": code}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
        let tokens: Value = response.json().await.unwrap();
        Session {
            account_id: account_id.to_owned(),
            logon: logon.to_owned(),
            access_token: tokens["access_token"].as_str().unwrap().to_owned(),
            refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
            secret: secret.to_owned(),
        }
    }

    /// A platform admin, invited, enrolled and logged in.
    pub async fn platform_admin(&self) -> Session {
        let email = "root@platform.example";
        let token = self.invite_platform_admin(email);
        let secret = self.enrol(&token).await;
        self.login("PLATFORM", email, &secret).await
    }

    /// A partner created by `platform`, with its first admin enrolled and logged in.
    pub async fn partner_admin(&self, platform: &Session, partner_id: &str) -> Session {
        let email = format!("admin@{}.example", partner_id.to_lowercase());
        let response = self
            .post_as(
                platform,
                "/partners",
                &json!({
                    "id": partner_id,
                    "name": format!("{partner_id} Ltd"),
                    "email": format!("office@{}.example", partner_id.to_lowercase()),
                    "admin": {"name": "Ana Byrne", "email": email},
                }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let token = self.invitation_token(&email);
        let secret = self.enrol(&token).await;
        self.login(partner_id, &email, &secret).await
    }
}

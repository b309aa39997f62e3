//! Delegated access end to end (DOMAIN.md §4): grants where the table allows them, 24-hour
//! access requests, switching into a customer, the customer's own controls, the audit view.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::TestApp;
use tests::identity::{Session, totp_code};

use crate::customers::create;

mod rules;
mod story;
mod suspension;

/// A partner with its admin, a `user` bea, and customer SHOP in `status` with admin cara.
pub(super) struct World {
    pub(super) platform: Session,
    pub(super) admin: Session,
    pub(super) bea_id: String,
    pub(super) bea: Session,
    pub(super) cara: Session,
}

pub(super) async fn world(app: &TestApp, status: &str) -> World {
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (bea_id, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea Byrne", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    create(
        app,
        &admin,
        json!({"id": "SHOP", "ref": "1", "name": "Shop", "status": status}),
    )
    .await;
    let (_, cara) = app
        .invited_member(
            &admin,
            "/customers/SHOP/users",
            "SHOP",
            json!({"name": "Cara Doyle", "email": "cara@shop.example", "role": "admin"}),
        )
        .await;
    World {
        platform,
        admin,
        bea_id,
        bea,
        cara,
    }
}

pub(super) fn terms(user_id: &str, customer: &str) -> Value {
    json!({"user_id": user_id, "customer_id": customer, "profile": "Consultant", "role": "admin",
           "permissions": ["view_entities", "manage_entities"]})
}

pub(super) async fn json_of(response: reqwest::Response, status: StatusCode) -> Value {
    let got = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The status and, for a problem, its code (empty otherwise).
pub(super) async fn outcome(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

pub(super) async fn send(app: &TestApp, method: Method, token: &str, path: &str) -> StatusCode {
    app.bearer(method, path, token)
        .send()
        .await
        .unwrap()
        .status()
}

/// `who` logged in again (after the clock jumped past its access token's 15 minutes).
pub(super) async fn again(app: &TestApp, who: &Session) -> Session {
    app.login(&who.account_id, &who.logon, &who.secret).await
}

/// Switches `who` into `customer` with a fresh code; returns the acting session.
pub(super) async fn switch(app: &TestApp, who: &Session, customer: &str) -> Session {
    app.clock.advance(Duration::seconds(30));
    let code = totp_code(&who.secret, app.clock_now());
    let tokens = json_of(
        app.post_as(
            who,
            "/auth/switch",
            &json!({"customer_id": customer, "code": code}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    Session {
        account_id: customer.to_owned(),
        access_token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
        ..who.clone()
    }
}

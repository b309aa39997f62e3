//! What a partner's admin sees and does for its own account (seeds 001 "My Account", 004):
//! the account summary, a password reset sent to one of its users, customers assigned as a
//! user is created and edited, and one's own email changed through the users resource.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::Session;
use tests::{TestApp, code_of};

use crate::customers::create;

async fn json_of(response: reqwest::Response, want: StatusCode) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, want, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn bea(app: &TestApp, admin: &Session, body: Value) -> (String, Session) {
    app.invited_member(admin, "/partners/PARTACME/users", "PARTACME", body)
        .await
}

#[tokio::test]
async fn the_summary_counts_users_customers_and_seats_across_the_partner() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let today = app.clock_now().date_naive();
    let day = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let licence = |product: &str, seats: u32, expiry: String, renewal: String| {
        json!({"product": product, "licence_type": "subscription", "seats_available": seats,
               "contract_expiry": expiry, "next_renewal": renewal})
    };
    create(
        &app,
        &admin,
        json!({"id": "ONE", "ref": "1", "name": "One", "status": "onboarding", "licences": [
            licence("analytics", 5, day(90), day(60)), licence("forms", 2, day(-3), day(-3))]}),
    )
    .await;
    create(
        &app,
        &admin,
        json!({"id": "TWO", "ref": "2", "name": "Two", "status": "established", "active": false,
               "licences": [licence("analytics", 3, day(30), day(20))]}),
    )
    .await;
    let guest = json_of(
        app.post_as(
            &admin,
            "/customers/ONE/users",
            &json!({"name": "Gus", "email": "gus@one.example"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!(
        "/customers/ONE/users/{}/licences/analytics",
        guest["id"].as_str().unwrap()
    );
    let seat = app
        .bearer(Method::PUT, &path, &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(seat.status(), StatusCode::OK);
    json_of(
        app.post_as(
            &admin,
            "/customers/ONE/suspend",
            &json!({"reason": "Audit"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    bea(
        &app,
        &admin,
        json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
    )
    .await;

    let summary = json_of(
        app.get_as(&admin, "/partners/PARTACME/summary").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        summary["users"],
        json!({"total": 2, "by_role": {"admin": 1, "user": 1}, "inactive": 0})
    );
    assert_eq!(
        summary["customers"],
        json!({"total": 2, "inactive": 1, "by_status": {"onboarding": 1, "established": 1},
               "by_account_state": {"active": 1, "suspended": 1}})
    );
    assert_eq!(
        summary["licences"],
        json!([
            {"product": "analytics", "customers": 2, "seats_used": 1, "seats_available": 8},
            {"product": "forms", "customers": 1, "seats_used": 0, "seats_available": 2},
        ])
    );
    // The nearest dates still ahead: a past one is no longer "next".
    assert_eq!(summary["next_contract_expiry"], json!(day(30)));
    assert_eq!(summary["next_renewal"], json!(day(20)));
    let platform_view = json_of(
        app.get_as(&platform, "/partners/PARTACME/summary").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(platform_view, summary);
    let beta = app.partner_admin(&platform, "PARTBETA").await;
    assert_eq!(
        code_of(app.get_as(&beta, "/partners/PARTACME/summary").await).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[tokio::test]
async fn an_admin_sends_a_user_a_reset_link_never_a_password_and_their_sessions_end() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (bea_id, bea_session) = bea(
        &app,
        &admin,
        json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
    )
    .await;
    create(
        &app,
        &admin,
        json!({"id": "SHOP", "ref": "1", "name": "Shop"}),
    )
    .await;
    let (cleo_id, cleo) = app
        .invited_member(
            &admin,
            "/customers/SHOP/users",
            "SHOP",
            json!({"name": "Cleo", "email": "cleo@shop.example"}),
        )
        .await;
    for (path, session, email) in [
        (
            format!("/partners/PARTACME/users/{bea_id}/password-reset"),
            &bea_session,
            "bea@acme.example",
        ),
        (
            format!("/customers/SHOP/users/{cleo_id}/password-reset"),
            &cleo,
            "cleo@shop.example",
        ),
    ] {
        let sent = app.post_as(&admin, &path, &json!({})).await;
        assert_eq!(sent.status(), StatusCode::ACCEPTED, "{path}");
        assert_eq!(
            app.get_as(session, "/me").await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}: the sessions ended"
        );
        let message = app.emails_to(email).pop().unwrap();
        assert_eq!(message.kind, "password_reset");
        assert!(!message.body.contains(tests::identity::PASSWORD));
        let token = app.emailed_token(email, "/auth/password-reset/");
        let chosen = app
            .post(
                &format!("/auth/password-reset/{token}"),
                &json!({"password": "a fresh passphrase for the hub"}),
            )
            .await;
        assert_eq!(chosen.status(), StatusCode::NO_CONTENT, "{path}");
    }
    // A user still invited has no password to reset.
    let pending = json_of(
        app.post_as(
            &admin,
            "/partners/PARTACME/users",
            &json!({"name": "Pia", "email": "pia@acme.example", "role": "user"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let refused = app
        .post_as(
            &admin,
            &format!(
                "/partners/PARTACME/users/{}/password-reset",
                pending["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(
        code_of(refused).await,
        (StatusCode::CONFLICT, "invitation_pending".into())
    );
    assert!(
        app.audit_actions(&bea_id)
            .contains(&"partner_user.password_reset_sent".to_owned())
    );
}

#[tokio::test]
async fn customers_are_assigned_as_a_user_is_created_and_edited() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    for (id, reference) in [("ONE", "1"), ("TWO", "2")] {
        create(
            &app,
            &admin,
            json!({"id": id, "ref": reference, "name": id}),
        )
        .await;
    }
    let bad = app
        .post_as(
            &admin,
            "/partners/PARTACME/users",
            &json!({"name": "Bea", "email": "not an email", "role": "user",
                    "assigned_customers": ["ONE", "NOSUCH", "ELSE"]}),
        )
        .await;
    let problem: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["email", "assigned_customers[1]", "assigned_customers[2]"],
        "every bad field at once: {problem}"
    );
    let created = json_of(
        app.post_as(
            &admin,
            "/partners/PARTACME/users",
            &json!({"name": "Bea", "email": "bea@acme.example", "role": "user",
                    "assigned_customers": ["ONE"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["assigned_customers"], json!(["ONE"]));
    assert_eq!(created["assigned_customer_count"], 1);
    let bea = created["id"].as_str().unwrap();
    let path = format!("/partners/PARTACME/users/{bea}");
    let edited = json_of(
        app.patch_as(
            &admin,
            &path,
            &json!({"assigned_customers": ["TWO", "ONE"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited["assigned_customers"], json!(["ONE", "TWO"]));
    let assigned = json_of(
        app.get_as(&admin, "/customers/TWO/assignments").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(assigned["user_ids"], json!([bea]));
    let cleared = json_of(
        app.patch_as(&admin, &path, &json!({"assigned_customers": []}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cleared["assigned_customer_count"], 0);
    // Only a `user` is assigned: an admin sees every customer anyway.
    let admin_role = app
        .post_as(
            &admin,
            "/partners/PARTACME/users",
            &json!({"name": "Ada", "email": "ada@acme.example", "role": "admin",
                    "assigned_customers": ["ONE"]}),
        )
        .await;
    assert_eq!(
        code_of(admin_role).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
}

#[tokio::test]
async fn changing_ones_own_email_through_patch_ends_ones_own_sessions() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (bea_id, bea_session) = bea(
        &app,
        &admin,
        json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
    )
    .await;
    // Another's email, changed by an admin: their sessions go on.
    json_of(
        app.patch_as(
            &admin,
            &format!("/partners/PARTACME/users/{bea_id}"),
            &json!({"email": "bea.byrne@acme.example"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.get_as(&bea_session, "/me").await.status(),
        StatusCode::OK
    );
    // One's own: every session ends, as PUT /me/email does, and the old address is told.
    let me = json_of(app.get_as(&admin, "/me").await, StatusCode::OK).await;
    let my_id = me["user"]["id"].as_str().unwrap();
    let old = me["user"]["email"].as_str().unwrap().to_owned();
    json_of(
        app.patch_as(
            &admin,
            &format!("/partners/PARTACME/users/{my_id}"),
            &json!({"email": "new.admin@acme.example"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.get_as(&admin, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.emails_to(&old)
            .iter()
            .any(|m| m.kind == "email_changed")
    );
}

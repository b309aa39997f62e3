//! A partner's own users: invite, list, edit, deactivate, resend, remove; the last active admin.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::{PASSWORD, Session, totp_code};
use tests::{TestApp, code_of};

/// Invites a user into `partner` with `role`; returns the user's id.
async fn invite(app: &TestApp, admin: &Session, partner: &str, email: &str, role: &str) -> String {
    let response = app
        .post_as(
            admin,
            &format!("/partners/{partner}/users"),
            &json!({"name": email, "email": email, "role": role}),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    let user: Value = response.json().await.unwrap();
    user["id"].as_str().unwrap().to_owned()
}

async fn patch(app: &TestApp, session: &Session, path: &str, body: Value) -> reqwest::Response {
    app.patch_as(session, path, &body).await
}

/// A user of `partner`, invited by `admin`, enrolled and logged in.
async fn member(
    app: &TestApp,
    admin: &Session,
    partner: &str,
    email: &str,
    role: &str,
) -> (String, Session) {
    app.invited_member(
        admin,
        &format!("/partners/{partner}/users"),
        partner,
        json!({"name": email, "email": email, "role": role}),
    )
    .await
}

#[tokio::test]
async fn the_whole_lifecycle_bootstrap_partner_admin_user_deactivated() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (bea_id, bea) = member(&app, &admin, "PARTACME", "bea@acme.example", "user").await;

    let me: Value = app.get_as(&bea, "/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "user");
    let denied = app.get_as(&bea, "/partners/PARTACME/users").await;
    assert_eq!(
        code_of(denied).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );

    let path = format!("/partners/PARTACME/users/{bea_id}");
    let updated: Value = patch(&app, &admin, &path, json!({"active": false}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["active"], false);
    // Her still-unexpired access token stops working on the next request.
    assert_eq!(
        app.get_as(&bea, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let refreshed = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": bea.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(30));
    let login = json!({"account_id": "PARTACME", "logon": "bea@acme.example", "password": PASSWORD,
                       "code": totp_code(&bea.secret, app.clock_now())});
    assert_eq!(
        app.post("/auth/login", &login).await.status(),
        StatusCode::UNAUTHORIZED
    );

    patch(&app, &admin, &path, json!({"active": true})).await;
    app.login("PARTACME", "bea@acme.example", &bea.secret).await;
}

#[tokio::test]
async fn notification_recipients_never_log_in() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    invite(
        &app,
        &admin,
        "PARTACME",
        "news@acme.example",
        "notifications",
    )
    .await;
    let secret = app.enrol(&app.invitation_token("news@acme.example")).await;
    app.clock.advance(chrono::Duration::seconds(30));
    let login = json!({"account_id": "PARTACME", "logon": "news@acme.example", "password": PASSWORD,
                       "code": totp_code(&secret, app.clock_now())});
    assert_eq!(
        app.post("/auth/login", &login).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_partner_keeps_an_active_admin() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let users: Value = app
        .get_as(&admin, "/partners/PARTACME/users")
        .await
        .json()
        .await
        .unwrap();
    let admin_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/partners/PARTACME/users/{admin_id}");
    for change in [json!({"role": "user"}), json!({"active": false})] {
        let refused = patch(&app, &admin, &path, change).await;
        assert_eq!(
            code_of(refused).await,
            (StatusCode::CONFLICT, "last_active_admin".into())
        );
    }
    let removal = app
        .bearer(
            Method::DELETE,
            &format!("{path}?confirm=true"),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        code_of(removal).await,
        (StatusCode::CONFLICT, "last_active_admin".into())
    );

    let (_, second) = member(&app, &admin, "PARTACME", "cara@acme.example", "admin").await;
    let demoted: Value = patch(&app, &second, &path, json!({"role": "user"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(demoted["role"], "user");
}

/// Two admins demote (or deactivate) each other at the same moment, many times over: the
/// partner never ends up without an active admin.
#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let mut a = app.partner_admin(&platform, "PARTACME").await;
    let users: Value = app
        .get_as(&a, "/partners/PARTACME/users")
        .await
        .json()
        .await
        .unwrap();
    let a_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (b_id, mut b) = member(&app, &a, "PARTACME", "bo@acme.example", "admin").await;
    let a_path = format!("/partners/PARTACME/users/{a_id}");
    let b_path = format!("/partners/PARTACME/users/{b_id}");

    for round in 0..20 {
        let change = if round % 2 == 0 {
            json!({"role": "user"})
        } else {
            json!({"active": false})
        };
        let (by_a, by_b) = tokio::join!(
            patch(&app, &a, &b_path, change.clone()),
            patch(&app, &b, &a_path, change.clone()),
        );
        let mut statuses = [by_a.status(), by_b.status()];
        statuses.sort();
        // One wins; the other is refused as the last admin (409), or, when it arrives after
        // the winner's change took its rights, as no longer admin (403) or no longer active (401).
        assert_eq!(statuses[0], StatusCode::OK, "round {round}: {statuses:?}");
        assert!(
            [
                StatusCode::CONFLICT,
                StatusCode::FORBIDDEN,
                StatusCode::UNAUTHORIZED
            ]
            .contains(&statuses[1]),
            "round {round}: {statuses:?}"
        );

        let admins: Value = app
            .get_as(&platform, "/partners/PARTACME/users?role=admin&active=true")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            admins["items"].as_array().unwrap().len(),
            1,
            "round {round}: one admin left"
        );

        // The platform restores both; whoever was deactivated logs in again.
        for path in [&a_path, &b_path] {
            let restored = patch(
                &app,
                &platform,
                path,
                json!({"role": "admin", "active": true}),
            )
            .await;
            assert_eq!(restored.status(), StatusCode::OK);
        }
        for session in [&mut a, &mut b] {
            if app.get_as(session, "/me").await.status() == StatusCode::UNAUTHORIZED {
                *session = app
                    .login(&session.account_id, &session.logon, &session.secret)
                    .await;
            }
        }
    }
}

#[tokio::test]
async fn resending_an_invitation_replaces_the_link() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let id = invite(&app, &admin, "PARTACME", "dan@acme.example", "marketing").await;
    let first = app.invitation_token("dan@acme.example");
    let resend = format!("/partners/PARTACME/users/{id}/invitation");
    // Emails are read newest first by time: let the resend happen later.
    app.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(
        app.post_as(&admin, &resend, &json!({})).await.status(),
        StatusCode::ACCEPTED
    );
    let second = app.invitation_token("dan@acme.example");
    assert_ne!(first, second);
    let old = app.get(&format!("/invitations/{first}")).await;
    assert_eq!(
        code_of(old).await,
        (StatusCode::GONE, "invitation_expired".into())
    );
    app.enrol(&second).await;
    let again = app.post_as(&admin, &resend, &json!({})).await;
    assert_eq!(
        code_of(again).await,
        (StatusCode::CONFLICT, "already_enrolled".into())
    );
}

#[tokio::test]
async fn removing_a_user_needs_confirmation_and_tells_them() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let (id, eve) = member(&app, &admin, "PARTACME", "eve@acme.example", "user").await;
    let path = format!("/partners/PARTACME/users/{id}");
    let unconfirmed = app
        .bearer(Method::DELETE, &path, &admin.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code_of(unconfirmed).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "confirmation_required".into()
        )
    );
    let removed = app
        .bearer(
            Method::DELETE,
            &format!("{path}?confirm=true"),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_as(&admin, &path).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_as(&eve, "/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let last = app.emails_to("eve@acme.example").pop().unwrap();
    assert_eq!(last.kind, "access_revoked");
}

#[tokio::test]
async fn users_are_listed_with_filters_and_pages() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    for (email, role) in [
        ("b@acme.example", "user"),
        ("c@acme.example", "user"),
        ("d@acme.example", "marketing"),
    ] {
        invite(&app, &admin, "PARTACME", email, role).await;
    }
    let list = |query: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let page: Value = app
                .get_as(admin, &format!("/partners/PARTACME/users{query}"))
                .await
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("").await.len(), 4);
    assert_eq!(
        list("?role=user").await,
        ["b@acme.example", "c@acme.example"]
    );
    assert_eq!(
        list("?pending_invitation=false").await,
        ["admin@partacme.example"]
    );
    assert_eq!(
        list("?pending_invitation=true&role=marketing").await,
        ["d@acme.example"]
    );
    assert_eq!(list("?active=false").await.len(), 0);
    let first: Value = app
        .get_as(&admin, "/partners/PARTACME/users?limit=3")
        .await
        .json()
        .await
        .unwrap();
    let next = first["next"].as_str().unwrap();
    let rest: Value = app
        .get_as(
            &admin,
            &format!("/partners/PARTACME/users?limit=3&after={next}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    let bad = app
        .get_as(&admin, "/partners/PARTACME/users?role=owner")
        .await;
    assert_eq!(
        code_of(bad).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
}

#[tokio::test]
async fn another_partners_users_do_not_exist_for_a_partner_admin() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let acme = app.partner_admin(&platform, "PARTACME").await;
    let beta = app.partner_admin(&platform, "PARTBETA").await;
    let beta_users: Value = app
        .get_as(&beta, "/partners/PARTBETA/users")
        .await
        .json()
        .await
        .unwrap();
    let beta_admin = beta_users["items"][0]["id"].as_str().unwrap();

    let foreign_list = app.get_as(&acme, "/partners/PARTBETA/users").await;
    let missing_list = app.get_as(&acme, "/partners/PARTNONE/users").await;
    assert_eq!(foreign_list.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing_list.status(), StatusCode::NOT_FOUND);
    // Beta's user through Acme's own path is not Acme's user either.
    let through_own = app
        .get_as(&acme, &format!("/partners/PARTACME/users/{beta_admin}"))
        .await;
    let unknown = app
        .get_as(&acme, "/partners/PARTACME/users/no-such-user")
        .await;
    assert_eq!(through_own.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let tampering = patch(
        &app,
        &acme,
        &format!("/partners/PARTBETA/users/{beta_admin}"),
        json!({"active": false}),
    )
    .await;
    assert_eq!(tampering.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&beta, "/me").await.status(), StatusCode::OK);
}

/// Every change writes a complete audit row in its own transaction: who, where from, which
/// request, what, before and after.
#[tokio::test]
async fn changes_are_audited_with_who_what_and_before_after() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let id = invite(&app, &admin, "PARTACME", "fay@acme.example", "user").await;
    let me: Value = app.get_as(&admin, "/me").await.json().await.unwrap();
    let admin_id = me["user"]["id"].as_str().unwrap().to_owned();

    let response = app
        .bearer(
            Method::PATCH,
            &format!("/partners/PARTACME/users/{id}"),
            &admin.access_token,
        )
        .header("x-request-id", "audit-me-1")
        .json(&json!({"role": "marketing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let events = app
        .db
        .read(|conn| persistence::audit::for_target(conn, &id).map_err(persistence::DbError::from))
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.invited", "partner_user.updated"]);
    let update = &events[1];
    assert_eq!(update.actor_user_id.as_deref(), Some(admin_id.as_str()));
    assert_eq!(update.partner_id.as_deref(), Some("PARTACME"));
    assert_eq!(update.request_id.as_deref(), Some("audit-me-1"));
    assert_eq!(update.source_ip.as_deref(), Some("127.0.0.1"));
    let before: Value = serde_json::from_str(update.before_state.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(update.after_state.as_deref().unwrap()).unwrap();
    assert_eq!(
        (before["role"].as_str(), after["role"].as_str()),
        (Some("user"), Some("marketing"))
    );

    // A refused change leaves no trace: it rolled back whole.
    let users: Value = app
        .get_as(&admin, "/partners/PARTACME/users?role=admin")
        .await
        .json()
        .await
        .unwrap();
    let admin_user = users["items"][0]["id"].as_str().unwrap().to_owned();
    let refused = app
        .bearer(
            Method::PATCH,
            &format!("/partners/PARTACME/users/{admin_user}"),
            &admin.access_token,
        )
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let events = app
        .db
        .read(|conn| {
            persistence::audit::for_target(conn, &admin_user).map_err(persistence::DbError::from)
        })
        .unwrap();
    assert!(events.iter().all(|e| e.action != "partner_user.updated"));
}

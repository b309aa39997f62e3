//! The seeds' whole story of delegated access, end to end.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::identity::Session;
use tests::{TestApp, code_of};

use super::*;

/// The seeds' whole story: refused a direct grant for an Established customer, the partner
/// requests access, the customer's admin gets the email and approves within 24 hours, the
/// partner user switches in and works, its actions show in the customer's audit view; the
/// customer locks the permission flag and revokes the grant, and the session inside stops.
#[tokio::test]
async fn the_story_from_the_seeds() {
    let app = TestApp::spawn().await;
    let w = world(&app, "established").await;

    let refused = app
        .post_as(&w.admin, "/grants", &terms(&w.bea_id, "SHOP"))
        .await;
    let problem = tests::problem(refused).await;
    assert_eq!(problem["code"], "access_requires_customer_permission");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("access request")
    );

    let mut ask = terms(&w.bea_id, "SHOP");
    ask["duration_hours"] = json!(72);
    ask["message"] = json!("Bea will set up your clinics.");
    let request = json_of(
        app.post_as(&w.admin, "/access-requests", &ask).await,
        StatusCode::CREATED,
    )
    .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["status"], "pending");
    let email = app.emails_to("cara@shop.example").pop().unwrap();
    assert!(
        email
            .body
            .contains(&format!("/access-requests/{request_id}"))
    );
    assert!(email.body.contains("Bea Byrne"));
    assert_eq!(
        code_of(app.post_as(&w.admin, "/access-requests", &ask).await).await,
        (StatusCode::CONFLICT, "request_already_pending".into())
    );

    // The customer admin sees it, and approves 23 hours later, narrowing the duration.
    let pending = json_of(
        app.get_as(&w.cara, "/access-requests?status=pending").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending["items"][0]["id"], request_id.as_str());
    app.clock.advance(Duration::hours(23));
    let cara = app.login("SHOP", "cara@shop.example", &w.cara.secret).await;
    let approved = json_of(
        app.post_as(
            &cara,
            &format!("/access-requests/{request_id}/approve"),
            &json!({"duration_hours": 48, "message": "Welcome"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(approved["request"]["status"], "approved");
    let grant_id = approved["grant"]["id"].as_str().unwrap().to_owned();
    assert_eq!(approved["grant"]["origin"], "request");
    assert_eq!(approved["grant"]["user"]["name"], "Bea Byrne");
    assert!(
        app.emails_to("admin@partacme.example")
            .iter()
            .any(|m| m.subject.contains("approved"))
    );

    // Bea sees she can enter SHOP; her session is older than 15 minutes: a code is needed.
    let bea = app
        .login("PARTACME", "bea@acme.example", &w.bea.secret)
        .await;
    let listing = json_of(app.get_as(&bea, "/customers").await, StatusCode::OK).await;
    assert_eq!(listing["items"][0]["can_access"], true);
    // 16 minutes on, the access token is refreshed: the session is the same, its login older.
    app.clock.advance(Duration::minutes(16));
    let tokens = json_of(
        app.post(
            "/auth/refresh",
            &json!({"refresh_token": bea.refresh_token}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let bea = Session {
        access_token: tokens["access_token"].as_str().unwrap().to_owned(),
        refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
        ..bea
    };
    assert_eq!(
        code_of(
            app.post_as(&bea, "/auth/switch", &json!({"customer_id": "SHOP"}))
                .await
        )
        .await,
        (StatusCode::FORBIDDEN, "reauthentication_required".into())
    );
    assert_eq!(
        code_of(
            app.post_as(
                &bea,
                "/auth/switch",
                &json!({"customer_id": "SHOP", "code": "000000"})
            )
            .await
        )
        .await
        .1,
        "invalid_totp_code"
    );
    let inside = switch(&app, &bea, "SHOP").await;
    let me = json_of(app.get_as(&inside, "/me").await, StatusCode::OK).await;
    assert_eq!(me["account"]["id"], "SHOP");
    assert_eq!(me["acting"]["partner_id"], "PARTACME");
    assert_eq!(me["user"]["id"], w.bea_id.as_str());

    // Inside, Bea works on the customer's entities...
    let entity = json_of(
        app.post_as(
            &inside,
            "/customers/SHOP/entities",
            &json!({"name": "Cork", "entity_type": "clinic"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // ...but nothing else: not the partner's routes, not the customer's own controls.
    for (method, path) in [
        (Method::GET, "/customers"),
        (Method::GET, "/grants"),
        (Method::GET, "/audit"),
        (Method::PUT, "/account/access-permission"),
    ] {
        let response = app
            .bearer(method.clone(), path, &inside.access_token)
            .json(&json!({"required": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            code_of(response).await,
            (StatusCode::FORBIDDEN, "not_while_acting".into()),
            "{method} {path}"
        );
    }
    assert_eq!(
        send(
            &app,
            Method::GET,
            &inside.access_token,
            "/partners/PARTACME"
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            &app,
            Method::GET,
            &inside.access_token,
            "/customers/ELSE/entities"
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&app, Method::POST, &inside.access_token, "/auth/switch").await,
        StatusCode::FORBIDDEN
    );

    // The customer's audit view shows what Bea did inside, as Bea acting.
    let cara = again(&app, &cara).await;
    let admin = again(&app, &w.admin).await;
    let trail = json_of(
        app.get_as(&cara, "/audit?acting=true&action=entity.created")
            .await,
        StatusCode::OK,
    )
    .await;
    let event = &trail["items"][0];
    assert_eq!(event["actor_user_id"], w.bea_id.as_str());
    assert_eq!(event["acting"], true);
    assert_eq!(event["target_id"], entity["id"]);
    assert_eq!(event["after"]["name"], "Cork");
    let csv = app
        .get_as(&cara, "/audit/export.csv?acting=true")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("occurred_at,action,"));
    assert!(csv.contains("entity.created"));
    assert!(csv.contains("session.switched_into_customer"));

    // The customer locks the flag; the partner cannot clear it.
    let locked = json_of(
        app.bearer(
            Method::PUT,
            "/account/access-permission",
            &cara.access_token,
        )
        .json(&json!({"required": true}))
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(locked["locked_by_customer"], true);
    assert_eq!(
        code_of(
            app.patch_as(
                &admin,
                "/customers/SHOP",
                &json!({"requires_access_permission": false})
            )
            .await
        )
        .await,
        (StatusCode::FORBIDDEN, "locked_by_customer".into())
    );

    // The customer sees who can enter and revokes Bea: her session inside stops at once.
    let grants = json_of(app.get_as(&cara, "/grants").await, StatusCode::OK).await;
    assert_eq!(grants["items"][0]["id"], grant_id.as_str());
    assert!(grants["items"][0]["last_used_at"].is_string());
    assert_eq!(
        send(
            &app,
            Method::DELETE,
            &cara.access_token,
            &format!("/grants/{grant_id}")
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, Method::GET, &inside.access_token, "/me").await,
        StatusCode::UNAUTHORIZED
    );
    let refreshed = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": inside.refresh_token}),
        )
        .await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        code_of(
            app.post_as(&bea, "/auth/switch", &json!({"customer_id": "SHOP"}))
                .await
        )
        .await,
        (StatusCode::FORBIDDEN, "no_access_grant".into())
    );
    assert_eq!(
        app.audit_actions(&grant_id),
        ["access_grant.created", "access_grant.revoked"]
    );
}

//! Partners end to end: created by the platform with every field checked, listed, filtered
//! and sorted, hidden from other tenants.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{TestApp, code_of, problem};

#[tokio::test]
async fn another_partner_answers_like_a_partner_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let acme = app.partner_admin(&platform, "PARTACME").await;
    app.partner_admin(&platform, "PARTBETA").await;
    let other = app.get_as(&acme, "/partners/PARTBETA").await;
    let missing = app.get_as(&acme, "/partners/PARTNONE").await;
    let malformed = app.get_as(&acme, "/partners/nonsense").await;
    let mut bodies = Vec::new();
    for response in [other, missing, malformed] {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let mut body = problem(response).await;
        body.as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
}

#[tokio::test]
async fn creating_a_partner_validates_every_field_and_keeps_ids_unique() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let response = app
        .post_as(
            &platform,
            "/partners",
            &json!({"id": "ACME", "name": " ", "email": "nope", "admin": {"name": "A", "email": "bad"}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["id", "name", "email", "admin.email"]);

    app.partner_admin(&platform, "PARTACME").await;
    let again = app
        .post_as(
            &platform,
            "/partners",
            &json!({"id": "partacme", "name": "Other", "email": "o@x.example", "admin": {"name": "B", "email": "b@x.example"}}),
        )
        .await;
    assert_eq!(
        code_of(again).await,
        (StatusCode::CONFLICT, "partner_id_taken".into())
    );
}

#[tokio::test]
async fn partners_are_listed_by_name_in_pages() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    for id in ["PARTC", "PARTA", "PARTB"] {
        let response = app
            .post_as(
                &platform,
                "/partners",
                &json!({"id": id, "name": format!("Name {id}"), "email": "o@x.example", "admin": {"name": "B", "email": format!("b@{id}.example")}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["location"], format!("/partners/{id}"));
    }
    let first: Value = app
        .get_as(&platform, "/partners?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["PARTA", "PARTB"]);
    let next = first["next"].as_str().unwrap();
    let second: Value = app
        .get_as(&platform, &format!("/partners?limit=2&after={next}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"][0]["id"], "PARTC");
    assert!(second["next"].is_null());
    let bad = app.get_as(&platform, "/partners?after=garbage").await;
    assert_eq!(
        code_of(bad).await,
        (StatusCode::BAD_REQUEST, "invalid_query".into())
    );
}

#[tokio::test]
async fn partners_are_filtered_and_sorted() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    for (id, name) in [
        ("PARTA", "Zeta 100%"),
        ("PARTB", "Alpha"),
        ("PARTC", "Beta_x"),
    ] {
        let body = json!({"id": id, "name": name, "email": "o@x.example", "admin": {"name": "B", "email": format!("b@{id}.example")}});
        assert_eq!(
            app.post_as(&platform, "/partners", &body).await.status(),
            StatusCode::CREATED
        );
    }
    app.bearer(Method::PATCH, "/partners/PARTC", &platform.access_token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    let ids = |query: &'static str| {
        let (app, platform) = (&app, &platform);
        async move {
            let page: Value = app
                .get_as(platform, &format!("/partners{query}"))
                .await
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("?sort=-id").await, ["PARTC", "PARTB", "PARTA"]);
    assert_eq!(ids("?sort=id&active=true").await, ["PARTA", "PARTB"]);
    assert_eq!(ids("?q=ALPHA").await, ["PARTB"]);
    assert_eq!(ids("?q=partc").await, ["PARTC"]);
    assert_eq!(ids("?q=100%25").await, ["PARTA"], "% matches itself");
    assert_eq!(ids("?q=a_x").await, ["PARTC"], "_ matches itself");
    assert_eq!(ids("?q=a_").await.len(), 1);
    let first: Value = app
        .get_as(&platform, "/partners?sort=-name&limit=2")
        .await
        .json()
        .await
        .unwrap();
    let next = first["next"].as_str().unwrap();
    let rest: Value = app
        .get_as(
            &platform,
            &format!("/partners?sort=-name&limit=2&after={next}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Zeta 100%", "Beta_x", "Alpha"]);
    let bad = app.get_as(&platform, "/partners?sort=email").await;
    assert_eq!(
        code_of(bad).await,
        (StatusCode::BAD_REQUEST, "invalid_query".into())
    );
}

//! The catalogues (sectors, products, add-ons, entity types): read by partners, kept by the
//! platform, and what a retired entry means for the customers that use it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::Session;
use tests::{TestApp, problem};

use crate::customers::create;

#[tokio::test]
async fn catalogues_are_read_by_partners_and_kept_by_the_platform() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let sectors: Value = app
        .get_as(&admin, "/catalogues/sector")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        sectors["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "healthcare")
    );
    assert_eq!(
        app.get_as(&admin, "/catalogues/planets").await.status(),
        StatusCode::NOT_FOUND
    );

    let put = |session: &Session, path: &str, body: Value| {
        app.bearer(Method::PUT, path, &session.access_token)
            .json(&body)
            .send()
    };
    let denied = put(
        &admin,
        "/catalogues/sector/veterinary",
        json!({"label": "Veterinary"}),
    )
    .await
    .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let added = put(
        &platform,
        "/catalogues/sector/veterinary",
        json!({"label": "Veterinary"}),
    )
    .await
    .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["position"], 11);
    let reserved = put(
        &platform,
        "/catalogues/entity_type/group",
        json!({"label": "Group"}),
    )
    .await
    .unwrap();
    assert_eq!(reserved.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_code = put(
        &platform,
        "/catalogues/sector/Vet-1",
        json!({"label": "Vet"}),
    )
    .await
    .unwrap();
    assert_eq!(bad_code.status(), StatusCode::UNPROCESSABLE_ENTITY);

    create(
        &app,
        &admin,
        json!({"id": "VET", "ref": "1", "name": "Vet", "sector": "veterinary"}),
    )
    .await;
    // Retired: kept by the customer that has it, refused for new ones.
    let retired = put(
        &platform,
        "/catalogues/sector/veterinary",
        json!({"label": "Veterinary", "active": false}),
    )
    .await
    .unwrap();
    assert_eq!(retired.status(), StatusCode::OK);
    let kept = app
        .patch_as(&admin, "/customers/VET", &json!({"name": "Vet 2"}))
        .await;
    assert_eq!(kept.status(), StatusCode::OK);
    let refused = problem(
        app.post_as(
            &admin,
            "/customers",
            &json!({"id": "VET", "ref": "2", "name": "V", "sector": "veterinary"}),
        )
        .await,
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "sector");
}

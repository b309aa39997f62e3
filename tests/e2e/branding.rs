//! White label: logos checked by content and served safely; the public branding.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::Session;
use tests::{PNG, TestApp, code_of};

async fn upload(
    app: &TestApp,
    session: &Session,
    path: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = Part::bytes(bytes)
        .file_name("logo.png")
        .mime_str("image/png")
        .unwrap();
    app.bearer(Method::PUT, path, &session.access_token)
        .multipart(Form::new().part(name.to_owned(), part))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_partner_admin_brands_the_hub_and_anyone_can_read_it() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;

    let settings: Value = app
        .patch_as(
            &admin,
            "/partners/PARTACME",
            &json!({"support_email": "help@acme.example", "powered_by_url": "https://acme.example/about", "email": "hello@acme.example"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["support_email"], "help@acme.example");
    let bad = app
        .patch_as(
            &admin,
            "/partners/PARTACME",
            &json!({"support_email": "nope", "powered_by_url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let stored = upload(
        &app,
        &admin,
        "/partners/PARTACME/images/logo",
        "file",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(stored.status(), StatusCode::OK);
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(
        (stored["width"].as_i64(), stored["content_type"].as_str()),
        (Some(1), Some("image/png"))
    );

    let branding: Value = app.get("/branding/partacme").await.json().await.unwrap();
    assert_eq!(branding["name"], "PARTACME Ltd");
    assert_eq!(branding["support_email"], "help@acme.example");
    assert_eq!(branding["powered_by_url"], "https://acme.example/about");
    assert_eq!(branding["logo_url"], "/branding/PARTACME/images/logo");
    assert_eq!(branding["powered_by_logo_url"], Value::Null);

    let image = app.get("/branding/PARTACME/images/logo").await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.headers()["x-content-type-options"], "nosniff");
    let etag = image.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(image.bytes().await.unwrap().as_ref(), PNG);
    let cached = app
        .client
        .get(app.url("/branding/PARTACME/images/logo"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    let removed = app
        .bearer(
            Method::DELETE,
            "/partners/PARTACME/images/logo",
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/branding/PARTACME/images/logo").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/branding/PARTNOSUCH").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.audit_actions("PARTACME/logo"),
        vec!["partner.image_saved", "partner.image_removed"]
    );
}

#[tokio::test]
async fn only_real_small_images_from_the_partners_own_admins_are_stored() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let other = app.partner_admin(&platform, "PARTOTHER").await;
    let path = "/partners/PARTACME/images/logo";

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    assert_eq!(
        code_of(upload(&app, &admin, path, "file", svg).await).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_image".into())
    );
    let mut huge = PNG.to_vec();
    huge.resize(1024 * 1024 + 1, 0);
    assert_eq!(
        code_of(upload(&app, &admin, path, "file", huge).await).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    let mut wide = PNG.to_vec();
    wide[16..20].copy_from_slice(&5000u32.to_be_bytes());
    assert_eq!(
        code_of(upload(&app, &admin, path, "file", wide).await).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_image".into())
    );
    assert_eq!(
        code_of(upload(&app, &admin, path, "picture", PNG.to_vec()).await).await,
        (StatusCode::BAD_REQUEST, "invalid_upload".into())
    );
    let json = app
        .bearer(Method::PUT, path, &admin.access_token)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        upload(
            &app,
            &admin,
            "/partners/PARTACME/images/banner",
            "file",
            PNG.to_vec()
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        code_of(upload(&app, &other, path, "file", PNG.to_vec()).await).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let (_, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    assert_eq!(
        upload(&app, &bea, path, "file", PNG.to_vec())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/branding/PARTACME/images/logo").await.status(),
        StatusCode::NOT_FOUND,
        "nothing was stored"
    );
}

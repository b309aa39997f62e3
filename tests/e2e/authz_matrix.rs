//! The authorization matrix (OWASP API1/API5): every operation of the OpenAPI document, called
//! by every kind of caller, answers as `authz_matrix.toml` says. Each operation that changes
//! something runs against its own fresh pair of partners, so that what one operation changes
//! (a removed user, a logged-out session) cannot change what another sees; the reads share one.

use std::collections::BTreeMap;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::Session;
use tests::{PNG, TestApp};

const TABLE: &str = include_str!("authz_matrix.toml");

const CALLERS: [&str; 14] = [
    "anonymous",
    "platform",
    "a_admin",
    "a_user",
    "a_user_elsewhere",
    "a_marketing",
    "b_admin",
    "customer_admin",
    "customer_guest",
    "other_customer_admin",
    "a_acting",
    "a_invited",
    "deactivated",
    "revoked",
];

/// The world one operation is called in.
#[derive(Clone)]
struct Fixture {
    tokens: BTreeMap<&'static str, String>,
    partner_a: String,
    shop: String,
    bea: String,
    gus: String,
    grant: String,
    request: String,
    kit_item: String,
}

fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    for _ in 0..3 {
        out.push(char::from(b'A' + u8::try_from(n % 26).unwrap()));
        n /= 26;
    }
    out.into_iter().rev().collect()
}

async fn expect_ok(response: reqwest::Response, what: &str) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

async fn partner(app: &TestApp, platform: &Session, id: &str, admin_email: &str) -> Session {
    let body = json!({"id": id, "name": id, "email": format!("office@{}.example", id.to_lowercase()),
                      "admin": {"name": "Admin", "email": admin_email}});
    expect_ok(app.post_as(platform, "/partners", &body).await, "partner").await;
    let secret = app.enrol(&app.invitation_token(admin_email)).await;
    app.login(id, admin_email, &secret).await
}

async fn build(app: &TestApp, root_secret: &str, n: usize) -> Fixture {
    let platform = app
        .login("PLATFORM", "root@platform.example", root_secret)
        .await;
    let (a, b) = (format!("PARTA{n}"), format!("PARTB{n}"));
    let a_admin_email = format!("admin{n}@a.example");
    let a_admin = partner(app, &platform, &a, &a_admin_email).await;
    let b_admin = partner(app, &platform, &b, &format!("admin{n}@b.example")).await;
    let revoked = app.login(&a, &a_admin_email, &a_admin.secret).await;
    let logout = app.logout(&revoked).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    let users = format!("/partners/{a}/users");
    let member = |name: &str, role: &str| {
        let body = json!({"name": name, "email": format!("{name}{n}@a.example"), "role": role});
        app.invited_member(&a_admin, &users, &a, body)
    };
    let (bea, bea_session) = member("bea", "user").await;
    let (ulla, ulla_session) = member("ulla", "user").await;
    let (_, mark) = member("mark", "marketing").await;
    let (dave, dave_session) = member("dave", "user").await;
    let off = app
        .patch_as(
            &a_admin,
            &format!("{users}/{dave}"),
            &json!({"active": false}),
        )
        .await;
    expect_ok(off, "deactivate").await;

    let (shop, other) = (format!("S{}", letters(n)), format!("O{}", letters(n)));
    let licence = json!([{"product": "analytics", "licence_type": "subscription",
                          "seats_available": 5}]);
    for (id, reference) in [(&shop, "1"), (&other, "2")] {
        let body = json!({"id": id, "ref": reference, "name": id, "licences": licence});
        expect_ok(app.post_as(&a_admin, "/customers", &body).await, "customer").await;
    }
    let entity = json!({"name": "First", "entity_type": "site"});
    expect_ok(
        app.post_as(&a_admin, &format!("/customers/{shop}/entities"), &entity)
            .await,
        "entity",
    )
    .await;
    for (customer, user) in [(&shop, &bea), (&other, &ulla)] {
        let path = format!("/customers/{customer}/assignments/{user}");
        expect_ok(
            app.bearer(Method::PUT, &path, &a_admin.access_token)
                .send()
                .await
                .unwrap(),
            "assign",
        )
        .await;
    }
    let mut customer_users = Vec::new();
    for (customer, name, role) in [
        (&shop, "cara", "admin"),
        (&shop, "gus", "guest"),
        (&other, "olga", "admin"),
    ] {
        let email = format!("{name}{n}@{}.example", customer.to_lowercase());
        let body = json!({"name": name, "email": email, "role": role});
        let path = format!("/customers/{customer}/users");
        customer_users.push(app.invited_member(&a_admin, &path, customer, body).await);
    }
    let [(_, cara_session), (gus, gus_session), (_, olga_session)]: [(String, Session); 3] =
        customer_users.try_into().unwrap();
    let logo = Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("logo.png"));
    let upload = app
        .bearer(
            Method::PUT,
            &format!("/partners/{a}/images/logo"),
            &a_admin.access_token,
        )
        .multipart(logo)
        .send()
        .await
        .unwrap();
    expect_ok(upload, "logo").await;

    // Delegated access: bea holds a managing grant into the shop and is switched in; ulla is
    // the shop's guest (read-only), switched in; a request for bea is pending with cara.
    let terms = |user: &str, role: &str, permissions: Value| {
        json!({"user_id": user, "customer_id": shop, "profile": "Consultant", "role": role,
               "permissions": permissions})
    };
    let grant = expect_ok(
        app.post_as(
            &a_admin,
            "/grants",
            &terms(&bea, "admin", json!(["manage_entities", "manage_users"])),
        )
        .await,
        "grant",
    )
    .await;
    let invited = json!({"email": format!("ulla{n}@a.example"), "profile": "Guest", "role": "user",
                         "permissions": ["view_entities"]});
    expect_ok(
        app.post_as(&cara_session, "/account/guests", &invited)
            .await,
        "invite ulla in",
    )
    .await;
    let request = expect_ok(
        app.post_as(
            &a_admin,
            "/access-requests",
            &terms(&bea, "user", json!(["view_entities"])),
        )
        .await,
        "request",
    )
    .await;
    let kit = Form::new()
        .text("title", "Brochure")
        .part("file", Part::bytes(b"%PDF-1.7".to_vec()).file_name("b.pdf"));
    let kit_item = expect_ok(
        app.bearer(Method::POST, "/partner-kit", &platform.access_token)
            .multipart(kit)
            .send()
            .await
            .unwrap(),
        "kit",
    )
    .await;
    let into_shop = json!({"customer_id": shop});
    let acting = expect_ok(
        app.post_as(&bea_session, "/auth/switch", &into_shop).await,
        "switch",
    )
    .await;
    let invited_inside = expect_ok(
        app.post_as(&ulla_session, "/auth/switch", &into_shop).await,
        "invited switch",
    )
    .await;
    let token = |v: &Value| v["access_token"].as_str().unwrap().to_owned();

    let tokens = BTreeMap::from([
        ("platform", platform.access_token),
        ("a_admin", a_admin.access_token),
        ("a_user", bea_session.access_token),
        ("a_user_elsewhere", ulla_session.access_token),
        ("a_marketing", mark.access_token),
        ("b_admin", b_admin.access_token),
        ("customer_admin", cara_session.access_token),
        ("customer_guest", gus_session.access_token),
        ("other_customer_admin", olga_session.access_token),
        ("a_acting", token(&acting)),
        ("a_invited", token(&invited_inside)),
        ("deactivated", dave_session.access_token),
        ("revoked", revoked.access_token),
    ]);
    Fixture {
        tokens,
        partner_a: a,
        shop,
        bea,
        gus,
        grant: grant["id"].as_str().unwrap().to_owned(),
        request: request["id"].as_str().unwrap().to_owned(),
        kit_item: kit_item["id"].as_str().unwrap().to_owned(),
    }
}

/// The operation's path with the fixture's things in it, and the entry's query.
fn target(template: &str, entry: &toml::Table, fixture: &Fixture) -> String {
    let path = concrete(template, fixture);
    match entry.get("query").and_then(|v| v.as_str()) {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

fn concrete(template: &str, fixture: &Fixture) -> String {
    let user = if template.starts_with("/customers/{customer_id}/users/") {
        &fixture.gus
    } else {
        &fixture.bea
    };
    let code = if template.starts_with("/problems") {
        "not_found"
    } else {
        "veterinary"
    };
    template
        .replace("{partner_id}", &fixture.partner_a)
        .replace("{customer_id}", &fixture.shop)
        .replace("{entity_id}", &format!("{}0001", fixture.shop))
        .replace("{user_id}", user)
        .replace("{kind}", "sector")
        .replace("{product}", "analytics")
        .replace("{code}", code)
        .replace("{slot}", "logo")
        .replace("{token}", "an-unknown-token")
        .replace("{session_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{grant_id}", &fixture.grant)
        .replace("{request_id}", &fixture.request)
        .replace("{item_id}", &fixture.kit_item)
        .replace("{bea}", &fixture.bea)
}

/// What the answer means for authorization.
fn class(status: StatusCode) -> String {
    match status.as_u16() {
        401 | 403 | 404 => status.as_u16().to_string(),
        s if s >= 500 || s == 405 => format!("error {s}"),
        _ => "ok".to_owned(),
    }
}

fn expected(entry: &toml::Table, caller: &str) -> String {
    let named = |key: &str| entry.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let public = entry
        .get("public")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    let unauthenticated = matches!(caller, "anonymous" | "deactivated" | "revoked");
    named(caller)
        .or_else(|| (unauthenticated && !public).then(|| "401".to_owned()))
        .or_else(|| named("all"))
        .unwrap_or_else(|| panic!("no expectation for {caller}"))
}

#[tokio::test]
async fn every_operation_answers_every_caller_as_the_table_says() {
    let table: toml::Table = TABLE.parse().unwrap();
    let spec: Value = serde_json::to_value(api::openapi::document()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let missing: Vec<&String> = operations
        .iter()
        .filter(|op| !table.contains_key(op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in authz_matrix.toml: {missing:#?}"
    );
    let stale: Vec<&String> = table
        .keys()
        .filter(|key| !operations.contains(key))
        .collect();
    assert!(stale.is_empty(), "rows naming no operation: {stale:#?}");

    let app = TestApp::spawn().await;
    let root_secret = app
        .enrol(&app.invite_platform_admin("root@platform.example"))
        .await;
    let mut wrong = Vec::new();
    let mut calls = 0;
    let mut n = 0;
    let mut shared: Option<Fixture> = None;
    // The reads first, back to back in their shared world: building another world moves the
    // clock (every login takes a fresh TOTP step), and the shared world's tokens would expire.
    let reads_first = |op: &&String| {
        let fresh = table[op.as_str()]
            .get("fresh")
            .and_then(toml::Value::as_bool);
        !(op.starts_with("GET ") && fresh != Some(true))
    };
    let mut ordered: Vec<&String> = operations.iter().collect();
    ordered.sort_by_key(reads_first);
    for operation in ordered {
        let entry = table[operation.as_str()].as_table().unwrap();
        // An operation that changes what other callers see (removing the user the path names)
        // gets a fresh world after each caller it let through.
        let fresh = entry
            .get("fresh")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let (method, template) = operation.split_once(' ').unwrap();
        // A read changes nothing, so the reads share one world; each change gets its own.
        let mut fixture = match &shared {
            Some(world) if method == "GET" && !fresh => world.clone(),
            _ => {
                n += 1;
                let world = build(&app, &root_secret, n).await;
                if method == "GET" && !fresh {
                    shared = Some(world.clone());
                }
                world
            }
        };
        let mut path = target(template, entry, &fixture);
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        // A refused call changes nothing: only an allowed one spoils the world for the next.
        let mut spoiled = false;
        for caller in CALLERS {
            if fresh && spoiled {
                n += 1;
                fixture = build(&app, &root_secret, n).await;
                path = target(template, entry, &fixture);
            }
            let mut request = app.client.request(method.clone(), app.url(&path));
            if let Some(token) = fixture.tokens.get(caller) {
                request = request.bearer_auth(token);
            }
            if entry.get("upload").is_some() {
                let part = Part::bytes(PNG.to_vec()).file_name("logo.png");
                request = request.multipart(Form::new().part("file", part));
            } else if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
                let body = entry.get("body").and_then(|v| v.as_str()).unwrap_or("{}");
                request = request
                    .header("content-type", "application/json")
                    .body(concrete(body, &fixture));
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            calls += 1;
            let caching = response.headers().get("cache-control");
            let cacheable = entry.get("cacheable").and_then(toml::Value::as_bool) == Some(true);
            if !cacheable && caching.is_none_or(|value| value != "no-store") {
                wrong.push(format!(
                    "{operation} as {caller}: Cache-Control {caching:?}, not no-store ({status})"
                ));
            }
            let (want, got) = (expected(entry, caller), class(status));
            spoiled = got == "ok";
            if want != got {
                wrong.push(format!(
                    "{operation} as {caller}: expected {want}, got {got} ({status})"
                ));
            }
        }
    }
    eprintln!(
        "authorization matrix: {} operations × {} callers = {calls} calls in {n} worlds",
        operations.len(),
        CALLERS.len()
    );
    assert!(
        wrong.is_empty(),
        "{} answers differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

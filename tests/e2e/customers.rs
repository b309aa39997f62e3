//! Customer accounts: the record, its rules, ETags, deactivation, tenancy.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::Session;
use tests::{TestApp, code_of, problem};

pub fn full_record(id: &str, reference: &str) -> Value {
    json!({
        "id": id, "ref": reference, "name": format!("{id} Dental Group"),
        "website": "https://acme.example", "contact_name": "Ana Byrne",
        "contact_email": "ana@acme.example", "termset": "practice",
        "add_ons": ["advanced_reporting", "payroll"], "sector": "healthcare", "status": "onboarding",
        "requires_access_permission": false, "iframe_embedding": true,
        "iframe_domains": ["intranet.acme.example"], "membership_end_date": "2027-12-31",
        "locations": 4, "account_type": "paid", "billing_recipient": "partner",
        "compliance_percent": 87, "workers": 120,
        "licences": [{"product": "analytics", "licence_type": "subscription",
                      "seats_available": 10, "contract_expiry": "2027-06-30", "next_renewal": "2027-06-01"}]
    })
}

/// Creates a customer as `admin`; returns the answer.
pub async fn create(app: &TestApp, admin: &Session, body: Value) -> Value {
    let response = app.post_as(admin, "/customers", &body).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

fn fields_of(problem: &Value) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    fields.sort();
    fields
}

#[tokio::test]
async fn a_partner_admin_creates_a_complete_customer_with_its_group_layer() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;

    let response = app
        .post_as(&admin, "/customers", &full_record("acme", "INV-1"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["location"], "/customers/ACME");
    assert_eq!(response.headers()["etag"], "\"1\"");
    let customer: Value = response.json().await.unwrap();
    assert_eq!(customer["id"], "ACME", "customer IDs are upper-case");
    assert_eq!(customer["partner_id"], "PARTACME");
    assert_eq!(customer["ref"], "INV-1");
    assert_eq!(customer["website"], "https://acme.example/");
    assert_eq!(customer["status"], "onboarding");
    assert_eq!(
        customer["add_ons"],
        json!(["advanced_reporting", "payroll"])
    );
    assert_eq!(customer["product_plan"], Value::Null);
    assert_eq!(customer["iframe_domains"], json!(["intranet.acme.example"]));
    assert_eq!(customer["licences"][0]["seats_available"], 10);
    assert_eq!(customer["next_renewal_date"], "2027-06-01");
    assert_eq!(
        customer["entities"],
        json!({"total": 1, "by_type": {"group": 1}})
    );
    assert_eq!(customer["users"], json!({"total": 0, "by_type": {}}));

    let group: Value = app
        .get_as(&admin, "/customers/ACME/entities/ACME0000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(group["entity_type"], "group");
    assert_eq!(group["name"], "acme Dental Group");

    let read = app.get_as(&admin, "/customers/acme").await;
    assert_eq!(read.headers()["etag"], "\"1\"");
    let read: Value = read.json().await.unwrap();
    assert_eq!(read, customer);
    assert_eq!(app.audit_actions("ACME"), vec!["customer.created"]);
    assert_eq!(app.audit_actions("ACME0000"), vec!["entity.created"]);

    // The minimum: ID, ref and name; the rest defaults.
    let minimal = create(&app, &admin, json!({"id": "B", "ref": "2", "name": "Bee"})).await;
    assert_eq!(minimal["termset"], "group");
    assert_eq!(minimal["status"], "pre_sales");
    assert_eq!(minimal["account_type"], "trial");
    assert_eq!(minimal["account_state"], "active");
    assert_eq!(minimal["active"], true);
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let response = app
        .post_as(
            &admin,
            "/customers",
            &json!({
                "id": "AC1", "ref": "", "name": " ", "website": "acme.example",
                "contact_email": "not-an-email", "termset": "Group", "status": "Established",
                "sector": "space", "add_ons": ["payroll", "teleport"], "product_plan": "essentials",
                "iframe_embedding": true, "iframe_domains": ["ok.example", "bad domain!"],
                "contact_name": "x".repeat(201), "membership_end_date": "31/12/2027", "locations": -1, "workers": -5,
                "compliance_percent": 101, "account_type": "paid",
                "licences": [
                    {"product": "analytics", "licence_type": "lease", "seats_available": -1},
                    {"product": "analytics", "licence_type": "trial", "seats_available": 0,
                     "next_renewal": "tomorrow"}
                ]
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let all = problem(response).await;
    assert_eq!(all["code"], "validation_failed");
    assert_eq!(
        fields_of(&all),
        vec![
            ("add_ons[1]".into(), "unknown_code".into()),
            ("billing_recipient".into(), "required".into()),
            ("compliance_percent".into(), "range".into()),
            ("contact_email".into(), "email".into()),
            ("contact_name".into(), "name".into()),
            ("id".into(), "customer_id".into()),
            ("iframe_domains[1]".into(), "host_name".into()),
            ("licences[0].licence_type".into(), "licence_type".into()),
            ("licences[0].seats_available".into(), "range".into()),
            ("licences[1].next_renewal".into(), "date".into()),
            ("licences[1].product".into(), "duplicate".into()),
            ("locations".into(), "range".into()),
            ("membership_end_date".into(), "date".into()),
            ("name".into(), "name".into()),
            ("ref".into(), "ref".into()),
            ("sector".into(), "unknown_code".into()),
            ("status".into(), "status".into()),
            ("termset".into(), "termset".into()),
            ("website".into(), "url".into()),
            ("workers".into(), "range".into()),
        ]
    );

    // Missing required fields, and a wrong type, are named too.
    let missing = problem(app.post_as(&admin, "/customers", &json!({})).await).await;
    assert_eq!(
        fields_of(&missing),
        vec![
            ("id".into(), "required".into()),
            ("name".into(), "required".into()),
            ("ref".into(), "required".into()),
        ]
    );
    let wrong_type = app
        .post_as(
            &admin,
            "/customers",
            &json!({"id": "X", "ref": "1", "name": "X", "locations": "four"}),
        )
        .await;
    let wrong_type = problem(wrong_type).await;
    assert_eq!(wrong_type["code"], "invalid_body");
    assert_eq!(wrong_type["errors"][0]["field"], "locations");
    let unknown = problem(
        app.post_as(
            &admin,
            "/customers",
            &json!({"id": "X", "ref": "1", "name": "X", "colour": "red"}),
        )
        .await,
    )
    .await;
    assert_eq!(unknown["errors"][0]["field"], "colour");
}

#[tokio::test]
async fn product_plan_or_add_ons_follows_the_partners_price_plan_flag() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    let plan = json!({"id": "P", "ref": "1", "name": "P", "product_plan": "professional"});
    let refused = problem(app.post_as(&admin, "/customers", &plan).await).await;
    assert_eq!(refused["errors"][0]["field"], "product_plan");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("add-ons"),
        "{refused}"
    );
    create(
        &app,
        &admin,
        json!({"id": "A", "ref": "a", "name": "A", "add_ons": ["payroll"]}),
    )
    .await;

    // Only the platform puts a partner on price plan.
    let denied = app
        .patch_as(
            &admin,
            "/partners/PARTACME",
            &json!({"on_price_plan": true}),
        )
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let partner: Value = app
        .patch_as(
            &platform,
            "/partners/PARTACME",
            &json!({"on_price_plan": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(partner["on_price_plan"], true);

    let customer = create(&app, &admin, plan).await;
    assert_eq!(customer["product_plan"], "professional");
    let no_plan = problem(
        app.post_as(
            &admin,
            "/customers",
            &json!({"id": "Q", "ref": "q", "name": "Q"}),
        )
        .await,
    )
    .await;
    assert_eq!(no_plan["errors"][0]["field"], "product_plan");
    assert_eq!(no_plan["errors"][0]["code"], "required");
    let add_ons = json!({"id": "R", "ref": "r", "name": "R", "product_plan": "essentials", "add_ons": ["payroll"]});
    let add_ons = problem(app.post_as(&admin, "/customers", &add_ons).await).await;
    assert_eq!(add_ons["errors"][0]["field"], "add_ons");
    assert!(
        add_ons["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("product plan")
    );

    // A customer made before the switch must take a plan at its next edit.
    let edit = problem(
        app.patch_as(&admin, "/customers/A", &json!({"name": "A2"}))
            .await,
    )
    .await;
    assert_eq!(edit["errors"][0]["field"], "product_plan");
    let fixed = app
        .patch_as(
            &admin,
            "/customers/A",
            &json!({"add_ons": [], "product_plan": "enterprise"}),
        )
        .await;
    assert_eq!(fixed.status(), StatusCode::OK);
}

#[tokio::test]
async fn customer_ids_are_unique_everywhere_and_never_change_refs_unique_per_partner() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let acme = app.partner_admin(&platform, "PARTACME").await;
    let other = app.partner_admin(&platform, "PARTOTHER").await;
    create(
        &app,
        &acme,
        json!({"id": "SHOP", "ref": "1", "name": "Shop"}),
    )
    .await;

    let taken = app
        .post_as(
            &other,
            "/customers",
            &json!({"id": "shop", "ref": "9", "name": "Other shop"}),
        )
        .await;
    assert_eq!(
        code_of(taken).await,
        (StatusCode::CONFLICT, "customer_id_taken".into())
    );
    let reserved = problem(
        app.post_as(
            &acme,
            "/customers",
            &json!({"id": "PARTX", "ref": "2", "name": "X"}),
        )
        .await,
    )
    .await;
    assert_eq!(reserved["errors"][0]["code"], "customer_id_reserved");

    // The same ref is fine in another partner, refused in the same one.
    create(
        &app,
        &other,
        json!({"id": "MART", "ref": "1", "name": "Mart"}),
    )
    .await;
    let duplicate = problem(
        app.post_as(
            &acme,
            "/customers",
            &json!({"id": "TWO", "ref": "1", "name": "Two"}),
        )
        .await,
    )
    .await;
    assert_eq!(fields_of(&duplicate), vec![("ref".into(), "taken".into())]);
    create(&app, &acme, json!({"id": "TWO", "ref": "2", "name": "Two"})).await;
    let clash = problem(
        app.patch_as(&acme, "/customers/TWO", &json!({"ref": "1"}))
            .await,
    )
    .await;
    assert_eq!(fields_of(&clash), vec![("ref".into(), "taken".into())]);

    let renamed = app
        .patch_as(&acme, "/customers/SHOP", &json!({"id": "SHOPX"}))
        .await;
    assert_eq!(
        code_of(renamed).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "immutable_field".into())
    );
    // Sending the current ID (in any case) is not a change.
    let same = app
        .patch_as(
            &acme,
            "/customers/SHOP",
            &json!({"id": "shop", "name": "Shop 2"}),
        )
        .await;
    assert_eq!(same.status(), StatusCode::OK);
}

#[tokio::test]
async fn another_partners_customer_does_not_exist_for_you() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let acme = app.partner_admin(&platform, "PARTACME").await;
    let other = app.partner_admin(&platform, "PARTOTHER").await;
    create(
        &app,
        &acme,
        json!({"id": "SHOP", "ref": "1", "name": "Shop"}),
    )
    .await;
    for (method, path, body) in [
        (Method::GET, "/customers/SHOP", None),
        (
            Method::PATCH,
            "/customers/SHOP",
            Some(json!({"name": "Mine"})),
        ),
        (Method::GET, "/customers/SHOP/entities", None),
        (
            Method::POST,
            "/customers/SHOP/entities",
            Some(json!({"name": "S", "entity_type": "site"})),
        ),
        (Method::GET, "/customers/SHOP/entities/SHOP0000", None),
        (Method::GET, "/customers/SHOP/users", None),
        (
            Method::POST,
            "/customers/SHOP/users",
            Some(json!({"name": "E", "email": "e@x.example"})),
        ),
        (Method::GET, "/customers/SHOP/licences", None),
        (Method::GET, "/customers/SHOP/assignments", None),
        (Method::GET, "/customers/NOSUCH", None),
    ] {
        let mut request = app.bearer(method.clone(), path, &other.access_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            code_of(response).await,
            (StatusCode::NOT_FOUND, "not_found".into()),
            "{method} {path}"
        );
    }
    let listing: Value = app.get_as(&other, "/customers").await.json().await.unwrap();
    assert_eq!(listing["items"], json!([]));
    let mine: Value = app
        .get_as(&acme, "/customers/SHOP")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["name"], "Shop");
}

#[tokio::test]
async fn concurrent_edits_do_not_overwrite_each_other_and_null_clears() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(&app, &admin, full_record("ACME", "1")).await;

    let edit = |etag: &'static str, body: Value| {
        app.bearer(Method::PATCH, "/customers/ACME", &admin.access_token)
            .header("if-match", etag)
            .json(&body)
            .send()
    };
    let first = edit("\"1\"", json!({"status": "established"}))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let stale = edit("\"1\"", json!({"status": "demo"})).await.unwrap();
    assert_eq!(
        code_of(stale).await,
        (
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed".into()
        )
    );
    let read: Value = app
        .get_as(&admin, "/customers/ACME")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        read["status"], "established",
        "the stale edit wrote nothing"
    );
    assert_eq!(read["version"], 2);

    // Only the fields sent change; null clears an optional one; a no-op keeps the version.
    let cleared: Value = edit(
        "\"2\"",
        json!({"website": null, "locations": null, "iframe_embedding": false}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(cleared["website"], Value::Null);
    assert_eq!(cleared["locations"], Value::Null);
    assert_eq!(cleared["contact_name"], "Ana Byrne");
    assert_eq!(cleared["iframe_domains"], json!(["intranet.acme.example"]));
    assert_eq!(cleared["version"], 3);
    let same: Value = edit("*", json!({"name": "ACME Dental Group"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(same["version"], 3);

    // The flag without a domain is refused; a paid account needs its billing recipient.
    let no_domain = problem(
        edit(
            "\"3\"",
            json!({"iframe_embedding": true, "iframe_domains": []}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        fields_of(&no_domain),
        vec![("iframe_domains".into(), "required".into())]
    );
    let unbilled = problem(
        edit("\"3\"", json!({"billing_recipient": null}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        fields_of(&unbilled),
        vec![("billing_recipient".into(), "required".into())]
    );
    let free: Value = edit(
        "\"3\"",
        json!({"account_type": "free", "billing_recipient": null}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(free["billing_recipient"], Value::Null);
    assert_eq!(
        app.audit_actions("ACME"),
        vec![
            "customer.created",
            "customer.updated",
            "customer.updated",
            "customer.updated"
        ]
    );
}

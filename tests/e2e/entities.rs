//! A customer's entities: numbering without gaps or duplicates, edits, counts on the customer.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::{TestApp, code_of, problem};

use crate::customers::create;

#[tokio::test]
async fn entities_are_numbered_in_order_and_counted_on_the_customer() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(
        &app,
        &admin,
        json!({"id": "ACME", "ref": "1", "name": "Acme"}),
    )
    .await;

    let response = app
        .post_as(
            &admin,
            "/customers/ACME/entities",
            &json!({"name": "Cork", "entity_type": "clinic"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()["location"],
        "/customers/ACME/entities/ACME0001"
    );
    let cork: Value = response.json().await.unwrap();
    assert_eq!(cork["id"], "ACME0001");
    assert_eq!(cork["number"], 1);
    let dublin: Value = app
        .post_as(
            &admin,
            "/customers/ACME/entities",
            &json!({"name": "Dublin", "entity_type": "site"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dublin["id"], "ACME0002");
    let counted: Value = app
        .get_as(&admin, "/customers/ACME")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        counted["entities"],
        json!({"total": 3, "by_type": {"clinic": 1, "group": 1, "site": 1}})
    );

    let bad = problem(
        app.post_as(
            &admin,
            "/customers/ACME/entities",
            &json!({"name": "", "entity_type": "castle"}),
        )
        .await,
    )
    .await;
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2, "{bad}");
    let group = app
        .post_as(
            &admin,
            "/customers/ACME/entities",
            &json!({"name": "G2", "entity_type": "group"}),
        )
        .await;
    assert_eq!(group.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let customer: Value = app
        .get_as(&admin, "/customers/ACME")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        customer["entities"],
        json!({"total": 3, "by_type": {"clinic": 1, "group": 1, "site": 1}})
    );

    // Rename, retype, deactivate; the group layer is renamed only.
    let changed: Value = app
        .patch_as(
            &admin,
            "/customers/ACME/entities/acme0001",
            &json!({"name": "Cork City", "entity_type": "office"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (changed["name"].as_str(), changed["entity_type"].as_str()),
        (Some("Cork City"), Some("office"))
    );
    let off = app
        .patch_as(
            &admin,
            "/customers/ACME/entities/ACME0002",
            &json!({"active": false}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    for body in [json!({"active": false}), json!({"entity_type": "site"})] {
        let refused = app
            .patch_as(&admin, "/customers/ACME/entities/ACME0000", &body)
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let renamed = app
        .patch_as(
            &admin,
            "/customers/ACME/entities/ACME0000",
            &json!({"name": "Acme Group"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);

    let customer: Value = app
        .get_as(&admin, "/customers/ACME")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        customer["entities"],
        json!({"total": 2, "by_type": {"group": 1, "office": 1}})
    );
    let active: Value = app
        .get_as(&admin, "/customers/ACME/entities?active=true")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = active["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["ACME0000", "ACME0001"]);
    let page: Value = app
        .get_as(&admin, "/customers/ACME/entities?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let next = page["next"].as_str().unwrap();
    let rest: Value = app
        .get_as(
            &admin,
            &format!("/customers/ACME/entities?limit=2&after={next}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["id"], "ACME0002");
    assert_eq!(rest["next"], Value::Null);
    assert_eq!(
        app.audit_actions("ACME0001"),
        vec!["entity.created", "entity.updated"]
    );
    let missing = app
        .get_as(&admin, "/customers/ACME/entities/ACME0042")
        .await;
    assert_eq!(
        code_of(missing).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[tokio::test]
async fn concurrent_creations_get_distinct_numbers_without_gaps() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(
        &app,
        &admin,
        json!({"id": "ACME", "ref": "1", "name": "Acme"}),
    )
    .await;

    // Every fourth is refused among them: a refusal takes no number and holds up no other.
    let creations = (0..16).map(|i| {
        let (app, admin) = (&app, &admin);
        let kind = if i % 4 == 3 { "castle" } else { "site" };
        async move {
            let response = app
                .post_as(
                    admin,
                    "/customers/ACME/entities",
                    &json!({"name": format!("Site {i}"), "entity_type": kind}),
                )
                .await;
            if kind == "castle" {
                assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
                return None;
            }
            assert_eq!(response.status(), StatusCode::CREATED);
            let entity: Value = response.json().await.unwrap();
            Some(entity["number"].as_i64().unwrap())
        }
    });
    let mut numbers: Vec<i64> = futures_util::future::join_all(creations)
        .await
        .into_iter()
        .flatten()
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<i64>>());
    let customer: Value = app
        .get_as(&admin, "/customers/ACME")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(customer["entities"]["total"], 13);
}

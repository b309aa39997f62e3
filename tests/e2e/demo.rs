//! The demo dataset: what it generates is what the API would have written.

use persistence::DbError;
use persistence::customers;
use reqwest::StatusCode;
use serde_json::Value;
use tests::TestApp;

#[tokio::test]
async fn the_demo_dataset_holds_the_counts_the_api_would_keep_and_its_admin_can_log_in() {
    let app = TestApp::spawn().await;
    let options = api::demo::DemoOptions {
        customers: 30,
        partners: 3,
        small_customers: 5,
        entities: 3,
        users: 2,
        seed: 7,
    };
    let report =
        api::demo::generate(&app.db, &app.settings, &app.keys, &options, app.clock_now()).unwrap();
    assert_eq!(report.customers, 40);
    assert!(
        api::demo::generate(&app.db, &app.settings, &app.keys, &options, app.clock_now()).is_err(),
        "only once"
    );

    let token = report.admin_link.rsplit('/').next().unwrap();
    let secret = app.enrol(token).await;
    let admin = app.login("PARTDEMO", "admin@demo.example", &secret).await;
    let page: Value = app
        .get_as(&admin, "/customers?total=true&limit=200")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 30);

    // Access is spread over the customers: grants (live ones show as `can_access` for their
    // holder) and requests, each consistent with the rules an API call would have applied.
    let grants: Value = app
        .get_as(&admin, "/grants?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let requests: Value = app
        .get_as(&admin, "/access-requests?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let grants = grants["items"].as_array().unwrap();
    let requests = requests["items"].as_array().unwrap();
    assert!(
        !grants.is_empty() && !requests.is_empty(),
        "{grants:?} {requests:?}"
    );
    let me: Value = app.get_as(&admin, "/me").await.json().await.unwrap();
    let admin_id = me["user"]["id"].as_str().unwrap();
    let mine: Vec<&str> = grants
        .iter()
        .filter(|g| g["user"]["id"] == admin_id && g["live"] == true)
        .map(|g| g["customer_id"].as_str().unwrap())
        .collect();
    for customer in page["items"].as_array().unwrap() {
        let id = customer["id"].as_str().unwrap();
        let expected = customer["active"] == true && mine.contains(&id);
        assert_eq!(customer["can_access"], expected, "{id}");
    }
    for request in requests {
        let approved = request["status"] == "approved";
        let granted = grants.iter().any(|g| g["request_id"] == request["id"]);
        assert_eq!(approved, granted, "{request}");
    }
    for customer in page["items"].as_array().unwrap() {
        let id = customer["id"].as_str().unwrap().to_owned();
        // Recount as the API does after a change: the stored counts must not move.
        let recounted = app
            .db
            .transaction(|conn| {
                customers::recount_entities(conn, &id)?;
                customers::recount_users(conn, &id)?;
                customers::find(conn, &id).map_err(DbError::from)
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            customer["entities"]["total"], recounted.entity_count,
            "{id}"
        );
        assert_eq!(customer["users"]["total"], recounted.user_count, "{id}");
        let by_type: Value = serde_json::from_str(&recounted.entity_counts).unwrap();
        assert_eq!(customer["entities"]["by_type"], by_type, "{id}");
        let by_role: Value = serde_json::from_str(&recounted.user_counts).unwrap();
        assert_eq!(customer["users"]["by_type"], by_role, "{id}");
        let edited = app
            .patch_as(
                &admin,
                &format!("/customers/{id}"),
                &serde_json::json!({"workers": 7}),
            )
            .await;
        assert_eq!(
            edited.status(),
            StatusCode::OK,
            "{id}: {}",
            edited.text().await.unwrap()
        );
    }
}

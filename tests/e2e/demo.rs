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
    let report = api::demo::generate(&app.db, &app.settings, &options, app.clock_now()).unwrap();
    assert_eq!(report.customers, 40);
    assert!(
        api::demo::generate(&app.db, &app.settings, &options, app.clock_now()).is_err(),
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

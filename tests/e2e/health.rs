use persistence::Backend;
use serde_json::{Value, json};
use tests::{TestApp, database, problem};

#[tokio::test]
async fn liveness_answers() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/live").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn readiness_checks_the_database() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), 200);
    let expected = database::backend().name();
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ready", "database": expected})
    );

    if database::backend() == Backend::Postgres {
        app.database.take_offline();
        let response = app.get("/health/ready").await;
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
        let body = problem(response).await;
        assert_eq!(body["code"], "database_unavailable");
        // Liveness does not depend on the database.
        assert_eq!(app.get("/health/live").await.status(), 200);
    }
}

#[tokio::test]
async fn the_root_leads_to_swagger_ui() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 307);
    assert_eq!(response.headers()["location"], "/swagger-ui/");
}

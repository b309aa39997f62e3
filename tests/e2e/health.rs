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

/// The pool trusts a PostgreSQL connection that answered a moment ago without pinging it; one
/// that died under it (a database restart) fails only the request that finds it dead, with the
/// retryable 503, and is then dropped (diesel marks it broken, and its next checkout would ping
/// it) — never a run of failures on a dead connection.
#[tokio::test]
async fn requests_recover_when_the_database_ends_its_connections() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    assert_eq!(app.get_as(&admin, "/me").await.status(), 200);
    if database::backend() != Backend::Postgres {
        return;
    }
    app.database.end_connections();
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let response = app.get_as(&admin, "/me").await;
        statuses.push(response.status().as_u16());
        if response.status() != 200 {
            assert_eq!(response.status(), 503);
            assert_eq!(problem(response).await["code"], "database_unavailable");
        }
    }
    // Each pooled connection fails at most once (the test's pool holds 8), then all answer.
    assert!(statuses[8..].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(app.get("/health/ready").await.status(), 200);
}

#[tokio::test]
async fn the_root_leads_to_swagger_ui() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 307);
    assert_eq!(response.headers()["location"], "/swagger-ui/");
}

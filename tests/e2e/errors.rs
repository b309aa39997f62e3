//! The one error format, for every way a request can fail.

use serde_json::{Value, json};
use tests::{TestApp, problem};

fn assert_problem(body: &Value, status: u16, code: &str) {
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["type"], format!("/problems/{code}"), "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert!(
        body["request_id"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_route_is_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/route").await;
    assert_eq!(response.status(), 404);
    let body = problem(response).await;
    assert_problem(&body, 404, "route_not_found");
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    for method in ["POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.url("/health/live"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "GET", "{method}");
        assert_problem(&problem(response).await, 405, "method_not_allowed");
    }
    // A templated path counts too.
    let response = app
        .client
        .delete(app.url("/problems/not_found"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn_with_probes().await;
    for body in [
        "{\"name\": ",
        r#"{"name": "A", "seats": 1} {}"#,
        "",
        "not json",
    ] {
        let response = app
            .client
            .post(app.url("/__probe/echo"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body:?}");
        assert_problem(&problem(response).await, 400, "malformed_json");
    }
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_422_naming_the_field() {
    let app = TestApp::spawn_with_probes().await;
    let cases = [
        (json!({"name": "A"}), "seats", "required"),
        (
            json!({"name": "A", "seats": "two"}),
            "seats",
            "invalid_type",
        ),
        (json!({"name": "A", "seats": -1}), "seats", "invalid_value"),
        (
            json!({"name": "A", "seats": 1, "admin": true}),
            "admin",
            "unknown_field",
        ),
    ];
    for (body, field, code) in cases {
        let response = app
            .client
            .post(app.url("/__probe/echo"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
        let problem = problem(response).await;
        assert_problem(&problem, 422, "invalid_body");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    // And the right shape passes, with a JSON suffix type or a charset.
    for content_type in [
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ] {
        let response = app
            .client
            .post(app.url("/__probe/echo"))
            .header("content-type", content_type)
            .body(r#"{"name": "A", "seats": 2}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{content_type}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"name": "A", "seats": 2})
        );
    }
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let app = TestApp::spawn_with_probes().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = app
            .client
            .post(app.url("/__probe/echo"))
            .body(r#"{"name":"A","seats":1}"#);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{content_type:?}");
        assert_problem(&problem(response).await, 415, "unsupported_media_type");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn_with_probes().await;
    let name = "x".repeat(api::extract::DEFAULT_BODY_LIMIT + 1);
    let response = app
        .client
        .post(app.url("/__probe/echo"))
        .json(&json!({"name": name, "seats": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_problem(&problem(response).await, 413, "payload_too_large");
}

#[tokio::test]
async fn query_and_path_parse_errors_are_400() {
    let app = TestApp::spawn_with_probes().await;
    let ok = app.get("/__probe/items/7?limit=5").await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<Value>().await.unwrap(),
        json!({"id": 7, "limit": 5})
    );

    for path in [
        "/__probe/items/7?limit=many",
        "/__probe/items/7",
        "/__probe/items/7?limit=-1",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_problem(&problem(response).await, 400, "invalid_query");
    }
    let response = app.get("/__probe/items/seven?limit=5").await;
    assert_eq!(response.status(), 400);
    assert_problem(&problem(response).await, 400, "invalid_path");
}

#[tokio::test]
async fn an_internal_error_is_500_without_internals() {
    let app = TestApp::spawn_with_probes().await;
    let response = app
        .client
        .get(app.url("/__probe/internal-error"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("db-7"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_problem(&body, 500, "internal");
    assert_eq!(body["request_id"], "trace-me-42");
}

#[tokio::test]
async fn a_panicking_handler_is_500_and_the_server_lives_on() {
    let app = TestApp::spawn_with_probes().await;
    for _ in 0..3 {
        let response = app.get("/__probe/panic").await;
        assert_eq!(response.status(), 500);
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = problem(response).await;
        assert_problem(&body, 500, "internal");
        assert_eq!(body["request_id"], request_id);
    }
    assert_eq!(app.get("/health/live").await.status(), 200);
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "client-chosen.id:1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "client-chosen.id:1");

    // An id that could forge log lines is replaced, not echoed.
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "evil\" level=error")
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "evil\" level=error");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");

    let first = app.get("/health/live").await.headers()["x-request-id"].clone();
    let second = app.get("/health/live").await.headers()["x-request-id"].clone();
    assert_ne!(first, second);
}

#[tokio::test]
async fn problem_types_are_documented_at_their_type_uri() {
    let app = TestApp::spawn().await;
    let all: Vec<Value> = app.get("/problems").await.json().await.unwrap();
    assert!(all.len() >= 10);
    for problem_type in &all {
        let code = problem_type["code"].as_str().unwrap();
        let response = app.get(&format!("/problems/{code}")).await;
        assert_eq!(response.status(), 200, "{code}");
        assert_eq!(&response.json::<Value>().await.unwrap(), problem_type);
    }
    let response = app.get("/problems/no_such_code").await;
    assert_eq!(response.status(), 404);
    assert_problem(&problem(response).await, 404, "not_found");
}

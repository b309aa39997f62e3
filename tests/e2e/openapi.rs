//! The spec is the code's: the committed `openapi.yaml` matches what the code generates, the
//! server serves the same document, and every error response is a problem document.

use serde_json::Value;
use tests::TestApp;

#[test]
fn the_committed_spec_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = api::openapi::to_yaml(&api::openapi::document());
    assert!(
        committed == generated,
        "openapi.yaml is out of date: run `make openapi` and commit the result"
    );
}

fn spec() -> Value {
    serde_json::to_value(api::openapi::document()).unwrap()
}

fn operations(spec: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                all.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    all
}

#[test]
fn the_spec_has_servers_tags_and_a_bearer_scheme() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(!spec["servers"].as_array().unwrap().is_empty());
    let tags: Vec<&str> = spec["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (method, path, operation) in operations(&spec) {
        let name = format!("{method} {path}");
        assert!(
            operation["operationId"].is_string(),
            "{name} has no operationId"
        );
        assert!(operation["summary"].is_string(), "{name} has no summary");
        let tag = operation["tags"][0]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no tag"));
        assert!(tags.contains(&tag), "{name}'s tag {tag} is not declared");
        assert!(
            operation["responses"]["500"].is_object(),
            "{name} does not document 500"
        );
    }
}

#[test]
fn every_error_response_is_a_problem_document() {
    let spec = spec();
    let shared = &spec["components"]["responses"];
    let problem_ref = "#/components/schemas/Problem";
    let is_problem = |response: &Value| {
        response["content"]["application/problem+json"]["schema"]["$ref"] == problem_ref
    };
    let mut checked = 0;
    for (method, path, operation) in operations(&spec) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let response = match response["$ref"].as_str() {
                Some(reference) => &shared[reference.rsplit('/').next().unwrap()],
                None => response,
            };
            assert!(is_problem(response), "{method} {path} {status}: {response}");
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[tokio::test]
async fn the_server_serves_the_same_document() {
    let app = TestApp::spawn().await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: Value = response.json().await.unwrap();
    assert_eq!(served, spec());
}

#[tokio::test]
async fn swagger_ui_is_served_from_vendored_assets() {
    let app = TestApp::spawn().await;
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let initializer = app.get("/swagger-ui/swagger-initializer.js").await;
    assert_eq!(initializer.status(), 200);
    assert!(initializer.text().await.unwrap().contains("/openapi.json"));
    for asset in ["swagger-ui-bundle.js", "swagger-ui.css"] {
        let response = app.get(&format!("/swagger-ui/{asset}")).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert!(
            response.bytes().await.unwrap().len() > 10_000,
            "{asset} is the real asset"
        );
    }
}

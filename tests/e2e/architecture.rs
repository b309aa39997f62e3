//! The layering holds: `domain` stays pure; `persistence` and `services` know nothing of HTTP.

use std::collections::{BTreeMap, BTreeSet};

/// Every package `root` depends on, transitively, as recorded in Cargo.lock (which lists
/// normal, build and dev dependencies alike: stricter than `cargo tree -e normal`).
fn dependencies_of(root: &str) -> BTreeSet<String> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("Cargo.lock is committed");
    let lock: toml::Table = lock.parse().unwrap();
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock["package"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_owned();
        let deps: Vec<String> = package
            .get("dependencies")
            .and_then(|d| d.as_array())
            .map(|deps| {
                deps.iter()
                    // "name version" when several versions are locked: keep the name.
                    .map(|d| d.as_str().unwrap().split(' ').next().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        graph.entry(name).or_default().extend(deps);
    }
    let mut seen = BTreeSet::new();
    let mut stack = vec![root.to_owned()];
    while let Some(name) = stack.pop() {
        for dep in graph.get(&name).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    seen
}

#[test]
fn domain_depends_on_no_database_web_or_async_runtime() {
    let deps = dependencies_of("domain");
    assert!(
        deps.contains("chrono"),
        "the walk must see domain's dependencies: {deps:?}"
    );
    for forbidden in ["diesel", "actix-web", "actix-rt", "tokio", "r2d2", "utoipa"] {
        assert!(!deps.contains(forbidden), "domain depends on {forbidden}");
    }
}

#[test]
fn persistence_knows_nothing_of_http() {
    let deps = dependencies_of("persistence");
    assert!(deps.contains("diesel"));
    for forbidden in ["actix-web", "utoipa", "api"] {
        assert!(
            !deps.contains(forbidden),
            "persistence depends on {forbidden}"
        );
    }
}

#[test]
fn services_know_nothing_of_http_or_the_api_document() {
    let deps = dependencies_of("services");
    assert!(deps.contains("persistence") && deps.contains("domain"));
    for forbidden in [
        "api",
        "utoipa",
        "utoipa-actix-web",
        "utoipa-swagger-ui",
        "reqwest",
    ] {
        assert!(!deps.contains(forbidden), "services depends on {forbidden}");
    }
    let actix: Vec<&String> = deps.iter().filter(|d| d.starts_with("actix")).collect();
    assert!(actix.is_empty(), "services depends on {actix:?}");
}

/// The files of `dir` and its folders, recursively.
fn sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// A feature of the HTTP adapter (`api/src/features/<feature>`) stands on `services` and the
/// adapter's shared plumbing alone: it never reaches into another feature.
#[test]
fn no_feature_imports_another() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../api/src/features"));
    let files = sources(root);
    assert!(
        files.len() > 10,
        "the walk must see the features: {files:?}"
    );
    let mut offenders = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let in_root = path.parent() == Some(root);
        let reaches_out = text.contains("crate::features::")
            || text.contains("super::super::")
            || (in_root
                && !path.ends_with("mod.rs")
                && text
                    .lines()
                    .any(|l| l.contains("super::") && !l.contains("super::*")));
        if reaches_out {
            offenders.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "features reaching into others: {offenders:?}"
    );
}

/// A handler reaches the database only through a use case: the features of `api` may name
/// persistence's types (rows, filters) but none of its queries.
#[test]
fn features_run_no_queries_of_their_own() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../api/src/features"));
    let mut offenders = Vec::new();
    for path in sources(root) {
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("persistence::") {
            let rest = &text[at + "persistence::".len()..];
            let path_text: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '{')
                .collect();
            let names = path_text
                .split([':', '{'])
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>();
            let module = names.first().copied().unwrap_or_default();
            let imported = rest.trim_start_matches(&*path_text);
            let lowercase_import = path_text.ends_with('{')
                && imported
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .any(|n| n.starts_with(|c: char| c.is_lowercase()) && n != "self");
            let calls = names
                .last()
                .is_some_and(|n| n.starts_with(|c: char| c.is_lowercase()))
                && rest[path_text.len()..].starts_with('(');
            let module_import = names.len() == 1
                && module != "time"
                && rest[path_text.len()..].starts_with(';')
                && module.starts_with(|c: char| c.is_lowercase());
            if module != "time" && (calls || lowercase_import || module_import) {
                let line = text[..at].lines().count();
                offenders.push(format!(
                    "{}:{line}",
                    path.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "features calling persistence: {offenders:?}"
    );
}

//! The customer listing: every filter kind, any sort either way, keyset pages that neither skip
//! nor repeat, totals, and who sees what.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tests::identity::Session;
use tests::{TestApp, code_of, problem};

use crate::customers::create;

const STATUSES: [&str; 8] = [
    "pre_sales",
    "demo",
    "onboarding",
    "handholding",
    "established",
    "advocate",
    "read_only",
    "churned",
];

/// 24 customers with varied columns: C00…C23.
async fn populate(app: &TestApp, admin: &Session) {
    for i in 0..24 {
        let mut body = json!({
            "id": format!("C{}", char::from(b'A' + i as u8)),
            "ref": format!("R{i:02}"),
            "name": format!("{} Customer {i:02}", if i % 3 == 0 { "Alpha" } else { "Beta" }),
            "status": STATUSES[i % 8],
            "account_type": (["trial", "free"][i % 2]),
            "active": i % 5 != 0,
        });
        if i % 6 == 1 {
            body["website"] = json!(format!("https://Site{i:02}.example"));
            body["contact_name"] = json!(format!("Pat Owner{i:02}"));
            body["contact_email"] = json!(format!("owner{i:02}@example.com"));
        }
        if i % 4 == 0 {
            body["locations"] = json!(i);
            body["sector"] = json!("retail");
            body["membership_end_date"] = json!(format!("2027-01-{:02}", i + 1));
            body["licences"] =
                json!([{"product": "forms", "licence_type": "trial", "seats_available": 2}]);
        }
        create(app, admin, body).await;
    }
}

/// The IDs of one listing page for `query`, in order.
pub async fn ids(app: &TestApp, session: &Session, query: &str) -> Vec<String> {
    let response = app.get_as(session, &format!("/customers?{query}")).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{query}: {}",
        response.text().await.unwrap()
    );
    let page: Value = response.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of `query`, following `next`.
async fn all_pages(app: &TestApp, session: &Session, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let page: Value = app
            .get_as(session, &format!("/customers?{query}&limit=5{after}"))
            .await
            .json()
            .await
            .unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    populate(&app, &admin).await;
    let id = |i: usize| format!("C{}", char::from(b'A' + i as u8));

    // Default sort: name, then ID.
    let by_name = ids(&app, &admin, "limit=200").await;
    assert_eq!(by_name.len(), 24);
    assert_eq!(by_name[0], id(0), "Alpha Customer 00 first");

    // Contains (any case), one-of, flags, ranges, dates, product, empty.
    assert_eq!(
        ids(&app, &admin, "name=ALPHA%20customer%2003").await,
        vec![id(3)]
    );
    assert_eq!(ids(&app, &admin, "id=cb").await, vec![id(1)]);
    assert_eq!(
        ids(&app, &admin, "website=SITE1&sort=id").await,
        vec![id(13), id(19)]
    );
    assert_eq!(
        ids(&app, &admin, "contact_name=pat%20OWNER0&sort=-id").await,
        vec![id(7), id(1)]
    );
    assert_eq!(
        ids(&app, &admin, "contact_email=Owner19").await,
        vec![id(19)]
    );
    let statuses = ids(&app, &admin, "status=demo,established&sort=id").await;
    assert_eq!(statuses, vec![id(1), id(4), id(9), id(12), id(17), id(20)]);
    assert_eq!(
        ids(&app, &admin, "active=false&sort=id").await,
        vec![id(0), id(5), id(10), id(15), id(20)]
    );
    assert_eq!(ids(&app, &admin, "active=true,false").await.len(), 24);
    assert_eq!(
        ids(&app, &admin, "locations_min=8&locations_max=16&sort=id").await,
        vec![id(8), id(12), id(16)]
    );
    assert_eq!(
        ids(
            &app,
            &admin,
            "membership_end_date_from=2027-01-05&membership_end_date_to=2027-01-13&sort=id"
        )
        .await,
        vec![id(4), id(8), id(12)]
    );
    assert_eq!(ids(&app, &admin, "product=forms,core").await.len(), 6);
    assert_eq!(ids(&app, &admin, "sector=none").await.len(), 18);
    assert_eq!(
        ids(&app, &admin, "sector=retail&account_type=free")
            .await
            .len(),
        0
    );
    assert_eq!(
        ids(&app, &admin, "entities_min=1&entities_max=1")
            .await
            .len(),
        24
    );
    assert_eq!(
        ids(&app, &admin, "ref=r2&sort=id").await,
        vec![id(20), id(21), id(22), id(23)]
    );

    // Status sorts in lifecycle order, either way, with the ID as tiebreak.
    let lifecycle = ids(&app, &admin, "sort=status&limit=200").await;
    assert_eq!(&lifecycle[..3], &[id(0), id(8), id(16)]);
    let reverse = ids(&app, &admin, "sort=-status&limit=200").await;
    assert_eq!(&reverse[..3], &[id(23), id(15), id(7)]);
    assert_eq!(
        all_pages(&app, &admin, "status=demo&sort=-status").await,
        [id(17), id(9), id(1)]
    );

    // Keyset pages cover everything exactly once, for a nullable column too (empty last
    // ascending, first descending).
    for sort in [
        "name",
        "-name",
        "id",
        "-id",
        "status",
        "-locations",
        "locations",
        "-membership_end_date",
        "created_at",
    ] {
        let paged = all_pages(&app, &admin, &format!("sort={sort}")).await;
        let whole = ids(&app, &admin, &format!("sort={sort}&limit=200")).await;
        assert_eq!(paged, whole, "sort={sort}");
    }
    // A "contains" filter on the name pages the same way, in the unfiltered listing's order
    // (PostgreSQL finds such a page's IDs first, then fetches its rows).
    let alphas: Vec<String> = (0..24).step_by(3).map(id).collect();
    for sort in ["name", "-name", "-locations", "locations", "created_at"] {
        let whole = ids(&app, &admin, &format!("sort={sort}&limit=200")).await;
        let expected: Vec<String> = whole.into_iter().filter(|c| alphas.contains(c)).collect();
        let paged = all_pages(&app, &admin, &format!("name=alpha&sort={sort}")).await;
        assert_eq!(paged, expected, "name=alpha&sort={sort}");
    }
    let locations = ids(&app, &admin, "sort=locations&limit=200").await;
    assert_eq!(&locations[..2], &[id(0), id(4)]);
    let locations_desc = ids(&app, &admin, "sort=-locations&limit=200").await;
    assert_eq!(
        locations_desc[18],
        id(20),
        "non-empty values follow the empty ones, largest first"
    );

    // Totals and filtered paging.
    let page: Value = app
        .get_as(&admin, "/customers?status=demo&total=true&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 3);
    assert!(page["next"].is_string());
    assert_eq!(all_pages(&app, &admin, "status=demo").await.len(), 3);
}

/// Several sort keys, each its own way (seed 003's `account_type,name` and harder ones with an
/// empty-able column), in the order computed here, page after page without a gap or repeat.
#[tokio::test]
async fn several_sort_keys_each_with_its_own_direction() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    populate(&app, &admin).await;
    let page: Value = app
        .get_as(&admin, "/customers?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<Value> = page["items"].as_array().unwrap().clone();
    let rank = |c: &Value| {
        STATUSES
            .iter()
            .position(|s| *s == c["status"].as_str().unwrap())
            .unwrap()
    };
    let text = |c: &Value, field: &str| c[field].as_str().map(str::to_owned);
    let expect = |order: &dyn Fn(&Value, &Value) -> std::cmp::Ordering| {
        let mut sorted = rows.clone();
        sorted.sort_by(|a, b| order(a, b));
        sorted
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let id = |c: &Value| text(c, "id").unwrap();
    // Empty values last ascending, first descending.
    let empty_last = |a: Option<String>, b: Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (a, b) => a.is_none().cmp(&b.is_none()),
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "account_type,name",
            expect(&|a, b| {
                (text(a, "account_type"), text(a, "name"), id(a)).cmp(&(
                    text(b, "account_type"),
                    text(b, "name"),
                    id(b),
                ))
            }),
        ),
        (
            "account_type,-status",
            expect(&|a, b| {
                text(a, "account_type")
                    .cmp(&text(b, "account_type"))
                    .then(rank(b).cmp(&rank(a)))
                    .then(id(b).cmp(&id(a)))
            }),
        ),
        (
            "-active,sector,name",
            expect(&|a, b| {
                b["active"]
                    .as_bool()
                    .cmp(&a["active"].as_bool())
                    .then(empty_last(text(a, "sector"), text(b, "sector")))
                    .then(text(a, "name").cmp(&text(b, "name")))
                    .then(id(a).cmp(&id(b)))
            }),
        ),
        (
            "-sector,-status",
            expect(&|a, b| {
                empty_last(text(b, "sector"), text(a, "sector"))
                    .then(rank(b).cmp(&rank(a)))
                    .then(id(b).cmp(&id(a)))
            }),
        ),
    ];
    for (sort, expected) in cases {
        assert_eq!(
            ids(&app, &admin, &format!("sort={sort}&limit=200")).await,
            expected,
            "sort={sort}"
        );
        assert_eq!(
            all_pages(&app, &admin, &format!("sort={sort}")).await,
            expected,
            "sort={sort}, page by page"
        );
    }
    // A cursor belongs to its sort; a column twice or a fourth key is a bad request.
    let first: Value = app
        .get_as(&admin, "/customers?sort=account_type,name&limit=2")
        .await
        .json()
        .await
        .unwrap();
    let next = first["next"].as_str().unwrap();
    let mismatched = app
        .get_as(
            &admin,
            &format!("/customers?sort=account_type,-name&after={next}"),
        )
        .await;
    assert_eq!(mismatched.status(), StatusCode::BAD_REQUEST);
    for sort in ["name,-name", "name,ref,status,sector"] {
        let refused = app.get_as(&admin, &format!("/customers?sort={sort}")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "sort={sort}");
    }
}

#[tokio::test]
async fn bad_parameters_answer_400_naming_them() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    for (query, named) in [
        ("colour=red", "colour"),
        ("sort=favourite", "favourite"),
        ("status=Established", "status"),
        ("active=yes", "active"),
        ("locations_min=many", "locations_min"),
        (
            "membership_end_date_from=2027-13-01",
            "membership_end_date_from",
        ),
        ("after=garbage", "after"),
        ("sector=none,retail", "sector"),
    ] {
        let response = app.get_as(&admin, &format!("/customers?{query}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let problem = problem(response).await;
        assert_eq!(problem["code"], "invalid_query", "{query}");
        assert!(
            problem["detail"].as_str().unwrap().contains(named),
            "{query}: {problem}"
        );
    }
    // A cursor is bound to its sort.
    create(&app, &admin, json!({"id": "A", "ref": "1", "name": "A"})).await;
    create(&app, &admin, json!({"id": "B", "ref": "2", "name": "B"})).await;
    let page: Value = app
        .get_as(&admin, "/customers?limit=1")
        .await
        .json()
        .await
        .unwrap();
    let next = page["next"].as_str().unwrap();
    let other_sort = app
        .get_as(&admin, &format!("/customers?limit=1&sort=ref&after={next}"))
        .await;
    assert_eq!(other_sort.status(), StatusCode::BAD_REQUEST);
    // The caller is checked before what it asks: a session that ended answers 401 to any query.
    let ended = app
        .login(&admin.account_id, &admin.logon, &admin.secret)
        .await;
    let logout = app.logout(&ended).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    for query in ["status=onboarding", "colour=red"] {
        let response = app.get_as(&ended, &format!("/customers?{query}")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{query}");
    }
}

#[tokio::test]
async fn users_see_their_assigned_customers_and_marketing_sees_none() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    for id in ["A", "B", "C"] {
        create(&app, &admin, json!({"id": id, "ref": id, "name": id})).await;
    }
    let (bea_id, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    let (mark_id, mark) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Mark", "email": "mark@acme.example", "role": "marketing"}),
        )
        .await;

    assert_eq!(
        ids(&app, &bea, "").await,
        vec!["A", "B", "C"],
        "no assignments: all"
    );
    let assign = |customer: &str, user: &str| {
        app.bearer(
            reqwest::Method::PUT,
            &format!("/customers/{customer}/assignments/{user}"),
            &admin.access_token,
        )
        .send()
    };
    assert_eq!(
        assign("B", &bea_id).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        assign("B", &bea_id).await.unwrap().status(),
        StatusCode::NO_CONTENT,
        "twice is fine"
    );
    assert_eq!(ids(&app, &bea, "").await, vec!["B"]);
    assert_eq!(
        app.get_as(&bea, "/customers/B").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        code_of(app.get_as(&bea, "/customers/A").await).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let listed: Value = app
        .get_as(&admin, "/customers/B/assignments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["user_ids"], json!([bea_id]));
    // A user edits nothing; marketing sees nothing; only `user`s are assigned.
    assert_eq!(
        app.patch_as(&bea, "/customers/B", &json!({"name": "Mine"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_as(&mark, "/customers").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_as(&mark, "/customers/A").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        assign("A", &mark_id).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let unassign = app
        .bearer(
            reqwest::Method::DELETE,
            &format!("/customers/B/assignments/{bea_id}"),
            &admin.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unassign.status(), StatusCode::NO_CONTENT);
    assert_eq!(ids(&app, &bea, "").await, vec!["A", "B", "C"]);
    assert_eq!(
        app.audit_actions(&format!("B/{bea_id}")),
        vec!["customer.user_assigned", "customer.user_unassigned"]
    );
}

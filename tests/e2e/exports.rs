//! Exports hold exactly what the listing shows, typed in the workbook and safe in CSV.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::json;
use tests::identity::Session;
use tests::{TestApp, problem};

use crate::customer_listing::ids;
use crate::customers::{create, full_record};

async fn listing_ids(app: &TestApp, admin: &Session, query: &str) -> Vec<String> {
    ids(app, admin, &format!("{query}&limit=200")).await
}

async fn setup() -> (TestApp, Session) {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let admin = app.partner_admin(&platform, "PARTACME").await;
    create(&app, &admin, full_record("ACME", "R1")).await;
    for (id, name, status) in [
        ("EVIL", "=HYPERLINK(\"http://x.example\")", "demo"),
        ("PLUS", "+1 Customers", "demo"),
        ("AT", "@SUM(A1)", "established"),
        ("MINUS", "-5 Ltd, \"quoted\"", "demo"),
    ] {
        create(
            &app,
            &admin,
            json!({"id": id, "ref": id, "name": name, "status": status}),
        )
        .await;
    }
    (app, admin)
}

#[tokio::test]
async fn csv_export_matches_the_listing_and_defuses_formulas() {
    let (app, admin) = setup().await;
    let query = "status=demo,onboarding&sort=-name";
    let response = app
        .get_as(&admin, &format!("/customers/export.csv?{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "Customer ID");
    assert_eq!(&headers[4], "Status");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<String> = rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(ids, listing_ids(&app, &admin, query).await);
    let name_of = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap()[1].to_owned();
    assert_eq!(name_of("EVIL"), "'=HYPERLINK(\"http://x.example\")");
    assert_eq!(name_of("PLUS"), "'+1 Customers");
    assert_eq!(name_of("MINUS"), "'-5 Ltd, \"quoted\"");
    let acme = rows.iter().find(|r| &r[0] == "ACME").unwrap();
    assert_eq!(&acme[4], "Onboarding");
    assert_eq!(&acme[15], "2027-12-31");
    assert_eq!(&acme[16], "4");

    let bad = app.get_as(&admin, "/customers/export.csv?colour=red").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn xlsx_export_is_a_real_workbook_with_typed_cells() {
    let (app, admin) = setup().await;
    let response = app.get_as(&admin, "/customers/export.xlsx?sort=id").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = workbook.worksheet_range("Customers").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 6, "header and five customers");
    assert_eq!(rows[0][0], Data::String("Customer ID".into()));
    let ids: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(ids, listing_ids(&app, &admin, "sort=id").await);
    let acme = rows
        .iter()
        .find(|r| r[0] == Data::String("ACME".into()))
        .unwrap();
    assert_eq!(acme[3], Data::Bool(true));
    assert_eq!(acme[16], Data::Float(4.0), "numbers stay numbers");
    match &acme[15] {
        Data::DateTime(date) => {
            assert_eq!(date.as_datetime().unwrap().date().to_string(), "2027-12-31");
        }
        other => panic!("membership end date is not a date: {other:?}"),
    }
    assert_eq!(acme[25], Data::Float(1.0));
    assert_eq!(acme[26], Data::String("group: 1".into()));
    // A workbook cell holds text as text: no formula is ever written.
    let evil = rows
        .iter()
        .find(|r| r[0] == Data::String("EVIL".into()))
        .unwrap();
    assert_eq!(
        evil[1],
        Data::String("=HYPERLINK(\"http://x.example\")".into())
    );
    assert!(
        workbook
            .worksheet_formula("Customers")
            .unwrap()
            .used_cells()
            .next()
            .is_none()
    );
}

#[tokio::test]
async fn only_partner_admins_export() {
    let (app, admin) = setup().await;
    let (_, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    for path in ["/customers/export.csv", "/customers/export.xlsx"] {
        assert_eq!(
            app.get_as(&bea, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
}

#[tokio::test]
async fn exports_run_a_few_at_a_time_and_one_per_account() {
    let (app, admin) = setup().await;
    let paths = [
        "/customers/export.csv",
        "/customers/export.xlsx",
        "/audit/export.csv",
    ];
    // Another export of the same account is running: each kind waits its turn.
    let running = app.exports.enter("PARTACME").unwrap();
    for path in paths {
        let refused = app.get_as(&admin, path).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert_eq!(refused.headers()["retry-after"], "10");
        assert_eq!(problem(refused).await["code"], "too_many_exports");
    }
    drop(running);
    for path in paths {
        let served = app.get_as(&admin, path).await;
        assert_eq!(served.status(), StatusCode::OK, "{path}");
        served.bytes().await.unwrap();
    }
    assert_eq!(
        app.exports.running(),
        0,
        "an export gives its place back when it ends"
    );

    // The lane is full with other accounts' exports (the tests' settings run two at once).
    let others = [
        app.exports.enter("PARTX").unwrap(),
        app.exports.enter("PARTY").unwrap(),
    ];
    let refused = app.get_as(&admin, paths[0]).await;
    assert_eq!(problem(refused).await["code"], "too_many_exports");
    let listing = app.get_as(&admin, "/customers").await;
    assert_eq!(
        listing.status(),
        StatusCode::OK,
        "the listing never waits for the lane"
    );
    drop(others);
}

//! Seeds 001 and 002 end to end: a partner admin invites a client user, who arrives as a
//! guest; promotes them to admin; gives out licences until the seats run out; suspends the
//! account, which shuts the client user and the partner's own user out; resumes it; and
//! exports the account's workbook.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tests::{TestApp, code_of};

use super::{Shop, invite, json_of, member, shop, switch_in};

#[tokio::test]
async fn a_client_user_from_invitation_to_the_account_workbook() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 2).await;

    // Seed 002: "they will be assigned the Guest role by default".
    let (cleo_id, cleo) = member(&app, &admin, "Cleo", None).await;
    let user = |path: &str| format!("/customers/SHOP/users/{cleo_id}{path}");
    let read = json_of(app.get_as(&admin, &user("")).await, StatusCode::OK).await;
    assert_eq!(read["role"], "guest");
    // "Find the user you want to promote to admin status … select the Admin role."
    let promoted = json_of(
        app.patch_as(&admin, &user(""), &json!({"role": "admin"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(promoted["role"], "admin");
    // "Admins can invite additional users to the platform."
    let dan = invite(&app, &cleo, "Dan", None).await;
    let eve = invite(&app, &cleo, "Eve", None).await;

    // Seed 001: "Create users and assign or unassign licenses" — until the seats run out.
    for holder in [&cleo_id, &dan] {
        let path = format!("/customers/SHOP/users/{holder}/licences/analytics");
        let given = app
            .bearer(Method::PUT, &path, &admin.access_token)
            .send()
            .await
            .unwrap();
        assert_eq!(given.status(), StatusCode::OK);
    }
    let one_too_many = app
        .bearer(
            Method::PUT,
            &format!("/customers/SHOP/users/{eve}/licences/analytics"),
            &cleo.access_token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        code_of(one_too_many).await,
        (StatusCode::CONFLICT, "no_seats_available".into())
    );

    // "To suspend an account, select Suspend": everyone inside is out, nobody gets in.
    let (bea_id, bea) = app
        .invited_member(
            &admin,
            "/partners/PARTACME/users",
            "PARTACME",
            json!({"name": "Bea", "email": "bea@acme.example", "role": "user"}),
        )
        .await;
    json_of(
        app.post_as(
            &admin,
            "/grants",
            &json!({"user_id": bea_id, "customer_id": "SHOP", "profile": "Consultant",
                    "role": "admin", "permissions": ["manage_entities", "manage_users"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let inside = switch_in(&app, &bea).await;
    json_of(
        app.post_as(
            &admin,
            "/customers/SHOP/suspend",
            &json!({"reason": "Invoices unpaid"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    for session in [&cleo, &inside] {
        assert_eq!(
            app.get_as(session, "/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let refused = app
        .post_as(&bea, "/auth/switch", &json!({"customer_id": "SHOP"}))
        .await;
    assert_eq!(
        code_of(refused).await,
        (StatusCode::FORBIDDEN, "customer_suspended".into())
    );

    // Resumed, the client admin logs in again and the licences are as they were.
    json_of(
        app.post_as(&admin, "/customers/SHOP/resume", &json!({"reason": "Paid"}))
            .await,
        StatusCode::OK,
    )
    .await;
    let back = app.login("SHOP", "cleo@shop.example", &cleo.secret).await;
    let summary = json_of(
        app.get_as(&back, "/customers/SHOP/licences").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(summary["licences"][0]["seats_used"], 2);

    // "To export an account's details, select Export."
    let exported = app.get_as(&admin, "/customers/SHOP/export.xlsx").await;
    assert_eq!(exported.status(), StatusCode::OK);
    let disposition = exported.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("customer-SHOP-"), "{disposition}");
    let bytes = exported.bytes().await.unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        vec!["Account", "Users", "Licences", "Entities"]
    );
    let account = workbook.worksheet_range("Account").unwrap();
    let state = account
        .rows()
        .find(|r| r[0] == Data::String("Account State".into()))
        .unwrap();
    assert_eq!(state[1], Data::String("active".into()));
    let users = workbook.worksheet_range("Users").unwrap();
    let rows: Vec<&[Data]> = users.rows().collect();
    assert_eq!(rows.len(), 4, "header, Cleo, Dan and Eve");
    let cleo_row = rows
        .iter()
        .find(|r| r[0] == Data::String("Cleo".into()))
        .unwrap();
    assert_eq!(cleo_row[3], Data::String("admin".into()));
    assert_eq!(cleo_row[4], Data::Bool(true));
    assert_eq!(cleo_row[6], Data::String("analytics".into()));
    assert!(
        matches!(cleo_row[7], Data::DateTime(_)),
        "last login: {:?}",
        cleo_row[7]
    );
    let licences = workbook.worksheet_range("Licences").unwrap();
    let analytics: Vec<&[Data]> = licences.rows().collect();
    assert_eq!(analytics[1][2], Data::Float(2.0));
    assert_eq!(analytics[1][3], Data::Float(2.0));
    assert_eq!(analytics[1][6], Data::String("Cleo, Dan".into()));
    let entities = workbook.worksheet_range("Entities").unwrap();
    let layer: Vec<&[Data]> = entities.rows().collect();
    assert_eq!(layer[1][0], Data::String("SHOP0000".into()));
}

//! Seats of a customer's licences: counted from who holds one, never more than available,
//! also when assignments race for the last seat.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::{TestApp, code_of};

use super::{Shop, invite, json_of, shop};

async fn seat(app: &TestApp, token: &str, method: Method, user: &str) -> reqwest::Response {
    app.bearer(
        method,
        &format!("/customers/SHOP/users/{user}/licences/analytics"),
        token,
    )
    .send()
    .await
    .unwrap()
}

async fn licences(app: &TestApp, admin: &tests::identity::Session) -> Value {
    let customer = json_of(app.get_as(admin, "/customers/SHOP").await, StatusCode::OK).await;
    customer["licences"].clone()
}

#[tokio::test]
async fn seats_used_is_the_count_of_seats_held_and_never_more_than_available() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 2).await;
    let token = admin.access_token.clone();
    let (ann, bob, cid) = (
        invite(&app, &admin, "Ann", None).await,
        invite(&app, &admin, "Bob", None).await,
        invite(&app, &admin, "Cid", None).await,
    );
    let after = json_of(seat(&app, &token, Method::PUT, &ann).await, StatusCode::OK).await;
    assert_eq!(after["seats_used"], 1);
    json_of(seat(&app, &token, Method::PUT, &bob).await, StatusCode::OK).await;
    // Holding a seat already changes nothing.
    let again = json_of(seat(&app, &token, Method::PUT, &bob).await, StatusCode::OK).await;
    assert_eq!(again["seats_used"], 2);
    assert_eq!(
        code_of(seat(&app, &token, Method::PUT, &cid).await).await,
        (StatusCode::CONFLICT, "no_seats_available".into())
    );
    let listed = licences(&app, &admin).await;
    assert_eq!(listed[0]["seats_used"], 2);
    let ann_now = json_of(
        app.get_as(&admin, &format!("/customers/SHOP/users/{ann}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ann_now["licences"], json!(["analytics"]));

    let summary = json_of(
        app.get_as(&admin, "/customers/SHOP/licences").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(summary["customer_id"], "SHOP");
    let analytics = &summary["licences"][0];
    assert_eq!(
        (
            &analytics["product"],
            &analytics["seats_used"],
            &analytics["seats_available"]
        ),
        (&json!("analytics"), &json!(2), &json!(2))
    );
    let holders: Vec<&str> = analytics["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(holders, vec!["Ann", "Bob"]);

    // Seats available cannot go below the seats held, nor can a held licence go.
    let mut fewer = listed.clone();
    fewer[0]["seats_available"] = json!(1);
    for licences in [fewer, json!([])] {
        let refused = app
            .patch_as(&admin, "/customers/SHOP", &json!({"licences": licences}))
            .await;
        assert_eq!(
            code_of(refused).await,
            (StatusCode::CONFLICT, "seats_in_use".into())
        );
    }
    // A licence read can be sent back as it is: seats used is counted, not taken from it.
    let mut more = listed.clone();
    more[0]["seats_available"] = json!(3);
    more[0]["seats_used"] = json!(99);
    let edited = json_of(
        app.patch_as(&admin, "/customers/SHOP", &json!({"licences": more}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited["licences"][0]["seats_used"], 2);
    assert_eq!(edited["licences"][0]["seats_available"], 3);

    // Unassigning frees a seat; removing a user frees theirs.
    let freed = json_of(
        seat(&app, &token, Method::DELETE, &ann).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(freed["seats_used"], 1);
    let removed = app
        .bearer(
            Method::DELETE,
            &format!("/customers/SHOP/users/{bob}?confirm=true"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(licences(&app, &admin).await[0]["seats_used"], 0);

    // A product the customer holds no licence of, and a user of no customer of ours.
    let unknown = app
        .bearer(
            Method::PUT,
            &format!("/customers/SHOP/users/{cid}/licences/forms"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        seat(&app, &token, Method::PUT, "no-such-user")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let trail = app.audit_actions("SHOP/analytics");
    assert_eq!(
        trail,
        vec!["licence.assigned", "licence.assigned", "licence.unassigned"]
    );
}

#[tokio::test]
async fn twenty_assignments_racing_for_the_last_seat_leave_exactly_one_holder() {
    let app = TestApp::spawn().await;
    let Shop { admin, .. } = shop(&app, 3).await;
    let token = admin.access_token.clone();
    for name in ["Held1", "Held2"] {
        let id = invite(&app, &admin, name, None).await;
        json_of(seat(&app, &token, Method::PUT, &id).await, StatusCode::OK).await;
    }
    let mut racers = Vec::new();
    for n in 0..20 {
        racers.push(invite(&app, &admin, &format!("Racer{n:02}"), None).await);
    }
    let answers = futures_util::future::join_all(
        racers
            .iter()
            .map(|user| seat(&app, &token, Method::PUT, user)),
    )
    .await;
    let mut codes = Vec::new();
    for answer in answers {
        codes.push(code_of_or_ok(answer).await);
    }
    let won = codes.iter().filter(|c| c.as_str() == "ok").count();
    let refused = codes
        .iter()
        .filter(|c| c.as_str() == "no_seats_available")
        .count();
    assert_eq!((won, refused), (1, 19), "{codes:?}");
    let summary = json_of(
        app.get_as(&admin, "/customers/SHOP/licences").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(summary["licences"][0]["seats_used"], 3);
    assert_eq!(
        summary["licences"][0]["holders"].as_array().unwrap().len(),
        3
    );
}

async fn code_of_or_ok(response: reqwest::Response) -> String {
    if response.status() == StatusCode::OK {
        "ok".to_owned()
    } else {
        code_of(response).await.1
    }
}

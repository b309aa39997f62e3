//! Who can get in, and how: bootstrap, invitations with 2FA enrolment, login, sessions.

use diesel::prelude::*;
use persistence::DbError;
use persistence::schema::{sessions, user_tokens, users};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tests::identity::{PASSWORD, totp_code};
use tests::{TestApp, code_of, problem};

#[tokio::test]
async fn the_platform_bootstraps_a_partner_whose_admin_enrols_and_logs_in() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;

    let me: Value = app.get_as(&platform, "/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(
        me["account"],
        json!({"id": "PLATFORM", "kind": "platform", "name": "Platform"})
    );
    assert!(
        me["can"]
            .as_array()
            .unwrap()
            .contains(&json!("manage_partners"))
    );

    let acme = app.partner_admin(&platform, "partacme").await;
    let me: Value = app.get_as(&acme, "/me").await.json().await.unwrap();
    assert_eq!(me["account"]["id"], "PARTACME");
    assert_eq!(me["account"]["name"], "partacme Ltd");
    assert_eq!(me["user"]["logon"], "admin@partacme.example");
    assert_eq!(
        me["can"],
        json!([
            "list_customers",
            "manage_customers",
            "manage_access",
            "oversee_access",
            "switch_into_customers",
            "read_audit",
            "view_partner_kit",
            "view_own_partner"
        ])
    );

    let own: Value = app
        .get_as(&acme, "/partners/PARTACME")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["id"], "PARTACME");
    assert_eq!(own["active"], true);
    assert_eq!(
        code_of(app.get_as(&acme, "/partners").await).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );

    let listed: Value = app
        .get_as(&platform, "/partners")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let response = app.logout(&acme).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.get_as(&acme, "/me").await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        code_of(response).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
}

#[tokio::test]
async fn an_invitation_shows_what_it_is_for_and_works_once() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("ops@platform.example");

    for _ in 0..2 {
        let view: Value = app
            .get(&format!("/invitations/{token}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(view["account_id"], "PLATFORM");
        assert_eq!(view["email"], "ops@platform.example");
        assert_eq!(view["role"], "admin");
        assert_eq!(view["password_set"], false);
    }
    app.enrol(&token).await;
    let used = app.get(&format!("/invitations/{token}")).await;
    assert_eq!(
        code_of(used).await,
        (StatusCode::GONE, "invitation_expired".into())
    );
    let again = app
        .post(
            &format!("/invitations/{token}/accept"),
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(
        code_of(again).await,
        (StatusCode::GONE, "invitation_expired".into())
    );

    let unknown = app.get("/invitations/not-a-real-token").await;
    assert_eq!(
        code_of(unknown).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("late@platform.example");
    app.clock
        .advance(chrono::Duration::days(7) - chrono::Duration::seconds(1));
    assert_eq!(
        app.get(&format!("/invitations/{token}")).await.status(),
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::seconds(1));
    let expired = app.get(&format!("/invitations/{token}")).await;
    assert_eq!(
        code_of(expired).await,
        (StatusCode::GONE, "invitation_expired".into())
    );
}

#[tokio::test]
async fn no_session_before_the_authenticator_is_confirmed() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("half@platform.example");
    let response = app
        .post(
            &format!("/invitations/{token}/accept"),
            &json!({"password": PASSWORD}),
        )
        .await;
    let enrolment: Value = response.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    assert!(
        enrolment["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));

    let code = totp_code(secret, app.clock_now());
    let login = app
        .post(
            "/auth/login",
            &json!({"account_id": "PLATFORM", "logon": "half@platform.example", "password": PASSWORD, "code": code}),
        )
        .await;
    assert_eq!(
        code_of(login).await,
        (StatusCode::UNAUTHORIZED, "invalid_credentials".into())
    );

    let wrong = app
        .post(
            &format!("/invitations/{token}/confirm"),
            &json!({"code": "000000"}),
        )
        .await;
    assert_eq!(
        code_of(wrong).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_totp_code".into())
    );
}

#[tokio::test]
async fn weak_passwords_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("joanna.weak@platform.example");
    let accept = format!("/invitations/{token}/accept");
    let response = app.post(&accept, &json!({"password": "short"})).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    assert_eq!(
        body["errors"][0],
        json!({"field": "password", "code": "too_short", "message": "must be at least 12 characters"})
    );
    for (password, code) in [
        ("password1234", "common"),
        ("Summer2024!!!", "common"),
        ("My Partner-Hub login", "names_the_product"),
        ("i am joanna.weak", "personal"),
    ] {
        let response = app.post(&accept, &json!({"password": password})).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let body = problem(response).await;
        assert_eq!(body["errors"][0]["field"], "password", "{password}");
        assert_eq!(body["errors"][0]["code"], code, "{password}");
    }
    let accepted = app.post(&accept, &json!({"password": PASSWORD})).await;
    assert_eq!(
        accepted.status(),
        StatusCode::OK,
        "a refusal uses nothing up"
    );
}

/// Letters and digits that do not compress: PostgreSQL compresses a long text before deciding
/// whether it fits in an index entry.
fn incompressible(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALPHABET[usize::try_from(state % 62).unwrap()])
        })
        .collect()
}

#[tokio::test]
async fn every_wrong_part_of_a_login_answers_alike_and_a_code_works_once() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    let now = app.clock_now();
    let good = json!({"account_id": "PLATFORM", "logon": admin.logon, "password": PASSWORD});
    let code = totp_code(&admin.secret, now);
    let attempts = [
        json!({"account_id": "PARTNOPE", "logon": admin.logon, "password": PASSWORD, "code": code}),
        json!({"account_id": "PLATFORM", "logon": "nobody@x.example", "password": PASSWORD, "code": code}),
        json!({"account_id": "PLATFORM", "logon": admin.logon, "password": "wrong password!", "code": code}),
        json!({"account_id": "PLATFORM", "logon": admin.logon, "password": PASSWORD, "code": "123456"}),
        json!({"account_id": "not an id", "logon": "", "password": "", "code": ""}),
        // What is typed reaches the audit trail only where it parses.
        json!({"account_id": incompressible(20_000), "logon": admin.logon, "password": PASSWORD, "code": code}),
        // The code the login above already used: accepted once only.
        json!({"account_id": "PLATFORM", "logon": admin.logon, "password": PASSWORD, "code": code}),
    ];
    let mut bodies = Vec::new();
    for attempt in attempts {
        let response = app.post("/auth/login", &attempt).await;
        let shown: String = attempt.to_string().chars().take(200).collect();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{shown}");
        let mut body = problem(response).await;
        body.as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    assert_eq!(bodies[0]["code"], "invalid_credentials");

    app.clock.advance(chrono::Duration::seconds(30));
    let mut fresh = good.clone();
    fresh["code"] = json!(totp_code(&admin.secret, app.clock_now()));
    assert_eq!(
        app.post("/auth/login", &fresh).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_recovery_code_stands_in_for_the_authenticator_once() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("lost@platform.example");
    let enrolment: Value = app
        .post(
            &format!("/invitations/{token}/accept"),
            &json!({"password": PASSWORD}),
        )
        .await
        .json()
        .await
        .unwrap();
    let code = totp_code(enrolment["secret"].as_str().unwrap(), app.clock_now());
    let codes: Value = app
        .post(
            &format!("/invitations/{token}/confirm"),
            &json!({"code": code}),
        )
        .await
        .json()
        .await
        .unwrap();
    let codes = codes["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let login = json!({"account_id": "platform", "logon": "LOST@platform.example", "password": PASSWORD, "code": codes[3]});
    assert_eq!(
        app.post("/auth/login", &login).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post("/auth/login", &login).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_user_out_for_a_while() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    for _ in 0..10 {
        let wrong = json!({"account_id": "PLATFORM", "logon": admin.logon, "password": "not the password", "code": "000000"});
        assert_eq!(
            app.post("/auth/login", &wrong).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    app.clock.advance(chrono::Duration::seconds(30));
    let right = json!({
        "account_id": "PLATFORM", "logon": admin.logon, "password": PASSWORD,
        "code": totp_code(&admin.secret, app.clock_now()),
    });
    assert_eq!(
        app.post("/auth/login", &right).await.status(),
        StatusCode::UNAUTHORIZED,
        "locked"
    );
    app.clock.advance(chrono::Duration::minutes(15));
    app.login("PLATFORM", &admin.logon, &admin.secret).await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_session() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    let first: Value = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": admin.refresh_token}),
        )
        .await
        .json()
        .await
        .unwrap();
    let new_access = first["access_token"].as_str().unwrap();
    let me = app
        .bearer(Method::GET, "/me", new_access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    // The old refresh token again: refused, and the whole session ends.
    let reuse = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": admin.refresh_token}),
        )
        .await;
    assert_eq!(
        code_of(reuse).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
    let me = app
        .bearer(Method::GET, "/me", new_access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let newest = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": first["refresh_token"]}),
        )
        .await;
    assert_eq!(newest.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forged_expired_and_missing_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    let parts: Vec<&str> = admin.access_token.split('.').collect();
    let tampered = format!("{}.{}x.{}", parts[0], parts[1], parts[2]);
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
    for token in [tampered.as_str(), unsigned.as_str(), "garbage"] {
        let response = app.bearer(Method::GET, "/me", token).send().await.unwrap();
        assert_eq!(
            code_of(response).await,
            (StatusCode::UNAUTHORIZED, "unauthenticated".into()),
            "{token}"
        );
    }
    let none = app.get("/me").await;
    assert_eq!(
        code_of(none).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );

    app.clock.advance(chrono::Duration::minutes(15));
    let expired = app.get_as(&admin, "/me").await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn secrets_are_stored_only_as_hashes_or_sealed() {
    let app = TestApp::spawn().await;
    let token = app.invite_platform_admin("vault@platform.example");
    let secret = app.enrol(&token).await;
    let session = app
        .login("PLATFORM", "vault@platform.example", &secret)
        .await;

    let (password_hash, totp_secret) = app
        .db
        .read(|conn| {
            users::table
                .select((users::password_hash, users::totp_secret))
                .first::<(Option<String>, Option<String>)>(conn)
                .map_err(DbError::from)
        })
        .unwrap();
    assert!(
        password_hash
            .unwrap()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
    let sealed = totp_secret.unwrap();
    assert!(!sealed.contains(&secret) && !sealed.contains(&secret.to_lowercase()));

    let token_hashes: Vec<String> = app
        .db
        .read(|conn| {
            user_tokens::table
                .select(user_tokens::token_hash)
                .load(conn)
                .map_err(DbError::from)
        })
        .unwrap();
    assert!(!token_hashes.contains(&token));
    assert_eq!(token_hashes[0].len(), 64);

    let refresh_hashes: Vec<String> = app
        .db
        .read(|conn| {
            sessions::table
                .select(sessions::refresh_token_hash)
                .load(conn)
                .map_err(DbError::from)
        })
        .unwrap();
    assert!(!refresh_hashes.contains(&session.refresh_token));
}

#[tokio::test]
async fn the_server_starts_only_with_the_signing_key_its_secrets_were_sealed_with() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir().join(format!("ph-keys-{}", uuid::Uuid::new_v4()));
    let (first, second) = (dir.join("first.key"), dir.join("second.key"));
    // Nothing sealed yet: a missing key file becomes a new key.
    let keys = api::signing_keys(&app.db, &first).unwrap();
    assert!(first.exists());

    let token = app.invite_platform_admin("keys@platform.example");
    app.enrol(&token).await;
    // The secret was sealed with the app's own keys; seal it again with the file's.
    let user_id = app
        .db
        .read(|conn| {
            users::table
                .filter(users::email.eq("keys@platform.example"))
                .select(users::id)
                .first::<String>(conn)
                .map_err(DbError::from)
        })
        .unwrap();
    let sealed = keys.seal(b"a secret").unwrap();
    app.db
        .transaction(|conn| {
            diesel::update(users::table.find(&user_id))
                .set(users::totp_secret.eq(&sealed))
                .execute(conn)
                .map_err(DbError::from)
        })
        .unwrap();
    assert!(api::signing_keys(&app.db, &first).is_ok());

    let missing = api::signing_keys(&app.db, &second).unwrap_err();
    assert!(
        matches!(missing, api::StartError::KeyMissing { .. }),
        "{missing}"
    );
    assert!(
        !second.exists(),
        "no stray key is written beside sealed data"
    );

    api::keys::create(&second, chrono::Utc::now()).unwrap();
    let other = api::signing_keys(&app.db, &second).unwrap_err();
    assert!(
        matches!(other, api::StartError::KeyMismatch { .. }),
        "{other}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn too_many_attempts_from_one_address_answer_429() {
    let settings = api::state::Settings {
        auth_rate_per_minute: 3,
        ..api::state::Settings::default()
    };
    let app = TestApp::spawn_with(api::features::configure, settings).await;
    let attempt = json!({"account_id": "PLATFORM", "logon": "x", "password": "y", "code": "1"});
    for _ in 0..3 {
        assert_eq!(
            app.post("/auth/login", &attempt).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.post("/auth/login", &attempt).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(limited).await["code"], "rate_limited");
    // Other endpoints are not limited.
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}

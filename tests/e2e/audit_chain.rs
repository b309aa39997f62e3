//! The audit trail is a hash chain: linked after commit, shown with each entry, and walked by
//! `partner-hub audit verify`, which names the first link an edit or a removal broke.

use std::sync::{Arc, Mutex};

use diesel::RunQueryDsl;
use diesel::connection::{Connection, InstrumentationEvent};
use persistence::DbError;
use serde_json::Value;
use services::audit::chain::{self, Verdict};
use tests::identity::Session;
use tests::{TestApp, TestDatabase};

use crate::database::insert_event;

fn link(app: &TestApp) -> usize {
    app.db.transaction(chain::link_pending).unwrap()
}

fn verify(app: &TestApp) -> Verdict {
    app.db.read(chain::verify).unwrap()
}

fn sql(app: &TestApp, statement: &str) {
    let statement = statement.to_owned();
    app.db
        .transaction(|conn| {
            diesel::sql_query(&statement)
                .execute(conn)
                .map_err(DbError::from)
        })
        .unwrap();
}

/// The trail as the platform admin reads it, newest first.
async fn trail(app: &TestApp, platform: &Session) -> Vec<Value> {
    let page: Value = app
        .get_as(platform, "/audit?limit=200")
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_trail_is_a_hash_chain_whose_first_broken_link_is_named() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    app.partner_admin(&platform, "PARTCHAIN").await;

    let before = trail(&app, &platform).await;
    assert!(before.len() >= 4);
    assert!(before.iter().all(|e| e["hash"].is_null()), "not linked yet");
    assert_eq!(verify(&app).unlinked, i64::try_from(before.len()).unwrap());

    let linked = link(&app);
    assert_eq!(linked, before.len());
    assert_eq!(link(&app), 0, "each event is linked once");
    let after = trail(&app, &platform).await;
    let newest = &after[0];
    assert_eq!(newest["chain_position"], linked);
    assert_eq!(newest["hash"].as_str().unwrap().len(), 64);
    let verdict = verify(&app);
    assert_eq!(verdict.checked, i64::try_from(linked).unwrap());
    assert_eq!(verdict.broken, None);
    assert_eq!(verdict.unlinked, 0);
    assert_eq!(
        verdict.head.as_deref(),
        newest["hash"].as_str(),
        "the API shows the checkpoint"
    );

    // New events continue the chain.
    app.logout(&platform).await;
    assert!(link(&app) >= 1);
    assert_eq!(verify(&app).broken, None);

    // An event written with SQL, past the hub, is queued like any other: it joins the chain.
    sql(
        &app,
        "INSERT INTO audit_events (id, occurred_at, action, target_type) \
         VALUES ('slipped-in', '2026-12-01 00:00:00', 'nothing.happened', 'nothing')",
    );
    assert_eq!(verify(&app).unlinked, 1);
    assert_eq!(link(&app), 1);
    let verdict = verify(&app);
    assert_eq!((verdict.unlinked, verdict.broken), (0, None));

    // An edit breaks the link it was made in.
    sql(
        &app,
        "UPDATE audit_events SET action = 'nothing.happened' \
         WHERE seq = (SELECT seq FROM audit_links WHERE position = 2)",
    );
    let broken = verify(&app).broken.expect("the edit is found");
    assert_eq!(broken.position, 2);
    assert!(broken.event_id.is_some());
    assert_eq!(verify(&app).checked, 1, "the links before it hold");

    // A removal breaks the chain where the event was.
    sql(
        &app,
        "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_links WHERE position IN (2, 3))",
    );
    let broken = verify(&app).broken.expect("the removal is found");
    assert_eq!((broken.position, broken.event_id), (2, None));
}

/// The server hashes a round's links outside any transaction and writes them after: links
/// hashed from a head that another linker moved meanwhile are dropped, not written after it.
#[tokio::test]
async fn links_hashed_from_a_head_that_moved_are_not_written() {
    let app = TestApp::spawn().await;
    let platform = app.platform_admin().await;
    let stale = app.db.read(chain::prepare).unwrap();
    assert!(!stale.is_empty());

    // Another linker takes the same events first, and more are recorded.
    assert_eq!(link(&app), stale.len());
    app.partner_admin(&platform, "PARTSTALE").await;
    let queued = verify(&app).unlinked;
    assert!(queued > 0);

    let written = app
        .db
        .transaction(|conn| chain::write(conn, &stale))
        .unwrap();
    assert_eq!(written, 0, "the head moved: nothing is written");
    let verdict = verify(&app);
    assert_eq!((verdict.unlinked, verdict.broken), (queued, None));
    assert_eq!(i64::try_from(link(&app)).unwrap(), queued);
    assert_eq!(verify(&app).broken, None);
}

/// The linker's reads and its delete are planned for their keys each time they run: none stays
/// in a connection's cache of prepared statements, where PostgreSQL would keep the plan it made
/// while the trail was small (docs/DECISIONS.md).
#[test]
fn the_linker_keeps_no_plan_of_its_reads() {
    let database = TestDatabase::create();
    let db = database.connect();
    db.migrate().unwrap();
    let cached = Arc::new(Mutex::new(Vec::<String>::new()));
    for round in 0..3 {
        let linked = db
            .transaction(|conn| {
                insert_event(conn, "test.linked").map_err(DbError::from)?;
                let cached = cached.clone();
                conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                    if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                        cached.lock().unwrap().push(sql.to_owned());
                    }
                });
                chain::link_pending(conn)
            })
            .unwrap();
        assert_eq!(linked, 1, "round {round} links its one event");
    }
    let kept: Vec<String> = cached
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| !sql.trim_start().starts_with("INSERT"))
        .cloned()
        .collect();
    assert!(kept.is_empty(), "statements kept prepared: {kept:?}");
    assert_eq!(db.read(chain::verify).unwrap().unlinked, 0);
}

//! The storage layer on the backend under test: migrations, transactions, concurrency.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use persistence::schema::audit_events;
use persistence::{DbConnection, DbError};
use tests::TestDatabase;

fn migration_names(dialect: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dialect);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            for file in ["up.sql", "down.sql"] {
                assert!(path.join(file).is_file(), "{} lacks {file}", path.display());
            }
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn both_dialects_hold_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

fn count_events(conn: &mut DbConnection) -> QueryResult<i64> {
    audit_events::table.count().get_result(conn)
}

/// One audit event, as a change would record it (the trigger queues it for the linker).
pub(crate) fn insert_event(conn: &mut DbConnection, action: &str) -> QueryResult<usize> {
    let at = NaiveDateTime::parse_from_str("2026-01-05 09:00:00.123456", "%Y-%m-%d %H:%M:%S%.f")
        .unwrap();
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(uuid::Uuid::new_v4().to_string()),
            audit_events::occurred_at.eq(at),
            audit_events::action.eq(action),
            audit_events::target_type.eq("test"),
        ))
        .execute(conn)
}

#[test]
fn every_migration_runs_up_down_and_up_again() {
    let database = TestDatabase::create();
    let db = database.connect();
    let applied = db.migrate().unwrap();
    assert_eq!(applied.len(), migration_names("sqlite").len());
    db.read(|conn| insert_event(conn, "before").map_err(DbError::from))
        .unwrap();

    let reverted = db.revert_all().unwrap();
    assert_eq!(reverted.len(), applied.len());
    let gone =
        db.read(|conn| Ok::<_, DbError>(audit_events::table.count().get_result::<i64>(conn)));
    assert!(
        gone.unwrap().is_err(),
        "the tables are dropped by the down migrations"
    );

    assert_eq!(db.migrate().unwrap(), applied);
    assert!(
        db.migrate().unwrap().is_empty(),
        "nothing is pending after a full run"
    );
    assert_eq!(
        db.read(|conn| count_events(conn).map_err(DbError::from))
            .unwrap(),
        0
    );
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    let database = TestDatabase::create();
    let db = database.connect();
    db.migrate().unwrap();
    let outcome: Result<(), DbError> = db.transaction(|conn| {
        insert_event(conn, "first")?;
        insert_event(conn, "second")?;
        Err(DbError::Migration("a rule refused the change".into()))
    });
    assert!(outcome.is_err());
    assert_eq!(
        db.read(|conn| count_events(conn).map_err(DbError::from))
            .unwrap(),
        0
    );

    db.transaction(|conn| insert_event(conn, "kept").map_err(DbError::from))
        .unwrap();
    assert_eq!(
        db.read(|conn| count_events(conn).map_err(DbError::from))
            .unwrap(),
        1
    );
}

/// Read-then-write transactions from many threads queue for the write lock instead of failing
/// (SQLite begins them IMMEDIATE; PostgreSQL handles this natively).
#[test]
fn concurrent_read_then_write_transactions_all_commit() {
    let database = TestDatabase::create();
    let db = database.connect();
    db.migrate().unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    db.transaction(|conn| {
                        let before = count_events(conn)?;
                        insert_event(conn, "concurrent")?;
                        assert_eq!(count_events(conn)?, before + 1);
                        Ok::<_, DbError>(())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(
        db.read(|conn| count_events(conn).map_err(DbError::from))
            .unwrap(),
        200
    );
}

//! The pool and its transactions on both backends.

use super::*;

#[test]
fn the_scheme_picks_the_backend() {
    let url = |s: &str| s.parse::<DatabaseUrl>();
    assert_eq!(
        url("postgres://postgres@127.0.0.1:5432/test")
            .unwrap()
            .backend(),
        Backend::Postgres
    );
    assert_eq!(
        url("postgresql://h/db").unwrap().backend(),
        Backend::Postgres
    );
    assert_eq!(
        url("sqlite://data/hub.db").unwrap(),
        DatabaseUrl::Sqlite("data/hub.db".into())
    );
    assert_eq!(
        url("sqlite:///tmp/hub.db").unwrap(),
        DatabaseUrl::Sqlite("/tmp/hub.db".into())
    );
    assert_eq!(url("hub.db").unwrap(), DatabaseUrl::Sqlite("hub.db".into()));
    for bad in [
        "",
        "mysql://h/db",
        "sqlite://",
        ":memory:",
        "sqlite://:memory:",
    ] {
        assert!(url(bad).is_err(), "{bad:?} must be refused");
    }
}

#[test]
fn passwords_never_reach_the_logs() {
    let url: DatabaseUrl = "postgres://app:s3cret@db:5432/hub".parse().unwrap();
    assert_eq!(url.redacted(), "postgres://app:***@db:5432/hub");
    let url: DatabaseUrl = "postgres://app@db/hub".parse().unwrap();
    assert_eq!(url.redacted(), "postgres://app@db/hub");
}

#[test]
fn sqlite_connections_get_the_pragmas_and_the_file_is_created() {
    let dir = std::env::temp_dir().join(format!("ph-db-{}", uuid::Uuid::new_v4()));
    let url = DatabaseUrl::Sqlite(dir.join("nested").join("hub.db"));
    let db = Db::connect(&url, PoolOptions::default()).unwrap();
    db.migrate().unwrap();
    let pragmas = db.sqlite_pragmas().unwrap().unwrap();
    assert_eq!(pragmas.journal_mode, "wal");
    assert!(pragmas.foreign_keys);
    assert_eq!(pragmas.synchronous, 2, "FULL");
    assert_eq!(pragmas.busy_timeout_ms, 5000);
    assert!(dir.join("nested").join("hub.db").exists());
    // The pool may still be opening idle connections (and their WAL files) in the
    // background: cleaning up is best effort.
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

/// A fresh SQLite database in a folder of its own, with a table holding one counter.
fn counter_db(options: PoolOptions) -> (Db, PathBuf) {
    let dir = std::env::temp_dir().join(format!("ph-db-{}", uuid::Uuid::new_v4()));
    let db = Db::connect(&DatabaseUrl::Sqlite(dir.join("hub.db")), options).unwrap();
    db.transaction(|conn| {
        conn.batch_execute(
            "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);",
        )
        .map_err(DbError::from)
    })
    .unwrap();
    (db, dir)
}

fn counter(conn: &mut DbConnection) -> Result<i64, DbError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let DbConnection::Sqlite(c) = conn else {
        unreachable!("an SQLite test")
    };
    let row: Row = diesel::sql_query("SELECT n FROM counter").get_result(c)?;
    Ok(row.n)
}

#[test]
fn sqlite_writers_take_turns_and_none_loses_an_update() {
    let (db, dir) = counter_db(PoolOptions::default());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..25 {
                    // Read, then write what was read plus one: a lost update shows in the sum.
                    db.transaction(|conn| {
                        let n = counter(conn)?;
                        conn.batch_execute(&format!("UPDATE counter SET n = {}", n + 1))
                            .map_err(DbError::from)
                    })
                    .unwrap();
                }
            });
        }
    });
    assert_eq!(db.read(counter).unwrap(), 200);
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_failing_sqlite_writer_rolls_back_only_its_own_change() {
    let (db, dir) = counter_db(PoolOptions::default());
    let failed = std::sync::atomic::AtomicI64::new(0);
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (db, failed) = (&db, &failed);
            scope.spawn(move || {
                for i in 0..25 {
                    // Every fifth transaction writes and then fails: only its own write goes,
                    // whichever group it ran in.
                    let outcome = db.transaction(|conn| {
                        let n = counter(conn)?;
                        conn.batch_execute(&format!("UPDATE counter SET n = {}", n + 1))?;
                        if (thread + i) % 5 == 0 {
                            return Err(DbError::Migration("refused".into()));
                        }
                        Ok(())
                    });
                    if outcome.is_err() {
                        failed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            });
        }
    });
    assert_eq!(failed.into_inner(), 40);
    assert_eq!(db.read(counter).unwrap(), 160);
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_panicking_sqlite_writer_commits_nothing_and_the_next_one_writes() {
    let (db, dir) = counter_db(PoolOptions::default());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = db.transaction(|conn| {
            conn.batch_execute("UPDATE counter SET n = 99")?;
            panic!("mid-way");
            #[allow(unreachable_code)]
            Ok::<_, DbError>(())
        });
    }));
    assert!(panicked.is_err());
    db.transaction(|conn| {
        let n = counter(conn)?;
        conn.batch_execute(&format!("UPDATE counter SET n = {}", n + 1))
            .map_err(DbError::from)
    })
    .unwrap();
    assert_eq!(
        db.read(counter).unwrap(),
        1,
        "the panicked write was rolled back"
    );
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_sqlite_writer_gives_up_its_wait_after_the_checkout_timeout() {
    let options = PoolOptions {
        checkout_timeout: Duration::from_millis(100),
        ..PoolOptions::default()
    };
    let (db, dir) = counter_db(options);
    let (started, holding) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let db_for_holder = &db;
        let holder = scope.spawn(move || {
            db_for_holder.transaction(|conn| {
                conn.batch_execute("UPDATE counter SET n = 1")?;
                started.send(()).unwrap();
                released.recv().unwrap();
                Ok::<_, DbError>(())
            })
        });
        holding.recv().unwrap();
        let mut ran = false;
        let waited = db.transaction(|_| {
            ran = true;
            Ok::<_, DbError>(())
        });
        // Released before asserting, so that a failed assertion does not leave the holder
        // waiting forever.
        release.send(()).unwrap();
        holder.join().unwrap().unwrap();
        assert!(matches!(waited, Err(DbError::WriterBusy)), "{waited:?}");
        assert!(waited.unwrap_err().is_unavailable(), "answered as a 503");
        assert!(!ran, "the work never ran");
    });
    assert_eq!(db.read(counter).unwrap(), 1, "the holder's write committed");
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dropping_the_last_clone_leaves_no_sqlite_wal_behind() {
    let dir = std::env::temp_dir().join(format!("ph-db-{}", uuid::Uuid::new_v4()));
    let url = DatabaseUrl::Sqlite(dir.join("hub.db"));
    let db = Db::connect(&url, PoolOptions::default()).unwrap();
    db.migrate().unwrap();
    // Bytes in the WAL; a WAL file that is not there holds none.
    let wal = || std::fs::metadata(dir.join("hub.db-wal")).map_or(0, |m| m.len());
    assert!(wal() > 0, "the migrations were written to the WAL");
    let clone = db.clone();
    drop(db);
    assert!(wal() > 0, "a clone still uses the database");
    drop(clone);
    // SQLite also deletes the file as the last connection closes, but one the pool was
    // still opening in the background may close a moment later: the content is what counts.
    assert_eq!(wal(), 0, "the last clone checkpointed the WAL");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_sqlite_wal_starts_over_under_steady_writes() {
    let dir = std::env::temp_dir().join(format!("ph-db-{}", uuid::Uuid::new_v4()));
    let url = DatabaseUrl::Sqlite(dir.join("hub.db"));
    let db = Db::connect(&url, PoolOptions::default()).unwrap();
    db.transaction(|c| {
        c.batch_execute("CREATE TABLE filler (body BLOB NOT NULL)")
            .map_err(DbError::from)
    })
    .unwrap();
    let DbConnection::Sqlite(mut conn) = url.establish().unwrap() else {
        unreachable!()
    };
    let database = std::fs::File::open(dir.join("hub.db")).unwrap();
    let writer = db.writer.as_ref().unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (before, round) = std::thread::scope(|s| {
        s.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                db.transaction(|c| {
                    c.batch_execute("INSERT INTO filler (body) VALUES (randomblob(40000))")
                        .map_err(DbError::from)
                })
                .unwrap();
            }
        });
        // Writes go on during every checkpoint here, as under a steady load. The database's
        // own checkpointer runs beside: a round that met its checkpoint is tried again.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let mut before = sqlite::checkpoint(&mut conn).unwrap();
            while before.log <= sqlite::START_OVER_PAST {
                assert!(std::time::Instant::now() < deadline, "the writes stopped");
                before = sqlite::checkpoint(&mut conn).unwrap();
            }
            let round = sqlite::round(&mut conn, &database, writer).unwrap();
            if round.complete() || std::time::Instant::now() > deadline {
                stop.store(true, std::sync::atomic::Ordering::SeqCst);
                break (before, round);
            }
        }
    });
    assert!(round.complete(), "the round copied every page: {round:?}");
    db.transaction(|c| {
        c.batch_execute("INSERT INTO filler (body) VALUES (x'00')")
            .map_err(DbError::from)
    })
    .unwrap();
    let after = sqlite::checkpoint(&mut conn).unwrap();
    assert!(
        after.log < before.log,
        "the WAL started over: {after:?} after {before:?}"
    );
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
}

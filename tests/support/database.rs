//! A fresh database per test, of the backend under test.

use std::path::PathBuf;
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use persistence::{Backend, DatabaseUrl, Db, DbConnection, PoolOptions};

pub enum TestDatabase {
    Sqlite { dir: PathBuf },
    Postgres { server_url: String, name: String },
}

/// The backend under test, from `DATABASE_URL`.
pub fn backend() -> Backend {
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

impl TestDatabase {
    pub fn create() -> TestDatabase {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match backend() {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("partner-hub-test-{unique}"));
                std::fs::create_dir_all(&dir).unwrap();
                TestDatabase::Sqlite { dir }
            }
            Backend::Postgres => {
                let server_url = std::env::var("DATABASE_URL").unwrap();
                let name = format!("ph_test_{unique}");
                admin(&server_url, &format!("CREATE DATABASE {name}"));
                TestDatabase::Postgres { server_url, name }
            }
        }
    }

    pub fn url(&self) -> DatabaseUrl {
        match self {
            TestDatabase::Sqlite { dir } => DatabaseUrl::Sqlite(dir.join("hub.db")),
            TestDatabase::Postgres { server_url, name } => {
                DatabaseUrl::Postgres(with_database_name(server_url, name))
            }
        }
    }

    pub fn connect(&self) -> Db {
        let options = PoolOptions {
            max_size: 8,
            checkout_timeout: Duration::from_secs(2),
        };
        Db::connect(&self.url(), options).expect("the test database opens")
    }

    /// Ends every connection to the database, as a restart of the server would; the database
    /// stays.
    pub fn end_connections(&self) {
        if let TestDatabase::Postgres { server_url, name } = self {
            admin(
                server_url,
                &format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                ),
            );
        }
    }

    /// Everything the database holds, as someone with a copy of it would read it: on SQLite the
    /// file and its write-ahead log, byte for byte (freed pages included); on PostgreSQL every
    /// row of every table as text.
    pub fn dump(&self, db: &Db) -> Vec<u8> {
        match self {
            TestDatabase::Sqlite { dir } => ["hub.db", "hub.db-wal"]
                .iter()
                .filter_map(|file| std::fs::read(dir.join(file)).ok())
                .flatten()
                .collect(),
            TestDatabase::Postgres { .. } => {
                #[derive(diesel::QueryableByName)]
                struct Text {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    text: String,
                }
                let tables = "SELECT table_name AS text FROM information_schema.tables \
                              WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";
                db.read(|conn| {
                    let tables: Vec<Text> = diesel::sql_query(tables).load(conn)?;
                    let mut dump = Vec::new();
                    for table in tables {
                        let rows: Vec<Text> = diesel::sql_query(format!(
                            "SELECT t::text AS text FROM \"{}\" t",
                            table.text
                        ))
                        .load(conn)?;
                        for row in rows {
                            dump.extend_from_slice(row.text.as_bytes());
                            dump.push(b'\n');
                        }
                    }
                    Ok::<_, persistence::DbError>(dump)
                })
                .unwrap()
            }
        }
    }

    /// Ends every connection to the database and removes it, as an outage would.
    pub fn take_offline(&self) {
        if let TestDatabase::Postgres { server_url, name } = self {
            admin(
                server_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDatabase::Postgres { .. } => self.take_offline(),
        }
    }
}

fn admin(server_url: &str, sql: &str) {
    let url: DatabaseUrl = server_url.parse().unwrap();
    let mut conn = url
        .establish()
        .expect("the PostgreSQL server under test answers");
    let DbConnection::Postgres(pg) = &mut conn else {
        unreachable!("admin statements run on PostgreSQL only")
    };
    pg.batch_execute(sql).unwrap();
}

/// `postgres://u@h:5432/test?x=y` with `name` in place of `test`.
fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database_name;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_database_name("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database_name("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_database_name("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}

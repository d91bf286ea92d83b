//! Fresh, migrated databases for tests, on SQLite and on PostgreSQL (feature `test-util`).
//!
//! Every DB-touching test in Orion runs on both backends. [`db_test!`](crate::db_test) writes the
//! two `#[tokio::test]` functions; [`run`] does the work: it creates a new database (a file in a
//! temporary directory for SQLite; `CREATE DATABASE orion_test_…` on the server named by
//! `ORION_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`), migrates it,
//! runs the test body, and drops the database afterwards, also when the body panics.
//!
//! If PostgreSQL cannot be reached the test fails with a message saying how to start it: a
//! PostgreSQL test never passes silently without a server.

use std::future::Future;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

use crate::Migrator;

/// The database backends every DB test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a fresh temporary directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `ORION_TEST_PG_URL`.
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("ORION_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh, migrated database that lives until [`TestDb::drop_database`].
pub struct TestDb {
    /// The connection to the fresh database.
    pub conn: DatabaseConnection,
    /// The URL of the fresh database (for code under test that opens its own connections).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// Creates and migrates a fresh database on `backend`.
    pub async fn create(backend: Backend) -> TestDb {
        let db = TestDb::create_empty(backend).await;
        if let Err(error) = Migrator::up(&db.conn, None).await {
            panic!("migrating the fresh {backend:?} test database failed: {error}");
        }
        db
    }

    /// Creates a fresh database on `backend` with no tables (for migration tests).
    pub async fn create_empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()
                    .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
                let url = format!("sqlite://{}/orion.db?mode=rwc", dir.path().display());
                let conn = connect(&url).await;
                TestDb { conn, url, cleanup: Cleanup::Sqlite(dir) }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable at {admin_url} ({e}).\n\
                         Every DB test also runs on PostgreSQL. Start the server \
                         (`pg_ctlcluster --skip-systemctl-redirect 15 main start`, or `bash .ci/run`, \
                         which starts it), or point ORION_TEST_PG_URL at one."
                    )
                });
                let name = format!("orion_test_{}_{:016x}", std::process::id(), rand::random::<u64>());
                exec(&admin, &format!("CREATE DATABASE {name}")).await;
                admin.close().await.ok();
                let url = replace_database(&admin_url, &name);
                let conn = connect(&url).await;
                TestDb { conn, url, cleanup: Cleanup::Postgres { admin_url, name } }
            }
        }
    }

    /// Closes the connection and removes the database.
    pub async fn drop_database(self) {
        self.conn.close().await.ok();
        match self.cleanup {
            Cleanup::Sqlite(dir) => drop(dir),
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    exec(&admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    admin.close().await.ok();
                }
            }
        }
    }
}

/// Runs `test` against a fresh, migrated database on `backend`, then drops the database, also if
/// the test panics (the panic is then resumed so the test fails with its own message).
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::create(backend).await;
    let outcome = tokio::spawn(test(db.conn.clone())).await;
    db.drop_database().await;
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("test task failed: {error}"),
        }
    }
}

/// Declares a test that runs on SQLite and on PostgreSQL, each on a fresh migrated database.
///
/// ```text
/// migration::db_test!(async fn redeem_refuses_more_points_than_the_balance(db) {
///     // `db: sea_orm::DatabaseConnection`
/// });
/// ```
/// expands to a module `redeem_refuses_more_points_than_the_balance` with the tests `sqlite`
/// and `postgres`. The calling crate needs `tokio` (with `macros`) as a dev-dependency.
#[macro_export]
macro_rules! db_test {
    (async fn $name:ident($db:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::testing::run($crate::testing::Backend::Sqlite, |$db| async move $body).await
            }

            #[tokio::test]
            async fn postgres() {
                $crate::testing::run($crate::testing::Backend::Postgres, |$db| async move $body).await
            }
        }
    };
}

async fn connect(url: &str) -> DatabaseConnection {
    Database::connect(url).await.unwrap_or_else(|e| panic!("cannot connect to the test database {url}: {e}"))
}

async fn exec(conn: &DatabaseConnection, sql: &str) {
    if let Err(error) = conn.execute_unprepared(sql).await {
        panic!("`{sql}` failed: {error}");
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database `name` instead of `postgres`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replace_database_swaps_only_the_path() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "t2"),
            "postgres://u@h/t2?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://u@h:1", "t3"), "postgres://u@h:1/t3");
    }
}

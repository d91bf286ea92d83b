//! Opening Orion's database: the settings a service reads (`[database]`), the connection pool,
//! and the migrations applied before anything else touches it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use serde::{Deserialize, Serialize};

use crate::Migrator;

/// `[database]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` (embedded default) or `postgres://user@host/db` (production).
    pub url: String,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings { url: "sqlite://data/orion.db?mode=rwc".to_owned(), max_connections: 10 }
    }
}

impl DatabaseSettings {
    /// The directory an SQLite database file lives in; `None` for servers and in-memory SQLite.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let path = self.url.strip_prefix("sqlite://")?.split('?').next()?;
        if path.is_empty() || path.starts_with(':') {
            return None; // in-memory
        }
        Some(Path::new(path).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf))
    }

    /// Is this the embedded SQLite database?
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// The URL without its password, for messages.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }

    /// Opens the pool (creating the SQLite file's directory) and applies pending migrations.
    pub async fn connect_and_migrate(&self) -> Result<DatabaseConnection, DbErr> {
        if let Some(dir) = self.sqlite_dir().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(&dir).map_err(|e| {
                DbErr::Custom(format!("creating {} for the SQLite database: {e}", dir.display()))
            })?;
        }
        let mut options = ConnectOptions::new(self.url.clone());
        options
            .max_connections(self.max_connections)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        let db = Database::connect(options).await?;
        Migrator::up(&db, None).await?;
        Ok(db)
    }

    /// A pool of at most one connection, apart from the main pool, for readiness probes: it
    /// answers whether the database is reachable even while every pooled connection is busy
    /// under load, and gives up after `timeout`. Lazy: the connection opens at the first probe
    /// (and again after the database was away).
    pub async fn connect_probe(&self, timeout: Duration) -> Result<DatabaseConnection, DbErr> {
        let mut options = ConnectOptions::new(self.url.clone());
        options
            .max_connections(1)
            .min_connections(0)
            .connect_timeout(timeout)
            .acquire_timeout(timeout)
            .connect_lazy(true)
            .sqlx_logging(false);
        Database::connect(options).await
    }
}

/// Connections of `db`'s pool in use, % of the pool's maximum (one decimal): the figure behind
/// the `db_pool_percent` threshold. `None` for a backend this build has no driver for.
pub fn pool_usage_percent(db: &DatabaseConnection) -> Option<f64> {
    let (open, idle, max) = match db.get_database_backend() {
        #[cfg(feature = "postgres")]
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        #[cfg(feature = "sqlite")]
        sea_orm::DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        _ => return None,
    };
    let in_use = open.saturating_sub(u32::try_from(idle).unwrap_or(u32::MAX));
    (max > 0).then(|| (f64::from(in_use) / f64::from(max) * 1000.0).round() / 10.0)
}

/// Whether `db`'s pool was closed (by the application at shutdown, or by a test).
pub fn is_closed(db: &DatabaseConnection) -> bool {
    match db.get_database_backend() {
        #[cfg(feature = "postgres")]
        sea_orm::DatabaseBackend::Postgres => db.get_postgres_connection_pool().is_closed(),
        #[cfg(feature = "sqlite")]
        sea_orm::DatabaseBackend::Sqlite => db.get_sqlite_connection_pool().is_closed(),
        _ => false,
    }
}

/// `url` without its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_directory_comes_from_the_url() {
        let dir = |url: &str| DatabaseSettings { url: url.to_owned(), max_connections: 1 }.sqlite_dir();
        assert_eq!(dir("sqlite://data/orion.db?mode=rwc"), Some(PathBuf::from("data")));
        assert_eq!(dir("sqlite:///var/lib/orion/o.db"), Some(PathBuf::from("/var/lib/orion")));
        assert_eq!(dir("sqlite://orion.db"), Some(PathBuf::from("")));
        assert_eq!(dir("sqlite::memory:"), None);
        assert_eq!(dir("postgres://postgres@127.0.0.1/orion"), None);
    }

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(redact("postgres://orion:s3cret@db:5432/orion"), "postgres://orion:***@db:5432/orion");
        assert_eq!(redact("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(redact("sqlite://data/orion.db?mode=rwc"), "sqlite://data/orion.db?mode=rwc");
    }
}

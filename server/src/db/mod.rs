//! Relational storage through sqlx `Any`: SQLite (file, WAL, busy timeout) or MySQL/MariaDB,
//! chosen at run time by the `DATABASE_URL` scheme, with one set of queries for both.
//!
//! Rules that keep the queries portable (docs/architecture.md "Storage"): `?` placeholders;
//! booleans stored as 0/1 integers; times as Unix seconds; money as integer fen; no `RETURNING`, no
//! `last_insert_id` (rows are found again by a unique key); no compile-time `query!` macros.
//! SQL lives in the per-entity modules below, never in handlers.

pub mod addresses;
pub mod audit;
pub mod carts;
pub mod catalog_admin;
pub mod console;
pub mod favourites;
pub mod filter;
pub mod goods;
pub mod jobs;
pub mod orders;
pub mod payments;
pub mod pictures;
pub mod regions;
pub mod replica;
pub mod returns;
pub mod reviews;
pub mod skus;
pub mod spus;
pub mod staff;
pub mod users;
pub mod weibo;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

/// Migrations embedded in the binary, one folder per dialect.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static MYSQL_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/mysql");

/// How long a SQLite connection waits for a competing writer before failing, in milliseconds.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Opens a pool for `url` (`sqlite://path` or `mysql://...`). For SQLite the file and its
/// directory are created when missing, and each connection gets WAL mode, a busy timeout and
/// foreign keys. Fails with a message naming the database when it cannot be reached.
pub async fn connect(url: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    let url = if is_sqlite {
        prepare_sqlite_url(url)?
    } else {
        url.to_owned()
    };
    let options = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(
                        format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str(),
                    )
                    .await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        });
    options
        .connect(&url)
        .await
        .with_context(|| format!("could not open the database {}", redact(&url)))
}

/// Applies the pending migrations of the pool's dialect.
pub async fn migrate(pool: &AnyPool, is_mysql: bool) -> anyhow::Result<()> {
    let migrator = if is_mysql {
        &MYSQL_MIGRATIONS
    } else {
        &SQLITE_MIGRATIONS
    };
    migrator
        .run(pool)
        .await
        .context("could not apply the database migrations")
}

/// Checks that the database answers a trivial query within 2 seconds.
pub async fn ping(pool: &AnyPool) -> anyhow::Result<()> {
    tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(pool),
    )
    .await
    .context("database ping timed out")?
    .context("database ping failed")?;
    Ok(())
}

/// Current time in Unix seconds.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Adds `mode=rwc` (create when missing), creates the parent directory of the file, and
/// creates a missing database file readable by its owner only (0600, like the JWT secret:
/// it holds password hashes and personal data). SQLite gives its `-wal` and `-shm` files the
/// mode of the database file.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" {
        let file = std::path::Path::new(path);
        if let Some(parent) = file.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        create_private_file(file).with_context(|| format!("could not create {path}"))?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Creates `path` empty with mode 0600 unless it exists.
#[cfg(unix)]
fn create_private_file(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_private_file(_path: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Current time in Unix milliseconds.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Begins a transaction that will write: on SQLite `BEGIN IMMEDIATE`, which takes the write
/// lock at once (a deferred transaction that reads first cannot upgrade after another writer
/// committed: `SQLITE_BUSY_SNAPSHOT`, which no busy time-out waits out); on MySQL a plain
/// `BEGIN` (InnoDB locks rows as they are written or read `FOR UPDATE`).
pub async fn begin_write(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    if pool.connect_options().database_url.scheme() == "sqlite" {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// Whether `e` is a conflict between concurrent transactions that a retry of the whole
/// transaction may settle: an InnoDB deadlock (SQLSTATE 40001, error 1213) or lock-wait
/// time-out (error 1205), or SQLite's `SQLITE_BUSY` / `SQLITE_LOCKED` family.
pub fn is_transient(e: &sqlx::Error) -> bool {
    let Some(d) = e.as_database_error() else {
        return false;
    };
    let code = d.code();
    let message = d.message();
    matches!(
        code.as_deref(),
        Some("40001" | "5" | "6" | "261" | "262" | "517")
    ) || message.contains("Lock wait timeout")
        || message.contains("Deadlock found")
        || message.contains("database is locked")
}

/// Whether `e` says the database server is going away under the statement: MySQL/MariaDB
/// `ER_SERVER_SHUTDOWN` (1053, "Server shutdown in progress"), `ER_CONNECTION_KILLED` (1927)
/// or a statement interrupted by a kill (SQLSTATE 70100), or a communication link failure
/// (SQLSTATE 08S01). The statement did not commit; the client may retry (503).
pub fn is_server_going_away(e: &sqlx::Error) -> bool {
    let Some(d) = e.as_database_error() else {
        return false;
    };
    let message = d.message();
    matches!(
        d.code().as_deref(),
        Some("08S01" | "70100" | "1053" | "1927")
    ) || message.contains("Server shutdown in progress")
        || message.contains("Connection was killed")
        || message.contains("server has gone away")
}

/// Whether `e` is a unique-key violation (a taken username, a second binding).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").ok().as_deref(),
            Some("sqlite://:memory:?mode=rwc")
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/sub/x.db", dir.path().display());
        let prepared = prepare_sqlite_url(&url).expect("prepared");
        assert!(prepared.ends_with("/sub/x.db?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_database_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shop.db");
        let pool = connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("connect");
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&pool)
            .await
            .expect("write");
        for file in ["shop.db", "shop.db-wal"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("mysql://shop:secret@db:3306/shop"),
            "mysql://shop:***@db:3306/shop"
        );
        assert_eq!(redact("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}

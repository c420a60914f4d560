//! The database: SQLite (a file) or PostgreSQL (a URL), both through sqlx's `Any` driver so
//! the domain has one set of SQL. The differences between the two live here and in the two
//! migration folders, nowhere else: how to connect, how a write transaction starts, which
//! errors mean "the database is unavailable", and the [`Flag`] type for 0/1 columns.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Transaction};

/// The schema, embedded in the binary, one set per backend: the SQLite set is the history
/// of every database ever created (never edited, so existing files upgrade); the PostgreSQL
/// set starts at the state SQLite reached after its migration 0005.
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Where the data lives: `--database`, an SQLite file path or a `postgres://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }
}

impl FromStr for Database {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Ok(Self::Postgres(text.to_owned()))
        } else if text.contains("://") {
            Err(format!(
                "{text:?}: give an SQLite file path or a postgres:// URL"
            ))
        } else {
            Ok(Self::Sqlite(PathBuf::from(text)))
        }
    }
}

/// For logs and error messages: a URL's password is left out.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => match url.split_once('@') {
                Some((before, after)) => match before.rsplit_once(':') {
                    Some((user, _)) if user.contains("//") && !user.ends_with('/') => {
                        write!(f, "{user}:…@{after}")
                    }
                    _ => f.write_str(url),
                },
                None => f.write_str(url),
            },
        }
    }
}

/// Connections per instance. SQLite: readers in parallel beside the one writer. PostgreSQL:
/// a few instances × this stays well inside the server's default `max_connections` (100).
const MAX_CONNECTIONS: u32 = 8;

/// How long a request waits for a PostgreSQL connection before it gives up with a 503: while
/// the database is unreachable sqlx keeps trying inside `acquire` until this runs out, so it
/// is how long a request hangs when the database is lost. SQLite keeps sqlx's default (30 s):
/// a file is never "unreachable", and a waiting writer there is just a busy one.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// Opens (creating if needed) the database and brings its schema up to date.
pub async fn open(database: &Database) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let options = AnyPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .after_release(|conn, _| Box::pin(discard_if_stuck(conn)));
    let (pool, migrator) = match database {
        Database::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            // Through `Any`, SQLite takes only what its URL can say (the file, `mode=rwc`);
            // the rest is set on each new connection below.
            let url = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .to_url_lossy()
                .to_string();
            let pool = options
                .after_connect(|conn, _| Box::pin(sqlite_pragmas(conn)))
                .connect(&url)
                .await?;
            (pool, &SQLITE)
        }
        Database::Postgres(url) => {
            // One connection first, for its error: the pool would only report that it timed
            // out, not that the server refused or the password was wrong.
            AnyConnection::connect(url).await?.close().await?;
            let pool = options
                .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
                .connect(url)
                .await?;
            (pool, &POSTGRES)
        }
    };
    migrator.run(&pool).await?;
    Ok(pool)
}

/// WAL lets readers proceed while one request writes; the busy timeout makes a second writer
/// wait instead of failing with `SQLITE_BUSY` under concurrent requests.
async fn sqlite_pragmas(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    // One statement per query: `raw_sql` with all four does not compile on `AnyConnection`.
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA busy_timeout = 5000",
        "PRAGMA foreign_keys = ON",
    ] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Keeps a connection for the next request only if it is out of every transaction.
///
/// When a COMMIT fails for lack of space, SQLite rolls the transaction back by itself; sqlx
/// then tries its own ROLLBACK, which fails ("no transaction is active"), and it still counts
/// the connection as inside a transaction. Back in the pool, such a connection refused every
/// later `BEGIN` until its 30-minute lifetime ran out, long after the disk had room again.
/// The ping first lets sqlx finish a rollback it queued when the transaction was dropped.
async fn discard_if_stuck(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    let stuck = conn.is_in_transaction();
    if stuck {
        tracing::warn!("discarding a database connection left inside a failed transaction");
    }
    Ok(!stuck)
}

/// The key of the one advisory lock every PostgreSQL write transaction takes (any constant
/// that no other program on the same database uses; this one spells "hallpass").
const WRITE_LOCK: i64 = 0x6861_6c6c_7061_7373;

/// A transaction that will write: one writer at a time, on either backend, so a check and the
/// write it allows (a rate limit's count, "is this email free", a PIN's tries) see no other
/// writer in between.
///
/// SQLite: `BEGIN IMMEDIATE` takes the write lock up front; a deferred transaction that reads
/// and then writes can fail at once with `SQLITE_BUSY` when another connection wrote in
/// between, and the busy timeout can't help it. PostgreSQL: `BEGIN` (READ COMMITTED) and a
/// transaction-scoped advisory lock on one key, the same guarantee across every instance on
/// the database; released by COMMIT or ROLLBACK, also when the connection dies. Why one key
/// and not SERIALIZABLE: see ARCHITECTURE.md ("Backends").
pub async fn write(pool: &AnyPool) -> Result<Transaction<'static, Any>, sqlx::Error> {
    let sqlite = is_sqlite(pool);
    let mut tx = pool
        .begin_with(if sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" })
        .await?;
    if !sqlite {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

fn is_sqlite(pool: &AnyPool) -> bool {
    pool.connect_options().database_url.scheme() == "sqlite"
}

/// A 0/1 (or boolean) column or expression, read as a `bool`. Through `Any`, `bool` decodes
/// only from a real BOOLEAN: SQLite's 0/1 integers (and its `EXISTS`, `a IS NOT NULL`) arrive
/// as BIGINT, PostgreSQL's expressions as BOOLEAN. `#[sqlx(try_from = "Flag")]` on a field.
#[derive(Debug, Clone, Copy)]
pub struct Flag(bool);

impl sqlx::Type<Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <bool as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <bool as sqlx::Type<Any>>::compatible(ty) || <i64 as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::ValueRef;
        if <bool as sqlx::Type<Any>>::compatible(&value.type_info()) {
            <bool as sqlx::Decode<Any>>::decode(value).map(Flag)
        } else {
            <i64 as sqlx::Decode<Any>>::decode(value).map(|n| Flag(n != 0))
        }
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

/// A `bool` bound into a 0/1 column: PostgreSQL won't store a BOOLEAN in an integer column.
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Below this much free space on the database's file system, `/api/health` calls the disk
/// full: a write that needs new pages would fail, even while small ones still fit in the
/// write-ahead log's old space.
pub const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// Whether the database takes writes now: for a file, the free space on its file system;
/// then, on either backend, a real write transaction on a one-row table (`Err` with the cause
/// when either fails).
pub async fn check_writable(pool: &AnyPool, database: &Database, now: i64) -> Result<(), String> {
    if let Database::Sqlite(path) = database {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Ok(stats) = rustix::fs::statvfs(folder) {
            let free = stats.f_bavail.saturating_mul(stats.f_frsize);
            if free < MIN_FREE_BYTES {
                return Err(format!("{free} bytes free on the database's file system"));
            }
        }
    }
    let probe = async {
        let mut tx = write(pool).await?;
        sqlx::query(
            "INSERT INTO health_probe (id, at) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    };
    probe.await.map_err(|err: sqlx::Error| err.to_string())
}

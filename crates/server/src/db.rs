use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool, Transaction};

/// The schema, embedded in the binary. SQLite's dialect; a PostgreSQL set would sit beside it.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// Opens (creating if needed) the SQLite database at `path` and brings its schema up to date.
///
/// WAL lets readers proceed while one request writes; the busy timeout makes a second writer
/// wait instead of failing with `SQLITE_BUSY` under concurrent requests.
pub async fn open(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_release(|conn, _| Box::pin(discard_if_stuck(conn)))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Keeps a connection for the next request only if it is out of every transaction.
///
/// When a COMMIT fails for lack of space, SQLite rolls the transaction back by itself; sqlx
/// then tries its own ROLLBACK, which fails ("no transaction is active"), and it still counts
/// the connection as inside a transaction. Back in the pool, such a connection refused every
/// later `BEGIN` until its 30-minute lifetime ran out, long after the disk had room again.
/// The ping first lets sqlx finish a rollback it queued when the transaction was dropped.
async fn discard_if_stuck(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    let stuck = conn.is_in_transaction();
    if stuck {
        tracing::warn!("discarding a database connection left inside a failed transaction");
    }
    Ok(!stuck)
}

/// A transaction that will write. `BEGIN IMMEDIATE` takes the write lock up front: a deferred
/// transaction that reads and then writes can fail at once with `SQLITE_BUSY` when another
/// connection wrote in between, and the busy timeout can't help it.
pub async fn write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Below this much free space on the database's file system, `/api/health` calls the disk
/// full: a write that needs new pages would fail, even while small ones still fit in the
/// write-ahead log's old space.
pub const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// Whether the database takes writes now: the free space on its file system, then a real write
/// transaction on a one-row table (`Err` with the cause when either fails).
pub async fn check_writable(pool: &SqlitePool, path: &Path, now: i64) -> Result<(), String> {
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
    let probe = async {
        let mut tx = write(pool).await?;
        sqlx::query(
            "INSERT INTO health_probe (id, at) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    };
    probe.await.map_err(|err: sqlx::Error| err.to_string())
}

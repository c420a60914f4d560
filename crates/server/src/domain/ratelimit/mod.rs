//! Limits on guessing: failed attempts are rows in `attempts`, counted over a sliding window.
//!
//! Why not a token-bucket crate such as governor: these limits count *failures* (a correct
//! password must not use one up), must survive a restart, and must hold across server
//! processes sharing one database. A count over a window in SQLite is all of that.
//!
//! The only module that reads or writes `attempts`.

use sqlx::{AnyConnection, AnyPool};

use crate::clock::MINUTE;
use crate::{ApiError, db};

pub const WINDOW: i64 = 15 * MINUTE;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max_failures: i64,
    pub window: i64,
}

mod keys;
mod reservation;

pub use keys::*;
pub use reservation::{check, reserve};

/// Counts a failure; for checks that run inside the write transaction that counts them.
pub async fn fail(conn: &mut AnyConnection, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO attempts (key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    forget_old(conn, key, now).await
}

/// Old rows are no use to any window: drop them as we go.
async fn forget_old(conn: &mut AnyConnection, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempts WHERE key = $1 AND at <= $2")
        .bind(key)
        .bind(now - WINDOW)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// After a success, the earlier failures no longer count against the owner. Tries still
/// pending are other requests' and stay until they are decided.
pub async fn clear(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempts WHERE key = $1 AND pending = 0")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Counts one use against each of `uses`' limits, which count every use, right or wrong; in one
/// write transaction, and only if every limit has room (`Err(429)` with the longest wait
/// otherwise). For actions that cost something whatever their outcome: setting a PIN (an
/// argon2 hash), sending a code or a notice (a message someone receives, an SMS someone pays).
pub async fn spend(pool: &AnyPool, uses: &[(&str, Limit)], now: i64) -> Result<(), ApiError> {
    let mut tx = db::write(pool).await?;
    let mut refused: Option<ApiError> = None;
    for (key, limit) in uses {
        if let Err(err) = check(&mut tx, key, *limit, now).await {
            let longer = refused
                .as_ref()
                .is_none_or(|r| err.retry_after() > r.retry_after());
            if longer {
                refused = Some(err);
            }
        }
    }
    if let Some(err) = refused {
        return Err(err);
    }
    for (key, _) in uses {
        fail(&mut tx, key, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Drops attempts older than any window.
pub async fn purge(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempts WHERE at < $1")
        .bind(now - WINDOW)
        .execute(conn)
        .await?;
    Ok(())
}

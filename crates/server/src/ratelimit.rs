//! Limits on guessing: failed attempts are rows in `attempts`, counted over a sliding window.
//!
//! Why not a token-bucket crate such as governor: these limits count *failures* (a correct
//! password must not use one up), must survive a restart, and must hold across server
//! processes sharing one database. A count over a window in SQLite is all of that.

use sqlx::SqliteConnection;

use crate::ApiError;
use crate::clock::MINUTE;

pub const WINDOW: i64 = 15 * MINUTE;

#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max_failures: i64,
    pub window: i64,
}

/// 5 failed sign-ins (or password checks) per account in 15 minutes.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};
/// 20 failed sign-ins per IP address in 15 minutes, whatever the account.
pub const SIGN_IN_PER_IP: Limit = Limit {
    max_failures: 20,
    window: WINDOW,
};
/// 5 wrong PINs per profile in 15 minutes.
pub const PROFILE_PIN: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};

/// `Err(429)` if `key` has used up `limit`, with the seconds until one more try is allowed.
pub async fn check(
    conn: &mut SqliteConnection,
    key: &str,
    limit: Limit,
    now: i64,
) -> Result<(), ApiError> {
    // The limit-th newest failure in the window: once it leaves the window, one more try fits.
    let oldest_that_counts: Option<i64> = sqlx::query_scalar(
        "SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
    )
    .bind(key)
    .bind(now - limit.window)
    .bind(limit.max_failures - 1)
    .fetch_optional(&mut *conn)
    .await?;
    match oldest_that_counts {
        Some(at) => Err(ApiError::too_many_attempts(at + limit.window - now)),
        None => Ok(()),
    }
}

pub async fn fail(conn: &mut SqliteConnection, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO attempts (key, at) VALUES (?, ?)")
        .bind(key)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    // Old rows are no use to any window: drop them as we go.
    sqlx::query("DELETE FROM attempts WHERE key = ? AND at <= ?")
        .bind(key)
        .bind(now - WINDOW)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// After a success, the earlier failures no longer count against the owner.
pub async fn clear(conn: &mut SqliteConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempts WHERE key = ?")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub fn account_key(account_id: &str) -> String {
    format!("password:{account_id}")
}

pub fn ip_key(ip: Option<std::net::IpAddr>) -> String {
    format!(
        "sign-in-ip:{}",
        ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    )
}

pub fn pin_key(profile_id: &str) -> String {
    format!("pin:{profile_id}")
}

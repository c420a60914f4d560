//! Limits on guessing: failed attempts are rows in `attempts`, counted over a sliding window.
//!
//! Why not a token-bucket crate such as governor: these limits count *failures* (a correct
//! password must not use one up), must survive a restart, and must hold across server
//! processes sharing one database. A count over a window in SQLite is all of that.

use std::net::IpAddr;

use sqlx::{SqliteConnection, SqlitePool};

use crate::clock::MINUTE;
use crate::{ApiError, db};

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
/// 10 wrong two-step codes per account in 15 minutes, over all its challenges.
pub const TWO_STEP_PER_ACCOUNT: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};
/// 10 PINs set per account in 15 minutes: each is an argon2 hash, and nobody needs more.
pub const PIN_CHANGES_PER_ACCOUNT: Limit = Limit {
    max_failures: 10,
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

/// A try counted before its secret is checked (see [`reserve`]).
#[must_use = "a try that succeeded must be released, or it counts as a failure"]
#[derive(Debug)]
pub struct Reservation {
    rows: Vec<i64>,
}

/// Counts one try against every `(key, limit)` *before* the slow check of a password or PIN,
/// in one write transaction; `Err(429)` if any limit is used up. Checking first and counting
/// after the check would let a burst of concurrent tries all pass the check while none is
/// counted yet. A try that turns out right is [`Reservation::release`]d; a wrong one stays
/// counted as the failure it was.
pub async fn reserve(
    pool: &SqlitePool,
    tries: &[(&str, Limit)],
    now: i64,
) -> Result<Reservation, ApiError> {
    let mut tx = db::write(pool).await?;
    for (key, limit) in tries {
        check(&mut tx, key, *limit, now).await?;
    }
    let mut rows = Vec::with_capacity(tries.len());
    for (key, _) in tries {
        fail(&mut tx, key, now).await?;
        let row: i64 = sqlx::query_scalar("SELECT last_insert_rowid()")
            .fetch_one(&mut *tx)
            .await?;
        rows.push(row);
    }
    tx.commit().await?;
    Ok(Reservation { rows })
}

impl Reservation {
    /// The try was right: it is not a failure.
    pub async fn release(self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        for row in self.rows {
            sqlx::query("DELETE FROM attempts WHERE rowid = ?")
                .bind(row)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// Counts a failure; for checks that run inside the write transaction that counts them.
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

/// Counts one use against a limit on every use, right or wrong, in one write transaction;
/// `Err(429)` once `limit` uses are in the window. For actions that are costly whatever their
/// outcome, such as setting a PIN (an argon2 hash each time).
pub async fn spend(pool: &SqlitePool, key: &str, limit: Limit, now: i64) -> Result<(), ApiError> {
    let mut tx = db::write(pool).await?;
    check(&mut tx, key, limit, now).await?;
    fail(&mut tx, key, now).await?;
    tx.commit().await?;
    Ok(())
}

pub fn account_key(account_id: &str) -> String {
    format!("password:{account_id}")
}

/// IPv4 addresses count one by one; IPv6 by their /64, the block one subscriber gets, since
/// anyone can use a fresh address of their /64 for every try.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    let source = match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    };
    format!("sign-in-ip:{source}")
}

/// Wrong two-step codes per account, over all its challenges: a challenge allows five, and
/// someone with the password could otherwise ask for challenges without end.
pub fn two_step_key(account_id: &str) -> String {
    format!("two-step:{account_id}")
}

pub fn pin_key(profile_id: &str) -> String {
    format!("pin:{profile_id}")
}

pub fn pin_change_key(account_id: &str) -> String {
    format!("pin-set:{account_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_their_64_block() {
        let key = |s: &str| ip_key(s.parse().ok());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::2"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:203.0.113.7"), "sign-in-ip:203.0.113.7");
        assert_ne!(key("203.0.113.7"), key("203.0.113.8"));
    }
}

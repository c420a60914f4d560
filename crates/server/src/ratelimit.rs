//! Limits on guessing: failed attempts are rows in `attempts`, counted over a sliding window.
//!
//! Why not a token-bucket crate such as governor: these limits count *failures* (a correct
//! password must not use one up), must survive a restart, and must hold across server
//! processes sharing one database. A count over a window in SQLite is all of that.

use std::net::IpAddr;
use std::time::{Duration, Instant};

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

/// A reservation still pending this long after it was made belongs to a check that never
/// finished (its process stopped): from then on it counts as the failure it may have been.
const PENDING_STALE: i64 = MINUTE;
/// A try waits for the tries in progress ahead of it while they are being decided, and
/// answers 503 once none has been decided for [`STALLED`] (the checks are stuck, or the
/// server is far behind), or after [`MAX_WAIT`] in all. Only a burst of at least
/// `max_failures` concurrent tries on one key waits at all; a progress rule rather than one
/// deadline lets a busy but working server get through such a burst of right passwords.
const STALLED: Duration = Duration::from_secs(3);
const MAX_WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);

/// `Err(429)` if `key` has used up `limit` with failures, with the seconds until one more
/// try is allowed. Tries still being checked are not failures (see [`reserve`]).
pub async fn check(
    conn: &mut SqliteConnection,
    key: &str,
    limit: Limit,
    now: i64,
) -> Result<(), ApiError> {
    // The limit-th newest failure in the window: once it leaves the window, one more try fits.
    let oldest_that_counts: Option<i64> = sqlx::query_scalar(
        "SELECT at FROM attempts WHERE key = ?1 AND at > ?2 AND (pending = 0 OR at <= ?3)
         ORDER BY at DESC LIMIT 1 OFFSET ?4",
    )
    .bind(key)
    .bind(now - limit.window)
    .bind(now - PENDING_STALE)
    .bind(limit.max_failures - 1)
    .fetch_optional(&mut *conn)
    .await?;
    match oldest_that_counts {
        Some(at) => Err(ApiError::too_many_attempts(at + limit.window - now)),
        None => Ok(()),
    }
}

/// `Err(429)` if failures alone use up a limit; else whether one more try fits beside the
/// tries still being checked (each of which may yet turn out a failure).
async fn fits(
    conn: &mut SqliteConnection,
    tries: &[(&str, Limit)],
    now: i64,
) -> Result<bool, ApiError> {
    let mut fits = true;
    for (key, limit) in tries {
        check(&mut *conn, key, *limit, now).await?;
        // Failures and pending tries in the window (a pending row is never older than
        // PENDING_STALE, well inside any window).
        let in_use: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attempts WHERE key = ? AND at > ?")
                .bind(*key)
                .bind(now - limit.window)
                .fetch_one(&mut *conn)
                .await?;
        fits &= in_use < limit.max_failures;
    }
    Ok(fits)
}

/// The tries on any of `tries`' keys still being checked.
async fn pending_rows(
    conn: &mut SqliteConnection,
    tries: &[(&str, Limit)],
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut rows = Vec::new();
    for (key, _) in tries {
        let of_key: Vec<i64> = sqlx::query_scalar(
            "SELECT rowid FROM attempts WHERE key = ? AND pending = 1 AND at > ?",
        )
        .bind(*key)
        .bind(now - PENDING_STALE)
        .fetch_all(&mut *conn)
        .await?;
        rows.extend(of_key);
    }
    Ok(rows)
}

/// A try counted as pending while its secret is checked (see [`reserve`]).
#[must_use = "a try must be released if right, or it counts as a failure"]
#[derive(Debug)]
pub struct Reservation {
    rows: Vec<i64>,
    pool: SqlitePool,
    settled: bool,
}

/// Reserves one try against every `(key, limit)` *before* the slow check of a password or
/// PIN: a pending row per key, written in one write transaction. Checking first and counting
/// after would let a burst of concurrent tries all pass the check while none is counted yet.
///
/// Only failures use a limit up: `Err(429)` when they reach it. Pending tries are not
/// failures, but each may become one, so while failures + pending reach a limit, this try
/// waits for them to be decided (polling the database, which several server processes may
/// share), and answers 503 `unavailable` if they are not decided in time (see [`STALLED`]). So a
/// burst of wrong guesses gets exactly `max_failures` checks, and a burst of right ones all
/// get in. A right try is [`Reservation::release`]d; a wrong one is
/// [`Reservation::fail`]ed, or simply dropped: either way it is the failure it was.
pub async fn reserve(
    pool: &SqlitePool,
    tries: &[(&str, Limit)],
    now: i64,
) -> Result<Reservation, ApiError> {
    let started = Instant::now();
    let mut progressed = started;
    let mut ahead: Vec<i64> = Vec::new();
    loop {
        let mut tx = db::write(pool).await?;
        if fits(&mut tx, tries, now).await? {
            let mut rows = Vec::with_capacity(tries.len());
            for (key, _) in tries {
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO attempts (key, at, pending) VALUES (?, ?, 1) RETURNING rowid",
                )
                .bind(*key)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                rows.push(row);
                forget_old(&mut tx, key, now).await?;
            }
            tx.commit().await?;
            return Ok(Reservation {
                rows,
                pool: pool.clone(),
                settled: false,
            });
        }
        tx.rollback().await?;
        // Wait outside the write lock, reading only, so the checks ahead can settle.
        loop {
            let waited = Instant::now();
            if waited - progressed >= STALLED || waited - started >= MAX_WAIT {
                return Err(ApiError::unavailable(
                    1,
                    "Other attempts are being checked right now. Please try again in a moment.",
                ));
            }
            tokio::time::sleep(POLL).await;
            let mut conn = pool.acquire().await?;
            let pending = pending_rows(&mut conn, tries, now).await?;
            if ahead.iter().any(|row| !pending.contains(row)) {
                progressed = Instant::now();
            }
            ahead = pending;
            if fits(&mut conn, tries, now).await? {
                break;
            }
        }
    }
}

impl Reservation {
    /// The try was right: it is not a failure.
    pub async fn release(mut self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        for row in &self.rows {
            sqlx::query("DELETE FROM attempts WHERE rowid = ?")
                .bind(row)
                .execute(&mut *conn)
                .await?;
        }
        self.settled = true;
        Ok(())
    }

    /// The try was wrong: it counts as a failure from the commit of `conn`'s transaction.
    pub async fn fail(mut self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        settle_as_failures(conn, &self.rows).await?;
        self.settled = true;
        Ok(())
    }
}

async fn settle_as_failures(conn: &mut SqliteConnection, rows: &[i64]) -> Result<(), sqlx::Error> {
    for row in rows {
        sqlx::query("UPDATE attempts SET pending = 0 WHERE rowid = ?")
            .bind(row)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Drop for Reservation {
    /// Neither released nor failed: the check said no without saying so (a wrong PIN), or
    /// never finished (the request was cancelled, or errored). Either way it is a failure,
    /// and the tries waiting behind it should learn so now rather than after PENDING_STALE.
    fn drop(&mut self) {
        if self.settled || self.rows.is_empty() {
            return;
        }
        let rows = std::mem::take(&mut self.rows);
        let pool = self.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let settled = match pool.acquire().await {
                    Ok(mut conn) => settle_as_failures(&mut conn, &rows).await,
                    Err(err) => Err(err),
                };
                if let Err(err) = settled {
                    tracing::warn!(%err, "a try stays pending until it counts as a failure anyway");
                }
            });
        }
    }
}

/// Counts a failure; for checks that run inside the write transaction that counts them.
pub async fn fail(conn: &mut SqliteConnection, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO attempts (key, at) VALUES (?, ?)")
        .bind(key)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    forget_old(conn, key, now).await
}

/// Old rows are no use to any window: drop them as we go.
async fn forget_old(conn: &mut SqliteConnection, key: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempts WHERE key = ? AND at <= ?")
        .bind(key)
        .bind(now - WINDOW)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// After a success, the earlier failures no longer count against the owner. Tries still
/// pending are other requests' and stay until they are decided.
pub async fn clear(conn: &mut SqliteConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attempts WHERE key = ? AND pending = 0")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Counts one use against each of `uses`' limits, which count every use, right or wrong; in one
/// write transaction, and only if every limit has room (`Err(429)` with the longest wait
/// otherwise). For actions that cost something whatever their outcome: setting a PIN (an
/// argon2 hash), sending a code or a notice (a message someone receives, an SMS someone pays).
pub async fn spend(pool: &SqlitePool, uses: &[(&str, Limit)], now: i64) -> Result<(), ApiError> {
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

pub fn account_key(account_id: &str) -> String {
    format!("password:{account_id}")
}

/// IPv4 addresses count one by one; IPv6 by their /64, the block one subscriber gets, since
/// anyone can use a fresh address of their /64 for every try.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    format!("sign-in-ip:{}", source(ip))
}

/// IPv4 addresses one by one; IPv6 by their /64.
fn source(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

/// Wrong two-step codes per account, over all its challenges: a challenge allows five, and
/// someone with the password could otherwise ask for challenges without end.
pub fn two_step_key(account_id: &str) -> String {
    format!("two-step:{account_id}")
}

pub fn pin_key(profile_id: &str) -> String {
    format!("pin:{profile_id}")
}

/// Codes and notices someone asks the server to send (a contact change): per account, per
/// destination (so one address or number can't be flooded from many accounts: harassment, SMS
/// pumping) and per network address.
pub const SENDS_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};
pub const SENDS_PER_DESTINATION: Limit = Limit {
    max_failures: 3,
    window: WINDOW,
};
pub const SENDS_PER_IP: Limit = Limit {
    max_failures: 8,
    window: WINDOW,
};

/// The three keys a send counts against: the account, the destination (an email address in
/// any case, or a number) and the network address it came from.
pub fn send_keys(account_id: &str, destination: &str, ip: Option<IpAddr>) -> [String; 3] {
    [
        format!("send:{account_id}"),
        format!("send-to:{}", destination.to_lowercase()),
        format!("send-from:{}", source(ip)),
    ]
}

/// Password-reset codes asked for, counted like the other sends (every request, whether or
/// not the address has an account, so the answer can't tell): per address, per account (an
/// address may change hands) and per network address.
pub const RESETS_PER_ADDRESS: Limit = Limit {
    max_failures: 3,
    window: WINDOW,
};
pub const RESETS_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};
pub const RESETS_PER_IP: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};

/// The three keys a reset request counts against. Without an account, the account key is
/// made from the address, so both cases do the same work.
pub fn reset_keys(account_id: Option<&str>, address: &str, ip: Option<IpAddr>) -> [String; 3] {
    let address = address.to_lowercase();
    [
        format!("reset-to:{address}"),
        match account_id {
            Some(id) => format!("reset:{id}"),
            None => format!("reset:{address}"),
        },
        format!("reset-from:{}", source(ip)),
    ]
}

/// Wrong reset codes, over every code sent: 10 per address and 20 per network address in 15
/// minutes (each code also dies after 5), so a 6-digit code can't be worked through.
pub const RESET_GUESSES_PER_ADDRESS: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};
pub const RESET_GUESSES_PER_IP: Limit = Limit {
    max_failures: 20,
    window: WINDOW,
};

pub fn reset_guess_keys(address: &str, ip: Option<IpAddr>) -> [String; 2] {
    [
        format!("reset-guess:{}", address.to_lowercase()),
        format!("reset-guess-from:{}", source(ip)),
    ]
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

//! Tries reserved before a slow check (a password or PIN hash), so a burst of concurrent
//! tries can't all pass the limit while none is counted yet.

use std::time::{Duration, Instant};

use sqlx::{AnyConnection, AnyPool};

use super::{Limit, forget_old};
use crate::clock::MINUTE;
use crate::{ApiError, db};

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
    conn: &mut AnyConnection,
    key: &str,
    limit: Limit,
    now: i64,
) -> Result<(), ApiError> {
    // The limit-th newest failure in the window: once it leaves the window, one more try fits.
    let oldest_that_counts: Option<i64> = sqlx::query_scalar(
        "SELECT at FROM attempts WHERE key = $1 AND at > $2 AND (pending = 0 OR at <= $3)
         ORDER BY at DESC LIMIT 1 OFFSET $4",
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
    conn: &mut AnyConnection,
    tries: &[(&str, Limit)],
    now: i64,
) -> Result<bool, ApiError> {
    let mut fits = true;
    for (key, limit) in tries {
        check(&mut *conn, key, *limit, now).await?;
        // Failures and pending tries in the window (a pending row is never older than
        // PENDING_STALE, well inside any window).
        let in_use: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attempts WHERE key = $1 AND at > $2")
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
    conn: &mut AnyConnection,
    tries: &[(&str, Limit)],
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut rows = Vec::new();
    for (key, _) in tries {
        let of_key: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM attempts WHERE key = $1 AND pending = 1 AND at > $2",
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
    pool: AnyPool,
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
    pool: &AnyPool,
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
                    "INSERT INTO attempts (key, at, pending) VALUES ($1, $2, 1) RETURNING id",
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
    pub async fn release(mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for row in &self.rows {
            sqlx::query("DELETE FROM attempts WHERE id = $1")
                .bind(row)
                .execute(&mut *conn)
                .await?;
        }
        self.settled = true;
        Ok(())
    }

    /// The try was wrong: it counts as a failure from the commit of `conn`'s transaction.
    pub async fn fail(mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        settle_as_failures(conn, &self.rows).await?;
        self.settled = true;
        Ok(())
    }
}

async fn settle_as_failures(conn: &mut AnyConnection, rows: &[i64]) -> Result<(), sqlx::Error> {
    for row in rows {
        sqlx::query("UPDATE attempts SET pending = 0 WHERE id = $1")
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

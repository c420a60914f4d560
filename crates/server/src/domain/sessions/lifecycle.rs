//! A session's life: issued at sign-in, ended by itself, by another device, or by time, and
//! purged a month after.

use hallpass_api::ActivityKind;
use sqlx::AnyConnection;

use super::{EndReason, KEPT_AFTER_END, STEP_UP_WINDOW, Session, active_bounds};
use crate::crypto;
use crate::domain::activity::{self, Actor};
use crate::domain::device::{self, Seen};
use crate::geo::Geo;

/// Starts a session for `account_id` on the device `seen`: a new id and token every time
/// (no fixation), the step-up window open. Returns the token for the cookie and the id.
pub async fn issue(
    conn: &mut AnyConnection,
    account_id: &str,
    seen: &Seen,
    now: i64,
) -> Result<(String, String), sqlx::Error> {
    let token = crypto::token();
    let id = crypto::id();
    let place = seen.place.clone().unwrap_or_default();
    sqlx::query(
        "INSERT INTO sessions (id, account_id, token_hash, signed_in_at, last_active_at,
             reauthenticated_until, user_agent, device_name, device_kind, browser, os, ip, city, country)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(crypto::sha256(&token))
    .bind(now)
    .bind(now)
    .bind(now + STEP_UP_WINDOW)
    .bind(&seen.user_agent)
    .bind(&seen.name)
    .bind(device::kind_str(seen.kind))
    .bind(&seen.browser)
    .bind(&seen.os)
    .bind(seen.ip_text())
    .bind(place.city)
    .bind(place.country)
    .execute(&mut *conn)
    .await?;
    Ok((token, id))
}

/// Ends the session `id` if it is still going; whether it was.
pub(super) async fn end(
    conn: &mut AnyConnection,
    id: &str,
    reason: EndReason,
    by: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let ended = sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3
         WHERE id = $4 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(reason.as_str())
    .bind(by)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(ended.rows_affected() == 1)
}

/// Ends the session whose current token is `token` (the browser signs in anew: one
/// browser, one session).
pub async fn end_replaced(
    conn: &mut AnyConnection,
    token: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE token_hash = $3 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(EndReason::SignedOut.as_str())
    .bind(crypto::sha256(token))
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends `session` because it signed itself out, with its `signed_out` event.
pub async fn end_own(
    conn: &mut AnyConnection,
    geo: &Geo,
    session: &Session,
) -> Result<(), sqlx::Error> {
    if end(
        &mut *conn,
        &session.id,
        EndReason::SignedOut,
        None,
        session.now,
    )
    .await?
    {
        let actor = Actor::session(geo, session);
        activity::record(
            conn,
            &session.account_id,
            ActivityKind::SignedOut,
            session.now,
            &actor,
        )
        .await?;
    }
    Ok(())
}

/// Ends the account's sessions `ids` as revoked by the device of `by`; how many were going.
pub async fn revoke(
    conn: &mut AnyConnection,
    by: &Session,
    ids: &[String],
) -> Result<u32, sqlx::Error> {
    let mut count = 0;
    for id in ids {
        let done = sqlx::query(
            "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3
             WHERE id = $4 AND account_id = $5 AND ended_at IS NULL",
        )
        .bind(by.now)
        .bind(EndReason::Revoked.as_str())
        .bind(&by.device_name)
        .bind(id)
        .bind(&by.account_id)
        .execute(&mut *conn)
        .await?;
        count += u32::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(count)
}

/// Ends every session of the account, as revoked by the device called `by` (a password reset).
pub async fn revoke_all(
    conn: &mut AnyConnection,
    account_id: &str,
    by: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3
         WHERE account_id = $4 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(EndReason::Revoked.as_str())
    .bind(by)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops sessions ended or expired over 30 days ago (until then their cookie still gets a
/// 401 that says why).
pub async fn purge(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    let (idle, absolute) = active_bounds(now - KEPT_AFTER_END);
    sqlx::query(
        "DELETE FROM sessions WHERE ended_at < $1 OR last_active_at < $2 OR signed_in_at < $3",
    )
    .bind(now - KEPT_AFTER_END)
    .bind(idle)
    .bind(absolute)
    .execute(conn)
    .await?;
    Ok(())
}

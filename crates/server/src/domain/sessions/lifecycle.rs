//! A session's life: issued at sign-in, ended by itself, by another device, or by time, and
//! purged a month after.

use hallpass_api::ActivityKind;
use hallpass_api::events::{DeviceChange, DevicesChanged};
use sqlx::AnyConnection;

use super::{EndReason, KEPT_AFTER_END, STEP_UP_WINDOW, Session, active_bounds};
use crate::crypto;
use crate::domain::activity::{self, Actor};
use crate::domain::device::{self, Seen};
use crate::events::{self, What};
use crate::geo::Geo;

/// The live events of sessions that ended: each of the account's streams re-reads its own
/// row, and the others hear which devices went (`by`, the session that did it, does not).
async fn emit_ended(
    conn: &mut AnyConnection,
    account_id: &str,
    by: Option<&str>,
    devices: Vec<String>,
) -> Result<(), sqlx::Error> {
    events::emit(&mut *conn, account_id, What::SessionsEnded).await?;
    let event = DevicesChanged {
        change: DeviceChange::SignedOut,
        devices,
    };
    let by = by.map(str::to_owned);
    events::emit(conn, account_id, What::DevicesChanged { by, event }).await
}

/// Whether the account has had a session (ended ones still kept count) with this user agent.
pub async fn known_user_agent(
    conn: &mut AnyConnection,
    account_id: &str,
    user_agent: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM sessions WHERE account_id = $1 AND user_agent = $2 LIMIT 1")
            .bind(account_id)
            .bind(user_agent)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

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
    let event = DevicesChanged {
        change: DeviceChange::SignedIn,
        devices: vec![seen.name.clone()],
    };
    let by = Some(id.clone());
    events::emit(conn, account_id, What::DevicesChanged { by, event }).await?;
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
    let ended: Option<(String,)> = sqlx::query_as(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE token_hash = $3 AND ended_at IS NULL
         RETURNING account_id",
    )
    .bind(now)
    .bind(EndReason::SignedOut.as_str())
    .bind(crypto::sha256(token))
    .fetch_optional(&mut *conn)
    .await?;
    // Its stream ends without a word: the same browser is signing in again. The new
    // session's sign-in tells the other devices.
    if let Some((account_id,)) = ended {
        events::emit(conn, &account_id, What::SessionsEnded).await?;
    }
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
            &mut *conn,
            &session.account_id,
            ActivityKind::SignedOut,
            session.now,
            &actor,
        )
        .await?;
        let devices = vec![session.device_name.clone()];
        emit_ended(conn, &session.account_id, Some(&session.id), devices).await?;
    }
    Ok(())
}

/// Ends the account's sessions `ids` as revoked by the device of `by`; how many were going.
pub async fn revoke(
    conn: &mut AnyConnection,
    by: &Session,
    ids: &[String],
) -> Result<u32, sqlx::Error> {
    let mut names = Vec::new();
    for id in ids {
        let done: Option<(String,)> = sqlx::query_as(
            "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3
             WHERE id = $4 AND account_id = $5 AND ended_at IS NULL
             RETURNING COALESCE(nickname, device_name)",
        )
        .bind(by.now)
        .bind(EndReason::Revoked.as_str())
        .bind(&by.device_name)
        .bind(id)
        .bind(&by.account_id)
        .fetch_optional(&mut *conn)
        .await?;
        names.extend(done.map(|(name,)| name));
    }
    let count = u32::try_from(names.len()).unwrap_or(u32::MAX);
    if count > 0 {
        emit_ended(conn, &by.account_id, Some(&by.id), names).await?;
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
    let done = sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3
         WHERE account_id = $4 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(EndReason::Revoked.as_str())
    .bind(by)
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    // Every device went, so no stream is left to hear which.
    if done.rows_affected() > 0 {
        events::emit(conn, account_id, What::SessionsEnded).await?;
    }
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

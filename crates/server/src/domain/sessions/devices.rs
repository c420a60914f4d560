//! Sessions as the Devices page shows them: every active session of the account, renaming
//! one, signing out one or all. Revocation ends the session row, so the device's very next
//! request gets 401 `signed_out_remotely` (see [`super::find`]).

use axum::http::StatusCode;
use hallpass_api::{ActivityKind, Device, ErrorCode, ProfileRef};
use sqlx::AnyConnection;

use super::{Session, active, active_bounds, end_own, reauthentication_required, revoke};
use crate::clock::timestamp;
use crate::domain::activity::{self, Actor, location};
use crate::domain::device;
use crate::{ApiError, AppState, db, names};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    nickname: Option<String>,
    device_name: String,
    device_kind: String,
    browser: String,
    os: String,
    profile_id: Option<String>,
    profile_name: Option<String>,
    profile_avatar: Option<String>,
    signed_in_at: i64,
    last_active_at: i64,
    ip: Option<String>,
    city: Option<String>,
    country: Option<String>,
}

fn device(row: Row, current: &str) -> Result<Device, ApiError> {
    Ok(Device {
        current: row.id == current,
        kind: device::parse_kind(&row.device_kind)?,
        id: row.id,
        nickname: row.nickname,
        name: row.device_name,
        browser: row.browser,
        os: row.os,
        last_profile: match (row.profile_id, row.profile_name, row.profile_avatar) {
            (Some(id), Some(name), Some(avatar)) => Some(ProfileRef { id, name, avatar }),
            _ => None,
        },
        signed_in_at: timestamp(row.signed_in_at),
        last_active_at: timestamp(row.last_active_at),
        location: location(row.city, row.country),
        ip_hint: row
            .ip
            .and_then(|ip| ip.parse().ok())
            .map_or_else(|| "unknown".to_owned(), crate::client::ip_hint),
    })
}

/// The account's active devices, this one first; `only` narrows it to one.
async fn query(
    conn: &mut AnyConnection,
    session: &Session,
    only: Option<&str>,
) -> Result<Vec<Device>, ApiError> {
    let (idle, absolute) = active_bounds(session.now);
    // The profile's name and avatar are read here, in the one query, rather than one query
    // per device through `profiles`: an account may have a thousand devices.
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.id, s.nickname, s.device_name, s.device_kind, s.browser, s.os,
                p.id AS profile_id, p.name AS profile_name, p.avatar AS profile_avatar,
                s.signed_in_at, s.last_active_at, s.ip, s.city, s.country
         FROM sessions s LEFT JOIN profiles p ON p.id = s.profile_id
         WHERE s.account_id = $1 AND {} AND ($4 IS NULL OR s.id = $4)
         ORDER BY s.id = $5 DESC, s.last_active_at DESC, s.id",
        active("s", 2, 3)
    ))
    .bind(&session.account_id)
    .bind(idle)
    .bind(absolute)
    .bind(only)
    .bind(&session.id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| device(row, &session.id))
        .collect()
}

/// How many active sessions the account has.
pub async fn count_active(state: &AppState, account_id: &str) -> Result<usize, ApiError> {
    let (idle, absolute) = active_bounds(state.clock.now());
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM sessions s WHERE s.account_id = $1 AND {}",
        active("s", 2, 3)
    ))
    .bind(account_id)
    .bind(idle)
    .bind(absolute)
    .fetch_one(&state.db)
    .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

fn device_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::DeviceNotFound,
        "That device is not signed in to this account.",
    )
}

/// Every signed-in device: this one first, then the most recently active.
pub async fn list(state: &AppState, session: &Session) -> Result<Vec<Device>, ApiError> {
    let mut conn = state.db.acquire().await?;
    query(&mut conn, session, None).await
}

/// Gives a device of the account a nickname (`None` clears it).
pub async fn rename(
    state: &AppState,
    session: &Session,
    id: &str,
    nickname: &str,
) -> Result<Device, ApiError> {
    let nickname = Some(names::normalise(nickname)).filter(|n| !n.is_empty());
    let mut tx = db::write(&state.db).await?;
    if query(&mut tx, session, Some(id)).await?.is_empty() {
        return Err(device_not_found());
    }
    sqlx::query("UPDATE sessions SET nickname = $1 WHERE id = $2")
        .bind(nickname)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let device = query(&mut tx, session, Some(id)).await?.into_iter().next();
    tx.commit().await?;
    device.ok_or_else(device_not_found)
}

/// Signs out every active device of the account but `session`'s own; returns how many.
pub async fn revoke_others(conn: &mut AnyConnection, session: &Session) -> Result<u32, ApiError> {
    let ids: Vec<String> = query(&mut *conn, session, None)
        .await?
        .into_iter()
        .filter(|d| !d.current)
        .map(|d| d.id)
        .collect();
    Ok(revoke(conn, session, &ids).await?)
}

/// What signing out one device did.
pub enum SignedOut {
    /// It was this device: the browser's cookie goes too.
    This,
    Other,
}

/// Signs the device `id` out. This device needs no step-up; another one does
/// (`reauthentication_required` otherwise).
pub async fn sign_out(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<SignedOut, ApiError> {
    let mut tx = db::write(&state.db).await?;
    if id == session.id {
        end_own(&mut tx, &state.geo, session).await?;
        tx.commit().await?;
        return Ok(SignedOut::This);
    }
    let Some(target) = query(&mut tx, session, Some(id)).await?.into_iter().next() else {
        return Err(device_not_found());
    };
    if !session.recently_authenticated() {
        return Err(reauthentication_required());
    }
    revoke(&mut tx, session, std::slice::from_ref(&target.id)).await?;
    // The event names the device that was signed out, where it was last seen.
    let actor = Actor {
        session_id: Some(target.id.clone()),
        device_name: Some(target.nickname.clone().unwrap_or(target.name.clone())),
        device_kind: Some(target.kind),
        ip_hint: Some(target.ip_hint.clone()),
        place: target.location.map(|l| crate::geo::Place {
            city: l.city,
            country: l.country,
        }),
    };
    let kind = ActivityKind::DeviceSignedOut;
    activity::record(&mut tx, &session.account_id, kind, session.now, &actor).await?;
    tx.commit().await?;
    Ok(SignedOut::Other)
}

/// Signs out every other device and, unless `keep_current`, this one; how many in all.
pub async fn sign_out_all(
    state: &AppState,
    session: &Session,
    keep_current: bool,
) -> Result<u32, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let mut signed_out = revoke_others(&mut tx, session).await?;
    let actor = Actor::session(&state.geo, session);
    let kind = ActivityKind::SignedOutAll;
    activity::record(&mut tx, &session.account_id, kind, session.now, &actor).await?;
    if !keep_current {
        end_own(&mut tx, &state.geo, session).await?;
        signed_out += 1;
    }
    tx.commit().await?;
    Ok(signed_out)
}

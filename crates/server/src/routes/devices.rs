//! Manage access and devices: every signed-in device, renaming, signing out one or all.
//! Revocation ends the session row, so the device's very next request gets 401
//! `signed_out_remotely` (see `auth::authenticate`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hallpass_api::{
    ActivityKind, ActivityPage, Device, ErrorBody, ErrorCode, ProfileRef, RenameDevice, SignOutAll,
    SignedOutCount, paths,
};
use serde::Deserialize;
use sqlx::SqliteConnection;

use crate::activity::{self, Actor, location};
use crate::auth::{self, Manager, Session, SteppedUp, device_kind_from_text};
use crate::client::ip_hint;
use crate::clock::timestamp;
use crate::extract::ApiPath;
use crate::routes::session;
use crate::{ApiError, ApiJson, AppState, db, names};

/// Sessions that can still be used, in SQL, for `s`.
const ACTIVE: &str = "s.ended_at IS NULL AND s.last_active_at > ?2 AND s.signed_in_at > ?3";

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

fn device(row: Row, current: &str) -> Device {
    Device {
        current: row.id == current,
        id: row.id,
        nickname: row.nickname,
        name: row.device_name,
        kind: device_kind_from_text(&row.device_kind),
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
            .map_or_else(|| "unknown".to_owned(), ip_hint),
    }
}

/// The account's active devices; `only` narrows it to one.
async fn query(
    conn: &mut SqliteConnection,
    session: &Session,
    only: Option<&str>,
) -> Result<Vec<Device>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.id, s.nickname, s.device_name, s.device_kind, s.browser, s.os,
                p.id AS profile_id, p.name AS profile_name, p.avatar AS profile_avatar,
                s.signed_in_at, s.last_active_at, s.ip, s.city, s.country
         FROM sessions s LEFT JOIN profiles p ON p.id = s.profile_id
         WHERE s.account_id = ?1 AND {ACTIVE} AND (?4 IS NULL OR s.id = ?4)
         ORDER BY s.id = ?5 DESC, s.last_active_at DESC, s.id"
    ))
    .bind(&session.account_id)
    .bind(session.now - auth::IDLE_TIMEOUT)
    .bind(session.now - auth::ABSOLUTE_TIMEOUT)
    .bind(only)
    .bind(&session.id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| device(row, &session.id))
        .collect())
}

fn device_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::DeviceNotFound,
        "That device is not signed in to this account.",
    )
}

/// Every signed-in device: this one first, then the most recently active.
#[utoipa::path(get, operation_id = "list_devices", path = paths::DEVICES, tag = "security",
    responses((status = 200, body = [Device]), (status = 401, body = ErrorBody),
              (status = 403, description = "`kids_profile`", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Manager(session): Manager,
) -> Result<Json<Vec<Device>>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(query(&mut conn, &session, None).await?))
}

/// Give a device a nickname (empty clears it).
#[utoipa::path(patch, operation_id = "rename_device", path = paths::DEVICE, tag = "security", request_body = RenameDevice,
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 200, body = Device),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 404, description = "`device_not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
    ))]
pub async fn rename(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RenameDevice>,
) -> Result<Json<Device>, ApiError> {
    let nickname = Some(names::normalise(&body.nickname)).filter(|n| !n.is_empty());
    let mut tx = db::write(&state.db).await?;
    let found = query(&mut tx, &session, Some(&id)).await?;
    if found.is_empty() {
        return Err(device_not_found());
    }
    sqlx::query("UPDATE sessions SET nickname = ? WHERE id = ?")
        .bind(nickname)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    let device = query(&mut tx, &session, Some(&id))
        .await?
        .into_iter()
        .next();
    tx.commit().await?;
    device.map(Json).ok_or_else(device_not_found)
}

/// Ends the sessions `ids` as revoked by the device of `by`.
pub async fn revoke(
    conn: &mut SqliteConnection,
    by: &Session,
    ids: &[String],
) -> Result<u32, sqlx::Error> {
    let mut count = 0;
    for id in ids {
        let done = sqlx::query(
            "UPDATE sessions SET ended_at = ?, end_reason = 'revoked', ended_by = ?
             WHERE id = ? AND account_id = ? AND ended_at IS NULL",
        )
        .bind(by.now)
        .bind(&by.device_name)
        .bind(id)
        .bind(&by.account_id)
        .execute(&mut *conn)
        .await?;
        count += u32::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(count)
}

/// Signs out every active device of the account but `session`'s own; returns how many.
pub async fn revoke_others(
    conn: &mut SqliteConnection,
    session: &Session,
) -> Result<u32, sqlx::Error> {
    let ids: Vec<String> = query(&mut *conn, session, None)
        .await?
        .into_iter()
        .filter(|d| !d.current)
        .map(|d| d.id)
        .collect();
    revoke(conn, session, &ids).await
}

/// Sign a device out. Signing out this device is the same as `DELETE /api/session`.
#[utoipa::path(delete, operation_id = "sign_out_device", path = paths::DEVICE, tag = "security",
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 204, description = "Signed out: its next request gets 401 `signed_out_remotely`"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 404, description = "`device_not_found`, also for another account's device", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let mut tx = db::write(&state.db).await?;
    if id == session.id {
        // Signing yourself out never needs a password.
        session::end_own(&mut tx, &state, &session).await?;
        tx.commit().await?;
        return Ok(session::signed_out_response());
    }
    let Some(target) = query(&mut tx, &session, Some(&id))
        .await?
        .into_iter()
        .next()
    else {
        return Err(device_not_found());
    };
    if !session.recently_authenticated() {
        return Err(auth::reauthentication_required());
    }
    revoke(&mut tx, &session, std::slice::from_ref(&id)).await?;
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
    activity::record(
        &mut tx,
        &session.account_id,
        ActivityKind::DeviceSignedOut,
        session.now,
        &actor,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sign out every device, or every other one.
#[utoipa::path(post, operation_id = "sign_out_all_devices", path = paths::DEVICES_SIGN_OUT_ALL, tag = "security", request_body = SignOutAll,
    responses(
        (status = 200, description = "How many devices were signed out. Without `keep_current`, this one too (cookie expired)", body = SignedOutCount),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
    ))]
pub async fn sign_out_all(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<SignOutAll>,
) -> Result<Response, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let mut signed_out = revoke_others(&mut tx, &session).await?;
    let actor = Actor::session(&state, &session);
    activity::record(
        &mut tx,
        &session.account_id,
        ActivityKind::SignedOutAll,
        session.now,
        &actor,
    )
    .await?;
    if !body.keep_current {
        session::end_own(&mut tx, &state, &session).await?;
        signed_out += 1;
    }
    tx.commit().await?;
    let mut response = Json(SignedOutCount { signed_out }).into_response();
    if !body.keep_current {
        let cleared = session::signed_out_response();
        for name in ["set-cookie", "clear-site-data"] {
            if let Some(value) = cleared.headers().get(name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
    }
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ActivityQuery {
    /// The `next` cursor of the page before.
    before: Option<String>,
}

/// Account activity, newest first, 50 a page.
#[utoipa::path(get, operation_id = "list_activity", path = paths::ACTIVITY, tag = "security", params(ActivityQuery),
    responses(
        (status = 200, body = ActivityPage),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`: not a cursor of this server", body = ErrorBody),
    ))]
pub async fn activity(
    State(state): State<AppState>,
    Manager(session): Manager,
    query: Result<Query<ActivityQuery>, QueryRejection>,
) -> Result<Json<ActivityPage>, ApiError> {
    let Query(query) = query
        .map_err(|err| ApiError::invalid_fields([("before".to_owned(), err.body_text())].into()))?;
    Ok(Json(
        activity::page(&state, &session.account_id, query.before.as_deref()).await?,
    ))
}

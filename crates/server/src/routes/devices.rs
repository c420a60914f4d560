//! Manage access and devices: every signed-in device, renaming, signing out one or all, and
//! the account's activity.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hallpass_api::{
    ActivityPage, Device, ErrorBody, RenameDevice, SignOutAll, SignedOutCount, paths,
};
use serde::Deserialize;

use crate::auth::{self, Manager, SteppedUp};
use crate::domain::activity;
use crate::domain::sessions::devices::{self, SignedOut};
use crate::extract::ApiPath;
use crate::{ApiError, ApiJson, AppState};

/// Every signed-in device: this one first, then the most recently active.
#[utoipa::path(get, operation_id = "list_devices", path = paths::DEVICES, tag = "security",
    responses((status = 200, body = [Device]), (status = 401, body = ErrorBody),
              (status = 403, description = "`kids_profile`", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Manager(session): Manager,
) -> Result<Json<Vec<Device>>, ApiError> {
    Ok(Json(devices::list(&state, &session).await?))
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
    Ok(Json(
        devices::rename(&state, &session, &id, &body.nickname).await?,
    ))
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
    Ok(match devices::sign_out(&state, &session, &id).await? {
        SignedOut::This => auth::signed_out_response(),
        SignedOut::Other => StatusCode::NO_CONTENT.into_response(),
    })
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
    let signed_out = devices::sign_out_all(&state, &session, body.keep_current).await?;
    let mut response = Json(SignedOutCount { signed_out }).into_response();
    if !body.keep_current {
        auth::clear_session(&mut response);
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

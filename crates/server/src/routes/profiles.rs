//! Profiles ("Who's watching?"): list and select for everyone signed in; add, change, delete
//! and lock only from a profile that is not a kids profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    ErrorBody, NewProfile, Profile, ProfileLock, ProfilePatch, SelectProfile, SessionInfo, paths,
};

use crate::auth::{Manager, Session, SteppedUp};
use crate::domain::{profile_pins, profiles};
use crate::extract::ApiPath;
use crate::{ApiError, ApiJson, AppState};

/// The account's profiles, in the owner's order.
#[utoipa::path(get, operation_id = "list_profiles", path = paths::PROFILES, tag = "profiles",
    responses((status = 200, body = [Profile]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Profile>>, ApiError> {
    Ok(Json(profiles::list(&state, &session.account_id).await?))
}

/// Add a profile (at most five).
#[utoipa::path(post, operation_id = "create_profile", path = paths::PROFILES, tag = "profiles", request_body = NewProfile,
    responses(
        (status = 201, body = Profile),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 409, description = "`profile_limit`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`, also for a name already used", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<NewProfile>,
) -> Result<(StatusCode, Json<Profile>), ApiError> {
    let profile = profiles::create(&state, &session, body).await?;
    Ok((StatusCode::CREATED, Json(profile)))
}

/// Change some of a profile's fields.
#[utoipa::path(patch, operation_id = "update_profile", path = paths::PROFILE, tag = "profiles", request_body = ProfilePatch,
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 200, body = Profile),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`, also for a name already used", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ProfilePatch>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(profiles::update(&state, &session, &id, body).await?))
}

/// Delete a profile; the last one stays.
#[utoipa::path(delete, operation_id = "delete_profile", path = paths::PROFILE, tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 204, description = "Deleted; browsers using it go back to choosing a profile"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`last_profile`", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    profiles::delete(&state, &session, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Switch this browser to a profile; a locked one needs its PIN.
#[utoipa::path(post, operation_id = "select_profile", path = paths::PROFILE_SELECT, tag = "profiles", request_body = SelectProfile,
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 200, body = SessionInfo),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`pin_required` or `wrong_pin`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong PINs in 15 minutes", body = ErrorBody),
        (status = 503, description = "`unavailable`: too many PINs and passwords being checked at once; `Retry-After`", body = ErrorBody),
    ))]
pub async fn select(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SelectProfile>,
) -> Result<Json<SessionInfo>, ApiError> {
    Ok(Json(
        profile_pins::select(&state, &session, &id, body.pin).await?,
    ))
}

/// Lock a profile with a 4-digit PIN (or change its PIN).
#[utoipa::path(put, operation_id = "lock_profile", path = paths::PROFILE_LOCK, tag = "profiles", request_body = ProfileLock,
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 204, description = "Locked"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile` or `reauthentication_required`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 10 PINs set per account in 15 minutes, with `Retry-After`", body = ErrorBody),
        (status = 503, description = "`unavailable`: too many passwords and PINs being checked at once; `Retry-After`", body = ErrorBody),
    ))]
pub async fn lock(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ProfileLock>,
) -> Result<StatusCode, ApiError> {
    profile_pins::lock(&state, &session, &id, body.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a profile's PIN.
#[utoipa::path(delete, operation_id = "unlock_profile", path = paths::PROFILE_LOCK, tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 204, description = "Unlocked"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile` or `reauthentication_required`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn unlock(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    profile_pins::unlock(&state, &session, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Choosing a profile on this browser ("Who's watching?"), and locking profiles with a PIN:
//! the routes where a PIN is checked or set, each under its rate limit.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    ActivityKind, ErrorBody, ErrorCode, ProfileLock, SelectProfile, SessionInfo, paths,
};

use crate::activity::{self, Actor};
use crate::auth::{Session, SteppedUp};
use crate::extract::ApiPath;
use crate::routes::profiles::{load, profile_not_found};
use crate::routes::session;
use crate::{ApiError, ApiJson, AppState, db, ratelimit};

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
    let now = session.now;
    let pin_hash: Option<Option<String>> =
        sqlx::query_scalar("SELECT pin_hash FROM profiles WHERE id = ? AND account_id = ?")
            .bind(&id)
            .bind(&session.account_id)
            .fetch_optional(&state.db)
            .await?;
    let Some(pin_hash) = pin_hash else {
        return Err(profile_not_found());
    };
    let mut tx = match &pin_hash {
        None => db::write(&state.db).await?,
        Some(hash) => check_pin(&state, &session, &id, body.pin, hash.clone()).await?,
    };
    // The profile may have been deleted, or locked with another PIN, since it was read: the
    // choice holds only if it is still the profile that was checked, in this transaction.
    let chosen = sqlx::query(
        "UPDATE sessions SET profile_id = ?1 WHERE id = ?2
           AND EXISTS (SELECT 1 FROM profiles WHERE id = ?1 AND account_id = ?3 AND pin_hash IS ?4)",
    )
    .bind(&id)
    .bind(&session.id)
    .bind(&session.account_id)
    .bind(&pin_hash)
    .execute(&mut *tx)
    .await?;
    if chosen.rows_affected() == 0 {
        let still_there = load(&mut tx, &session.account_id, &id).await?.is_some();
        tx.commit().await?;
        return Err(if still_there {
            pin_required()
        } else {
            profile_not_found()
        });
    }
    tx.commit().await?;
    Ok(Json(session::info(&state.db, &session.id, now).await?))
}

fn pin_required() -> ApiError {
    ApiError::forbidden(
        ErrorCode::PinRequired,
        "This profile is locked. Enter its PIN.",
    )
}

/// Checks `pin` against the profile's `pin_hash` under the PIN rate limit. Right: the open
/// write transaction in which the try is given back, for the caller to finish. Wrong: the
/// failure is recorded and the answer is 403 `wrong_pin`.
async fn check_pin(
    state: &AppState,
    session: &Session,
    id: &str,
    pin: Option<String>,
    pin_hash: String,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, ApiError> {
    let pin = pin.ok_or_else(pin_required)?;
    let key = ratelimit::pin_key(id);
    let reservation =
        ratelimit::reserve(&state.db, &[(&key, ratelimit::PROFILE_PIN)], session.now).await?;
    let checked = state.hasher.verify(pin, pin_hash).await;
    let mut tx = db::write(&state.db).await?;
    // A server too busy to check (503) has seen no wrong PIN: the try is given back.
    let right = match checked {
        Ok(right) => right,
        Err(err) => {
            reservation.release(&mut tx).await?;
            tx.commit().await?;
            return Err(err);
        }
    };
    if !right {
        reservation.fail(&mut tx).await?;
        let actor = Actor::session(state, session);
        activity::record(
            &mut tx,
            &session.account_id,
            ActivityKind::ProfilePinFailed,
            session.now,
            &actor,
        )
        .await?;
        tx.commit().await?;
        return Err(
            ApiError::forbidden(ErrorCode::WrongPin, "That PIN is not right.")
                .with_field("pin", "That PIN is not right."),
        );
    }
    reservation.release(&mut tx).await?;
    ratelimit::clear(&mut tx, &key).await?;
    Ok(tx)
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
    // Counted before the hash: a burst of PIN changes must not be a burst of argon2 work.
    let key = ratelimit::pin_change_key(&session.account_id);
    ratelimit::spend(
        &state.db,
        &[(&key, ratelimit::PIN_CHANGES_PER_ACCOUNT)],
        session.now,
    )
    .await?;
    let hash = state.hasher.hash(body.pin).await?;
    set_pin(&state, &session.account_id, &id, Some(hash)).await
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
    set_pin(&state, &session.account_id, &id, None).await
}

async fn set_pin(
    state: &AppState,
    account_id: &str,
    id: &str,
    hash: Option<String>,
) -> Result<StatusCode, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let done = sqlx::query("UPDATE profiles SET pin_hash = ? WHERE id = ? AND account_id = ?")
        .bind(hash)
        .bind(id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(profile_not_found());
    }
    // A new PIN starts with a clean slate of tries.
    ratelimit::clear(&mut tx, &ratelimit::pin_key(id)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

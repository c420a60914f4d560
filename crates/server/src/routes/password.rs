//! Changing the password: checked like a sign-in, judged by zxcvbn, and followed by a new
//! session token for this browser.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hallpass_api::{ActivityKind, ChangePassword, ErrorBody, ErrorCode, paths};

use crate::activity::{self, Actor};
use crate::auth::{self, Manager};
use crate::outbox::{self, Channel};
use crate::routes::{devices, profiles, session, step_up};
use crate::{ApiError, ApiJson, AppState, db, rotation, strength};

/// Change the password; optionally sign out every other device. This browser's session gets
/// a new token (ASVS 5.0 7.2.4), as at step-up: a token someone copied before the change
/// must not outlive it.
#[utoipa::path(put, operation_id = "change_password", path = paths::ACCOUNT_PASSWORD, tag = "account", request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; `Set-Cookie` carries the session's new token (the old one works one more minute, for requests in flight). The step-up window is not opened"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`wrong_password` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`weak_password` (advice in `fields.new_password`), `same_password` or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`", body = ErrorBody),
        (status = 503, description = "`unavailable`: tries in progress for this account were not decided in time; `Retry-After`", body = ErrorBody),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    Manager(session): Manager,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChangePassword>,
) -> Result<Response, ApiError> {
    match session::check_password(
        &state,
        &session.client,
        &session.email,
        &body.current_password,
    )
    .await
    {
        Ok(_) => {}
        Err(err) if err.code() == ErrorCode::InvalidCredentials => {
            return Err(step_up::wrong_password("current_password"));
        }
        Err(err) => return Err(err),
    }
    if body.new_password == body.current_password {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::SamePassword,
            "The new password is the same as the current one.",
        )
        .with_field("new_password", "Choose a password you haven't used here."));
    }
    let mut conn = state.db.acquire().await?;
    let names: Vec<String> = profiles::list_of(&mut conn, &session.account_id)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    drop(conn);
    let mut known = names;
    known.extend(["hallpass".to_owned(), session.email.clone()]);
    known.extend(session.email.split(['@', '.']).map(str::to_owned));
    if let Some(advice) = strength::advice(body.new_password.clone(), known).await? {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::WeakPassword,
            "That password would be easy to guess.",
        )
        .with_field("new_password", advice));
    }
    let hash = state.hasher.hash(body.new_password).await?;

    let mut tx = db::write(&state.db).await?;
    // First, so a session that ended meanwhile changes nothing (its 401 says why).
    let presented = auth::token(&headers).unwrap_or_default();
    let cookie = rotation::rotate(
        &mut tx,
        &state,
        &session,
        &presented,
        rotation::Window::Leave,
    )
    .await?;
    if let rotation::Cookie::Refused = cookie {
        drop(tx);
        return Err(step_up::refused(&state, &headers, session).await);
    }
    sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(&session.account_id)
        .execute(&mut *tx)
        .await?;
    if body.sign_out_other_devices {
        devices::revoke_others(&mut tx, &session).await?;
    }
    let actor = Actor::session(&state, &session);
    activity::record(
        &mut tx,
        &session.account_id,
        ActivityKind::PasswordChanged,
        session.now,
        &actor,
    )
    .await?;
    outbox::send(
        &mut tx,
        &state,
        Channel::Email,
        &session.email,
        "Your Hallpass password was changed",
        &format!(
            "Your password was changed from {}. If this wasn't you, reset your password and \
             sign out of all devices.",
            session.device_name
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(match cookie {
        rotation::Cookie::Set(token) => {
            session::with_cookie(auth::cookie(&token), StatusCode::NO_CONTENT)
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    })
}

//! Step-up: confirming it's you again opens the 10-minute window that [`SteppedUp`] routes
//! need. With two-step verification on, that takes the second step too (ASVS 5.0 7.5.1):
//! the password alone is what a shoulder-surfer or a phished form has.
//!
//! Changing the password is here too: checked like a step-up, and followed by a new
//! session token for this browser.
//!
//! [`SteppedUp`]: crate::auth::SteppedUp

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use hallpass_api::{ChangePassword, ErrorBody, Reauthenticate, paths};

use crate::auth::{self, Manager, Session};
use crate::domain::credentials::{self, PasswordChange};
use crate::domain::second_factor::Answer;
use crate::{ApiError, ApiJson, AppState};

/// Confirm the password (and, with two-step verification on, a code) to open the 10-minute
/// step-up window.
#[utoipa::path(post, operation_id = "reauthenticate", path = paths::SESSION_REAUTHENTICATE, tag = "session", request_body = Reauthenticate,
    responses(
        (status = 204, description = "Recently authenticated for 10 minutes; `Set-Cookie` carries the session's new token, the same for every step-up this browser sends at once"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`wrong_password` (`fields.password`); with two-step verification on and a right password, `code_required` (`fields.code`) when neither `code` nor `recovery_code` was sent, `invalid_code` (`fields.code` or `fields.recovery_code`) for a wrong or already used one", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: wrong passwords, or wrong codes (counted with sign-in's)", body = ErrorBody),
        (status = 503, description = "`unavailable`: tries in progress for this account were not decided in time; `Retry-After`", body = ErrorBody),
    ))]
pub async fn reauthenticate(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Reauthenticate>,
) -> Result<Response, ApiError> {
    let answer = Answer::from_fields(body.code.as_deref(), body.recovery_code.as_deref());
    let token = auth::token(&headers);
    let new_token =
        credentials::reauthenticate(&state, session, token.as_deref(), &body.password, answer)
            .await?;
    Ok(auth::no_content_with(new_token))
}

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
    let token = auth::token(&headers);
    let change = PasswordChange {
        current: &body.current_password,
        new: body.new_password,
        sign_out_other_devices: body.sign_out_other_devices,
    };
    let new_token = credentials::change_password(&state, session, token.as_deref(), change).await?;
    Ok(auth::no_content_with(new_token))
}

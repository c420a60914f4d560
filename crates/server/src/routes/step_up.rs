//! Step-up: confirming it's you again opens the 10-minute window that [`SteppedUp`] routes
//! need. With two-step verification on, that takes the second step too (ASVS 5.0 7.5.1):
//! the password alone is what a shoulder-surfer or a phished form has.
//!
//! [`SteppedUp`]: crate::auth::SteppedUp

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hallpass_api::{ErrorBody, ErrorCode, Reauthenticate, paths};

use crate::auth::{self, Session};
use crate::routes::session::{check_password, with_cookie};
use crate::second_factor::{self, Answer};
use crate::{ApiError, ApiJson, AppState, db, rotation};

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
    let totp_secret =
        match check_password(&state, &session.client, &session.email, &body.password).await {
            Ok((_, totp_secret)) => totp_secret,
            Err(err) if err.code() == ErrorCode::InvalidCredentials => {
                return Err(wrong_password("password"));
            }
            Err(err) => return Err(err),
        };
    let answer = Answer::from_fields(body.code.as_deref(), body.recovery_code.as_deref());
    if totp_secret.is_some() && answer.is_none() {
        return Err(ApiError::forbidden(
            ErrorCode::CodeRequired,
            "Two-step verification is on: enter a code from your authenticator app too.",
        )
        .with_field("code", "Enter the code from your authenticator app."));
    }
    // One write transaction from the code to the new token: a spent code without a step-up,
    // or a step-up without its code spent, can't happen.
    let mut tx = db::write(&state.db).await?;
    if let (Some(_), Some(answer)) = (&totp_secret, &answer) {
        second_factor::check_limit(&mut tx, &session.account_id, session.now).await?;
        let accepted = second_factor::accept(
            &mut tx,
            &state,
            &session.client,
            &session.account_id,
            answer,
            session.now,
        )
        .await?;
        if !accepted {
            tx.commit().await?;
            return Err(wrong_code(answer));
        }
    }
    // A new token after every authentication (ASVS 5.0 7.2.4), one for all the tabs that
    // step up together; the old one is honoured a little longer for requests on their way.
    let presented = auth::token(&headers).unwrap_or_default();
    let cookie = rotation::rotate(
        &mut tx,
        &state,
        &session,
        &presented,
        rotation::Window::Open,
    )
    .await?;
    match cookie {
        rotation::Cookie::Set(token) => {
            tx.commit().await?;
            Ok(with_cookie(auth::cookie(&token), StatusCode::NO_CONTENT))
        }
        rotation::Cookie::Keep => {
            tx.commit().await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        // Ended or rotated again while the password was checked: say why, as any request
        // would. The transaction is dropped, so a code checked here stays unspent.
        rotation::Cookie::Refused => {
            drop(tx);
            Err(refused(&state, &headers, session).await)
        }
    }
}

/// Why a session that could not be rotated is refused: the 401 any request of it would get.
pub async fn refused(state: &AppState, headers: &HeaderMap, session: Session) -> ApiError {
    auth::authenticate(state, headers, session.client)
        .await
        .err()
        .unwrap_or_else(|| ApiError::unauthorized(ErrorCode::NotSignedIn, "Please sign in."))
}

/// 403 `invalid_code`, said against the field the code came in. Not 401 as at sign-in: the
/// session is fine, and the app signs out on every 401.
pub(crate) fn wrong_code(answer: &Answer<'_>) -> ApiError {
    let (field, message) = match answer {
        Answer::Totp(_) => (
            "code",
            "That code isn't right. Enter the newest code from your app.",
        ),
        Answer::Recovery(_) => (
            "recovery_code",
            "That recovery code isn't right, or it has been used already.",
        ),
    };
    ApiError::forbidden(ErrorCode::InvalidCode, message).with_field(field, message)
}

/// 403 `wrong_password`, with the message against `field` so the form can show it there.
pub fn wrong_password(field: &str) -> ApiError {
    ApiError::forbidden(ErrorCode::WrongPassword, "That password is not right.")
        .with_field(field, "That password is not right.")
}

//! Session (this browser): sign in, two-step verification, sign out, who is signed in.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use hallpass_api::{
    ErrorBody, ErrorCode, SessionInfo, SessionStatus, SignIn, SignInOutcome, TwoFactorChallenge,
    TwoFactorSignIn, paths,
};

use crate::auth::{self, Session};
use crate::client::Client;
use crate::domain::second_factor::Answer;
use crate::domain::sessions;
use crate::domain::sign_in::{self, Outcome};
use crate::{ApiError, ApiJson, AppState};

/// Sign in with email and password.
#[utoipa::path(post, operation_id = "sign_in", path = paths::SESSION, tag = "session", request_body = SignIn,
    responses(
        (status = 200, description = "Signed in (cookie set), or a two-step challenge", body = SignInOutcome),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, with `Retry-After`", body = ErrorBody),
        (status = 503, description = "`unavailable`: tries in progress for this account were not decided in time; `Retry-After`", body = ErrorBody),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let replacing = auth::token(&headers);
    let outcome = sign_in::sign_in(
        &state,
        &client,
        replacing.as_deref(),
        body.email.trim(),
        &body.password,
    )
    .await?;
    Ok(match outcome {
        Outcome::TwoFactorRequired(challenge) => {
            let challenge = TwoFactorChallenge {
                two_factor_required: true,
                challenge,
            };
            Json(SignInOutcome::TwoFactorRequired(challenge)).into_response()
        }
        Outcome::SignedIn(signed) => auth::with_cookie(
            auth::cookie(&signed.token),
            Json(SignInOutcome::SignedIn(Box::new(signed.info))),
        ),
    })
}

/// Finish signing in with a code from the authenticator app, or a recovery code.
#[utoipa::path(post, operation_id = "sign_in_two_factor", path = paths::SESSION_TWO_FACTOR, tag = "session", request_body = TwoFactorSignIn,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = SessionInfo),
        (status = 401, description = "`invalid_code` (also for an unknown challenge)", body = ErrorBody),
        (status = 410, description = "`code_expired`: the challenge is older than 5 minutes", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong codes spend the challenge", body = ErrorBody),
    ))]
pub async fn two_factor(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TwoFactorSignIn>,
) -> Result<Response, ApiError> {
    let replacing = auth::token(&headers);
    let answer = Answer::from_fields(body.code.as_deref(), body.recovery_code.as_deref());
    let signed = sign_in::two_factor(
        &state,
        &client,
        replacing.as_deref(),
        &body.challenge,
        answer,
    )
    .await?;
    Ok(auth::with_cookie(
        auth::cookie(&signed.token),
        Json(signed.info),
    ))
}

/// Who is signed in here.
#[utoipa::path(get, operation_id = "get_session", path = paths::SESSION, tag = "session",
    responses(
        (status = 200, body = SessionInfo),
        (status = 401, description = "`not_signed_in`, `session_expired` or `signed_out_remotely` (with `details`)", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<SessionInfo>, ApiError> {
    Ok(Json(
        sessions::info(&state, &session.id, session.now).await?,
    ))
}

/// Who is signed in here, if anyone. As `GET /api/session`, except that a browser with no
/// session at all gets 200 and `session: null` rather than 401 `not_signed_in`: the app asks
/// this at start-up, and a browser logs every 4xx in its console, so each signed-out visit
/// to the sign-in page would show an error (Lighthouse's best-practices audit counts it). A
/// cookie whose session has ended still gets its 401 and reason, which the app shows.
#[utoipa::path(get, operation_id = "get_session_status", path = paths::SESSION_STATUS, tag = "session",
    responses(
        (status = 200, description = "`session` is `null` when the request has no session", body = SessionStatus),
        (status = 401, description = "`session_expired` or `signed_out_remotely` (with `details`): the cookie names a session that has ended", body = ErrorBody),
    ))]
pub async fn status(
    State(state): State<AppState>,
    session: Result<Session, ApiError>,
) -> Result<Json<SessionStatus>, ApiError> {
    match session {
        Ok(session) => Ok(Json(SessionStatus {
            session: Some(sessions::info(&state, &session.id, session.now).await?),
        })),
        Err(error) if error.code() == ErrorCode::NotSignedIn => {
            Ok(Json(SessionStatus { session: None }))
        }
        Err(error) => Err(error),
    }
}

/// Sign out of this browser. Idempotent: 204 whether or not a session was there.
#[utoipa::path(delete, operation_id = "sign_out", path = paths::SESSION, tag = "session",
    responses(
        (status = 204, description = "Signed out; `Set-Cookie` expires the cookie and `Clear-Site-Data` clears the origin"),
        (status = 403, description = "`cross_site_request`", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    sign_in::sign_out(&state, auth::token(&headers).as_deref(), client).await?;
    Ok(auth::signed_out_response())
}

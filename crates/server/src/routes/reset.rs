//! Forgot password, in three requests that map to the app's three steps (see
//! `domain::password_resets`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    CompletePasswordReset, ErrorBody, PasswordResetToken, RequestPasswordReset,
    VerifyPasswordReset, paths,
};

use crate::client::Client;
use crate::domain::password_resets::{self, Completion};
use crate::domain::second_factor::Answer;
use crate::{ApiError, ApiJson, AppState};

/// Ask for a reset code by email.
#[utoipa::path(post, operation_id = "request_password_reset", path = paths::PASSWORD_RESET, tag = "session", request_body = RequestPasswordReset,
    responses(
        (status = 202, description = "The same answer whether or not the address has an account. With one, a 6-digit code (30 minutes, replacing any earlier one) goes to it; without, a notice that no account uses it"),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 3 per address, 5 per account, 10 per network address in 15 minutes; `Retry-After`. Nothing is sent", body = ErrorBody),
    ))]
pub async fn request(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<RequestPasswordReset>,
) -> Result<StatusCode, ApiError> {
    password_resets::request(&state, &client, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Check the code from the email; the answer is the token for the last step.
#[utoipa::path(post, operation_id = "verify_password_reset", path = paths::PASSWORD_RESET_VERIFY, tag = "session", request_body = VerifyPasswordReset,
    responses(
        (status = 200, description = "The code was right and is now spent; the token sets one new password within 15 minutes", body = PasswordResetToken),
        (status = 410, description = "`code_expired`: the code is older than 30 minutes", body = ErrorBody),
        (status = 422, description = "`invalid_code` (`fields.code`): wrong, already used, or no code was sent to this address; or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong tries spend the code (a new one can be asked for), and 10 wrong codes per address or 20 per network address in 15 minutes stop all tries; `Retry-After`", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<VerifyPasswordReset>,
) -> Result<Json<PasswordResetToken>, ApiError> {
    Ok(Json(
        password_resets::verify(&state, &client, &body.email, &body.code).await?,
    ))
}

/// Set the new password. Every session of the account ends.
#[utoipa::path(post, operation_id = "complete_password_reset", path = paths::PASSWORD_RESET_COMPLETE, tag = "session", request_body = CompletePasswordReset,
    responses(
        (status = 204, description = "The password is changed and every session of the account has ended (their next request gets 401 `signed_out_remotely`). Nobody is signed in: sign in with the new password"),
        (status = 403, description = "With two-step verification on: `code_required` (`fields.code`) when neither `code` nor `recovery_code` was sent, `invalid_code` (`fields.code` or `fields.recovery_code`) for a wrong or used one. The token stays good", body = ErrorBody),
        (status = 410, description = "`code_expired`: the token is unknown, used, or older than 15 minutes", body = ErrorBody),
        (status = 422, description = "`weak_password` (advice in `fields.new_password`), `same_password` or `invalid_fields`. The token stays good", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: wrong two-step codes (counted with sign-in's)", body = ErrorBody),
        (status = 503, description = "`unavailable`: too many passwords being hashed; `Retry-After`", body = ErrorBody),
    ))]
pub async fn complete(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<CompletePasswordReset>,
) -> Result<StatusCode, ApiError> {
    let completion = Completion {
        reset_token: &body.reset_token,
        answer: Answer::from_fields(body.code.as_deref(), body.recovery_code.as_deref()),
        new_password: body.new_password.clone(),
    };
    password_resets::complete(&state, &client, completion).await?;
    Ok(StatusCode::NO_CONTENT)
}

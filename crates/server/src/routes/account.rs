//! Account: membership, contact details, recovery, linked accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    Account, ChangeEmail, ChangePhone, ChangeRecovery, ErrorBody, VerifyCode, paths,
};

use crate::auth::{Manager, SteppedUp};
use crate::domain::accounts;
use crate::domain::contacts::{self, Contact};
use crate::extract::ApiPath;
use crate::{ApiError, ApiJson, AppState};

/// Membership, contact details, two-step status and linked accounts.
#[utoipa::path(get, operation_id = "get_account", path = paths::ACCOUNT, tag = "account",
    responses((status = 200, body = Account), (status = 401, body = ErrorBody),
              (status = 403, description = "`kids_profile`", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Manager(session): Manager,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(accounts::get(&state, &session.account_id).await?))
}

/// Start changing the email address: a 6-digit code goes to the new one.
#[utoipa::path(put, operation_id = "change_email", path = paths::ACCOUNT_EMAIL, tag = "account", request_body = ChangeEmail,
    responses(
        (status = 202, description = "A code was sent to the new address"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 codes per account, 3 messages per destination, 8 per network address in 15 minutes; `Retry-After`", body = ErrorBody),
    ))]
pub async fn change_email(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<ChangeEmail>,
) -> Result<StatusCode, ApiError> {
    contacts::start_change(&state, &session, Contact::Email, body.email.trim()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Confirm the new email address with its code.
#[utoipa::path(post, operation_id = "verify_email", path = paths::ACCOUNT_EMAIL_VERIFY, tag = "account", request_body = VerifyCode,
    responses(
        (status = 200, body = Account),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 410, description = "`code_expired`", body = ErrorBody),
        (status = 422, description = "`invalid_code` or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong codes", body = ErrorBody),
    ))]
pub async fn verify_email(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<VerifyCode>,
) -> Result<Json<Account>, ApiError> {
    let account = contacts::finish_change(&state, &session, Contact::Email, &body.code).await?;
    Ok(Json(account))
}

/// Start changing the phone number (E.164): a 6-digit code goes to it by SMS.
#[utoipa::path(put, operation_id = "change_phone", path = paths::ACCOUNT_PHONE, tag = "account", request_body = ChangePhone,
    responses(
        (status = 202, description = "A code was sent to the new number"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 codes per account, 3 messages per destination, 8 per network address in 15 minutes; `Retry-After`", body = ErrorBody),
    ))]
pub async fn change_phone(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<ChangePhone>,
) -> Result<StatusCode, ApiError> {
    contacts::start_change(&state, &session, Contact::Phone, &body.phone).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Confirm the new phone number with its code.
#[utoipa::path(post, operation_id = "verify_phone", path = paths::ACCOUNT_PHONE_VERIFY, tag = "account", request_body = VerifyCode,
    responses(
        (status = 200, body = Account),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 410, description = "`code_expired`", body = ErrorBody),
        (status = 422, description = "`invalid_code` or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong codes", body = ErrorBody),
    ))]
pub async fn verify_phone(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<VerifyCode>,
) -> Result<Json<Account>, ApiError> {
    let account = contacts::finish_change(&state, &session, Contact::Phone, &body.code).await?;
    Ok(Json(account))
}

/// Set or clear the recovery email and phone (an empty string clears one).
#[utoipa::path(put, operation_id = "change_recovery", path = paths::ACCOUNT_RECOVERY, tag = "account", request_body = ChangeRecovery,
    responses(
        (status = 200, body = Account),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
    ))]
pub async fn change_recovery(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<ChangeRecovery>,
) -> Result<Json<Account>, ApiError> {
    let account = accounts::change_recovery(
        &state,
        &session.account_id,
        body.recovery_email.as_deref(),
        body.recovery_phone.as_deref(),
    )
    .await?;
    Ok(Json(account))
}

/// Unlink a sign-in provider.
#[utoipa::path(delete, operation_id = "unlink_account", path = paths::LINKED_ACCOUNT, tag = "account",
    params(("provider" = String, Path, description = "Provider, as in `linked_accounts`")),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`: not linked", body = ErrorBody),
    ))]
pub async fn unlink(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiPath(provider): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    accounts::unlink(&state, &session, &provider).await?;
    Ok(StatusCode::NO_CONTENT)
}

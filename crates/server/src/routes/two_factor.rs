//! Two-step verification: set-up with an authenticator app, recovery codes, turning it off.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use hallpass_api::{ConfirmTotp, ErrorBody, RecoveryCodes, TotpSetup, TurnOffTwoFactor, paths};

use crate::auth::{Manager, SteppedUp};
use crate::domain::two_factor;
use crate::{ApiError, ApiJson, AppState};

/// Start setting up an authenticator app. Nothing changes until the first code confirms it.
#[utoipa::path(post, operation_id = "start_totp", path = paths::TWO_FACTOR_TOTP, tag = "two-factor",
    responses(
        (status = 200, body = TotpSetup),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
    ))]
pub async fn start(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
) -> Result<Json<TotpSetup>, ApiError> {
    Ok(Json(two_factor::start(&state, &session).await?))
}

/// Confirm set-up with the first code; two-step verification is on from now. With
/// `sign_out_other_devices`, every other device is signed out in the same change (ASVS 5.0
/// 7.4.3): a device someone else kept signed in would otherwise keep the account without
/// ever being asked for a code.
#[utoipa::path(post, operation_id = "confirm_totp", path = paths::TWO_FACTOR_TOTP_CONFIRM, tag = "two-factor", request_body = ConfirmTotp,
    responses(
        (status = 200, description = "On; ten recovery codes, shown this once. With `sign_out_other_devices`, every other device's next request gets 401 `signed_out_remotely`", body = RecoveryCodes),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_code` (also when set-up was not started) or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<ConfirmTotp>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes =
        two_factor::confirm(&state, &session, &body.code, body.sign_out_other_devices).await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// Turn two-step verification off; its recovery codes stop working. With
/// `?sign_out_other_devices=true`, every other device is signed out in the same change.
#[utoipa::path(delete, operation_id = "disable_two_factor", path = paths::TWO_FACTOR, tag = "two-factor",
    params(("sign_out_other_devices" = Option<bool>, Query,
        description = "`true`: sign out every other device in the same change; left out, `false`")),
    responses(
        (status = 204, description = "Off. With `sign_out_other_devices=true`, every other device's next request gets 401 `signed_out_remotely`"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`: the query is not `sign_out_other_devices=true|false`", body = ErrorBody),
    ))]
pub async fn disable(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    query: Result<Query<TurnOffTwoFactor>, QueryRejection>,
) -> Result<StatusCode, ApiError> {
    let Query(query) = query.map_err(|err| {
        ApiError::invalid_fields([("sign_out_other_devices".to_owned(), err.body_text())].into())
    })?;
    two_factor::disable(&state, &session, query.sign_out_other_devices).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ten new recovery codes; the old ones stop working.
#[utoipa::path(post, operation_id = "regenerate_recovery_codes", path = paths::TWO_FACTOR_RECOVERY_CODES, tag = "two-factor",
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`: two-step verification is off", body = ErrorBody),
    ))]
pub async fn regenerate(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let codes = two_factor::regenerate(&state, &session).await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

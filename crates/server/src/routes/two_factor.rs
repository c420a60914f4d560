//! Two-step verification: set-up with an authenticator app, recovery codes, turning it off.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use hallpass_api::{
    ActivityKind, ConfirmTotp, ErrorBody, ErrorCode, RecoveryCodes, TotpSetup, TurnOffTwoFactor,
    paths,
};
use sqlx::SqliteConnection;

use crate::activity::{self, Actor};
use crate::auth::{Manager, Session, SteppedUp};
use crate::routes::devices;
use crate::{ApiError, ApiJson, AppState, crypto, db, ratelimit, totp};

pub const RECOVERY_CODES: usize = 10;

/// Wrong first codes per account in 15 minutes, while setting up.
const CONFIRM_LIMIT: ratelimit::Limit = ratelimit::PROFILE_PIN;

/// Replaces the account's recovery codes with ten new ones and returns them (shown once).
async fn new_recovery_codes(
    conn: &mut SqliteConnection,
    account_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = ?")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| crypto::recovery_code())
        .collect();
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)")
            .bind(account_id)
            .bind(crypto::sha256(code))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

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
    let setup = totp::setup(crypto::totp_secret(), &session.email)
        .ok_or_else(|| ApiError::internal("could not make a TOTP set-up"))?;
    sqlx::query("UPDATE accounts SET totp_pending_secret = ? WHERE id = ?")
        .bind(&setup.secret)
        .bind(&session.account_id)
        .execute(&state.db)
        .await?;
    Ok(Json(setup))
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
    let key = format!("totp-setup:{}", session.account_id);
    let mut tx = db::write(&state.db).await?;
    ratelimit::check(&mut tx, &key, CONFIRM_LIMIT, session.now).await?;
    let pending: Option<String> =
        sqlx::query_scalar("SELECT totp_pending_secret FROM accounts WHERE id = ?")
            .bind(&session.account_id)
            .fetch_one(&mut *tx)
            .await?;
    let step = pending
        .as_deref()
        .and_then(|secret| totp::check(secret, &session.email, &body.code, None, session.now));
    let Some(step) = step else {
        ratelimit::fail(&mut tx, &key, session.now).await?;
        tx.commit().await?;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidCode,
            "That code is not right. Check the time on your phone and try the newest code.",
        )
        .with_field("code", "That code is not right."));
    };
    sqlx::query(
        "UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
             totp_last_step = ? WHERE id = ?",
    )
    .bind(step)
    .bind(&session.account_id)
    .execute(&mut *tx)
    .await?;
    let codes = new_recovery_codes(&mut tx, &session.account_id).await?;
    ratelimit::clear(&mut tx, &key).await?;
    if body.sign_out_other_devices {
        devices::revoke_others(&mut tx, &session).await?;
    }
    record(&mut tx, &state, &session, ActivityKind::TwoFactorEnabled).await?;
    tx.commit().await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

async fn record(
    conn: &mut SqliteConnection,
    state: &AppState,
    session: &Session,
    kind: ActivityKind,
) -> Result<(), sqlx::Error> {
    let actor = Actor::session(state, session);
    activity::record(conn, &session.account_id, kind, session.now, &actor).await
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
    let mut tx = db::write(&state.db).await?;
    let was_on = sqlx::query(
        "UPDATE accounts SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL
         WHERE id = ? AND totp_secret IS NOT NULL",
    )
    .bind(&session.account_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = ?")
        .bind(&session.account_id)
        .execute(&mut *tx)
        .await?;
    if query.sign_out_other_devices {
        devices::revoke_others(&mut tx, &session).await?;
    }
    if was_on.rows_affected() == 1 {
        record(&mut tx, &state, &session, ActivityKind::TwoFactorDisabled).await?;
    }
    tx.commit().await?;
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
    let mut tx = db::write(&state.db).await?;
    let on: bool = sqlx::query_scalar("SELECT totp_secret IS NOT NULL FROM accounts WHERE id = ?")
        .bind(&session.account_id)
        .fetch_one(&mut *tx)
        .await?;
    if !on {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Two-step verification is off, so there are no recovery codes.",
        ));
    }
    let codes = new_recovery_codes(&mut tx, &session.account_id).await?;
    record(
        &mut tx,
        &state,
        &session,
        ActivityKind::RecoveryCodesRegenerated,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

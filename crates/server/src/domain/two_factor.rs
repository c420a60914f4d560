//! Two-step verification: set-up with an authenticator app, recovery codes, turning it off.
//! No table of its own: the secret is `accounts`', the codes `recovery_codes`'.

use axum::http::StatusCode;
use hallpass_api::{ActivityKind, ErrorCode, TotpSetup};
use sqlx::AnyConnection;

use super::activity::{self, Actor};
use super::sessions::Session;
use super::sessions::devices::revoke_others;
use super::{accounts, ratelimit, recovery_codes};
use crate::{ApiError, AppState, crypto, db, totp};

/// Wrong first codes per account in 15 minutes, while setting up.
const CONFIRM_LIMIT: ratelimit::Limit = ratelimit::PROFILE_PIN;

/// Starts setting up an authenticator app. Nothing changes until the first code confirms it.
pub async fn start(state: &AppState, session: &Session) -> Result<TotpSetup, ApiError> {
    let setup = totp::setup(crypto::totp_secret(), &session.email)
        .ok_or_else(|| ApiError::internal("could not make a TOTP set-up"))?;
    accounts::set_totp_pending(state, &session.account_id, &setup.secret).await?;
    Ok(setup)
}

/// Confirms set-up with the first code; two-step verification is on from now. Returns the ten
/// recovery codes, shown this once. With `sign_out_other_devices`, every other device is
/// signed out in the same change (ASVS 5.0 7.4.3): a device someone else kept signed in would
/// otherwise keep the account without ever being asked for a code.
pub async fn confirm(
    state: &AppState,
    session: &Session,
    code: &str,
    sign_out_other_devices: bool,
) -> Result<Vec<String>, ApiError> {
    let key = format!("totp-setup:{}", session.account_id);
    let mut tx = db::write(&state.db).await?;
    ratelimit::check(&mut tx, &key, CONFIRM_LIMIT, session.now).await?;
    let pending = accounts::totp(&mut tx, &session.account_id)
        .await?
        .totp_pending_secret;
    let step = pending
        .as_deref()
        .and_then(|secret| totp::check(secret, &session.email, code, None, session.now));
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
    accounts::turn_totp_on(&mut tx, &session.account_id, step).await?;
    let codes = recovery_codes::replace(&mut tx, &session.account_id).await?;
    ratelimit::clear(&mut tx, &key).await?;
    if sign_out_other_devices {
        revoke_others(&mut tx, session).await?;
    }
    record(&mut tx, state, session, ActivityKind::TwoFactorEnabled).await?;
    tx.commit().await?;
    Ok(codes)
}

async fn record(
    conn: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    kind: ActivityKind,
) -> Result<(), sqlx::Error> {
    let actor = Actor::session(&state.geo, session);
    activity::record(conn, &session.account_id, kind, session.now, &actor).await?;
    Ok(())
}

/// Turns two-step verification off; its recovery codes stop working. With
/// `sign_out_other_devices`, every other device is signed out in the same change.
pub async fn disable(
    state: &AppState,
    session: &Session,
    sign_out_other_devices: bool,
) -> Result<(), ApiError> {
    let mut tx = db::write(&state.db).await?;
    let was_on = accounts::turn_totp_off(&mut tx, &session.account_id).await?;
    recovery_codes::delete_all(&mut tx, &session.account_id).await?;
    if sign_out_other_devices {
        revoke_others(&mut tx, session).await?;
    }
    if was_on {
        record(&mut tx, state, session, ActivityKind::TwoFactorDisabled).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ten new recovery codes; the old ones stop working (404 while two-step verification is off).
pub async fn regenerate(state: &AppState, session: &Session) -> Result<Vec<String>, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let on = accounts::totp(&mut tx, &session.account_id)
        .await?
        .totp_secret
        .is_some();
    if !on {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Two-step verification is off, so there are no recovery codes.",
        ));
    }
    let codes = recovery_codes::replace(&mut tx, &session.account_id).await?;
    let kind = ActivityKind::RecoveryCodesRegenerated;
    record(&mut tx, state, session, kind).await?;
    tx.commit().await?;
    Ok(codes)
}

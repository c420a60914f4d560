//! Choosing a profile on this browser ("Who's watching?"), and locking profiles with a PIN:
//! where a PIN is checked or set, each under its rate limit. No table of its own: the PIN is
//! `profiles`', the choice `sessions`'.

use hallpass_api::{ActivityKind, ErrorCode, SessionInfo};

use super::activity::{self, Actor};
use super::profiles::{self, profile_not_found};
use super::ratelimit;
use super::sessions::{self, Session};
use crate::{ApiError, AppState, db};

/// Switches this browser to a profile; a locked one needs its PIN.
pub async fn select(
    state: &AppState,
    session: &Session,
    id: &str,
    pin: Option<String>,
) -> Result<SessionInfo, ApiError> {
    let pin_hash = profiles::pin_hash(state, &session.account_id, id).await?;
    let Some(pin_hash) = pin_hash else {
        return Err(profile_not_found());
    };
    let mut tx = match &pin_hash {
        None => db::write(&state.db).await?,
        Some(hash) => check_pin(state, session, id, pin, hash.clone()).await?,
    };
    // The profile may have been deleted, or locked with another PIN, since it was read: the
    // choice holds only if it is still the profile that was checked, in this transaction.
    let unchanged =
        profiles::still_has_pin(&mut tx, &session.account_id, id, pin_hash.as_deref()).await?;
    if unchanged {
        sessions::choose_profile(&mut tx, &session.id, id).await?;
    } else {
        let still_there = profiles::load(&mut tx, &session.account_id, id)
            .await?
            .is_some();
        tx.commit().await?;
        return Err(if still_there {
            pin_required()
        } else {
            profile_not_found()
        });
    }
    tx.commit().await?;
    sessions::info(state, &session.id, session.now).await
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
) -> Result<sqlx::Transaction<'static, sqlx::Any>, ApiError> {
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
        let actor = Actor::session(&state.geo, session);
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

/// Locks a profile with a 4-digit PIN (or changes its PIN).
pub async fn lock(
    state: &AppState,
    session: &Session,
    id: &str,
    pin: String,
) -> Result<(), ApiError> {
    // A profile that isn't there is a 404 that costs none of the account's PIN changes
    // (set_pin still answers 404 if it goes while the PIN is hashed).
    if profiles::pin_hash(state, &session.account_id, id)
        .await?
        .is_none()
    {
        return Err(profile_not_found());
    }
    // Counted before the hash: a burst of PIN changes must not be a burst of argon2 work.
    let key = ratelimit::pin_change_key(&session.account_id);
    ratelimit::spend(
        &state.db,
        &[(&key, ratelimit::PIN_CHANGES_PER_ACCOUNT)],
        session.now,
    )
    .await?;
    let hash = state.hasher.hash(pin).await?;
    set_pin(state, &session.account_id, id, Some(hash)).await
}

/// Removes a profile's PIN.
pub async fn unlock(state: &AppState, session: &Session, id: &str) -> Result<(), ApiError> {
    set_pin(state, &session.account_id, id, None).await
}

async fn set_pin(
    state: &AppState,
    account_id: &str,
    id: &str,
    hash: Option<String>,
) -> Result<(), ApiError> {
    let mut tx = db::write(&state.db).await?;
    if !profiles::set_pin(&mut tx, account_id, id, hash).await? {
        return Err(profile_not_found());
    }
    // A new PIN starts with a clean slate of tries.
    ratelimit::clear(&mut tx, &ratelimit::pin_key(id)).await?;
    tx.commit().await?;
    Ok(())
}

//! Signing in: the password under its rate limits, the two-step challenge, the new session.
//! No table of its own: it is the rule that joins `accounts`, `attempts`,
//! `two_factor_challenges`, `sessions` and `activity` for a sign-in.

use axum::http::StatusCode;
use hallpass_api::events::NewSignIn;
use hallpass_api::{ActivityKind, DeviceRef, ErrorCode, SessionInfo};
use sqlx::AnyConnection;

use super::activity::{self, Actor};
use super::challenges::{self, CHALLENGE_ATTEMPTS, CHALLENGE_LIFETIME};
use super::device::Seen;
use super::second_factor::{self, Answer};
use super::{accounts, ratelimit, sessions};
use crate::client::Client;
use crate::clock::timestamp;
use crate::events::{self, What};
use crate::{ApiError, AppState, crypto, db};

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized(
        ErrorCode::InvalidCredentials,
        "That email and password don't match an account.",
    )
}

/// The account a right password opened.
pub struct Checked {
    pub account_id: String,
    pub two_factor: bool,
}

/// Checks the password of the account with `email`, under the sign-in rate limits. Unknown
/// addresses and wrong passwords take the same path and the same time, and give one answer
/// (401 `invalid_credentials`). A wrong password for an account is a `sign_in_failed` event.
pub async fn check_password(
    state: &AppState,
    client: &Client,
    email: &str,
    password: &str,
) -> Result<Checked, ApiError> {
    let now = state.clock.now();
    let account_key = ratelimit::account_key(&email.to_lowercase());
    let ip_key = ratelimit::ip_key(client.ip);
    let reservation = ratelimit::reserve(
        &state.db,
        &[
            (&ip_key, ratelimit::SIGN_IN_PER_IP),
            (&account_key, ratelimit::SIGN_IN_PER_ACCOUNT),
        ],
        now,
    )
    .await?;
    let mut conn = state.db.acquire().await?;
    let account = accounts::credentials_by_email(&mut conn, email).await?;
    drop(conn);
    let password = password.to_owned();
    let checked = match &account {
        Some(account) => {
            (state.hasher)
                .verify(password, account.password_hash.clone())
                .await
        }
        None => state.hasher.verify_nothing(password).await.map(|()| false),
    };
    let mut tx = db::write(&state.db).await?;
    // A server too busy to check (503) has seen no failure: the try is given back.
    let matched = match checked {
        Ok(matched) => matched,
        Err(err) => {
            reservation.release(&mut tx).await?;
            tx.commit().await?;
            return Err(err);
        }
    };
    match account {
        Some(account) if matched => {
            reservation.release(&mut tx).await?;
            ratelimit::clear(&mut tx, &account_key).await?;
            tx.commit().await?;
            Ok(Checked {
                account_id: account.id,
                two_factor: account.totp_secret.is_some(),
            })
        }
        _ => {
            reservation.fail(&mut tx).await?;
            if let Some(account) = account {
                let actor = Actor::seen(&Seen::describe(&state.geo, client), None);
                let kind = ActivityKind::SignInFailed;
                activity::record(&mut tx, &account.id, kind, now, &actor).await?;
            }
            tx.commit().await?;
            Err(invalid_credentials())
        }
    }
}

/// A new session: its token (for the cookie) and what `GET /api/session` would say of it.
pub struct SignedIn {
    pub token: String,
    pub info: SessionInfo,
}

/// What a right password leads to.
pub enum Outcome {
    SignedIn(Box<SignedIn>),
    /// Two-step verification is on: the challenge a code must answer.
    TwoFactorRequired(String),
}

/// Signs `account_id` in on the device `seen`: a new session, the `signed_in` event. The
/// session behind `replacing` (the token the browser sent, if any) ends: one browser, one
/// session. Returns the new token and the session's id.
pub async fn start_session(
    tx: &mut AnyConnection,
    account_id: &str,
    seen: &Seen,
    replacing: Option<&str>,
    now: i64,
) -> Result<(String, String), ApiError> {
    if let Some(old) = replacing {
        sessions::end_replaced(&mut *tx, old, now).await?;
    }
    let known = sessions::known_user_agent(&mut *tx, account_id, &seen.user_agent).await?;
    let (token, session_id) = sessions::issue(&mut *tx, account_id, seen, now).await?;
    let actor = Actor::seen(seen, Some(session_id.clone()));
    let activity_id =
        activity::record(&mut *tx, account_id, ActivityKind::SignedIn, now, &actor).await?;
    if !known {
        let event = NewSignIn {
            device: DeviceRef {
                id: Some(session_id.clone()),
                name: seen.name.clone(),
                kind: seen.kind,
            },
            location: seen
                .place
                .clone()
                .and_then(|place| activity::location(place.city, place.country)),
            at: timestamp(now),
            activity_id: activity_id.to_string(),
        };
        let session = session_id.clone();
        events::emit(&mut *tx, account_id, What::NewSignIn { session, event }).await?;
    }
    Ok((token, session_id))
}

/// Sign in with email and password, from the browser that holds `replacing` (if anything).
pub async fn sign_in(
    state: &AppState,
    client: &Client,
    replacing: Option<&str>,
    email: &str,
    password: &str,
) -> Result<Outcome, ApiError> {
    let checked = check_password(state, client, email, password).await?;
    let seen = Seen::describe(&state.geo, client);
    let now = state.clock.now();
    if checked.two_factor {
        let mut conn = state.db.acquire().await?;
        let challenge = challenges::create(&mut conn, &checked.account_id, &seen, now).await?;
        return Ok(Outcome::TwoFactorRequired(challenge));
    }
    let mut tx = db::write(&state.db).await?;
    let (token, id) = start_session(&mut tx, &checked.account_id, &seen, replacing, now).await?;
    tx.commit().await?;
    let info = sessions::info(state, &id, state.clock.now()).await?;
    Ok(Outcome::SignedIn(Box::new(SignedIn { token, info })))
}

fn invalid_code() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidCode, "That code is not right.")
}

/// Finish signing in with a code from the authenticator app, or a recovery code.
pub async fn two_factor(
    state: &AppState,
    client: &Client,
    replacing: Option<&str>,
    challenge: &str,
    answer: Option<Answer<'_>>,
) -> Result<SignedIn, ApiError> {
    let now = state.clock.now();
    let challenge_hash = crypto::sha256(challenge);
    // One write transaction from lookup to session: the count of tries, the spent code and
    // the new session land together or not at all.
    let mut tx = db::write(&state.db).await?;
    let Some(challenge) = challenges::find(&mut tx, &challenge_hash).await? else {
        return Err(invalid_code());
    };
    if now >= challenge.created_at + CHALLENGE_LIFETIME {
        challenges::delete(&mut tx, &challenge_hash).await?;
        tx.commit().await?;
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::CodeExpired,
            "That took too long. Please sign in again.",
        ));
    }
    if challenge.attempts >= CHALLENGE_ATTEMPTS {
        return Err(ApiError::too_many_attempts(
            challenge.created_at + CHALLENGE_LIFETIME - now,
        ));
    }
    second_factor::check_limit(&mut tx, &challenge.account_id, now).await?;
    // The wire type's validation lets exactly one of the two through.
    let Some(answer) = answer else {
        return Err(invalid_code());
    };
    let seen = Seen::describe(&state.geo, client);
    let accepted =
        second_factor::accept(&mut tx, &seen, &challenge.account_id, &answer, now).await?;
    if !accepted {
        challenges::count_wrong(&mut tx, &challenge_hash).await?;
        tx.commit().await?;
        return Err(invalid_code());
    }
    challenges::delete(&mut tx, &challenge_hash).await?;
    let (token, id) = start_session(&mut tx, &challenge.account_id, &seen, replacing, now).await?;
    tx.commit().await?;
    let info = sessions::info(state, &id, now).await?;
    Ok(SignedIn { token, info })
}

/// Sign out of the browser that holds `token`. Any reason the session is already over
/// (expired, revoked, unknown) is fine here.
pub async fn sign_out(
    state: &AppState,
    token: Option<&str>,
    client: Client,
) -> Result<(), ApiError> {
    if let Ok(session) = sessions::find(state, token, client).await {
        let mut tx = db::write(&state.db).await?;
        sessions::end_own(&mut tx, &state.geo, &session).await?;
        tx.commit().await?;
    }
    Ok(())
}

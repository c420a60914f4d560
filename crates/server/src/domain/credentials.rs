//! The password in use: step-up (confirming it again, with a two-step code when that is on)
//! and changing it. Both give this browser's session a new token (ASVS 5.0 7.2.4). No table
//! of its own: the hash is `accounts`', the token `sessions`'.

use axum::http::StatusCode;
use hallpass_api::{ActivityKind, ErrorCode};

use super::activity::{self, Actor};
use super::device::Seen;
use super::outbox::{self, Channel};
use super::second_factor::{self, Answer};
use super::sessions::Session;
use super::sessions::devices::revoke_others;
use super::sessions::rotation::{self, Cookie, Window};
use super::{accounts, profiles, sign_in};
use crate::{ApiError, AppState, db, strength};

/// 403 `wrong_password`, with the message against `field` so the form can show it there.
pub fn wrong_password(field: &str) -> ApiError {
    ApiError::forbidden(ErrorCode::WrongPassword, "That password is not right.")
        .with_field(field, "That password is not right.")
}

/// The sign-in check of `password` for the session's account, answered as 403
/// `wrong_password` against `field` (401 would sign the app out).
async fn check(
    state: &AppState,
    session: &Session,
    password: &str,
    field: &str,
) -> Result<sign_in::Checked, ApiError> {
    let checked = sign_in::check_password(state, &session.client, &session.email, password).await;
    match checked {
        Err(err) if err.code() == ErrorCode::InvalidCredentials => Err(wrong_password(field)),
        other => other,
    }
}

/// What the browser's cookie becomes: `Some` new token, or `None` to keep the one it has.
pub type NewToken = Option<String>;

/// Confirm the password (and, with two-step verification on, a code) to open the 10-minute
/// step-up window. `token` is the one the browser presented.
pub async fn reauthenticate(
    state: &AppState,
    session: Session,
    token: Option<&str>,
    password: &str,
    answer: Option<Answer<'_>>,
) -> Result<NewToken, ApiError> {
    let checked = check(state, &session, password, "password").await?;
    if checked.two_factor && answer.is_none() {
        return Err(second_factor::code_required());
    }
    // One write transaction from the code to the new token: a spent code without a step-up,
    // or a step-up without its code spent, can't happen.
    let mut tx = db::write(&state.db).await?;
    if let (true, Some(answer)) = (checked.two_factor, &answer) {
        second_factor::check_limit(&mut tx, &session.account_id, session.now).await?;
        let seen = Seen::describe(&state.geo, &session.client);
        let accepted =
            second_factor::accept(&mut tx, &seen, &session.account_id, answer, session.now).await?;
        if !accepted {
            tx.commit().await?;
            return Err(second_factor::wrong_code(answer));
        }
    }
    // A new token after every authentication, one for all the tabs that step up together;
    // the old one is honoured a little longer for requests on their way.
    let presented = token.unwrap_or_default();
    match rotation::rotate(&mut tx, state, &session, presented, Window::Open).await? {
        Cookie::Set(token) => {
            tx.commit().await?;
            Ok(Some(token))
        }
        Cookie::Keep => {
            tx.commit().await?;
            Ok(None)
        }
        // Ended or rotated again while the password was checked: say why, as any request
        // would. The transaction is dropped, so a code checked here stays unspent.
        Cookie::Refused => {
            drop(tx);
            Err(rotation::refused(state, token, session).await)
        }
    }
}

/// `Err(422 weak_password)` with zxcvbn's advice if `password` would be easy to guess, knowing
/// the words an attacker would try first: the account's address and its profiles' names.
pub async fn judge(
    state: &AppState,
    account_id: &str,
    email: &str,
    password: &str,
) -> Result<(), ApiError> {
    let mut known: Vec<String> = profiles::list(state, account_id)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    known.extend(["hallpass".to_owned(), email.to_owned()]);
    known.extend(email.split(['@', '.']).map(str::to_owned));
    if let Some(advice) = strength::advice(password.to_owned(), known).await? {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::WeakPassword,
            "That password would be easy to guess.",
        )
        .with_field("new_password", advice));
    }
    Ok(())
}

/// What a password change asks for.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: String,
    pub sign_out_other_devices: bool,
}

/// Change the password; optionally sign out every other device. This browser's session gets
/// a new token, as at step-up: a token someone copied before the change must not outlive it.
pub async fn change_password(
    state: &AppState,
    session: Session,
    token: Option<&str>,
    change: PasswordChange<'_>,
) -> Result<NewToken, ApiError> {
    check(state, &session, change.current, "current_password").await?;
    if change.new == change.current {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::SamePassword,
            "The new password is the same as the current one.",
        )
        .with_field("new_password", "Choose a password you haven't used here."));
    }
    judge(state, &session.account_id, &session.email, &change.new).await?;
    let hash = state.hasher.hash(change.new).await?;

    let mut tx = db::write(&state.db).await?;
    // First, so a session that ended meanwhile changes nothing (its 401 says why).
    let presented = token.unwrap_or_default();
    let cookie = rotation::rotate(&mut tx, state, &session, presented, Window::Leave).await?;
    if let Cookie::Refused = cookie {
        drop(tx);
        return Err(rotation::refused(state, token, session).await);
    }
    accounts::set_password_hash(&mut tx, &session.account_id, &hash).await?;
    if change.sign_out_other_devices {
        revoke_others(&mut tx, &session).await?;
    }
    let actor = Actor::session(&state.geo, &session);
    let kind = ActivityKind::PasswordChanged;
    activity::record(&mut tx, &session.account_id, kind, session.now, &actor).await?;
    outbox::send(
        &mut tx,
        state,
        Channel::Email,
        &session.email,
        "Your Hallpass password was changed",
        &format!(
            "Your password was changed from {}. If this wasn't you, reset your password and \
             sign out of all devices.",
            session.device_name
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(match cookie {
        Cookie::Set(token) => Some(token),
        _ => None,
    })
}

//! The second step of two-step verification, as both sign-in (`POST /api/session/two-factor`)
//! and step-up (`POST /api/session/reauthenticate`) check it: one set of rules, one replay
//! protection, one rate limit for both, so step-up can't be used to guess codes that sign-in
//! would have stopped.

use hallpass_api::{ActivityKind, ErrorCode};
use sqlx::AnyConnection;

use super::activity::{self, Actor};
use super::device::Seen;
use super::{accounts, ratelimit, recovery_codes};
use crate::{ApiError, totp};

/// What the person typed as their second step.
pub enum Answer<'a> {
    /// A code from the authenticator app.
    Totp(&'a str),
    /// One of the recovery codes; spent once accepted.
    Recovery(&'a str),
}

impl<'a> Answer<'a> {
    /// The answer in a request with the optional `code` and `recovery_code` fields (the
    /// validation of the wire type lets through at most one of them).
    pub fn from_fields(code: Option<&'a str>, recovery_code: Option<&'a str>) -> Option<Self> {
        match (code, recovery_code) {
            (Some(code), _) => Some(Self::Totp(code)),
            (None, Some(code)) => Some(Self::Recovery(code)),
            (None, None) => None,
        }
    }
}

/// Refuses with 429 while the account has had too many wrong codes lately.
pub async fn check_limit(
    conn: &mut AnyConnection,
    account_id: &str,
    now: i64,
) -> Result<(), ApiError> {
    let key = ratelimit::two_step_key(account_id);
    ratelimit::check(conn, &key, ratelimit::TWO_STEP_PER_ACCOUNT, now).await
}

/// Checks `answer` for `account_id` inside the caller's write transaction. Accepted, it is
/// used up there: the TOTP step is recorded (a step is never accepted twice) or the recovery
/// code marked used, and the account's wrong-code count is cleared. Refused, the failure is
/// counted and recorded as a `sign_in_failed` event, so the owner sees that someone got past
/// the password. `false` also when two-step verification is off (turned off meanwhile).
pub async fn accept(
    conn: &mut AnyConnection,
    seen: &Seen,
    account_id: &str,
    answer: &Answer<'_>,
    now: i64,
) -> Result<bool, ApiError> {
    let factor = accounts::totp(&mut *conn, account_id).await?;
    let accepted = match (answer, &factor.totp_secret) {
        (Answer::Totp(code), Some(secret)) => {
            match totp::check(secret, &factor.email, code, factor.totp_last_step, now) {
                Some(step) => {
                    accounts::set_totp_last_step(&mut *conn, account_id, step).await?;
                    true
                }
                None => false,
            }
        }
        (Answer::Recovery(code), Some(_)) => {
            recovery_codes::spend(&mut *conn, account_id, code, now).await?
        }
        (_, None) => false,
    };
    let key = ratelimit::two_step_key(account_id);
    if accepted {
        ratelimit::clear(&mut *conn, &key).await?;
    } else {
        ratelimit::fail(&mut *conn, &key, now).await?;
        let actor = Actor::seen(seen, None);
        activity::record(conn, account_id, ActivityKind::SignInFailed, now, &actor).await?;
    }
    Ok(accepted)
}

/// 403 `code_required` (`fields.code`): two-step verification is on and no code came.
pub fn code_required() -> ApiError {
    ApiError::forbidden(
        ErrorCode::CodeRequired,
        "Two-step verification is on: enter a code from your authenticator app too.",
    )
    .with_field("code", "Enter the code from your authenticator app.")
}

/// 403 `invalid_code`, said against the field the code came in. Not 401 as at sign-in: the
/// session is fine, and the app signs out on every 401.
pub fn wrong_code(answer: &Answer<'_>) -> ApiError {
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

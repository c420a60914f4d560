//! The second step of two-step verification, as both sign-in (`POST /api/session/two-factor`)
//! and step-up (`POST /api/session/reauthenticate`) check it: one set of rules, one replay
//! protection, one rate limit for both, so step-up can't be used to guess codes that sign-in
//! would have stopped.

use hallpass_api::ActivityKind;
use sqlx::SqliteConnection;

use crate::activity::{self, Actor};
use crate::client::Client;
use crate::{ApiError, AppState, crypto, ratelimit, totp};

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

#[derive(sqlx::FromRow)]
struct Factor {
    email: String,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
}

/// Refuses with 429 while the account has had too many wrong codes lately.
pub async fn check_limit(
    conn: &mut SqliteConnection,
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
    conn: &mut SqliteConnection,
    state: &AppState,
    client: &Client,
    account_id: &str,
    answer: &Answer<'_>,
    now: i64,
) -> Result<bool, ApiError> {
    let factor: Factor =
        sqlx::query_as("SELECT email, totp_secret, totp_last_step FROM accounts WHERE id = ?")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await?;
    let accepted = match (answer, &factor.totp_secret) {
        (Answer::Totp(code), Some(secret)) => {
            match totp::check(secret, &factor.email, code, factor.totp_last_step, now) {
                Some(step) => {
                    sqlx::query("UPDATE accounts SET totp_last_step = ? WHERE id = ?")
                        .bind(step)
                        .bind(account_id)
                        .execute(&mut *conn)
                        .await?;
                    true
                }
                None => false,
            }
        }
        (Answer::Recovery(code), Some(_)) => {
            use_recovery_code(&mut *conn, account_id, code, now).await?
        }
        (_, None) => false,
    };
    let key = ratelimit::two_step_key(account_id);
    if accepted {
        ratelimit::clear(&mut *conn, &key).await?;
    } else {
        ratelimit::fail(&mut *conn, &key, now).await?;
        let actor = Actor::client(state, client, None);
        activity::record(conn, account_id, ActivityKind::SignInFailed, now, &actor).await?;
    }
    Ok(accepted)
}

/// Marks an unused recovery code of the account as used; `false` if there is none such.
async fn use_recovery_code(
    conn: &mut SqliteConnection,
    account_id: &str,
    code: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let hash = crypto::sha256(&crypto::normalise_recovery_code(code));
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = ?
         WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(used.rows_affected() == 1)
}

//! Forgot password, in three requests that map to the app's three steps: the address (a code
//! goes to it), the code (a short-lived token comes back), the new password (with a two-step
//! code when two-step verification is on). Every state is a row in `password_resets`, so any
//! server process sharing the database can answer any step.
//!
//! Nobody is signed in at the end: every session of the account ends, this browser's too, and
//! the person signs in with the new password. Signing in automatically would make the email
//! code alone (plus two-step, where on) a sign-in, skipping the password it just set.

//!
//! The only module that reads or writes `password_resets`.

use axum::http::StatusCode;
use hallpass_api::{ActivityKind, ErrorCode, PasswordResetToken};
use sqlx::AnyConnection;

use super::activity::{self, Actor};
use super::device::Seen;
use super::outbox::{self, Channel};
use super::second_factor::{self, Answer};
use super::{accounts, challenges, credentials, ratelimit, sessions};
use crate::client::Client;
use crate::clock::MINUTE;
use crate::{ApiError, AppState, crypto, db};

/// A reset code is good for this long.
pub const CODE_LIFETIME: i64 = 30 * MINUTE;
/// Wrong tries per code; then only a new code helps.
pub const CODE_ATTEMPTS: i64 = 5;
/// After the right code, this long to choose the new password.
pub const TOKEN_LIFETIME: i64 = 15 * MINUTE;

/// A code is stored as the hash of the account and the code, so one table of the million
/// codes' hashes does not open every row at once.
fn code_hash(account_id: &str, code: &str) -> Vec<u8> {
    crypto::sha256(&format!("{account_id}:{code}"))
}

/// Ask for a reset code by email.
pub async fn request(state: &AppState, client: &Client, email: &str) -> Result<(), ApiError> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let account = accounts::credentials_by_email(&mut conn, email)
        .await?
        .map(|a| (a.id, a.email));
    drop(conn);
    let [to, by_account, from] =
        ratelimit::reset_keys(account.as_ref().map(|a| a.0.as_str()), email, client.ip);
    ratelimit::spend(
        &state.db,
        &[
            (&to, ratelimit::RESETS_PER_ADDRESS),
            (&by_account, ratelimit::RESETS_PER_ACCOUNT),
            (&from, ratelimit::RESETS_PER_IP),
        ],
        now,
    )
    .await?;
    // Both branches make a code, write a row and queue a message in one transaction, so an
    // address without an account takes about as long as one with.
    let code = crypto::six_digits();
    let mut tx = db::write(&state.db).await?;
    match account {
        Some((account_id, email)) => {
            sqlx::query(
                "INSERT INTO password_resets
                     (account_id, code_hash, expires_at, attempts, token_hash, token_expires_at)
                 VALUES ($1, $2, $3, 0, NULL, NULL)
                 ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash,
                     expires_at = excluded.expires_at, attempts = 0, token_hash = NULL,
                     token_expires_at = NULL",
            )
            .bind(&account_id)
            .bind(code_hash(&account_id, &code))
            .bind(now + CODE_LIFETIME)
            .execute(&mut *tx)
            .await?;
            let text = format!(
                "Your code to reset your Hallpass password is {code}. It expires in 30 minutes. \
                 If you didn't ask for it, ignore this message: your password stays as it is."
            );
            outbox::send(
                &mut tx,
                state,
                Channel::Email,
                &email,
                "Your Hallpass password reset code",
                &text,
            )
            .await?;
        }
        None => {
            let nobody = crypto::id();
            sqlx::query("DELETE FROM password_resets WHERE account_id = $1 AND code_hash = $2")
                .bind(&nobody)
                .bind(code_hash(&nobody, &code))
                .execute(&mut *tx)
                .await?;
            outbox::send(
                &mut tx,
                state,
                Channel::Email,
                email,
                "Someone asked to reset a Hallpass password",
                "Someone asked to reset the password of a Hallpass account with this address, \
                 but no account uses it. If it was you, you may have signed up with another \
                 address. If not, you can ignore this message.",
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Pending {
    account_id: String,
    code_hash: Option<Vec<u8>>,
    expires_at: i64,
    attempts: i64,
}

fn invalid_code() -> ApiError {
    let message = "That code isn't right. Check the newest email and try again.";
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidCode,
        message,
    )
    .with_field("code", message)
}

fn code_expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        ErrorCode::CodeExpired,
        "That code has expired. Ask for a new one.",
    )
}

/// Counts a wrong code against the address and the network address: the answer to give.
async fn wrong_code(
    conn: &mut AnyConnection,
    keys: &[&str],
    now: i64,
) -> Result<ApiError, ApiError> {
    for key in keys {
        ratelimit::fail(&mut *conn, key, now).await?;
    }
    Ok(invalid_code())
}

/// Check the code from the email; the answer is the token for the last step.
pub async fn verify(
    state: &AppState,
    client: &Client,
    email: &str,
    code: &str,
) -> Result<PasswordResetToken, ApiError> {
    let now = state.clock.now();
    let [by_address, from] = ratelimit::reset_guess_keys(email, client.ip);
    // One write transaction from the count of tries to the token: two tries at once can't
    // both get in under the limit, nor both spend the code.
    let mut tx = db::write(&state.db).await?;
    ratelimit::check(
        &mut tx,
        &by_address,
        ratelimit::RESET_GUESSES_PER_ADDRESS,
        now,
    )
    .await?;
    ratelimit::check(&mut tx, &from, ratelimit::RESET_GUESSES_PER_IP, now).await?;
    let account = accounts::credentials_by_email(&mut tx, email).await?;
    let pending: Option<Pending> = match &account {
        Some(account) => {
            sqlx::query_as(
                "SELECT account_id, code_hash, expires_at, attempts FROM password_resets
                 WHERE account_id = $1",
            )
            .bind(&account.id)
            .fetch_optional(&mut *tx)
            .await?
        }
        None => None,
    };
    let two_factor = account.is_some_and(|a| a.totp_secret.is_some());
    let keys = [by_address.as_str(), from.as_str()];
    let Some(pending) = pending else {
        let err = wrong_code(&mut tx, &keys, now).await?;
        tx.commit().await?;
        return Err(err);
    };
    let Some(stored) = &pending.code_hash else {
        // Already used: the token it gave is the way on.
        let err = wrong_code(&mut tx, &keys, now).await?;
        tx.commit().await?;
        return Err(err);
    };
    if now >= pending.expires_at {
        return Err(code_expired());
    }
    if pending.attempts >= CODE_ATTEMPTS {
        return Err(ApiError::too_many_attempts(pending.expires_at - now)
            .with_message("Too many wrong codes. Ask for a new code."));
    }
    if *stored != code_hash(&pending.account_id, code) {
        sqlx::query("UPDATE password_resets SET attempts = attempts + 1 WHERE account_id = $1")
            .bind(&pending.account_id)
            .execute(&mut *tx)
            .await?;
        let err = wrong_code(&mut tx, &keys, now).await?;
        tx.commit().await?;
        return Err(err);
    }
    let token = crypto::token();
    sqlx::query(
        "UPDATE password_resets SET code_hash = NULL, token_hash = $1, token_expires_at = $2
         WHERE account_id = $3",
    )
    .bind(crypto::sha256(&token))
    .bind(now + TOKEN_LIFETIME)
    .bind(&pending.account_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(PasswordResetToken {
        reset_token: token,
        two_factor_required: two_factor,
    })
}

/// The account whose reset `token_hash` names, while its token is good.
async fn ready(
    conn: &mut AnyConnection,
    token_hash: &[u8],
    now: i64,
) -> Result<accounts::Credentials, ApiError> {
    let account_id: Option<String> = sqlx::query_scalar(
        "SELECT account_id FROM password_resets WHERE token_hash = $1 AND token_expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(account_id) = account_id else {
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::CodeExpired,
            "This reset has expired or was already used. Ask for a new code.",
        ));
    };
    Ok(accounts::credentials(conn, &account_id).await?)
}

/// What the last step sends.
pub struct Completion<'a> {
    pub reset_token: &'a str,
    pub answer: Option<Answer<'a>>,
    pub new_password: String,
}

/// Set the new password. Every session of the account ends.
pub async fn complete(
    state: &AppState,
    client: &Client,
    completion: Completion<'_>,
) -> Result<(), ApiError> {
    let Completion {
        reset_token,
        answer,
        new_password,
    } = completion;
    let now = state.clock.now();
    let token_hash = crypto::sha256(reset_token);
    let mut conn = state.db.acquire().await?;
    let account = ready(&mut conn, &token_hash, now).await?;
    drop(conn);
    if account.totp_secret.is_some() && answer.is_none() {
        return Err(second_factor::code_required());
    }
    // The rules of Change password: zxcvbn, knowing the words an attacker would try first.
    credentials::judge(state, &account.id, &account.email, &new_password).await?;
    let same = state
        .hasher
        .verify(new_password.clone(), account.password_hash.clone())
        .await?;
    if same {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::SamePassword,
            "The new password is the same as the current one.",
        )
        .with_field(
            "new_password",
            "That is your current password. You can sign in with it, or choose another.",
        ));
    }
    let hash = state.hasher.hash(new_password).await?;
    let seen = Seen::describe(&state.geo, client);

    let mut tx = db::write(&state.db).await?;
    // Again inside the write transaction: two completions at once, one wins.
    let account = ready(&mut tx, &token_hash, now).await?;
    if let (Some(_), Some(answer)) = (&account.totp_secret, &answer) {
        second_factor::check_limit(&mut tx, &account.id, now).await?;
        let accepted = second_factor::accept(&mut tx, &seen, &account.id, answer, now).await?;
        if !accepted {
            tx.commit().await?;
            return Err(second_factor::wrong_code(answer));
        }
    }
    accounts::set_password_hash(&mut tx, &account.id, &hash).await?;
    sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    // Every device, as "signed out from another device": the reason a password change that
    // signs out the others gives, naming the device the reset came from.
    sessions::revoke_all(&mut tx, &account.id, &seen.name, now).await?;
    // A sign-in half done with the old password must not finish with it.
    challenges::delete_all(&mut tx, &account.id).await?;
    // Whoever was locked out by wrong passwords has just proved the account is theirs.
    let key = ratelimit::account_key(&account.email.to_lowercase());
    ratelimit::clear(&mut tx, &key).await?;
    let actor = Actor::seen(&seen, None);
    let kind = ActivityKind::PasswordReset;
    activity::record(&mut tx, &account.id, kind, now, &actor).await?;
    outbox::send(
        &mut tx,
        state,
        Channel::Email,
        &account.email,
        "Your Hallpass password was reset",
        &format!(
            "Your password was reset from {}, and every device was signed out. If this \
             wasn't you, reset your password again now and turn on two-step verification.",
            seen.name
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Drops resets whose code and token have both run out.
pub async fn purge(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM password_resets
         WHERE expires_at < $1 AND (token_expires_at IS NULL OR token_expires_at < $1)",
    )
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

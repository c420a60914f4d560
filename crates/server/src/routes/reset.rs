//! Forgot password, in three requests that map to the app's three steps: the address (a code
//! goes to it), the code (a short-lived token comes back), the new password (with a two-step
//! code when two-step verification is on). Every state is a row in `password_resets`, so any
//! server process sharing the database can answer any step.
//!
//! Nobody is signed in at the end: every session of the account ends, this browser's too, and
//! the person signs in with the new password. Signing in automatically would make the email
//! code alone (plus two-step, where on) a sign-in, skipping the password it just set.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    ActivityKind, CompletePasswordReset, ErrorBody, ErrorCode, PasswordResetToken,
    RequestPasswordReset, VerifyPasswordReset, paths,
};
use sqlx::SqliteConnection;

use crate::activity::{self, Actor};
use crate::client::Client;
use crate::clock::MINUTE;
use crate::outbox::{self, Channel};
use crate::routes::{profiles, step_up};
use crate::second_factor::{self, Answer};
use crate::{ApiError, ApiJson, AppState, crypto, db, ratelimit, strength, useragent};

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
#[utoipa::path(post, operation_id = "request_password_reset", path = paths::PASSWORD_RESET, tag = "session", request_body = RequestPasswordReset,
    responses(
        (status = 202, description = "The same answer whether or not the address has an account. With one, a 6-digit code (30 minutes, replacing any earlier one) goes to it; without, a notice that no account uses it"),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 3 per address, 5 per account, 10 per network address in 15 minutes; `Retry-After`. Nothing is sent", body = ErrorBody),
    ))]
pub async fn request(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<RequestPasswordReset>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    let account: Option<(String, String)> =
        sqlx::query_as("SELECT id, email FROM accounts WHERE email = ?")
            .bind(&body.email)
            .fetch_optional(&state.db)
            .await?;
    let [to, by_account, from] = ratelimit::reset_keys(
        account.as_ref().map(|a| a.0.as_str()),
        &body.email,
        client.ip,
    );
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
                "INSERT OR REPLACE INTO password_resets
                     (account_id, code_hash, expires_at, attempts, token_hash, token_expires_at)
                 VALUES (?, ?, ?, 0, NULL, NULL)",
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
                &state,
                Channel::Email,
                &email,
                "Your Hallpass password reset code",
                &text,
            )
            .await?;
        }
        None => {
            let nobody = crypto::id();
            sqlx::query("DELETE FROM password_resets WHERE account_id = ? AND code_hash = ?")
                .bind(&nobody)
                .bind(code_hash(&nobody, &code))
                .execute(&mut *tx)
                .await?;
            outbox::send(
                &mut tx,
                &state,
                Channel::Email,
                &body.email,
                "Someone asked to reset a Hallpass password",
                "Someone asked to reset the password of a Hallpass account with this address, \
                 but no account uses it. If it was you, you may have signed up with another \
                 address. If not, you can ignore this message.",
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(sqlx::FromRow)]
struct Pending {
    account_id: String,
    code_hash: Option<Vec<u8>>,
    expires_at: i64,
    attempts: i64,
    two_factor: bool,
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
    conn: &mut SqliteConnection,
    keys: &[&str],
    now: i64,
) -> Result<ApiError, ApiError> {
    for key in keys {
        ratelimit::fail(&mut *conn, key, now).await?;
    }
    Ok(invalid_code())
}

/// Check the code from the email; the answer is the token for the last step.
#[utoipa::path(post, operation_id = "verify_password_reset", path = paths::PASSWORD_RESET_VERIFY, tag = "session", request_body = VerifyPasswordReset,
    responses(
        (status = 200, description = "The code was right and is now spent; the token sets one new password within 15 minutes", body = PasswordResetToken),
        (status = 410, description = "`code_expired`: the code is older than 30 minutes", body = ErrorBody),
        (status = 422, description = "`invalid_code` (`fields.code`): wrong, already used, or no code was sent to this address; or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong tries spend the code (a new one can be asked for), and 10 wrong codes per address or 20 per network address in 15 minutes stop all tries; `Retry-After`", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<VerifyPasswordReset>,
) -> Result<Json<PasswordResetToken>, ApiError> {
    let now = state.clock.now();
    let [by_address, from] = ratelimit::reset_guess_keys(&body.email, client.ip);
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
    let pending: Option<Pending> = sqlx::query_as(
        "SELECT r.account_id, r.code_hash, r.expires_at, r.attempts,
                a.totp_secret IS NOT NULL AS two_factor
         FROM password_resets r JOIN accounts a ON a.id = r.account_id
         WHERE a.email = ?",
    )
    .bind(&body.email)
    .fetch_optional(&mut *tx)
    .await?;
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
    if *stored != code_hash(&pending.account_id, &body.code) {
        sqlx::query("UPDATE password_resets SET attempts = attempts + 1 WHERE account_id = ?")
            .bind(&pending.account_id)
            .execute(&mut *tx)
            .await?;
        let err = wrong_code(&mut tx, &keys, now).await?;
        tx.commit().await?;
        return Err(err);
    }
    let token = crypto::token();
    sqlx::query(
        "UPDATE password_resets SET code_hash = NULL, token_hash = ?, token_expires_at = ?
         WHERE account_id = ?",
    )
    .bind(crypto::sha256(&token))
    .bind(now + TOKEN_LIFETIME)
    .bind(&pending.account_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(PasswordResetToken {
        reset_token: token,
        two_factor_required: pending.two_factor,
    }))
}

#[derive(sqlx::FromRow)]
struct Ready {
    account_id: String,
    email: String,
    password_hash: String,
    totp_secret: Option<String>,
}

/// The account whose reset `token_hash` names, while its token is good.
async fn ready(
    conn: &mut SqliteConnection,
    token_hash: &[u8],
    now: i64,
) -> Result<Ready, ApiError> {
    let ready: Option<Ready> = sqlx::query_as(
        "SELECT a.id AS account_id, a.email, a.password_hash, a.totp_secret
         FROM password_resets r JOIN accounts a ON a.id = r.account_id
         WHERE r.token_hash = ? AND r.token_expires_at > ?",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    ready.ok_or_else(|| {
        ApiError::new(
            StatusCode::GONE,
            ErrorCode::CodeExpired,
            "This reset has expired or was already used. Ask for a new code.",
        )
    })
}

/// Set the new password. Every session of the account ends.
#[utoipa::path(post, operation_id = "complete_password_reset", path = paths::PASSWORD_RESET_COMPLETE, tag = "session", request_body = CompletePasswordReset,
    responses(
        (status = 204, description = "The password is changed and every session of the account has ended (their next request gets 401 `signed_out_remotely`). Nobody is signed in: sign in with the new password"),
        (status = 403, description = "With two-step verification on: `code_required` (`fields.code`) when neither `code` nor `recovery_code` was sent, `invalid_code` (`fields.code` or `fields.recovery_code`) for a wrong or used one. The token stays good", body = ErrorBody),
        (status = 410, description = "`code_expired`: the token is unknown, used, or older than 15 minutes", body = ErrorBody),
        (status = 422, description = "`weak_password` (advice in `fields.new_password`), `same_password` or `invalid_fields`. The token stays good", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: wrong two-step codes (counted with sign-in's)", body = ErrorBody),
        (status = 503, description = "`unavailable`: too many passwords being hashed; `Retry-After`", body = ErrorBody),
    ))]
pub async fn complete(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<CompletePasswordReset>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    let token_hash = crypto::sha256(&body.reset_token);
    let mut conn = state.db.acquire().await?;
    let account = ready(&mut conn, &token_hash, now).await?;
    let answer = Answer::from_fields(body.code.as_deref(), body.recovery_code.as_deref());
    if account.totp_secret.is_some() && answer.is_none() {
        return Err(ApiError::forbidden(
            ErrorCode::CodeRequired,
            "Two-step verification is on: enter a code from your authenticator app too.",
        )
        .with_field("code", "Enter the code from your authenticator app."));
    }
    // The rules of Change password: zxcvbn, knowing the words an attacker would try first.
    let mut known: Vec<String> = profiles::list_of(&mut conn, &account.account_id)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    drop(conn);
    known.extend(["hallpass".to_owned(), account.email.clone()]);
    known.extend(account.email.split(['@', '.']).map(str::to_owned));
    if let Some(advice) = strength::advice(body.new_password.clone(), known).await? {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::WeakPassword,
            "That password would be easy to guess.",
        )
        .with_field("new_password", advice));
    }
    let same = state
        .hasher
        .verify(body.new_password.clone(), account.password_hash.clone())
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
    let hash = state.hasher.hash(body.new_password).await?;

    let mut tx = db::write(&state.db).await?;
    // Again inside the write transaction: two completions at once, one wins.
    let account = ready(&mut tx, &token_hash, now).await?;
    if let (Some(_), Some(answer)) = (&account.totp_secret, &answer) {
        second_factor::check_limit(&mut tx, &account.account_id, now).await?;
        let accepted =
            second_factor::accept(&mut tx, &state, &client, &account.account_id, answer, now)
                .await?;
        if !accepted {
            tx.commit().await?;
            return Err(step_up::wrong_code(answer));
        }
    }
    sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(&account.account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM password_resets WHERE account_id = ?")
        .bind(&account.account_id)
        .execute(&mut *tx)
        .await?;
    // Every device, as "signed out from another device": the reason a password change that
    // signs out the others gives, naming the device the reset came from.
    let device = useragent::describe(&client.user_agent).name;
    sqlx::query(
        "UPDATE sessions SET ended_at = ?, end_reason = 'revoked', ended_by = ?
         WHERE account_id = ? AND ended_at IS NULL",
    )
    .bind(now)
    .bind(&device)
    .bind(&account.account_id)
    .execute(&mut *tx)
    .await?;
    // A sign-in half done with the old password must not finish with it.
    sqlx::query("DELETE FROM two_factor_challenges WHERE account_id = ?")
        .bind(&account.account_id)
        .execute(&mut *tx)
        .await?;
    // Whoever was locked out by wrong passwords has just proved the account is theirs.
    ratelimit::clear(
        &mut tx,
        &ratelimit::account_key(&account.email.to_lowercase()),
    )
    .await?;
    let actor = Actor::client(&state, &client, None);
    activity::record(
        &mut tx,
        &account.account_id,
        ActivityKind::PasswordReset,
        now,
        &actor,
    )
    .await?;
    outbox::send(
        &mut tx,
        &state,
        Channel::Email,
        &account.email,
        "Your Hallpass password was reset",
        &format!(
            "Your password was reset from {device}, and every device was signed out. If this \
             wasn't you, reset your password again now and turn on two-step verification."
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Account: membership, contact details, password, recovery, linked accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    Account, ActivityKind, ChangeEmail, ChangePhone, ChangeRecovery, ErrorBody, ErrorCode,
    LinkedAccount, Plan, TwoFactorStatus, VerifyCode, paths,
};
use sqlx::SqliteConnection;

use crate::activity::{self, Actor};
use crate::auth::{Manager, Session, SteppedUp};
use crate::clock::{MINUTE, timestamp};
use crate::extract::ApiPath;
use crate::outbox::{self, Channel};
use crate::{ApiError, ApiJson, AppState, crypto, db, ratelimit};

/// A verification code is good for this long.
pub const CODE_LIFETIME: i64 = 15 * MINUTE;
/// Wrong tries per code before a new one must be asked for.
pub const CODE_ATTEMPTS: i64 = 5;

#[derive(sqlx::FromRow)]
struct Row {
    email: String,
    email_verified: bool,
    phone: Option<String>,
    phone_verified: bool,
    recovery_email: Option<String>,
    recovery_phone: Option<String>,
    member_since: i64,
    plan_name: String,
    plan_price: String,
    plan_currency: String,
    plan_next_billing: i64,
    plan_streams: i64,
    two_factor: bool,
    recovery_codes_left: i64,
}

#[derive(sqlx::FromRow)]
struct LinkedRow {
    provider: String,
    display_name: String,
    linked_at: i64,
}

pub async fn load(conn: &mut SqliteConnection, account_id: &str) -> Result<Account, sqlx::Error> {
    let row: Row = sqlx::query_as(
        "SELECT email, email_verified, phone, phone_verified, recovery_email, recovery_phone,
                member_since, plan_name, plan_price, plan_currency, plan_next_billing, plan_streams,
                totp_secret IS NOT NULL AS two_factor,
                (SELECT COUNT(*) FROM recovery_codes r
                 WHERE r.account_id = accounts.id AND r.used_at IS NULL) AS recovery_codes_left
         FROM accounts WHERE id = ?",
    )
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await?;
    let linked: Vec<LinkedRow> = sqlx::query_as(
        "SELECT provider, display_name, linked_at FROM linked_accounts
         WHERE account_id = ? ORDER BY linked_at, provider",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Account {
        email: row.email,
        email_verified: row.email_verified,
        phone: row.phone,
        phone_verified: row.phone_verified,
        recovery_email: row.recovery_email,
        recovery_phone: row.recovery_phone,
        member_since: timestamp(row.member_since),
        plan: Plan {
            name: row.plan_name,
            price: row.plan_price,
            currency: row.plan_currency,
            next_billing_date: timestamp(row.plan_next_billing),
            streams: u32::try_from(row.plan_streams).unwrap_or(0),
        },
        two_factor: TwoFactorStatus {
            enabled: row.two_factor,
            recovery_codes_left: u32::try_from(row.recovery_codes_left).unwrap_or(0),
        },
        linked_accounts: linked
            .into_iter()
            .map(|l| LinkedAccount {
                provider: l.provider,
                display_name: l.display_name,
                linked_at: timestamp(l.linked_at),
            })
            .collect(),
    })
}

/// Membership, contact details, two-step status and linked accounts.
#[utoipa::path(get, operation_id = "get_account", path = paths::ACCOUNT, tag = "account",
    responses((status = 200, body = Account), (status = 401, body = ErrorBody),
              (status = 403, description = "`kids_profile`", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Manager(session): Manager,
) -> Result<Json<Account>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load(&mut conn, &session.account_id).await?))
}

#[derive(Clone, Copy)]
enum Contact {
    Email,
    Phone,
}

impl Contact {
    fn channel(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
}

async fn start_change(
    state: &AppState,
    session: &Session,
    contact: Contact,
    value: &str,
) -> Result<StatusCode, ApiError> {
    // Counted before anything is sent, and the same for a taken address as for a free one (the
    // answer must not tell them apart).
    let [by_account, to, from] =
        ratelimit::send_keys(&session.account_id, value, session.client.ip);
    ratelimit::spend(
        &state.db,
        &[
            (&by_account, ratelimit::SENDS_PER_ACCOUNT),
            (&to, ratelimit::SENDS_PER_DESTINATION),
            (&from, ratelimit::SENDS_PER_IP),
        ],
        session.now,
    )
    .await?;
    let code = crypto::six_digits();
    let mut tx = db::write(&state.db).await?;
    if let Contact::Email = contact {
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE email = ?")
            .bind(value)
            .fetch_one(&mut *tx)
            .await?;
        if taken > 0 {
            // The same answer as for a free address, so that this form can't be used to find
            // out who has an account; the address's owner hears of it instead of getting a code.
            sqlx::query("DELETE FROM pending_contacts WHERE account_id = ? AND channel = 'email'")
                .bind(&session.account_id)
                .execute(&mut *tx)
                .await?;
            outbox::send(
                &mut tx,
                state,
                Channel::Email,
                value,
                "Someone asked to use this address on Hallpass",
                "Someone asked to move a Hallpass account to this email address, but it \
                 already belongs to an account. Nothing was changed. If it was you, sign in \
                 with this address instead.",
            )
            .await?;
            tx.commit().await?;
            return Ok(StatusCode::ACCEPTED);
        }
    }
    sqlx::query(
        "INSERT OR REPLACE INTO pending_contacts (account_id, channel, value, code_hash, expires_at, attempts)
         VALUES (?, ?, ?, ?, ?, 0)",
    )
    .bind(&session.account_id)
    .bind(contact.channel())
    .bind(value)
    .bind(crypto::sha256(&code))
    .bind(session.now + CODE_LIFETIME)
    .execute(&mut *tx)
    .await?;
    let (channel, subject) = match contact {
        Contact::Email => (Channel::Email, "Confirm your new Hallpass email address"),
        Contact::Phone => (Channel::Sms, "Hallpass verification code"),
    };
    let body = format!("Your Hallpass verification code is {code}. It expires in 15 minutes.");
    outbox::send(&mut tx, state, channel, value, subject, &body).await?;
    tx.commit().await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(sqlx::FromRow)]
struct Pending {
    value: String,
    code_hash: Vec<u8>,
    expires_at: i64,
    attempts: i64,
}

async fn finish_change(
    state: &AppState,
    session: &Session,
    contact: Contact,
    code: &str,
) -> Result<Json<Account>, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let pending: Option<Pending> = sqlx::query_as(
        "SELECT value, code_hash, expires_at, attempts FROM pending_contacts
         WHERE account_id = ? AND channel = ?",
    )
    .bind(&session.account_id)
    .bind(contact.channel())
    .fetch_optional(&mut *tx)
    .await?;
    let invalid = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidCode,
            "That code is not right.",
        )
        .with_field(
            "code",
            "That code is not right. Check the latest message we sent.",
        )
    };
    let Some(pending) = pending else {
        return Err(invalid());
    };
    if session.now >= pending.expires_at {
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::CodeExpired,
            "That code has expired. Ask for a new one.",
        )
        .with_field("code", "That code has expired. Ask for a new one."));
    }
    if pending.attempts >= CODE_ATTEMPTS {
        return Err(ApiError::too_many_attempts(
            pending.expires_at - session.now,
        ));
    }
    if crypto::sha256(code) != pending.code_hash {
        sqlx::query("UPDATE pending_contacts SET attempts = attempts + 1 WHERE account_id = ? AND channel = ?")
            .bind(&session.account_id)
            .bind(contact.channel())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(invalid());
    }
    let (update, kind) = match contact {
        Contact::Email => (
            "UPDATE accounts SET email = ?, email_verified = 1 WHERE id = ?",
            ActivityKind::EmailChanged,
        ),
        Contact::Phone => (
            "UPDATE accounts SET phone = ?, phone_verified = 1 WHERE id = ?",
            ActivityKind::PhoneChanged,
        ),
    };
    let updated = sqlx::query(update)
        .bind(&pending.value)
        .bind(&session.account_id)
        .execute(&mut *tx)
        .await;
    if let Err(sqlx::Error::Database(err)) = &updated
        && err.is_unique_violation()
    {
        return Err(ApiError::invalid_fields(
            [(
                "email".to_owned(),
                "Another account uses that email address.".to_owned(),
            )]
            .into(),
        ));
    }
    updated?;
    sqlx::query("DELETE FROM pending_contacts WHERE account_id = ? AND channel = ?")
        .bind(&session.account_id)
        .bind(contact.channel())
        .execute(&mut *tx)
        .await?;
    let actor = Actor::session(state, session);
    activity::record(&mut tx, &session.account_id, kind, session.now, &actor).await?;
    if let Contact::Email = contact {
        // The old address hears of it too: if this wasn't its owner, they learn in time.
        outbox::send(
            &mut tx,
            state,
            Channel::Email,
            &session.email,
            "Your Hallpass email address was changed",
            &format!("Your account's email address is now {}.", pending.value),
        )
        .await?;
    }
    let account = load(&mut tx, &session.account_id).await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Start changing the email address: a 6-digit code goes to the new one.
#[utoipa::path(put, operation_id = "change_email", path = paths::ACCOUNT_EMAIL, tag = "account", request_body = ChangeEmail,
    responses(
        (status = 202, description = "A code was sent to the new address"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 codes per account, 3 messages per destination, 8 per network address in 15 minutes; `Retry-After`", body = ErrorBody),
    ))]
pub async fn change_email(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<ChangeEmail>,
) -> Result<StatusCode, ApiError> {
    start_change(&state, &session, Contact::Email, body.email.trim()).await
}

/// Confirm the new email address with its code.
#[utoipa::path(post, operation_id = "verify_email", path = paths::ACCOUNT_EMAIL_VERIFY, tag = "account", request_body = VerifyCode,
    responses(
        (status = 200, body = Account),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 410, description = "`code_expired`", body = ErrorBody),
        (status = 422, description = "`invalid_code` or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong codes", body = ErrorBody),
    ))]
pub async fn verify_email(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<VerifyCode>,
) -> Result<Json<Account>, ApiError> {
    finish_change(&state, &session, Contact::Email, &body.code).await
}

/// Start changing the phone number (E.164): a 6-digit code goes to it by SMS.
#[utoipa::path(put, operation_id = "change_phone", path = paths::ACCOUNT_PHONE, tag = "account", request_body = ChangePhone,
    responses(
        (status = 202, description = "A code was sent to the new number"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 codes per account, 3 messages per destination, 8 per network address in 15 minutes; `Retry-After`", body = ErrorBody),
    ))]
pub async fn change_phone(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<ChangePhone>,
) -> Result<StatusCode, ApiError> {
    start_change(&state, &session, Contact::Phone, &body.phone).await
}

/// Confirm the new phone number with its code.
#[utoipa::path(post, operation_id = "verify_phone", path = paths::ACCOUNT_PHONE_VERIFY, tag = "account", request_body = VerifyCode,
    responses(
        (status = 200, body = Account),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 410, description = "`code_expired`", body = ErrorBody),
        (status = 422, description = "`invalid_code` or `invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong codes", body = ErrorBody),
    ))]
pub async fn verify_phone(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<VerifyCode>,
) -> Result<Json<Account>, ApiError> {
    finish_change(&state, &session, Contact::Phone, &body.code).await
}

/// Set or clear the recovery email and phone (an empty string clears one).
#[utoipa::path(put, operation_id = "change_recovery", path = paths::ACCOUNT_RECOVERY, tag = "account", request_body = ChangeRecovery,
    responses(
        (status = 200, body = Account),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
    ))]
pub async fn change_recovery(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiJson(body): ApiJson<ChangeRecovery>,
) -> Result<Json<Account>, ApiError> {
    let mut tx = db::write(&state.db).await?;
    for (column, value) in [
        ("recovery_email", &body.recovery_email),
        ("recovery_phone", &body.recovery_phone),
    ] {
        if let Some(value) = value {
            let value = Some(value.trim()).filter(|v| !v.is_empty());
            sqlx::query(&format!("UPDATE accounts SET {column} = ? WHERE id = ?"))
                .bind(value)
                .bind(&session.account_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let account = load(&mut tx, &session.account_id).await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Unlink a sign-in provider.
#[utoipa::path(delete, operation_id = "unlink_account", path = paths::LINKED_ACCOUNT, tag = "account",
    params(("provider" = String, Path, description = "Provider, as in `linked_accounts`")),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`reauthentication_required` or `kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`: not linked", body = ErrorBody),
    ))]
pub async fn unlink(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiPath(provider): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let removed = sqlx::query("DELETE FROM linked_accounts WHERE account_id = ? AND provider = ?")
        .bind(&session.account_id)
        .bind(&provider)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "That account is not linked.",
        ));
    }
    let actor = Actor::session(&state, &session);
    activity::record(
        &mut tx,
        &session.account_id,
        ActivityKind::LinkedAccountRemoved,
        session.now,
        &actor,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

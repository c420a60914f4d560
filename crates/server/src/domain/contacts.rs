//! A new email address or phone number waiting for its 6-digit code: the only module that
//! reads or writes `pending_contacts`.

use axum::http::StatusCode;
use hallpass_api::{Account, ActivityKind, ErrorCode};

use super::accounts;
use super::activity::{self, Actor};
use super::outbox::{self, Channel};
use super::ratelimit;
use super::sessions::Session;
use crate::clock::MINUTE;
use crate::{ApiError, AppState, crypto, db};

/// A verification code is good for this long.
pub const CODE_LIFETIME: i64 = 15 * MINUTE;
/// Wrong tries per code before a new one must be asked for.
pub const CODE_ATTEMPTS: i64 = 5;

/// Which contact detail a code confirms; `pending_contacts.channel` holds
/// [`Contact::as_str`] (its `CHECK` these words only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contact {
    Email,
    Phone,
}

impl Contact {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
}

/// Sends a code to a new email address or phone number (stepped up).
pub async fn start_change(
    state: &AppState,
    session: &Session,
    contact: Contact,
    value: &str,
) -> Result<(), ApiError> {
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
    if contact == Contact::Email && accounts::email_taken(&mut tx, value).await? {
        // The same answer as for a free address, so that this form can't be used to find
        // out who has an account; the address's owner hears of it instead of getting a code.
        sqlx::query("DELETE FROM pending_contacts WHERE account_id = $1 AND channel = $2")
            .bind(&session.account_id)
            .bind(Contact::Email.as_str())
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
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO pending_contacts (account_id, channel, value, code_hash, expires_at, attempts)
         VALUES ($1, $2, $3, $4, $5, 0)
         ON CONFLICT (account_id, channel) DO UPDATE SET value = excluded.value,
             code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0",
    )
    .bind(&session.account_id)
    .bind(contact.as_str())
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
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Pending {
    value: String,
    code_hash: Vec<u8>,
    expires_at: i64,
    attempts: i64,
}

/// Confirms the new address or number with its code.
pub async fn finish_change(
    state: &AppState,
    session: &Session,
    contact: Contact,
    code: &str,
) -> Result<Account, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let pending: Option<Pending> = sqlx::query_as(
        "SELECT value, code_hash, expires_at, attempts FROM pending_contacts
         WHERE account_id = $1 AND channel = $2",
    )
    .bind(&session.account_id)
    .bind(contact.as_str())
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
        sqlx::query("UPDATE pending_contacts SET attempts = attempts + 1 WHERE account_id = $1 AND channel = $2")
            .bind(&session.account_id)
            .bind(contact.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(invalid());
    }
    let kind = match contact {
        Contact::Email => ActivityKind::EmailChanged,
        Contact::Phone => ActivityKind::PhoneChanged,
    };
    let updated =
        accounts::set_contact(&mut tx, &session.account_id, contact, &pending.value).await;
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
    sqlx::query("DELETE FROM pending_contacts WHERE account_id = $1 AND channel = $2")
        .bind(&session.account_id)
        .bind(contact.as_str())
        .execute(&mut *tx)
        .await?;
    let actor = Actor::session(&state.geo, session);
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
    let account = accounts::load(&mut tx, &session.account_id).await?;
    tx.commit().await?;
    Ok(account)
}

/// Drops codes past their time.
pub async fn purge(conn: &mut sqlx::AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM pending_contacts WHERE expires_at < $1")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

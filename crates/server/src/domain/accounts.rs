//! Accounts and their credentials: the only module that reads or writes `accounts` (the
//! email address, password hash, contact details, plan, two-step secret) and
//! `linked_accounts`. The rules that use them live beside it (`credentials`, `contacts`,
//! `two_factor`); they come here for every row.

use axum::http::StatusCode;
use hallpass_api::{Account, ActivityKind, ErrorCode, LinkedAccount, Plan, TwoFactorStatus};
use sqlx::AnyConnection;

use super::activity::{self, Actor};
use super::contacts::Contact;
use super::sessions::Session;
use super::{profiles, recovery_codes};
use crate::clock::{DAY, timestamp};
use crate::{ApiError, AppState, crypto, db};

#[derive(sqlx::FromRow)]
struct Row {
    email: String,
    #[sqlx(try_from = "crate::db::Flag")]
    email_verified: bool,
    phone: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    phone_verified: bool,
    recovery_email: Option<String>,
    recovery_phone: Option<String>,
    member_since: i64,
    plan_name: String,
    plan_price: String,
    plan_currency: String,
    plan_next_billing: i64,
    plan_streams: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    two_factor: bool,
}

#[derive(sqlx::FromRow)]
struct LinkedRow {
    provider: String,
    display_name: String,
    linked_at: i64,
}

/// The account as `GET /api/account` shows it.
pub async fn load(conn: &mut AnyConnection, account_id: &str) -> Result<Account, sqlx::Error> {
    let row: Row = sqlx::query_as(
        "SELECT email, email_verified, phone, phone_verified, recovery_email, recovery_phone,
                member_since, plan_name, plan_price, plan_currency, plan_next_billing, plan_streams,
                totp_secret IS NOT NULL AS two_factor
         FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await?;
    let recovery_codes_left = recovery_codes::left(&mut *conn, account_id).await?;
    let linked: Vec<LinkedRow> = sqlx::query_as(
        "SELECT provider, display_name, linked_at FROM linked_accounts
         WHERE account_id = $1 ORDER BY linked_at, provider",
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
            recovery_codes_left: u32::try_from(recovery_codes_left).unwrap_or(0),
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

pub async fn get(state: &AppState, account_id: &str) -> Result<Account, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(load(&mut conn, account_id).await?)
}

/// What a password check needs of the account with an email address.
#[derive(sqlx::FromRow)]
pub struct Credentials {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
}

pub async fn credentials_by_email(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, password_hash, totp_secret FROM accounts WHERE lower(email) = $1",
    )
    .bind(folded(email))
    .fetch_optional(conn)
    .await
}

pub async fn credentials(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Credentials, sqlx::Error> {
    sqlx::query_as("SELECT id, email, password_hash, totp_secret FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(conn)
        .await
}

/// `email` as `lower(email)` is on both backends, compared with it: ASCII letters folded, the
/// rest as it is (SQLite's `lower()` and its NOCASE; PostgreSQL's `lower()` under the column's
/// collation "C"). Folded here rather than by `lower($1)` in SQL, because on PostgreSQL a
/// parameter's `lower()` would follow the database's locale, which may fold "É" too.
fn folded(email: &str) -> String {
    email.to_ascii_lowercase()
}

/// Whether an account uses `email` (in any case).
pub async fn email_taken(conn: &mut AnyConnection, email: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE lower(email) = $1")
        .bind(folded(email))
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn id_by_email(state: &AppState, email: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE lower(email) = $1")
        .bind(folded(email))
        .fetch_optional(&state.db)
        .await
}

pub async fn set_password_hash(
    conn: &mut AnyConnection,
    account_id: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the verified email address or phone number; a unique violation (the address is
/// another account's) is the caller's to answer.
pub async fn set_contact(
    conn: &mut AnyConnection,
    account_id: &str,
    contact: Contact,
    value: &str,
) -> Result<(), sqlx::Error> {
    let update = match contact {
        Contact::Email => "UPDATE accounts SET email = $1, email_verified = 1 WHERE id = $2",
        Contact::Phone => "UPDATE accounts SET phone = $1, phone_verified = 1 WHERE id = $2",
    };
    sqlx::query(update)
        .bind(value)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets or clears (an empty string) the recovery email and phone; `None` leaves one as is.
pub async fn change_recovery(
    state: &AppState,
    account_id: &str,
    recovery_email: Option<&str>,
    recovery_phone: Option<&str>,
) -> Result<Account, ApiError> {
    let mut tx = db::write(&state.db).await?;
    if let Some(value) = recovery_email {
        let value = Some(value.trim()).filter(|v| !v.is_empty());
        sqlx::query("UPDATE accounts SET recovery_email = $1 WHERE id = $2")
            .bind(value)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(value) = recovery_phone {
        let value = Some(value.trim()).filter(|v| !v.is_empty());
        sqlx::query("UPDATE accounts SET recovery_phone = $1 WHERE id = $2")
            .bind(value)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
    }
    let account = load(&mut tx, account_id).await?;
    tx.commit().await?;
    Ok(account)
}

/// Unlinks a sign-in provider (404 if it is not linked).
pub async fn unlink(state: &AppState, session: &Session, provider: &str) -> Result<(), ApiError> {
    let mut tx = db::write(&state.db).await?;
    let removed =
        sqlx::query("DELETE FROM linked_accounts WHERE account_id = $1 AND provider = $2")
            .bind(&session.account_id)
            .bind(provider)
            .execute(&mut *tx)
            .await?;
    if removed.rows_affected() == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "That account is not linked.",
        ));
    }
    let actor = Actor::session(&state.geo, session);
    let kind = ActivityKind::LinkedAccountRemoved;
    activity::record(&mut tx, &session.account_id, kind, session.now, &actor).await?;
    tx.commit().await?;
    Ok(())
}

/// Links a provider. The API has no route for it (a provider's sign-in flow would): the demo
/// data uses it.
pub async fn link(
    state: &AppState,
    account_id: &str,
    provider: &str,
    display_name: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO linked_accounts (account_id, provider, display_name, linked_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id)
    .bind(provider)
    .bind(display_name)
    .bind(at)
    .execute(&state.db)
    .await?;
    Ok(())
}

/// A plan as an account is created with it: name, monthly price, streams.
pub struct NewPlan<'a> {
    pub name: &'a str,
    pub price: &'a str,
    pub streams: u32,
    pub member_for_days: i64,
    pub next_billing: i64,
}

/// The one way accounts come into being (the API has no sign-up): the account, its plan and
/// its first profile.
pub async fn create(
    state: &AppState,
    email: &str,
    password: &str,
    plan: NewPlan<'_>,
    first_profile: &str,
) -> Result<String, ApiError> {
    let now = state.clock.now();
    let id = crypto::id();
    let hash = state.hasher.hash(password.to_owned()).await?;
    let mut tx = db::write(&state.db).await?;
    sqlx::query(
        "INSERT INTO accounts (id, email, email_verified, password_hash, member_since, plan_name,
             plan_price, plan_currency, plan_next_billing, plan_streams)
         VALUES ($1, $2, 1, $3, $4, $5, $6, 'USD', $7, $8)",
    )
    .bind(&id)
    .bind(email)
    .bind(hash)
    .bind(now - plan.member_for_days * DAY)
    .bind(plan.name)
    .bind(plan.price)
    .bind(plan.next_billing)
    .bind(i64::from(plan.streams))
    .execute(&mut *tx)
    .await?;
    let rating = hallpass_api::MaturityRating::Eighteen;
    profiles::insert(&mut tx, &id, first_profile, "sunrise", rating).await?;
    tx.commit().await?;
    Ok(id)
}

/// The two-step columns: the secret (once on), the one being set up, the last step used.
#[derive(sqlx::FromRow)]
pub struct Totp {
    pub email: String,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

pub async fn totp(conn: &mut AnyConnection, account_id: &str) -> Result<Totp, sqlx::Error> {
    sqlx::query_as(
        "SELECT email, totp_secret, totp_pending_secret, totp_last_step FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await
}

/// Records the 30-second step whose code was accepted: no code is accepted twice.
pub async fn set_totp_last_step(
    conn: &mut AnyConnection,
    account_id: &str,
    step: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET totp_last_step = $1 WHERE id = $2")
        .bind(step)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_totp_pending(
    state: &AppState,
    account_id: &str,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET totp_pending_secret = $1 WHERE id = $2")
        .bind(secret)
        .bind(account_id)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// The pending secret becomes the secret, with `step` as its last used step.
pub async fn turn_totp_on(
    conn: &mut AnyConnection,
    account_id: &str,
    step: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
             totp_last_step = $1 WHERE id = $2",
    )
    .bind(step)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Clears every two-step column; whether two-step verification was on.
pub async fn turn_totp_off(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<bool, sqlx::Error> {
    let was_on = sqlx::query(
        "UPDATE accounts SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL
         WHERE id = $1 AND totp_secret IS NOT NULL",
    )
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(was_on.rows_affected() == 1)
}

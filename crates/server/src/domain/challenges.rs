//! Two-step sign-in challenges: the only module that reads or writes
//! `two_factor_challenges`. A right password on an account with two-step verification gets a
//! challenge, which a code must answer within [`CHALLENGE_LIFETIME`].

use sqlx::AnyConnection;

use super::device::Seen;
use crate::clock::MINUTE;
use crate::crypto;

/// A two-step challenge must be answered within this time.
pub const CHALLENGE_LIFETIME: i64 = 5 * MINUTE;
/// Wrong codes per challenge before it is spent.
pub const CHALLENGE_ATTEMPTS: i64 = 5;

/// A new challenge for `account_id`; returns its token (kept only as SHA-256).
pub async fn create(
    conn: &mut AnyConnection,
    account_id: &str,
    seen: &Seen,
    now: i64,
) -> Result<String, sqlx::Error> {
    let challenge = crypto::token();
    sqlx::query(
        "INSERT INTO two_factor_challenges (token_hash, account_id, created_at, user_agent, ip)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(crypto::sha256(&challenge))
    .bind(account_id)
    .bind(now)
    .bind(&seen.user_agent)
    .bind(seen.ip_text())
    .execute(conn)
    .await?;
    Ok(challenge)
}

#[derive(sqlx::FromRow)]
pub struct Challenge {
    pub account_id: String,
    pub created_at: i64,
    pub attempts: i64,
}

pub async fn find(conn: &mut AnyConnection, hash: &[u8]) -> Result<Option<Challenge>, sqlx::Error> {
    sqlx::query_as(
        "SELECT account_id, created_at, attempts FROM two_factor_challenges WHERE token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await
}

/// Counts a wrong code against the challenge.
pub async fn count_wrong(conn: &mut AnyConnection, hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE two_factor_challenges SET attempts = attempts + 1 WHERE token_hash = $1")
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM two_factor_challenges WHERE token_hash = $1")
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops every challenge of the account: a sign-in half done must not finish.
pub async fn delete_all(conn: &mut AnyConnection, account_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM two_factor_challenges WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops challenges past their time.
pub async fn purge(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM two_factor_challenges WHERE created_at < $1")
        .bind(now - CHALLENGE_LIFETIME)
        .execute(conn)
        .await?;
    Ok(())
}

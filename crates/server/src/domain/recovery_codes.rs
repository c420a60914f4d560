//! Recovery codes of two-step verification: the only module that reads or writes
//! `recovery_codes`. Stored as SHA-256 only; each is spent once used.

use sqlx::AnyConnection;

use crate::crypto;

pub const RECOVERY_CODES: usize = 10;

/// Replaces the account's recovery codes with ten new ones and returns them (shown once).
pub async fn replace(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    delete_all(&mut *conn, account_id).await?;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| crypto::recovery_code())
        .collect();
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(crypto::sha256(code))
            .execute(&mut *conn)
            .await?;
    }
    Ok(codes)
}

pub async fn delete_all(conn: &mut AnyConnection, account_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks an unused recovery code of the account as used; `false` if there is none such.
pub async fn spend(
    conn: &mut AnyConnection,
    account_id: &str,
    code: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let hash = crypto::sha256(&crypto::normalise_recovery_code(code));
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
         WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(used.rows_affected() == 1)
}

/// How many unused codes the account has.
pub async fn left(conn: &mut AnyConnection, account_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await
}

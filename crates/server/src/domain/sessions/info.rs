//! What a session says of itself (`SessionInfo`), and the profile it watches as.

use hallpass_api::{AccountRef, SessionInfo, SessionMeta};
use sqlx::AnyConnection;

use super::expires_at;
use crate::clock::timestamp;
use crate::domain::profiles;
use crate::{ApiError, AppState};

/// The other sessions still going that watch as the profile `profile_id`.
pub async fn watching(
    conn: &mut AnyConnection,
    profile_id: &str,
    except: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM sessions WHERE profile_id = $1 AND id != $2 AND ended_at IS NULL",
    )
    .bind(profile_id)
    .bind(except)
    .fetch_all(conn)
    .await
}

/// Makes `profile_id` the session's profile.
pub async fn choose_profile(
    conn: &mut AnyConnection,
    session_id: &str,
    profile_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET profile_id = $1 WHERE id = $2")
        .bind(profile_id)
        .bind(session_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct InfoRow {
    account_id: String,
    email: String,
    profile_id: Option<String>,
    signed_in_at: i64,
    last_active_at: i64,
    reauthenticated_until: Option<i64>,
}

/// `SessionInfo` for the session `session_id`.
pub async fn info(state: &AppState, session_id: &str, now: i64) -> Result<SessionInfo, ApiError> {
    let mut conn = state.db.acquire().await?;
    let row: InfoRow = sqlx::query_as(
        "SELECT s.account_id, a.email, s.profile_id, s.signed_in_at, s.last_active_at,
                s.reauthenticated_until
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *conn)
    .await?;
    let profile = match &row.profile_id {
        Some(id) => profiles::load(&mut conn, &row.account_id, id).await?,
        None => None,
    };
    Ok(SessionInfo {
        account: AccountRef {
            id: row.account_id,
            email: row.email,
        },
        session: SessionMeta {
            id: session_id.to_owned(),
            signed_in_at: timestamp(row.signed_in_at),
            expires_at: timestamp(expires_at(row.signed_in_at, row.last_active_at)),
            recently_authenticated_until: row
                .reauthenticated_until
                .filter(|until| *until > now)
                .map(timestamp),
        },
        profile,
    })
}

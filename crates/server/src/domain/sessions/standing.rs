//! Where a session stands, for a live stream that asks again after a hint: the same
//! outcomes as [`super::find`]'s 401s, read by the session's id (its token may have rotated
//! since the stream opened), and without touching or ending the row.

use sqlx::AnyPool;

use super::{EndReason, expires_at};

pub enum Standing {
    /// Still going; it ends by time at this instant unless it is used before.
    Active { expires_at: i64 },
    /// Signed out by itself, replaced by a new sign-in in the same browser, or gone.
    EndedHere,
    /// Signed out by the device named `by`, at `at`.
    EndedRemotely { by: String, at: i64 },
    /// Ran out at `at`.
    Expired { at: i64 },
}

#[derive(sqlx::FromRow)]
struct Row {
    signed_in_at: i64,
    last_active_at: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    ended_by: Option<String>,
}

pub async fn standing(db: &AnyPool, id: &str, now: i64) -> Result<Standing, crate::ApiError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT signed_in_at, last_active_at, ended_at, end_reason, ended_by
         FROM sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(Standing::EndedHere);
    };
    let ends = expires_at(row.signed_in_at, row.last_active_at);
    Ok(match row.ended_at {
        Some(at) => match row
            .end_reason
            .as_deref()
            .map(EndReason::parse)
            .transpose()?
        {
            Some(EndReason::Revoked) => Standing::EndedRemotely {
                by: row.ended_by.unwrap_or_default(),
                at,
            },
            Some(EndReason::Expired) => Standing::Expired { at },
            Some(EndReason::SignedOut) | None => Standing::EndedHere,
        },
        None if now >= ends => Standing::Expired { at: ends },
        None => Standing::Active { expires_at: ends },
    })
}

//! `--demo`'s clock offset (`POST /api/dev/clock`), kept in the database so that every
//! instance on it agrees on "now": an expiry that one instance sees after the clock moved
//! must be seen by the next instance the browser reaches too.

use sqlx::AnyPool;

use crate::db;

/// Moves the shared clock forward by `seconds`; returns the offset it has now.
pub async fn advance(pool: &AnyPool, seconds: i64) -> Result<i64, sqlx::Error> {
    let mut tx = db::write(pool).await?;
    let offset: i64 = sqlx::query_scalar(
        "INSERT INTO dev_clock (id, offset_seconds) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET offset_seconds = dev_clock.offset_seconds + excluded.offset_seconds
         RETURNING offset_seconds",
    )
    .bind(seconds)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(offset)
}

/// The shared offset: 0 until the clock first moved.
pub async fn offset(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let offset: Option<i64> =
        sqlx::query_scalar("SELECT offset_seconds FROM dev_clock WHERE id = 1")
            .fetch_optional(pool)
            .await?;
    Ok(offset.unwrap_or(0))
}

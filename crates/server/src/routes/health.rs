use axum::Json;
use axum::extract::State;
use hallpass_api::{ErrorBody, Health, HealthStatus, paths};

use crate::{ApiError, AppState, db};

/// "ok" only when the database takes writes too, so a monitor that sees "ok" knows the server
/// can actually serve accounts. How it knows: an SQLite file's file system has at least
/// `db::MIN_FREE_BYTES` free, and (either backend) a write transaction on a one-row table
/// commits. A lost PostgreSQL fails the second within the pool's 2-second acquire timeout.
#[utoipa::path(get, operation_id = "health", path = paths::HEALTH, tag = "health",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "`unavailable`: the database can't take writes (its disk is full, the file is read-only or failing, or PostgreSQL is unreachable); `Retry-After`", body = ErrorBody),
    ))]
pub async fn get(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if let Err(cause) = db::check_writable(&state.db, &state.database, state.clock.now()).await {
        tracing::error!(%cause, "health: the database can't take writes");
        return Err(ApiError::unavailable(
            5,
            "The database can't take writes right now.",
        ));
    }
    Ok(Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

use axum::Json;
use axum::extract::State;
use hallpass_api::{Health, HealthStatus};

use crate::{ApiError, AppState};

/// `GET /api/health`: "ok" only when the database answers too, so a monitor that sees "ok"
/// knows the server can actually serve accounts.
pub async fn get(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    sqlx::query("SELECT 1")
        .execute(&state.db)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

use axum::Json;
use axum::extract::State;
use hallpass_api::{ErrorBody, Health, HealthStatus, paths};

use crate::{ApiError, AppState};

/// "ok" only when the database answers too, so a monitor that sees "ok" knows the server can
/// actually serve accounts.
#[utoipa::path(get, path = paths::HEALTH, tag = "health",
    responses((status = 200, body = Health), (status = 500, description = "`internal_error`", body = ErrorBody)))]
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

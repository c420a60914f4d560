//! Development-only routes, mounted with `--demo` alone.

use axum::Json;
use axum::extract::State;
use hallpass_api::OutboxMessage;

use crate::{ApiError, AppState, outbox};

/// `GET /api/dev/outbox`: what the server "sent", newest first, so a person or a test can read
/// verification codes. Not in the OpenAPI document: it is not part of the product.
pub async fn outbox(State(state): State<AppState>) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    Ok(Json(outbox::list(&state).await?))
}

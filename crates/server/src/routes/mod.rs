//! The JSON API. Each area of `shared/API.md` gets a module with its handlers.

mod health;

use axum::Router;
use axum::routing::{any, get};
use hallpass_api::paths;

use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HEALTH, get(health::get))
        // Unknown API paths answer in JSON, never with the app's index.html.
        .route(paths::PREFIX, any(not_found))
        .route(&format!("{}/", paths::PREFIX), any(not_found))
        .route(&format!("{}/{{*rest}}", paths::PREFIX), any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

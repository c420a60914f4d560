//! Development-only routes, mounted with `--demo` alone. None of them is in the OpenAPI
//! document: they are not part of the product.

use axum::Json;
use axum::extract::Request;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use hallpass_api::{FieldErrors, OutboxMessage, Validate};
use serde::Deserialize;

use crate::clock::DAY;
use crate::domain::{dev_clock, outbox};
use crate::{ApiError, ApiJson, AppState};

/// `POST` here moves the server's clock forward (`--demo` only).
pub const CLOCK: &str = "/api/dev/clock";

/// The furthest one call may move the clock: more than any expiry rule (400 days absolute).
const MAX_ADVANCE: i64 = 1000 * DAY;

/// `GET /api/dev/outbox`: what the server "sent", newest first, so a person or a test can read
/// verification codes.
pub async fn outbox(State(state): State<AppState>) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    Ok(Json(outbox::list(&state).await?))
}

/// `GET /api/dev/streams`: `{"open": n}`, the `GET /api/events` streams this instance holds,
/// so a test can check that a browser's tabs share one.
pub async fn streams(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "open": state.events.open() }))
}

/// The body of `POST /api/dev/clock`. Defined here rather than in `hallpass-api`: the app
/// never sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    pub advance_seconds: i64,
}

impl Validate for AdvanceClock {
    fn validate(&self) -> Result<(), FieldErrors> {
        if (0..=MAX_ADVANCE).contains(&self.advance_seconds) {
            return Ok(());
        }
        let mut fields = FieldErrors::new();
        fields.insert(
            "advance_seconds".to_owned(),
            format!("Move the clock forward by 0 to {MAX_ADVANCE} seconds."),
        );
        Err(fields)
    }
}

/// `POST /api/dev/clock {"advance_seconds": n}` → 204: moves the server's clock forward, so
/// end-to-end tests can make step-up windows, codes and sessions lapse without waiting.
/// Nothing runs at the new time until a request (or the hourly purge) looks at the clock.
/// The offset is kept in the database, so every instance on it moves (see [`shared_clock`]).
pub async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AdvanceClock>,
) -> Result<StatusCode, ApiError> {
    let offset = dev_clock::advance(&state.db, body.advance_seconds).await?;
    state.clock.set_shared(offset);
    // Sessions may have run out at the new time: this instance's streams look now rather
    // than at their next keep-alive.
    state.events.resync_all();
    tracing::info!(
        seconds = body.advance_seconds,
        offset,
        "dev: the clock moved forward"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// With `--demo`, before every API request: this instance's clock takes the offset another
/// instance may have moved. A query per request, which a demo can afford.
pub async fn shared_clock(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    state.clock.set_shared(dev_clock::offset(&state.db).await?);
    Ok(next.run(request).await)
}

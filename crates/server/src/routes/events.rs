//! Live events: the open page's Server-Sent Events stream.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::sse::Sse;
use axum::response::{IntoResponse, Response};
use hallpass_api::events::{DevicesChanged, NewSignIn, SessionEnded};
use hallpass_api::{ErrorBody, paths};

use crate::AppState;
use crate::domain::sessions::Session;

/// The `data:` of an event: one of these, as its `event:` name says.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only a schema: the stream writes each type itself.
enum LiveEvent {
    SessionEnded(SessionEnded),
    DevicesChanged(DevicesChanged),
    NewSignIn(NewSignIn),
}

/// What happens elsewhere to this session and its account, as it happens: `session_ended`
/// (then the stream ends), `devices_changed`, `new_sign_in`, each a JSON `data:` line, and a
/// `: keep-alive` comment every 15 seconds. Any profile, kids too.
#[utoipa::path(get, operation_id = "events", path = paths::EVENTS, tag = "session",
    responses(
        (status = 200, description = "A stream of Server-Sent Events, uncompressed, \
            `Cache-Control: no-store`, `X-Accel-Buffering: no`; each event's `data:` is the \
            schema its `event:` names", content_type = "text/event-stream", body = LiveEvent),
        (status = 401, description = "`not_signed_in`, `signed_out_remotely` or \
            `session_expired`: no session to stream, so a browser stops reconnecting", body = ErrorBody),
    ))]
pub async fn stream(State(state): State<AppState>, session: Session) -> Response {
    let events = crate::events::open(state, session);
    (
        // Replaces the `no-cache` of axum's `Sse`: API answers are never stored.
        [(CACHE_CONTROL, "no-store"), (X_ACCEL_BUFFERING, "no")],
        Sse::new(events),
    )
        .into_response()
}

/// nginx's switch for passing a response on as it arrives instead of buffering it.
const X_ACCEL_BUFFERING: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-accel-buffering");

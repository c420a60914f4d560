//! The Hallpass reference backend: the JSON API of `docs/API.md` under `/api/`, and the
//! built single-page app from `dist/` for every other path.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests drive exactly what `main`
//! serves, without a socket.

mod auth;
mod cli;
mod client;
mod clock;
mod crypto;
mod db;
pub mod demo;
mod domain;
mod error;
mod events;
mod extract;
mod geo;
pub mod hashing;
#[cfg(test)]
mod layering;
mod names;
mod request_id;
mod routes;
mod security;
mod serve;
mod state;
mod strength;
mod timeout;
mod totp;
mod useragent;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, TraceLayer};

pub use cli::Cli;
pub use client::{ProxyRange, TrustedProxies};
pub use clock::Clock;
pub use db::Database;
pub use error::ApiError;
/// The `application_name` of each instance's PostgreSQL `LISTEN` connection.
pub use events::listener::APPLICATION_NAME as EVENTS_LISTENER_NAME;
pub use extract::ApiJson;
pub use geo::Geo;
pub use routes::openapi;
pub use serve::{ServeOptions, run, self_signed_tls, serve};
pub use state::AppState;
pub use web::{FileSends, WebApp};

/// Request bodies larger than this are refused with 413 `body_too_large` (docs/API.md).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole HTTP surface: API routes, the app's files, and the layers every response passes.
pub fn app(state: AppState) -> Router {
    let mut api = routes::router(state.demo);
    if state.demo {
        // The dev clock another instance moved counts here from the next request on.
        api = api.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::shared_clock,
        ));
    }
    // Inside the timeout: a request cut off there never answered 2xx, so its notices stay
    // unsent, as its transaction stays uncommitted.
    api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        events::pending::publish_after_success,
    ));
    api.layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .fallback_service(web::service(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::same_origin,
        ))
        // Inside the request-id and header layers, so its 503 is like every other answer.
        .layer(axum::middleware::from_fn_with_state(
            state.request_timeout,
            timeout::api_requests,
        ))
        // A panic in a handler becomes a JSON 500 for that request, not a dead server.
        .layer(CatchPanicLayer::custom(error::panic_response))
        // Outside the panic layer, so a 500 from a panic carries the headers too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        // Brotli or gzip, as the request's Accept-Encoding prefers: 1,000 devices are 317 KB
        // of JSON. The default predicate leaves out bodies under 32 bytes, images and
        // `text/event-stream` (a stream must reach the browser as it is written), and a
        // response that already has a Content-Encoding (the precompressed files of `dist/`).
        // Brotli runs at quality 4, tower-http's default for answers made on the fly.
        // Compressing secrets beside reflected input (BREACH) needs a cross-site request
        // that carries the cookie, and the session cookie is SameSite=Strict.
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(request_id::scope))
        // A 5xx is logged at WARN here: a 500 has already been logged at ERROR with its cause
        // (`ApiError::internal`), and a 503 is the server saying it is busy (a full pool, a
        // timeout), which is load, not a fault.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Logs go to stderr; `RUST_LOG` overrides the default level. h2's warnings are kept: they
/// say when it ends a client's connection for too many cancelled or broken streams.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "hallpass_server=info,tower_http=info,h2=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

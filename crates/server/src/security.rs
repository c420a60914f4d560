//! The headers every response carries (docs/API.md, "Conventions").

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hallpass_api::ErrorCode;

use crate::{ApiError, AppState};

pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_api = is_api_path(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, state.web.csp().clone());
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // `frame-ancestors` in the CSP does this for current browsers; this covers older ones.
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if is_api {
        // Account data must never sit in a shared or back-forward cache.
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub fn is_api_path(path: &str) -> bool {
    path == hallpass_api::paths::PREFIX
        || path
            .strip_prefix(hallpass_api::paths::PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Refuses state-changing API requests that a browser sent from another site (docs/API.md): the
/// session cookie is `SameSite=Strict` already, and this holds even for a browser that
/// ignores it. Clients that send neither `Sec-Fetch-Site` nor `Origin` are refused too.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_api_call = !req.method().is_safe() && is_api_path(req.uri().path());
    if unsafe_api_call && !from_same_origin(req.headers(), state.https) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossSiteRequest,
            "This request came from another site, so it was refused.",
        )
        .into_response();
    }
    next.run(req).await
}

fn from_same_origin(headers: &HeaderMap, https: bool) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match text("sec-fetch-site") {
        Some(site) => site == "same-origin",
        // Older browsers: the Origin must be this server's own.
        None => match (text(ORIGIN.as_str()), text(HOST.as_str())) {
            (Some(origin), Some(host)) => {
                let scheme = if https { "https" } else { "http" };
                origin == format!("{scheme}://{host}")
            }
            _ => false,
        },
    }
}

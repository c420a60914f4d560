//! The headers every response carries (shared/API.md, "Ground rules").

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

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

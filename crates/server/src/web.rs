//! Serving the built app from `dist/`.
//!
//! - Trunk's hashed file names (`hallpass-<16 hex>_bg.wasm`) never change content, so they are
//!   cached for a year as `immutable`; everything else, `index.html` first, is `no-cache`.
//! - The build writes `.br` and `.gz` beside each file; those are sent when the browser accepts
//!   them.
//! - Any path that is not a file and looks like a page (no `.` in its last segment) gets
//!   `index.html`, so deep links to client routes work.
//! - Trunk puts one inline module script into `index.html`. Rather than allow `unsafe-inline`,
//!   the CSP allows exactly the inline scripts of the `index.html` being served, by hash.
//! - Files being sent are capped (`FileSends`): each holds a descriptor beside its socket's,
//!   and the connection cap counts on that (`serve/limits.rs`).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use hyper::body::{Frame, SizeHint};
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::services::ServeDir;

use crate::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Most files of `dist/` sent at once. A browser loads a handful, over a few connections, so
/// this bounds a crowd arriving together, not one visitor; past it, a file request waits.
pub const MAX_FILE_SENDS: usize = 256;

/// The app's `index.html` and the CSP that goes with it, read once at start-up.
#[derive(Debug)]
pub struct WebApp {
    dist: PathBuf,
    index: Option<String>,
    csp: HeaderValue,
}

impl WebApp {
    /// Reads `dist/index.html`. A missing build is not fatal (the API still works), but every
    /// page then explains how to build the app.
    pub fn load(dist: &Path) -> std::io::Result<Self> {
        let index = match std::fs::read_to_string(dist.join("index.html")) {
            Ok(html) => Some(html),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(dist = %dist.display(), "no index.html: the app is not built");
                None
            }
            Err(err) => return Err(err),
        };
        Ok(Self::new(dist.to_owned(), index))
    }

    pub fn new(dist: PathBuf, index: Option<String>) -> Self {
        let hashes = index
            .as_deref()
            .map(inline_script_hashes)
            .unwrap_or_default();
        let csp = HeaderValue::from_str(&content_security_policy(&hashes))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
        Self { dist, index, csp }
    }

    pub fn csp(&self) -> &HeaderValue {
        &self.csp
    }
}

/// The policy for every response. `wasm-unsafe-eval` is what compiling the app's WebAssembly
/// needs; nothing here allows inline code other than the hashed scripts.
fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push_str(" 'sha256-");
        script_src.push_str(hash);
        script_src.push('\'');
    }
    format!(
        "default-src 'none'; script-src {script_src}; style-src 'self'; img-src 'self'; \
         font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Base64 SHA-256 of the text of every `<script>` without `src` in `html`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let open_tag = &rest[..open_end];
        let body_and_after = &rest[open_end + 1..];
        let Some(close) = body_and_after.find("</script>") else {
            break;
        };
        if !open_tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_after.as_bytes()[..close]);
            hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        rest = &body_and_after[close..];
    }
    hashes
}

/// How many files of `dist/` may be sent at once. A response takes a permit before it looks
/// for its file and keeps it in its body until the body ends or is dropped: the body, not the
/// response future, holds the file open while a slow client reads it.
#[derive(Debug, Clone)]
pub struct FileSends(Arc<Semaphore>);

impl FileSends {
    pub fn new(permits: usize) -> Self {
        Self(Arc::new(Semaphore::new(permits)))
    }

    /// Permits not taken: all of them once every file body has ended.
    pub fn available(&self) -> usize {
        self.0.available_permits()
    }
}

impl Default for FileSends {
    /// What `serve` gives when the open-file limit has room; for an `AppState` built without it.
    fn default() -> Self {
        Self::new(MAX_FILE_SENDS)
    }
}

/// The marker on `index.html` and the 404 beside it: sent from memory, no file held.
#[derive(Debug, Clone, Copy)]
struct FromMemory;

/// Files from `dist/`, with `index.html` for page-like paths that are not files.
pub fn service(state: &AppState) -> Router {
    let index = Router::new()
        .fallback(get(index_or_not_found))
        .with_state(state.clone());
    let files = ServeDir::new(&state.web.dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.file_sends.clone(),
            hold_file_permit,
        ))
}

/// Waits for a permit before `ServeDir` opens anything, so a crowd waits with its sockets
/// only, and hands it to the body.
async fn hold_file_permit(State(sends): State<FileSends>, req: Request, next: Next) -> Response {
    // The semaphore is never closed.
    let Ok(permit) = sends.0.acquire_owned().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let res = next.run(req).await;
    // Nothing left to send (HEAD, 304, an empty file) or nothing from disk: no file is held.
    if res.body().is_end_stream() || res.extensions().get::<FromMemory>().is_some() {
        return res;
    }
    res.map(|body| {
        Body::new(HoldsPermit {
            body,
            permit: Some(permit),
        })
    })
}

/// A body that gives its file-send permit back at its last frame, at an error, or when it is
/// dropped (the client went away mid-file).
struct HoldsPermit {
    body: Body,
    permit: Option<OwnedSemaphorePermit>,
}

impl HttpBody for HoldsPermit {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(frame, Poll::Ready(None | Some(Err(_)))) {
            self.permit = None;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

async fn index_or_not_found(State(state): State<AppState>, uri: Uri) -> Response {
    let last_segment = uri.path().rsplit('/').next().unwrap_or_default();
    let mut res = if last_segment.contains('.') && last_segment != "index.html" {
        (StatusCode::NOT_FOUND, "Not found").into_response()
    } else if let Some(html) = &state.web.index {
        (
            [
                (CONTENT_TYPE, "text/html; charset=utf-8"),
                (CACHE_CONTROL, NO_CACHE),
            ],
            Body::from(html.clone()),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CACHE_CONTROL, NO_CACHE)],
            "The Hallpass app has not been built. Run `cargo xtask run` to build and serve it.",
        )
            .into_response()
    };
    res.extensions_mut().insert(FromMemory);
    res
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_file_name(req.uri().path().rsplit('/').next().unwrap_or_default());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let h = res.headers_mut();
        if !h.contains_key(CACHE_CONTROL) {
            let value = if hashed { IMMUTABLE } else { NO_CACHE };
            h.insert(CACHE_CONTROL, HeaderValue::from_static(value));
        }
        // The same URL can answer brotli, gzip or identity.
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Trunk's content hash: `-` and 16 hex digits, then `.` or `_` (as in `_bg.wasm`).
fn is_hashed_file_name(name: &str) -> bool {
    name.match_indices('-').any(|(i, _)| {
        let after = &name[i + 1..];
        after.len() > 16
            && after[..16].bytes().all(|b| b.is_ascii_hexdigit())
            && matches!(after.as_bytes()[16], b'.' | b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_file_name("hallpass-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_file_name("hallpass-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_file_name("main-0123456789abcdef.css"));
        assert!(!is_hashed_file_name("index.html"));
        assert!(!is_hashed_file_name("favicon.svg"));
        assert!(!is_hashed_file_name("my-file.js"));
        assert!(!is_hashed_file_name("x-0123456789abcdeg.js"));
    }

    #[test]
    fn hashes_only_inline_scripts() {
        let html = r#"<script src="/a.js"></script><script type="module">alert(1)</script>"#;
        let hashes = inline_script_hashes(html);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"alert(1)"));
        assert_eq!(hashes, vec![expected]);
    }

    #[test]
    fn policy_never_allows_unsafe_inline() {
        let csp = content_security_policy(&["abc".to_owned()]);
        assert!(!csp.contains("unsafe-inline"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(csp.contains("'sha256-abc'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}

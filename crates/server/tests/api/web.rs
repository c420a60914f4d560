//! Serving the app's files (and how many at once), the JSON 404/405, security headers and the cross-site check.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine;
use hallpass_api::{ErrorBody, ErrorCode, Health, HealthStatus};
use hallpass_server::FileSends;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tokio::time::timeout;
use tower::ServiceExt;

use crate::support::{INLINE_SCRIPT, Reply, TestServer, WASM_NAME};

fn error_code(body: &[u8]) -> ErrorCode {
    serde_json::from_slice::<ErrorBody>(body)
        .expect("the shared error body")
        .error
        .code
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

pub fn assert_security_headers(headers: &HeaderMap) {
    let csp = header(headers, "content-security-policy");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer");
    assert!(!header(headers, "x-request-id").is_empty());
}

#[tokio::test]
async fn health_answers_ok_with_the_version() {
    let server = TestServer::new().await;
    let (status, headers, body) = server.get("/api/health").await;
    assert_eq!(status, StatusCode::OK);
    let health: Health = serde_json::from_slice(&body).expect("Health");
    assert_eq!(health.status, HealthStatus::Ok);
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(header(&headers, "content-type").starts_with("application/json"));
    assert_security_headers(&headers);
}

#[tokio::test]
async fn unknown_api_routes_answer_json_not_the_app() {
    let server = TestServer::new().await;
    for path in ["/api/nope", "/api/health/extra", "/api", "/api/"] {
        let (status, headers, body) = server.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(&body), ErrorCode::NotFound, "{path}");
        assert_eq!(header(&headers, "cache-control"), "no-store", "{path}");
        assert_security_headers(&headers);
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let server = TestServer::new().await;
    let request = Request::builder()
        .method(Method::DELETE)
        .uri("/api/health")
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .expect("request");
    let Reply { status, body, .. } = server.send(request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(&body), ErrorCode::MethodNotAllowed);
}

#[tokio::test]
async fn index_html_is_allowed_its_inline_script_by_hash_and_never_cached() {
    let server = TestServer::new().await;
    let expected = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE_SCRIPT))
    );
    for path in ["/", "/index.html"] {
        let (status, headers, body) = server.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(String::from_utf8_lossy(&body).contains(INLINE_SCRIPT));
        assert!(header(&headers, "content-security-policy").contains(&expected));
        assert_eq!(header(&headers, "cache-control"), "no-cache", "{path}");
        assert_security_headers(&headers);
    }
}

#[tokio::test]
async fn deep_links_to_client_routes_get_the_app() {
    let server = TestServer::new().await;
    let (status, headers, body) = server.get("/security/devices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert!(String::from_utf8_lossy(&body).contains(INLINE_SCRIPT));
}

#[tokio::test]
async fn a_missing_file_is_404_not_the_app() {
    let server = TestServer::new().await;
    let (status, _, body) = server.get("/hallpass-ffffffffffffffff.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!String::from_utf8_lossy(&body).contains(INLINE_SCRIPT));
}

#[tokio::test]
async fn hashed_files_are_immutable_and_served_as_wasm() {
    let server = TestServer::new().await;
    let (status, headers, _) = server.get(&format!("/{WASM_NAME}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "application/wasm");
    assert_eq!(
        header(&headers, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_security_headers(&headers);

    let (_, headers, _) = server.get("/favicon.svg").await;
    assert_eq!(header(&headers, "cache-control"), "no-cache");
}

#[tokio::test]
async fn precompressed_brotli_is_sent_when_accepted() {
    let server = TestServer::new().await;
    let request = Request::get(format!("/{WASM_NAME}"))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .expect("request");
    let Reply {
        status,
        headers,
        body,
    } = server.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-encoding"), "br");
    assert_eq!(header(&headers, "content-type"), "application/wasm");
    assert_eq!(body, b"brotli bytes");
    assert!(header(&headers, "vary").contains("accept-encoding"));
}

#[tokio::test]
async fn without_a_build_pages_explain_how_to_build() {
    let server = TestServer::without_build().await;
    let (status, _, body) = server.get("/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&body).contains("cargo xtask run"));
    // The API does not need the app.
    assert_eq!(server.get("/api/health").await.0, StatusCode::OK);
}

async fn post_with(server: &TestServer, headers: &[(&str, &str)]) -> (StatusCode, Vec<u8>) {
    let mut request = Request::post("/api/no-such-route").header("host", "localhost:8080");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let reply = server
        .send(request.body(Body::empty()).expect("request"))
        .await;
    (reply.status, reply.body)
}

#[tokio::test]
async fn state_changing_requests_from_other_sites_are_refused() {
    let server = TestServer::new().await;
    for headers in [
        &[][..],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("sec-fetch-site", "none")],
        &[("origin", "http://evil.example")],
        &[("origin", "https://localhost:8080")],
        // Sec-Fetch-Site wins over a matching Origin.
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://localhost:8080"),
        ],
    ] {
        let (status, body) = post_with(&server, headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(
            error_code(&body),
            ErrorCode::CrossSiteRequest,
            "{headers:?}"
        );
    }
}

#[tokio::test]
async fn same_origin_requests_pass_the_check() {
    let server = TestServer::new().await;
    for headers in [
        &[("sec-fetch-site", "same-origin")][..],
        &[("origin", "http://localhost:8080")],
    ] {
        // Past the check, the unknown route answers 404.
        let (status, body) = post_with(&server, headers).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{headers:?}");
        assert_eq!(error_code(&body), ErrorCode::NotFound);
    }
    // Reading is never refused.
    assert_eq!(server.get("/api/health").await.0, StatusCode::OK);
}

/// The descriptor of a file being sent lives in the response body, so its permit must too: a
/// permit given back when the handler answered would let a crowd of slow readers hold more
/// files than the connection cap left room for.
#[tokio::test]
async fn a_file_send_holds_its_permit_until_its_body_ends_or_is_dropped() {
    const PATIENCE: Duration = Duration::from_secs(10);
    const QUIET: Duration = Duration::from_millis(300);
    const SIZE: usize = 1 << 20;

    let server = TestServer::new()
        .await
        .with_state(|state| state.file_sends = FileSends::new(1));
    // Far more than one frame (`ServeDir` reads 64 KiB at a time).
    std::fs::write(server.dist().join("big.bin"), vec![7u8; SIZE]).expect("big file");
    let get = |path: &str| {
        let request = Request::get(path).body(Body::empty()).expect("request");
        server.app.clone().oneshot(request)
    };

    let first = get("/big.bin").await.expect("infallible");
    assert_eq!(first.status(), StatusCode::OK);
    let mut body = first.into_body();
    let frame = timeout(PATIENCE, body.frame())
        .await
        .expect("a first frame");
    let mut read = frame
        .expect("a frame")
        .expect("data")
        .into_data()
        .expect("data")
        .len();
    assert!(read < SIZE, "the whole file came in one frame: {read}");
    assert_eq!(server.state.file_sends.available(), 0);

    // A second file waits while the first is still being read.
    let mut second = tokio::spawn(get("/favicon.svg"));
    assert!(
        timeout(QUIET, &mut second).await.is_err(),
        "sent beside the first"
    );

    // The first body's last frame gives the permit back, before the body itself is dropped.
    while let Some(frame) = timeout(PATIENCE, body.frame()).await.expect("more") {
        read += frame.expect("data").into_data().expect("data").len();
    }
    assert_eq!(read, SIZE);
    let second = timeout(PATIENCE, second)
        .await
        .expect("sent once the first ended")
        .expect("task")
        .expect("infallible");
    assert_eq!(second.status(), StatusCode::OK);
    let svg = second.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(&svg[..], b"<svg/>");
    assert_eq!(server.state.file_sends.available(), 1);
    drop(body);

    // A client that goes away mid-file gives it back too.
    let third = get("/big.bin").await.expect("infallible");
    let mut body = third.into_body();
    timeout(PATIENCE, body.frame())
        .await
        .expect("a first frame");
    assert_eq!(server.state.file_sends.available(), 0);
    drop(body);
    assert_eq!(server.state.file_sends.available(), 1);

    // `index.html` is sent from memory: its body holds no permit.
    let page = get("/account").await.expect("infallible");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(server.state.file_sends.available(), 1);
}

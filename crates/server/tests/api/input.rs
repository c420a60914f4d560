//! Bad input, on every route that takes a body: each gets its JSON error from API.md, none
//! panics the server. Also the cross-site check and the headers of every API answer.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use hallpass_api::{ErrorCode, paths};
use serde_json::{Value, json};

use crate::support::{Browser, Reply, TestServer};
use crate::web::assert_security_headers;

/// (method, path) of every documented operation that takes a JSON body, ids filled in.
fn body_routes() -> Vec<(Method, String)> {
    let doc = serde_json::to_value(hallpass_server::openapi()).expect("document");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            if !operation["requestBody"].is_null() {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                routes.push((method, paths::with_param(path, "some-id")));
            }
        }
    }
    assert!(routes.len() >= 15, "{routes:?}");
    routes
}

async fn send_raw(
    browser: &mut Browser<'_>,
    method: &Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let request = browser
        .request(method.clone(), path)
        .header("content-type", content_type)
        .body(Body::from(body))
        .expect("request");
    browser.send(request).await
}

#[tokio::test]
async fn every_body_route_answers_bad_bodies_with_the_right_json_error() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let big = format!("{{\"email\": \"{}\"}}", "a".repeat(70 * 1024)).into_bytes();
    let cases: [(&str, &str, Vec<u8>, StatusCode, ErrorCode); 7] = [
        (
            "malformed",
            "application/json",
            b"{\"email\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
        ),
        (
            "not UTF-8",
            "application/json",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'],
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
        ),
        (
            "wrong type",
            "application/json",
            b"[1, 2]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidFields,
        ),
        (
            // serde would take an array as the fields in order: all-optional bodies would pass.
            "an array",
            "application/json",
            b"[null, null]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidFields,
        ),
        (
            "unknown field",
            "application/json",
            b"{\"admin\": true}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidFields,
        ),
        (
            "over 64 KiB",
            "application/json",
            big,
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
        ),
        (
            "not JSON",
            "text/plain",
            b"email=a".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MalformedJson,
        ),
    ];
    for (method, path) in body_routes() {
        for (what, content_type, body, status, code) in &cases {
            let reply = send_raw(&mut browser, &method, &path, content_type, body.clone()).await;
            assert_eq!(
                (reply.status, reply.error().code),
                (*status, *code),
                "{what} to {method} {path}: {}",
                String::from_utf8_lossy(&reply.body)
            );
            assert_security_headers(&reply.headers);
        }
    }
    // Nothing above got as far as a handler: still signed in, nothing changed.
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
}

#[tokio::test]
async fn over_long_and_badly_formed_fields_are_named_in_the_error() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let sam = browser.profile_id("Sam").await;
    let checks: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            paths::SESSION.into(),
            json!({"email": "a".repeat(300), "password": "x"}),
            "email",
        ),
        (
            Method::POST,
            paths::SESSION.into(),
            json!({"email": "demo@hallpass.test", "password": "p".repeat(129)}),
            "password",
        ),
        (
            Method::PUT,
            paths::ACCOUNT_EMAIL.into(),
            json!({"email": "two@@example.com"}),
            "email",
        ),
        (
            Method::PUT,
            paths::ACCOUNT_PHONE.into(),
            json!({"phone": "+1 312 555 0100"}),
            "phone",
        ),
        (
            Method::PUT,
            paths::ACCOUNT_PASSWORD.into(),
            json!({"current_password": "x", "new_password": "n".repeat(129), "sign_out_other_devices": true}),
            "new_password",
        ),
        (
            Method::PUT,
            paths::with_param(paths::PROFILE_LOCK, &sam),
            json!({"pin": "12a4"}),
            "pin",
        ),
        (
            Method::POST,
            paths::with_param(paths::PROFILE_SELECT, &sam),
            json!({"pin": "123"}),
            "pin",
        ),
        (
            Method::POST,
            paths::PROFILES.into(),
            json!({"name": "N".repeat(31), "avatar": "comet", "kids": false, "maturity_rating": "18+", "language": "en"}),
            "name",
        ),
        (
            Method::POST,
            paths::PROFILES.into(),
            json!({"name": "Ok", "avatar": "unicorn", "kids": false, "maturity_rating": "18+", "language": "en"}),
            "avatar",
        ),
        (
            Method::POST,
            paths::PROFILES.into(),
            json!({"name": "   ", "avatar": "comet", "kids": false, "maturity_rating": "18+", "language": "en"}),
            "name",
        ),
        (
            Method::POST,
            paths::ACCOUNT_EMAIL_VERIFY.into(),
            json!({"code": "12345"}),
            "code",
        ),
        (
            Method::POST,
            paths::SESSION_TWO_FACTOR.into(),
            json!({"challenge": "c"}),
            "code",
        ),
    ];
    for (method, path, body, field) in checks {
        let reply = browser.call(method.clone(), &path, Some(body)).await;
        let error = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
        assert!(
            error.fields.as_ref().is_some_and(|f| f.contains_key(field)),
            "{method} {path}: {field} in {error:?}"
        );
    }
    // A wrong JSON type names its field in the message.
    let reply = browser
        .post(paths::DEVICES_SIGN_OUT_ALL, json!({"keep_current": "yes"}))
        .await;
    let error = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    assert!(
        error.message.contains("keep_current") || error.message.contains("boolean"),
        "{}",
        error.message
    );
    // Every profile survived; the account is unchanged.
    let profiles: Vec<hallpass_api::Profile> = browser.get(paths::PROFILES).await.json();
    assert_eq!(profiles.len(), 4);
    assert!(!profiles.iter().any(|p| p.name == "Sam" && p.locked));
}

#[tokio::test]
async fn state_changing_requests_without_same_origin_proof_are_refused_everywhere() {
    let server = TestServer::demo().await;
    let browser = server.demo_browser().await;
    let doc = serde_json::to_value(hallpass_server::openapi()).expect("document");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            if method.is_safe() {
                continue;
            }
            for site in [None, Some("cross-site"), Some("same-site")] {
                // A request as a form on another site would send it: cookie, no same-origin header.
                let mut request = axum::http::Request::builder()
                    .method(method.clone())
                    .uri(paths::with_param(path, "some-id"))
                    .header("content-type", "application/json")
                    .header(
                        "cookie",
                        format!(
                            "__Host-hallpass_session={}",
                            browser.cookie.as_deref().unwrap_or_default()
                        ),
                    );
                if let Some(site) = site {
                    request = request.header("sec-fetch-site", site);
                }
                let reply = server
                    .send(request.body(Body::from("{}")).expect("request"))
                    .await;
                reply.expect_error(StatusCode::FORBIDDEN, ErrorCode::CrossSiteRequest);
                assert_security_headers(&reply.headers);
            }
        }
    }
}

#[tokio::test]
async fn every_api_answer_is_no_store_with_the_security_headers() {
    let server = TestServer::demo().await;
    let mut signed_in = server.demo_browser().await;
    let mut anonymous = server.browser();
    let doc = serde_json::to_value(hallpass_server::openapi()).expect("document");
    for path in doc["paths"].as_object().expect("paths").keys() {
        let path = paths::with_param(path, "some-id");
        for browser in [&mut signed_in, &mut anonymous] {
            let (status, headers) = if path == paths::EVENTS {
                browser.get_head(&path).await
            } else {
                let reply = browser.get(&path).await;
                (reply.status, reply.headers)
            };
            assert_eq!(
                headers.get("cache-control").and_then(|v| v.to_str().ok()),
                Some("no-store"),
                "GET {path}"
            );
            assert_security_headers(&headers);
            assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
}

#[tokio::test]
async fn path_segments_that_are_not_text_get_a_json_404() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    for (method, path) in [
        (Method::PATCH, "/api/profiles/%FF"),
        (Method::POST, "/api/profiles/%FF/select"),
        (Method::PATCH, "/api/devices/%C0"),
        (Method::DELETE, "/api/account/linked/%FE"),
    ] {
        let reply = browser.call(method.clone(), path, Some(json!({}))).await;
        reply.expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    }
}

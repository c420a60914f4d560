//! The OpenAPI document and the router must agree, and the document must be complete:
//! every path of `hallpass_api::paths`, each operation with its request body, its success
//! answer and its error answers.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use hallpass_api::{ErrorCode, paths};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::TestServer;

/// (method, path template) of every operation in the document.
fn operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            out.push((method, path.clone(), operation.clone()));
        }
    }
    out
}

fn document() -> Value {
    serde_json::to_value(hallpass_server::openapi()).expect("serialises")
}

fn fill(template: &str) -> String {
    paths::with_param(template, "some-id")
}

#[tokio::test]
async fn the_document_lists_exactly_the_paths_of_the_contract() {
    let documented: BTreeSet<String> = document()["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    let contract: BTreeSet<String> = [
        paths::HEALTH,
        paths::SESSION,
        paths::SESSION_STATUS,
        paths::SESSION_TWO_FACTOR,
        paths::SESSION_REAUTHENTICATE,
        paths::PROFILES,
        paths::PROFILE,
        paths::PROFILE_SELECT,
        paths::PROFILE_LOCK,
        paths::ACCOUNT,
        paths::ACCOUNT_PASSWORD,
        paths::ACCOUNT_EMAIL,
        paths::ACCOUNT_EMAIL_VERIFY,
        paths::ACCOUNT_PHONE,
        paths::ACCOUNT_PHONE_VERIFY,
        paths::ACCOUNT_RECOVERY,
        paths::LINKED_ACCOUNT,
        paths::DEVICES,
        paths::DEVICE,
        paths::DEVICES_SIGN_OUT_ALL,
        paths::ACTIVITY,
        paths::EVENTS,
        paths::TWO_FACTOR,
        paths::TWO_FACTOR_TOTP,
        paths::TWO_FACTOR_TOTP_CONFIRM,
        paths::TWO_FACTOR_RECOVERY_CODES,
        paths::PASSWORD_RESET,
        paths::PASSWORD_RESET_VERIFY,
        paths::PASSWORD_RESET_COMPLETE,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(documented, contract);
}

#[tokio::test]
async fn every_operation_documents_its_body_its_success_and_its_errors() {
    let doc = document();
    // These act on the session alone and take no body.
    let bodiless = [paths::TWO_FACTOR_TOTP, paths::TWO_FACTOR_RECOVERY_CODES];
    for (method, path, operation) in operations(&doc) {
        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success answer"
        );
        let error_refs: Vec<&Value> = responses
            .iter()
            .filter(|(status, _)| status.starts_with('4') || status.starts_with('5'))
            .map(|(_, r)| &r["content"]["application/json"]["schema"]["$ref"])
            .collect();
        assert!(!error_refs.is_empty(), "{method} {path}: no error answers");
        assert!(
            error_refs
                .iter()
                .all(|r| r.as_str() == Some("#/components/schemas/ErrorBody")),
            "{method} {path}: every error answer is an ErrorBody"
        );
        let has_body = !operation["requestBody"].is_null();
        if has_body {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: a bad body's {status} is not documented"
                );
            }
        }
        let needs_body = matches!(method, Method::POST | Method::PUT | Method::PATCH)
            && !bodiless.contains(&path.as_str());
        assert_eq!(has_body, needs_body, "{method} {path}: request body");
        if path.contains('{') {
            assert!(
                operation["parameters"].is_array(),
                "{method} {path}: path parameter"
            );
        }
    }
    for schema in [
        "ErrorBody",
        "ErrorCode",
        "SessionInfo",
        "Device",
        "Account",
        "ActivityPage",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

#[tokio::test]
async fn the_router_serves_every_documented_operation_and_no_other_method() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let doc = document();
    let ops = operations(&doc);
    for (method, path, _) in &ops {
        if path == paths::EVENTS {
            // A stream never ends, so its body isn't read: the head says it is served.
            let request = browser.request(method.clone(), path).body(Body::empty());
            let response = server.app.clone().oneshot(request.expect("request")).await;
            assert_eq!(response.expect("infallible").status(), StatusCode::OK);
            continue;
        }
        let reply = browser.call(method.clone(), &fill(path), None).await;
        assert_ne!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is not routed"
        );
        if reply.status == StatusCode::NOT_FOUND {
            assert_ne!(
                reply.error().message,
                "There is nothing at this address.",
                "{method} {path} fell through to the unknown-route answer"
            );
        }
        browser
            .sign_in(
                hallpass_server::demo::DEMO_EMAIL,
                hallpass_server::demo::DEMO_PASSWORD,
            )
            .await;
    }
    // Methods the document does not list for a path are not served either.
    for path in ops.iter().map(|(_, p, _)| p).collect::<BTreeSet<_>>() {
        let documented: Vec<&Method> = ops
            .iter()
            .filter(|(_, p, _)| p == path)
            .map(|(m, _, _)| m)
            .collect();
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            if !documented.contains(&&method) {
                browser
                    .call(method.clone(), &fill(path), None)
                    .await
                    .expect_error(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed);
            }
        }
    }
}

#[tokio::test]
async fn the_document_is_served_and_the_dev_outbox_only_with_demo() {
    let server = TestServer::new().await;
    let mut browser = server.browser();
    let served: Value = browser
        .get(paths::OPENAPI)
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(served, document());
    assert!(served["paths"].get(paths::DEV_OUTBOX).is_none());
    browser
        .get(paths::DEV_OUTBOX)
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);

    let demo = TestServer::demo().await;
    let messages: Vec<hallpass_api::OutboxMessage> = demo
        .browser()
        .get(paths::DEV_OUTBOX)
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert!(!messages.is_empty(), "the demo's phone code");
    let ids: Vec<i64> = messages.iter().map(|m| m.id.parse().expect("id")).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
}

#[test]
fn every_operation_has_an_operation_id_of_its_own() {
    let doc = document();
    let ops = operations(&doc);
    let ids: BTreeSet<&str> = ops
        .iter()
        .map(|(method, path, operation)| {
            operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"))
        })
        .collect();
    assert_eq!(ids.len(), ops.len(), "operationIds repeat: {ids:?}");
}

/// The document says an operation needs the session cookie exactly when the server answers
/// it with 401 without one.
#[tokio::test]
async fn the_session_cookie_is_declared_on_every_operation_that_needs_it() {
    let doc = document();
    assert_eq!(
        doc["components"]["securitySchemes"]["session_cookie"],
        serde_json::json!({
            "type": "apiKey",
            "in": "cookie",
            "name": "__Host-hallpass_session",
            "description": "Set by signing in; `HttpOnly; Secure; SameSite=Strict; Path=/`",
        })
    );
    let server = TestServer::demo().await;
    let mut stranger = server.browser();
    for (method, path, operation) in operations(&doc) {
        let body = (!operation["requestBody"].is_null()).then(|| serde_json::json!({}));
        let reply = stranger.call(method.clone(), &fill(&path), body).await;
        let declared = operation["security"] == serde_json::json!([{"session_cookie": []}]);
        let needed = reply.status == StatusCode::UNAUTHORIZED;
        assert_eq!(
            declared, needed,
            "{method} {path}: declares the cookie: {declared}; answers {} without one",
            reply.status
        );
        if needed {
            assert!(
                operation["responses"]["401"].is_object(),
                "{method} {path}: its 401 is not documented"
            );
        }
    }
}

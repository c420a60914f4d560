//! Requests that arrive together (issue 10): rate limits that count only failures.

use axum::body::Body;
use axum::http::Method;
use axum::http::{Request, StatusCode};
use hallpass_api::ErrorCode;
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;

use crate::support::{TestServer, at_once};

/// `n` sign-ins to the demo account with `password`, from one address, to send at once.
fn sign_ins(server: &TestServer, password: &str, n: usize) -> Vec<Request<Body>> {
    (0..n)
        .map(|_| {
            server
                .browser()
                .request(Method::POST, "/api/session")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"email": DEMO_EMAIL, "password": password}).to_string(),
                ))
                .expect("request")
        })
        .collect()
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_right_passwords_at_once_all_sign_in() {
    let server = TestServer::demo().await;
    let statuses = at_once(&server, sign_ins(&server, DEMO_PASSWORD, 20)).await;
    assert_eq!(count(&statuses, StatusCode::OK), 20, "{statuses:?}");
    // And none of them was left behind as a failure.
    let mut browser = server.browser();
    browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_wrong_passwords_at_once_get_five_checks_and_lock_the_account() {
    let server = TestServer::demo().await;
    let statuses = at_once(&server, sign_ins(&server, "wrong-password", 20)).await;
    let checked = count(&statuses, StatusCode::UNAUTHORIZED);
    let refused = count(&statuses, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!((checked, refused), (5, 15), "{statuses:?}");
    let mut browser = server.browser();
    browser
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
}

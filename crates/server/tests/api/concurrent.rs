//! Requests that arrive together (issue 10): rate limits that count only failures, and token
//! rotations that leave every tab signed in.

use axum::body::Body;
use axum::http::Method;
use axum::http::{Request, StatusCode};
use hallpass_api::ErrorCode;
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;
use tower::ServiceExt;

use crate::support::{MINUTE, TestServer, advance, at_once};

/// How long a token replaced by a step-up keeps working (`auth::ROTATION_GRACE`).
const ROTATION_GRACE: i64 = MINUTE;

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

/// Sends both requests at once and returns each answer's status and session cookie value.
async fn two_at_once(
    server: &TestServer,
    a: Request<Body>,
    b: Request<Body>,
) -> [(StatusCode, Option<String>); 2] {
    let send = |request: Request<Body>| {
        let app = server.app.clone();
        tokio::spawn(async move {
            let response = app.oneshot(request).await.expect("infallible");
            let cookie = response
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("__Host-hallpass_session="))
                .and_then(|v| v.split(';').next())
                .map(str::to_owned);
            (response.status(), cookie)
        })
    };
    let (a, b) = (send(a), send(b));
    [a.await.expect("task"), b.await.expect("task")]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tabs_stepping_up_at_once_both_stay_signed_in_whichever_cookie_lands_last() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let before = browser.cookie.clone();
    let step_up = || {
        browser
            .request(Method::POST, "/api/session/reauthenticate")
            .header("content-type", "application/json")
            .body(Body::from(json!({ "password": DEMO_PASSWORD }).to_string()))
            .expect("request")
    };
    let replies = two_at_once(&server, step_up(), step_up()).await;
    for (status, cookie) in &replies {
        assert_eq!(*status, StatusCode::NO_CONTENT);
        assert!(
            cookie.is_some() && *cookie != before,
            "a new token: {replies:?}"
        );
    }

    advance(&server, ROTATION_GRACE + 1);
    // The browser keeps whichever Set-Cookie it applied last: either must still be signed in.
    for (_, cookie) in &replies {
        browser.cookie = cookie.clone();
        browser
            .get("/api/session")
            .await
            .expect_status(StatusCode::OK);
    }
    browser.cookie = before;
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
}

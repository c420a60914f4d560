//! Password and PIN hashing under load: a bounded number at once, 503 past the queue, and the
//! PIN routes limited (issue 10: 200 concurrent PIN changes took the server to 3.8 GiB).

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hallpass_api::{ErrorBody, ErrorCode};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use hallpass_server::hashing::Hasher;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::support::TestServer;

/// A sign-in from `ip` for an address with no account: one argon2 check, like any other.
fn stranger_sign_in(n: usize, ip: IpAddr) -> Request<Body> {
    let body = json!({"email": format!("stranger{n}@example.test"), "password": "guess-1234"});
    Request::post("/api/session")
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .extension(ConnectInfo(SocketAddr::new(ip, 40_000)))
        .body(Body::from(body.to_string()))
        .expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_sign_ins_hashes_a_bounded_number_at_once_and_the_rest_get_503() {
    // Two hashing threads and four seats: 200 sign-ins at once can't all be taken on.
    let server = TestServer::demo()
        .await
        .with_state(|state| state.hasher = Hasher::new(2, 4));
    let count_failures = || async {
        let rows = server
            .column(
                "SELECT CAST(COUNT(*) AS TEXT) FROM attempts WHERE key LIKE $1",
                "sign-in-ip:%",
            )
            .await;
        rows[0].parse::<u64>().expect("a count")
    };
    // The demo's own history has a failed sign-in.
    let before = count_failures().await;
    // 20 addresses × 10 tries: under the per-address limit, so every try reaches the hasher.
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let ip = IpAddr::from([198, 51, 100, u8::try_from(n % 20).unwrap_or(0) + 1]);
            let app = server.app.clone();
            tokio::spawn(async move {
                let response = app
                    .oneshot(stranger_sign_in(n, ip))
                    .await
                    .expect("infallible");
                let status = response.status();
                let retry_after = response.headers().get("retry-after").cloned();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes();
                (status, retry_after, body)
            })
        })
        .collect();
    let mut busy = 0;
    for task in tasks {
        let (status, retry_after, body) = task.await.expect("task");
        let code = serde_json::from_slice::<ErrorBody>(&body)
            .map(|b| b.error.code)
            .unwrap_or(ErrorCode::Unknown);
        match status {
            StatusCode::UNAUTHORIZED => assert_eq!(code, ErrorCode::InvalidCredentials),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(code, ErrorCode::Unavailable);
                assert_eq!(
                    retry_after.as_ref().and_then(|v| v.to_str().ok()),
                    Some("1")
                );
                busy += 1;
            }
            other => panic!("{other}: {}", String::from_utf8_lossy(&body)),
        }
    }
    let stats = server.state.hasher.stats();
    assert!(busy > 0, "200 at once must overflow a queue of four");
    assert_eq!(stats.refused, busy);
    assert!(stats.peak_in_flight <= 2, "{stats:?}");

    // A busy answer is not a failed try: the account and the addresses have lost nothing.
    assert_eq!(count_failures().await - before, 200 - busy);
    let mut owner = server.browser();
    owner.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn setting_pins_is_limited_per_account_even_in_a_burst() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let sam = browser.profile_id("Sam").await;
    let requests = (0..40)
        .map(|n| {
            browser
                .request(
                    axum::http::Method::PUT,
                    &format!("/api/profiles/{sam}/lock"),
                )
                .header("content-type", "application/json")
                .body(Body::from(json!({"pin": format!("{:04}", n)}).to_string()))
                .expect("request")
        })
        .collect();
    let statuses = crate::support::at_once(&server, requests).await;
    let set = statuses
        .iter()
        .filter(|s| **s == StatusCode::NO_CONTENT)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((set, limited), (10, 30), "{statuses:?}");
    let reply = browser
        .put(&format!("/api/profiles/{sam}/lock"), json!({"pin": "1111"}))
        .await;
    reply.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    assert!(reply.header("retry-after").is_some());
}

#[tokio::test]
async fn locking_a_profile_that_is_not_there_uses_none_of_the_pin_changes() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    for _ in 0..12 {
        browser
            .put("/api/profiles/no-such-profile/lock", json!({"pin": "1111"}))
            .await
            .expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    }
    let sam = browser.profile_id("Sam").await;
    browser
        .put(&format!("/api/profiles/{sam}/lock"), json!({"pin": "1111"}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
}

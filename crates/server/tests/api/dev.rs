//! The development routes: served with `--demo` only, for people trying the demo and for the
//! end-to-end suite.

use axum::http::StatusCode;
use hallpass_api::ErrorCode;
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;

use crate::support::{MINUTE, SAFARI_ON_IPHONE, TestServer};

const CLOCK: &str = "/api/dev/clock";

#[tokio::test]
async fn the_dev_clock_moves_server_time_so_the_step_up_window_lapses() {
    let server = TestServer::demo().await;
    let mut pc = server.demo_browser().await;
    let mut phone = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 21]);
    let phone_session = phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;

    let before = server.state.clock.now();
    pc.post(CLOCK, json!({"advance_seconds": 11 * MINUTE}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    assert!(server.state.clock.now() - before >= 11 * MINUTE);

    // Signing in opened a 10-minute step-up window; 11 minutes later it has closed.
    pc.delete(&format!("/api/devices/{phone_session}"))
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
    pc.reauthenticate(DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    pc.delete(&format!("/api/devices/{phone_session}"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_dev_clock_only_moves_forward_and_takes_exactly_its_one_field() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for body in [
        json!({"advance_seconds": -60}),
        json!({"advance_seconds": 60, "extra": true}),
        json!({}),
    ] {
        browser
            .post(CLOCK, body)
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    }
}

#[tokio::test]
async fn without_demo_there_is_no_dev_clock_and_no_outbox() {
    let server = TestServer::new().await;
    let mut browser = server.browser();
    let before = server.state.clock.now();
    browser
        .post(CLOCK, json!({"advance_seconds": 11 * MINUTE}))
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    assert!(server.state.clock.now() - before < MINUTE);
    browser
        .get("/api/dev/outbox")
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
}

#[tokio::test]
async fn the_dev_clock_is_shared_by_every_instance_on_the_database() {
    use tower::ServiceExt;

    let server = TestServer::demo().await;
    // A second instance: the same database, a clock of its own.
    let mut elsewhere = server.state.clone();
    elsewhere.clock = hallpass_server::Clock::default();
    let other = hallpass_server::app(elsewhere.clone());
    let before = elsewhere.clock.now();

    server
        .browser()
        .post(CLOCK, json!({"advance_seconds": 11 * MINUTE}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let request = axum::http::Request::get("/api/dev/outbox")
        .body(axum::body::Body::empty())
        .expect("request");
    let reply = other.oneshot(request).await.expect("infallible");
    assert_eq!(reply.status(), StatusCode::OK);
    assert!(
        elsewhere.clock.now() - before >= 11 * MINUTE,
        "the other instance's next request runs at the moved time"
    );
}

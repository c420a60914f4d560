//! OWASP ASVS 5.0 V7 hardening (issue 10, item 9): a password change rotates the session
//! token (7.2.4), step-up takes the second step when two-step verification is on (7.5.1),
//! and turning two-step verification on or off can sign out the other devices (7.4.3).
//!
//! Error codes new in this change are compared as wire text, so these tests also build (and
//! fail) against the server from before it.

use axum::http::StatusCode;
use hallpass_api::{Account, ErrorCode, RecoveryCodes, TotpSetup};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::{Value, json};

use crate::support::{Browser, MINUTE, Reply, TestServer, advance};
use crate::two_factor::{authenticator_code, turn_on};

const REAUTHENTICATE: &str = "/api/session/reauthenticate";

/// The error's code as sent, and the message against `field`.
#[track_caller]
fn refused(reply: &Reply, status: StatusCode, code: &str, field: &str) -> String {
    let body: Value = reply.json();
    assert_eq!(
        (reply.status, body["error"]["code"].as_str()),
        (status, Some(code)),
        "{body}"
    );
    body["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no message against {field}: {body}"))
        .to_owned()
}

#[tokio::test]
async fn a_password_change_gives_this_browser_a_new_token_and_ends_the_old_one_after_the_grace() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    // Past the step-up window that signing in opened.
    advance(&server, 11 * MINUTE);
    let old = browser.cookie.clone().expect("signed in");
    let reply = browser
        .put(
            "/api/account/password",
            json!({"current_password": DEMO_PASSWORD, "new_password": "violet-lantern-harbour-92",
                   "sign_out_other_devices": false}),
        )
        .await;
    reply.expect_status(StatusCode::NO_CONTENT);
    let new = browser.cookie.clone().expect("a cookie after the change");
    assert_ne!(old, new, "the password change must set a new session token");
    let cookie = reply.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Secure"),
        "{cookie}"
    );

    // The old token still serves requests already on their way, then stops.
    let mut in_flight = server.browser();
    in_flight.cookie = Some(old);
    in_flight
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    advance(&server, MINUTE);
    in_flight
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
    let info: hallpass_api::SessionInfo = browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK)
        .json();
    // The password check is not the second step: no step-up window from it.
    assert!(info.session.recently_authenticated_until.is_none());
}

#[tokio::test]
async fn with_two_step_on_step_up_needs_a_fresh_code_as_well_as_the_password() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (secret, _) = turn_on(&server, &mut owner).await;
    // The code that turned it on is spent; the next step's code is a fresh one.
    advance(&server, 30);

    let reply = owner.reauthenticate(DEMO_PASSWORD).await;
    let message = refused(&reply, StatusCode::FORBIDDEN, "code_required", "code");
    assert!(message.contains("authenticator app"), "{message}");
    assert!(reply.header("set-cookie").is_none());
    // A wrong password is said as before, code or not.
    owner
        .post(
            REAUTHENTICATE,
            json!({"password": "nope-nope-nope", "code": "123456"}),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::WrongPassword);

    let wrong = owner
        .post(
            REAUTHENTICATE,
            json!({"password": DEMO_PASSWORD, "code": "000000"}),
        )
        .await;
    refused(&wrong, StatusCode::FORBIDDEN, "invalid_code", "code");
    assert!(wrong.header("set-cookie").is_none());

    let before = owner.cookie.clone();
    let code = authenticator_code(&server, &secret, 0);
    owner
        .post(
            REAUTHENTICATE,
            json!({"password": DEMO_PASSWORD, "code": code}),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    assert_ne!(owner.cookie, before, "a step-up rotates the token");
    let info: hallpass_api::SessionInfo = owner.get("/api/session").await.json();
    assert!(info.session.recently_authenticated_until.is_some());

    // A code is used once, here as at sign-in.
    let again = owner
        .post(
            REAUTHENTICATE,
            json!({"password": DEMO_PASSWORD, "code": code}),
        )
        .await;
    refused(&again, StatusCode::FORBIDDEN, "invalid_code", "code");
}

#[tokio::test]
async fn a_recovery_code_steps_up_once_and_is_spent() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (_, RecoveryCodes { recovery_codes }) = turn_on_codes(&server, &mut owner).await;
    let body = json!({"password": DEMO_PASSWORD, "recovery_code": recovery_codes[3]});
    owner
        .post(REAUTHENTICATE, body.clone())
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let account: Account = owner.get("/api/account").await.json();
    assert_eq!(account.two_factor.recovery_codes_left, 9);
    let reply = owner.post(REAUTHENTICATE, body).await;
    refused(
        &reply,
        StatusCode::FORBIDDEN,
        "invalid_code",
        "recovery_code",
    );
}

#[tokio::test]
async fn wrong_step_up_codes_count_with_sign_in_codes_towards_the_limit() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    turn_on(&server, &mut owner).await;
    for _ in 0..10 {
        let reply = owner
            .post(
                REAUTHENTICATE,
                json!({"password": DEMO_PASSWORD, "code": "000000"}),
            )
            .await;
        refused(&reply, StatusCode::FORBIDDEN, "invalid_code", "code");
    }
    owner
        .post(
            REAUTHENTICATE,
            json!({"password": DEMO_PASSWORD, "code": "000000"}),
        )
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
}

async fn turn_on_codes(server: &TestServer, browser: &mut Browser<'_>) -> (String, RecoveryCodes) {
    let (secret, recovery_codes) = turn_on(server, browser).await;
    (secret, RecoveryCodes { recovery_codes })
}

/// Turns two-step verification on with the box "Sign out of all other devices" as given.
async fn turn_on_with(server: &TestServer, browser: &mut Browser<'_>, sign_out_others: bool) {
    let setup: TotpSetup = browser
        .post("/api/two-factor/totp", json!({}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    let code = authenticator_code(server, &setup.secret, 0);
    browser
        .post(
            "/api/two-factor/totp/confirm",
            json!({"code": code, "sign_out_other_devices": sign_out_others}),
        )
        .await
        .expect_status(StatusCode::OK);
}

async fn turn_off_with(browser: &mut Browser<'_>, sign_out_others: bool) {
    browser
        .delete(&format!(
            "/api/two-factor?sign_out_other_devices={sign_out_others}"
        ))
        .await
        .expect_status(StatusCode::NO_CONTENT);
}

#[track_caller]
fn signed_out_by_another_device(reply: &Reply) {
    let error = reply.expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
    assert!(error.details.is_some(), "who signed it out is said");
}

#[tokio::test]
async fn turning_two_step_on_or_off_with_the_box_unchecked_leaves_other_devices_signed_in() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let mut tv = server.demo_browser().await;
    turn_on_with(&server, &mut owner, false).await;
    tv.get("/api/session").await.expect_status(StatusCode::OK);
    turn_off_with(&mut owner, false).await;
    tv.get("/api/session").await.expect_status(StatusCode::OK);
    // Left out, as older clients send it: nobody is signed out.
    turn_on_with(&server, &mut owner, false).await;
    owner
        .delete("/api/two-factor")
        .await
        .expect_status(StatusCode::NO_CONTENT);
    tv.get("/api/session").await.expect_status(StatusCode::OK);
}

#[tokio::test]
async fn turning_two_step_on_with_the_box_checked_signs_the_other_devices_out() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let mut tv = server.demo_browser().await;
    turn_on_with(&server, &mut owner, true).await;
    signed_out_by_another_device(&tv.get("/api/session").await);
    owner
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    let account: Account = owner.get("/api/account").await.json();
    assert!(account.two_factor.enabled);
}

#[tokio::test]
async fn turning_two_step_off_with_the_box_checked_signs_the_other_devices_out() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let mut tv = server.demo_browser().await;
    turn_on_with(&server, &mut owner, false).await;
    turn_off_with(&mut owner, true).await;
    signed_out_by_another_device(&tv.get("/api/session").await);
    owner
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    let account: Account = owner.get("/api/account").await.json();
    assert!(!account.two_factor.enabled);
    // Someone who knew the password but had no code yet can sign in again only now.
    let mut again = server.browser();
    again.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

//! Forgot password: a code by email, then a new password; the same answer for any address,
//! limits on asking and on guessing, every session ended, two-step where it is on.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use hallpass_api::{ActivityKind, ActivityPage, ErrorCode, OutboxMessage, PasswordResetToken};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, sent_code};
use serde_json::json;

use crate::support::{Browser, MINUTE, Reply, SAFARI_ON_IPHONE, TestServer, advance, code_sent_to};
use crate::two_factor::{authenticator_code, turn_on};

const NEW_PASSWORD: &str = "lantern-orbit-mossy-quartz-97";
const NOBODY: &str = "nobody@hallpass.test";

async fn ask(browser: &mut Browser<'_>, email: &str) -> Reply {
    browser
        .post("/api/password-reset", json!({ "email": email }))
        .await
}

async fn verify(browser: &mut Browser<'_>, email: &str, code: &str) -> Reply {
    browser
        .post(
            "/api/password-reset/verify",
            json!({ "email": email, "code": code }),
        )
        .await
}

async fn complete(browser: &mut Browser<'_>, body: serde_json::Value) -> Reply {
    browser.post("/api/password-reset/complete", body).await
}

/// Asks for a code for the demo account and trades it for a token.
async fn token(server: &TestServer, browser: &mut Browser<'_>) -> PasswordResetToken {
    ask(browser, DEMO_EMAIL)
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(server, DEMO_EMAIL).await;
    verify(browser, DEMO_EMAIL, &code)
        .await
        .expect_status(StatusCode::OK)
        .json()
}

async fn outbox(server: &TestServer) -> Vec<OutboxMessage> {
    server.browser().get("/api/dev/outbox").await.json()
}

async fn signs_in(browser: &mut Browser<'_>, password: &str) -> StatusCode {
    browser
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": password}),
        )
        .await
        .status
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_a_notice_instead_of_a_code() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    let known = ask(&mut browser, DEMO_EMAIL).await;
    let unknown = ask(&mut browser, NOBODY).await;
    for reply in [&known, &unknown] {
        reply.expect_status(StatusCode::ACCEPTED);
        assert!(reply.body.is_empty());
        assert!(reply.header("set-cookie").is_none());
    }
    let messages = outbox(&server).await;
    let to_nobody = messages.iter().find(|m| m.to == NOBODY).expect("a notice");
    assert_eq!(sent_code(&to_nobody.body), None, "no code for no account");
    assert!(to_nobody.body.contains("no account uses it"));
    // A guess at the unknown address is refused as a wrong code for a known one is.
    let code = code_sent_to(&server, DEMO_EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let for_known = verify(&mut browser, DEMO_EMAIL, wrong).await;
    let for_unknown = verify(&mut browser, NOBODY, wrong).await;
    assert_eq!(
        for_known.expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode),
        for_unknown.expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode),
    );
}

#[tokio::test]
async fn a_code_works_once_its_token_sets_one_password_and_only_the_new_one_signs_in() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    // Any case of the address finds the account.
    ask(&mut browser, &DEMO_EMAIL.to_uppercase())
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, DEMO_EMAIL).await;
    let token: PasswordResetToken = verify(&mut browser, DEMO_EMAIL, &code)
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert!(!token.two_factor_required);
    assert!(token.reset_token.len() >= 43);
    verify(&mut browser, DEMO_EMAIL, &code)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode);
    let body = json!({"reset_token": token.reset_token, "new_password": NEW_PASSWORD});
    complete(&mut browser, body.clone())
        .await
        .expect_status(StatusCode::NO_CONTENT);
    complete(&mut browser, body)
        .await
        .expect_error(StatusCode::GONE, ErrorCode::CodeExpired);
    assert!(browser.cookie.is_none(), "nobody is signed in by a reset");
    assert_eq!(
        signs_in(&mut browser, DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(signs_in(&mut browser, NEW_PASSWORD).await, StatusCode::OK);
    let left = server
        .column(
            "SELECT account_id FROM password_resets WHERE account_id = \
             (SELECT id FROM accounts WHERE email = $1)",
            DEMO_EMAIL,
        )
        .await;
    assert!(left.is_empty(), "the reset is gone once used");
}

#[tokio::test]
async fn a_code_lasts_30_minutes_and_a_token_15() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    ask(&mut browser, DEMO_EMAIL)
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, DEMO_EMAIL).await;
    advance(&server, 30 * MINUTE);
    verify(&mut browser, DEMO_EMAIL, &code)
        .await
        .expect_error(StatusCode::GONE, ErrorCode::CodeExpired);

    ask(&mut browser, DEMO_EMAIL)
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, DEMO_EMAIL).await;
    advance(&server, 29 * MINUTE);
    let token: PasswordResetToken = verify(&mut browser, DEMO_EMAIL, &code)
        .await
        .expect_status(StatusCode::OK)
        .json();
    advance(&server, 15 * MINUTE);
    complete(
        &mut browser,
        json!({"reset_token": token.reset_token, "new_password": NEW_PASSWORD}),
    )
    .await
    .expect_error(StatusCode::GONE, ErrorCode::CodeExpired);
    assert_eq!(signs_in(&mut browser, DEMO_PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn five_wrong_tries_lock_a_code_and_ten_lock_the_address() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for round in 0..3 {
        ask(&mut browser, DEMO_EMAIL)
            .await
            .expect_status(StatusCode::ACCEPTED);
        let code = code_sent_to(&server, DEMO_EMAIL).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        if round == 2 {
            // Ten wrong codes over two codes: even the right one of a third is refused.
            let refused = verify(&mut browser, DEMO_EMAIL, &code).await;
            refused.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
            assert!(refused.header("retry-after").is_some());
            break;
        }
        for _ in 0..5 {
            let reply = verify(&mut browser, DEMO_EMAIL, wrong).await;
            let error =
                reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode);
            assert!(error.fields.is_some_and(|f| f.contains_key("code")));
        }
        // The sixth try, even with the right code: this code is spent.
        verify(&mut browser, DEMO_EMAIL, &code)
            .await
            .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    }
    // From elsewhere, after the window, a new code works.
    advance(&server, 15 * MINUTE);
    let mut elsewhere = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 4]);
    token(&server, &mut elsewhere).await;
}

#[tokio::test]
async fn asking_is_limited_per_address_and_per_network_address() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for _ in 0..3 {
        ask(&mut browser, DEMO_EMAIL)
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    let mut elsewhere = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 4]);
    let refused = ask(&mut elsewhere, DEMO_EMAIL).await;
    refused.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    assert!(refused.header("retry-after").is_some());
    let sent = outbox(&server)
        .await
        .iter()
        .filter(|m| m.to == DEMO_EMAIL)
        .count();
    assert_eq!(sent, 3, "nothing is sent past the limit");
    // An address without an account is limited alike: the answer can't tell them apart.
    for _ in 0..3 {
        ask(&mut elsewhere, NOBODY)
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    ask(&mut elsewhere, NOBODY)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    // Ten from one network address, whatever the addresses asked for.
    let mut one_place = server.browser().on(SAFARI_ON_IPHONE, [192, 0, 2, 9]);
    for n in 0..10 {
        ask(&mut one_place, &format!("person{n}@example.test"))
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    ask(&mut one_place, "person10@example.test")
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    advance(&server, 15 * MINUTE);
    ask(&mut one_place, DEMO_EMAIL)
        .await
        .expect_status(StatusCode::ACCEPTED);
}

/// An address can change hands: the account has a limit of its own, across its addresses.
#[tokio::test]
async fn asking_is_limited_per_account_across_its_addresses() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let mut browser = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 4]);
    for _ in 0..3 {
        ask(&mut browser, DEMO_EMAIL)
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    let moved = "moved@hallpass.test";
    owner
        .put("/api/account/email", json!({ "email": moved }))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, moved).await;
    owner
        .post("/api/account/email/verify", json!({ "code": code }))
        .await
        .expect_status(StatusCode::OK);
    for _ in 0..2 {
        ask(&mut browser, moved)
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    // Two for this address, but five for the account.
    ask(&mut browser, moved)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
}

#[tokio::test]
async fn every_session_ends_and_the_activity_log_records_the_reset() {
    let server = TestServer::demo().await;
    let mut laptop = server.demo_browser().await;
    let mut phone = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 4]);
    phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    // The reset comes from a browser signed in too: it is signed out like the rest.
    let mut here = server.demo_browser().await;
    let token = token(&server, &mut here).await;
    complete(
        &mut here,
        json!({"reset_token": token.reset_token, "new_password": NEW_PASSWORD}),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    for browser in [&mut laptop, &mut phone, &mut here] {
        let error = browser
            .get("/api/session")
            .await
            .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
        let details = error.details.expect("who signed it out");
        assert_eq!(details.signed_out_by.device_name, "Chrome on Windows");
    }
    let mut again = server.browser();
    again.sign_in(DEMO_EMAIL, NEW_PASSWORD).await;
    let page: ActivityPage = again.get("/api/activity").await.json();
    let kinds: Vec<ActivityKind> = page.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds[..2],
        [ActivityKind::SignedIn, ActivityKind::PasswordReset]
    );
    let reset = &page.events[1];
    let device = reset.device.as_ref().expect("the device it came from");
    assert_eq!(device.name, "Chrome on Windows");
    assert_eq!(reset.ip_hint.as_deref(), Some("203.0.113.x"));
    let notice = outbox(&server).await;
    assert_eq!(notice[0].subject, "Your Hallpass password was reset");
}

#[tokio::test]
async fn with_two_step_on_the_new_password_needs_a_code_or_a_recovery_code() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (secret, recovery) = turn_on(&server, &mut owner).await;
    let mut browser = server.browser();
    let token = token(&server, &mut browser).await;
    assert!(token.two_factor_required);
    let body = |extra: serde_json::Value| {
        let mut body = json!({"reset_token": token.reset_token, "new_password": NEW_PASSWORD});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    let error = complete(&mut browser, body(json!({})))
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::CodeRequired);
    assert!(error.fields.is_some_and(|f| f.contains_key("code")));
    complete(&mut browser, body(json!({"code": "000000"})))
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::InvalidCode);
    advance(&server, 30);
    let code = authenticator_code(&server, &secret, 0);
    complete(&mut browser, body(json!({ "code": code })))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    owner
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);

    // A recovery code does it too, and is spent.
    let token = self::token(&server, &mut browser).await;
    let body = json!({
        "reset_token": token.reset_token,
        "new_password": "velvet-canyon-signal-parade-31",
        "recovery_code": recovery[0],
    });
    complete(&mut browser, body)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let used = server
        .column(
            "SELECT CAST(COUNT(*) AS TEXT) FROM recovery_codes WHERE used_at IS NOT NULL AND account_id = \
             (SELECT id FROM accounts WHERE email = $1)",
            DEMO_EMAIL,
        )
        .await;
    assert_eq!(used, ["1"]);
}

#[tokio::test]
async fn a_weak_or_unchanged_password_is_refused_with_advice_and_the_token_stays_good() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    let token = token(&server, &mut browser).await;
    for weak in ["password123", "demo@hallpass.test", "qwertyuiop"] {
        let error = complete(
            &mut browser,
            json!({"reset_token": token.reset_token, "new_password": weak}),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::WeakPassword);
        let advice = error
            .fields
            .and_then(|f| f.get("new_password").cloned())
            .unwrap_or_default();
        assert!(advice.len() > 10, "advice for {weak}: {advice:?}");
    }
    complete(
        &mut browser,
        json!({"reset_token": token.reset_token, "new_password": DEMO_PASSWORD}),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::SamePassword);
    complete(
        &mut browser,
        json!({"reset_token": token.reset_token, "new_password": "short"}),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    complete(
        &mut browser,
        json!({"reset_token": token.reset_token, "new_password": NEW_PASSWORD}),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn bad_bodies_get_json_errors() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for path in [
        "/api/password-reset",
        "/api/password-reset/verify",
        "/api/password-reset/complete",
    ] {
        let request = browser
            .request(Method::POST, path)
            .header("content-type", "application/json")
            .body(Body::from("{\"email\": "))
            .expect("request");
        browser
            .send(request)
            .await
            .expect_error(StatusCode::BAD_REQUEST, ErrorCode::MalformedJson);
    }
    let error = ask(&mut browser, "not an address")
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    assert!(error.fields.is_some_and(|f| f.contains_key("email")));
    verify(&mut browser, DEMO_EMAIL, "12345")
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    // Cross-site, as every state-changing request.
    let request = Request::post("/api/password-reset")
        .header("content-type", "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(json!({"email": DEMO_EMAIL}).to_string()))
        .expect("request");
    server
        .send(request)
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::CrossSiteRequest);
}

//! Account: membership, password, email and phone with codes, recovery, linked accounts.

use axum::http::StatusCode;
use hallpass_api::{Account, ActivityKind, ActivityPage, ErrorCode};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, SECOND_EMAIL, SECOND_PASSWORD};
use serde_json::json;

use crate::support::{MINUTE, TestServer, advance, code_sent_to};

#[tokio::test]
async fn the_account_shows_membership_contacts_two_step_and_linked_accounts() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let account: Account = browser
        .get("/api/account")
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(account.email, DEMO_EMAIL);
    assert!(account.email_verified);
    assert_eq!(
        (
            account.plan.name.as_str(),
            account.plan.price.as_str(),
            account.plan.currency.as_str()
        ),
        ("Standard", "15.49", "USD")
    );
    assert!(account.plan.next_billing_date.as_str() > account.member_since.as_str());
    assert_eq!(account.phone.as_deref(), Some("+13125550142"));
    assert!(!account.two_factor.enabled);
    assert_eq!(account.linked_accounts.len(), 1);
}

fn change(current: &str, new: &str) -> serde_json::Value {
    json!({"current_password": current, "new_password": new, "sign_out_other_devices": false})
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_refuses_weak_ones_and_takes_effect() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let error = browser
        .put(
            "/api/account/password",
            change("not-my-password", "violet-lantern-harbour-92"),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::WrongPassword);
    assert!(
        error
            .fields
            .unwrap_or_default()
            .contains_key("current_password")
    );
    browser
        .put(
            "/api/account/password",
            change(DEMO_PASSWORD, DEMO_PASSWORD),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::SamePassword);
    for weak in ["password123", "demo@hallpass.test", "qwertyuiop"] {
        let error = browser
            .put("/api/account/password", change(DEMO_PASSWORD, weak))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::WeakPassword);
        let advice = error
            .fields
            .unwrap_or_default()
            .get("new_password")
            .cloned()
            .unwrap_or_default();
        assert!(advice.len() > 10, "advice for {weak}: {advice:?}");
    }
    browser
        .put("/api/account/password", change(DEMO_PASSWORD, "short"))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);

    browser
        .put(
            "/api/account/password",
            change(DEMO_PASSWORD, "violet-lantern-harbour-92"),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let mut other = server.browser();
    other
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials);
    other.sign_in(DEMO_EMAIL, "violet-lantern-harbour-92").await;
    let events: ActivityPage = browser.get("/api/activity").await.json();
    assert!(
        events
            .events
            .iter()
            .any(|e| e.kind == ActivityKind::PasswordChanged)
    );
    let outbox: Vec<hallpass_api::OutboxMessage> = browser.get("/api/dev/outbox").await.json();
    assert!(outbox[0].to == DEMO_EMAIL && outbox[0].subject.contains("password was changed"));
}

#[tokio::test]
async fn a_new_email_address_is_confirmed_with_the_code_sent_to_it() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    // Another account's address: the same answer as a free one (no way to find out who has an
    // account), but its owner gets a notice and no code exists.
    browser
        .put("/api/account/email", json!({"email": SECOND_EMAIL}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let outbox: Vec<hallpass_api::OutboxMessage> = browser.get("/api/dev/outbox").await.json();
    assert_eq!(outbox[0].to, SECOND_EMAIL);
    assert!(
        hallpass_server::demo::sent_code(&outbox[0].body).is_none(),
        "{}",
        outbox[0].body
    );
    browser
        .post("/api/account/email/verify", json!({"code": "123456"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode);
    browser
        .put("/api/account/email", json!({"email": "not an address"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    browser
        .put("/api/account/email", json!({"email": "alex@example.com"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, "alex@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    browser
        .post("/api/account/email/verify", json!({"code": wrong}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode);
    let account: Account = browser
        .post("/api/account/email/verify", json!({"code": code}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(account.email, "alex@example.com");
    server
        .browser()
        .sign_in("alex@example.com", DEMO_PASSWORD)
        .await;
    let outbox: Vec<hallpass_api::OutboxMessage> = browser.get("/api/dev/outbox").await.json();
    assert!(
        outbox
            .iter()
            .any(|m| m.to == DEMO_EMAIL && m.subject.contains("email address was changed"))
    );

    // Codes expire after 15 minutes, and run out after five wrong tries.
    browser
        .put("/api/account/email", json!({"email": "alex@example.org"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, "alex@example.org").await;
    advance(&server, 15 * MINUTE);
    browser
        .post("/api/account/email/verify", json!({"code": code}))
        .await
        .expect_error(StatusCode::GONE, ErrorCode::CodeExpired);
    browser
        .reauthenticate(DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser
        .put("/api/account/email", json!({"email": "alex@example.org"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, "alex@example.org").await;
    for _ in 0..5 {
        browser
            .post(
                "/api/account/email/verify",
                json!({"code": if code == "000000" { "111111" } else { "000000" }}),
            )
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode);
    }
    browser
        .post("/api/account/email/verify", json!({"code": code}))
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
}

#[tokio::test]
async fn an_address_taken_meanwhile_fails_the_whole_change_and_writes_nothing() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    browser
        .put("/api/account/email", json!({"email": "shared@example.com"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, "shared@example.com").await;
    // The second account takes the address first.
    let mut second = server.browser();
    second.sign_in(SECOND_EMAIL, SECOND_PASSWORD).await;
    second
        .put("/api/account/email", json!({"email": "shared@example.com"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let their_code = code_sent_to(&server, "shared@example.com").await;
    second
        .post("/api/account/email/verify", json!({"code": their_code}))
        .await
        .expect_status(StatusCode::OK);

    let events_before: ActivityPage = browser.get("/api/activity").await.json();
    browser
        .post("/api/account/email/verify", json!({"code": code}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    let account: Account = browser.get("/api/account").await.json();
    assert_eq!(account.email, DEMO_EMAIL);
    let events_after: ActivityPage = browser.get("/api/activity").await.json();
    assert_eq!(
        events_before, events_after,
        "no email_changed event for a change that failed"
    );
}

#[tokio::test]
async fn phone_recovery_contacts_and_linked_accounts_change_with_step_up() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    browser
        .put("/api/account/phone", json!({"phone": "0312 555 0100"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    browser
        .put("/api/account/phone", json!({"phone": "+447700900123"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, "+447700900123").await;
    let account: Account = browser
        .post("/api/account/phone/verify", json!({"code": code}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(account.phone.as_deref(), Some("+447700900123"));
    assert!(account.phone_verified);

    let account: Account = browser
        .put(
            "/api/account/recovery",
            json!({"recovery_email": "backup@example.com", "recovery_phone": "+13125550177"}),
        )
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(
        account.recovery_email.as_deref(),
        Some("backup@example.com")
    );
    let account: Account = browser
        .put("/api/account/recovery", json!({"recovery_email": ""}))
        .await
        .json();
    assert_eq!(
        (account.recovery_email, account.recovery_phone.as_deref()),
        (None, Some("+13125550177"))
    );
    browser
        .put("/api/account/recovery", json!({"recovery_phone": "12"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);

    browser
        .delete("/api/account/linked/google")
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser
        .delete("/api/account/linked/google")
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    let account: Account = browser.get("/api/account").await.json();
    assert!(account.linked_accounts.is_empty());

    advance(&server, 11 * MINUTE);
    for reply in [
        browser
            .put("/api/account/phone", json!({"phone": "+13125550100"}))
            .await,
        browser
            .put("/api/account/email", json!({"email": "x@example.com"}))
            .await,
        browser.put("/api/account/recovery", json!({})).await,
        browser.delete("/api/account/linked/google").await,
    ] {
        reply.expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
    }
}

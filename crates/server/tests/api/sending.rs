//! Codes and notices the server sends on request are limited per account, per destination and
//! per network address (issue 10: 60 phone changes queued 60 SMS in 0.1 s; 30 email changes to
//! another member's address sent them 30 notices).

use axum::http::StatusCode;
use hallpass_api::{ErrorCode, OutboxMessage};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, SECOND_EMAIL, SECOND_PASSWORD};
use serde_json::json;

use crate::support::{Reply, TestServer};

fn limited(reply: &Reply) {
    reply.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    let wait: i64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=15 * 60).contains(&wait), "{wait}");
}

async fn outbox_to(server: &TestServer, to: &str) -> usize {
    let messages: Vec<OutboxMessage> = server.browser().get("/api/dev/outbox").await.json();
    messages.iter().filter(|m| m.to == to).count()
}

#[tokio::test]
async fn one_account_sends_at_most_five_codes_to_as_many_numbers() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let mut sent = 0;
    for n in 0..60 {
        let phone = format!("+1555010{n:04}");
        let reply = browser
            .put("/api/account/phone", json!({ "phone": phone }))
            .await;
        if reply.status == StatusCode::ACCEPTED {
            sent += 1;
            assert_eq!(outbox_to(&server, &phone).await, 1);
        } else {
            limited(&reply);
            assert_eq!(
                outbox_to(&server, &phone).await,
                0,
                "nothing sent when refused"
            );
        }
    }
    assert_eq!(sent, 5);
}

#[tokio::test]
async fn another_members_address_gets_at_most_three_notices() {
    let server = TestServer::demo().await;
    let before = outbox_to(&server, SECOND_EMAIL).await;
    let mut browser = server.demo_browser().await;
    let statuses: Vec<StatusCode> = {
        let mut statuses = Vec::new();
        for _ in 0..30 {
            let reply = browser
                .put("/api/account/email", json!({ "email": SECOND_EMAIL }))
                .await;
            statuses.push(reply.status);
        }
        statuses
    };
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    assert_eq!(accepted, 3, "{statuses:?}");
    assert_eq!(outbox_to(&server, SECOND_EMAIL).await - before, 3);
}

#[tokio::test]
async fn one_network_address_sends_at_most_eight_whatever_the_accounts() {
    let server = TestServer::demo().await;
    let mut first = server.browser();
    first.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let mut second = server.browser();
    second.sign_in(SECOND_EMAIL, SECOND_PASSWORD).await;
    for n in 0..5 {
        first
            .put(
                "/api/account/phone",
                json!({ "phone": format!("+1555020{n:04}") }),
            )
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    for n in 0..3 {
        second
            .put(
                "/api/account/phone",
                json!({ "phone": format!("+1555030{n:04}") }),
            )
            .await
            .expect_status(StatusCode::ACCEPTED);
    }
    // The second account has sent only three, but the address has sent eight.
    limited(
        &second
            .put("/api/account/phone", json!({ "phone": "+15550309999" }))
            .await,
    );
    // From elsewhere, the second account may go on.
    second.ip = std::net::IpAddr::from([198, 51, 100, 77]);
    second
        .put("/api/account/phone", json!({ "phone": "+15550309999" }))
        .await
        .expect_status(StatusCode::ACCEPTED);
}

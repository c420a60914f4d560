//! Sessions: the cookie, expiry, sign-out, sign-in limits, step-up.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use hallpass_api::{ErrorCode, SessionInfo, SessionStatus};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, SECOND_EMAIL};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{DAY, MINUTE, TestServer, advance};

#[tokio::test]
async fn signing_in_sets_a_host_cookie_and_the_database_keeps_only_its_hash() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    let reply = browser
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await;
    reply.expect_status(StatusCode::OK);
    let set_cookie = reply.header("set-cookie").expect("a cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(set_cookie.starts_with("__Host-hallpass_session="));
    assert!(
        !set_cookie.contains("Domain"),
        "__Host- cookies have no Domain"
    );
    let token = browser.cookie.clone().expect("token");
    assert!(token.len() >= 43, "at least 256 bits: {token}");

    let info: SessionInfo = reply.json();
    let rows: Vec<(String, Vec<u8>, String)> =
        sqlx::query_as("SELECT id, token_hash, user_agent FROM sessions")
            .fetch_all(&server.state.db)
            .await
            .expect("sessions");
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    assert!(
        rows.iter()
            .any(|(id, stored, _)| *id == info.session.id && *stored == hash),
        "the session keeps the token's SHA-256"
    );
    let leaks = rows.iter().filter(|(_, stored, agent)| {
        contains(stored, token.as_bytes()) || agent.contains(token.as_str())
    });
    assert_eq!(leaks.count(), 0, "the token itself is stored nowhere");
    assert!(
        info.session.recently_authenticated_until.is_some(),
        "signing in opens step-up"
    );
    assert_eq!(info.account.email, DEMO_EMAIL);
    assert_eq!(info.profile, None);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_email_is_found_whatever_the_case_of_its_ascii_letters() {
    // SQLite's NOCASE column did this; on PostgreSQL it is `lower(email) = lower($1)`.
    let server = TestServer::demo().await;
    let info = server
        .browser()
        .sign_in(&DEMO_EMAIL.to_ascii_uppercase(), DEMO_PASSWORD)
        .await;
    assert_eq!(
        info.account.email, DEMO_EMAIL,
        "the address as it was stored"
    );
}

#[tokio::test]
async fn every_sign_in_makes_a_new_session_and_token() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    let first = browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let first_token = browser.cookie.clone();
    let second = browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_ne!(first.session.id, second.session.id);
    assert_ne!(first_token, browser.cookie);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer_in_about_the_same_time() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    let mut attempt = async |email: &str| {
        let started = Instant::now();
        let reply = browser
            .post(
                "/api/session",
                json!({"email": email, "password": "not-the-password"}),
            )
            .await;
        (started.elapsed(), reply.status, reply.error())
    };
    // Alternate, so that whatever the machine is doing affects both alike.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let (took, status, error) = attempt(DEMO_EMAIL).await;
        known.push(took);
        let (took2, status2, error2) = attempt(&format!("nobody{i}@hallpass.test")).await;
        unknown.push(took2);
        assert_eq!(
            (status, status2),
            (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
        );
        assert_eq!(error.code, ErrorCode::InvalidCredentials);
        assert_eq!(error, error2, "the same body");
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (known, unknown) = (median(known), median(unknown));
    // Both run one argon2id check; without the dummy check, unknown emails answer ~100× faster.
    assert!(
        unknown * 3 > known && known * 3 > unknown,
        "known {known:?} vs unknown {unknown:?}"
    );
}

#[tokio::test]
async fn without_a_valid_cookie_the_answer_is_not_signed_in() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
    browser.cookie = Some("forged-token".to_owned());
    browser
        .get("/api/devices")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn sessions_end_after_30_idle_days() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    advance(&server, 29 * DAY);
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    advance(&server, 29 * DAY);
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    advance(&server, 30 * DAY);
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired);
    // And it stays ended, and off the Devices page.
    advance(&server, -29 * DAY);
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired);
}

#[tokio::test]
async fn sessions_end_after_400_days_however_much_they_are_used() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let info: SessionInfo = browser.get("/api/session").await.json();
    assert!(info.session.expires_at.as_str() > info.session.signed_in_at.as_str());
    for _ in 0..14 {
        advance(&server, 28 * DAY);
        browser
            .get("/api/session")
            .await
            .expect_status(StatusCode::OK);
    }
    advance(&server, 9 * DAY); // 401 days
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired);
}

#[tokio::test]
async fn last_activity_is_written_at_most_once_a_minute() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let info: SessionInfo = browser.get("/api/session").await.json();
    let last_active = || {
        server.column(
            "SELECT CAST(last_active_at AS TEXT) FROM sessions WHERE id = $1",
            &info.session.id,
        )
    };
    let at_sign_in = last_active().await;
    advance(&server, 30);
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(last_active().await, at_sign_in, "30 s later: no write");
    advance(&server, 31);
    browser = browser.on(crate::support::SAFARI_ON_IPHONE, [198, 51, 100, 9]);
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    assert_ne!(last_active().await, at_sign_in, "61 s later: written");
    let ip = server
        .column("SELECT ip FROM sessions WHERE id = $1", &info.session.id)
        .await;
    assert_eq!(ip, ["198.51.100.9"], "the last IP is kept up to date");
    let ua = server
        .column(
            "SELECT user_agent FROM sessions WHERE id = $1",
            &info.session.id,
        )
        .await;
    assert_eq!(ua, [crate::support::SAFARI_ON_IPHONE]);
}

#[tokio::test]
async fn signing_out_clears_the_site_ends_the_session_and_is_idempotent() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let old_cookie = browser.cookie.clone();
    let reply = browser.delete("/api/session").await;
    reply.expect_status(StatusCode::NO_CONTENT);
    assert_eq!(
        reply.header("clear-site-data"),
        Some("\"cache\", \"cookies\", \"storage\"")
    );
    let set_cookie = reply.header("set-cookie").expect("cookie expired");
    assert!(set_cookie.contains("Max-Age=0"), "{set_cookie}");
    assert_eq!(browser.cookie, None);

    // The old cookie, replayed, is worth nothing.
    browser.cookie = old_cookie;
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
    browser
        .delete("/api/session")
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser.cookie = None;
    browser
        .delete("/api/session")
        .await
        .expect_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn five_failures_for_one_account_lock_its_sign_in_for_15_minutes() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for _ in 0..5 {
        browser
            .post(
                "/api/session",
                json!({"email": DEMO_EMAIL, "password": "wrong-password"}),
            )
            .await
            .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials);
    }
    // Even the right password waits now; other accounts don't.
    let locked = browser
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await;
    locked.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    let retry_after: i64 = locked
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=15 * MINUTE).contains(&retry_after), "{retry_after}");
    browser
        .sign_in(SECOND_EMAIL, "second-account-password")
        .await;

    advance(&server, retry_after);
    browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_it_whatever_the_account() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for i in 0..20 {
        let email = format!("guess{i}@hallpass.test");
        browser
            .post(
                "/api/session",
                json!({"email": email, "password": "password123"}),
            )
            .await
            .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials);
    }
    let reply = browser
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await;
    reply.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    assert!(reply.header("retry-after").is_some());
    // Another address is not affected.
    let mut elsewhere = server
        .browser()
        .on(crate::support::SAFARI_ON_IPHONE, [198, 51, 100, 1]);
    elsewhere.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn step_up_routes_need_a_password_check_in_the_last_10_minutes() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let change = json!({"phone": "+13125550199"});
    // Signing in opened the window.
    browser
        .put("/api/account/phone", change.clone())
        .await
        .expect_status(StatusCode::ACCEPTED);
    advance(&server, 10 * MINUTE + 1);
    browser
        .put("/api/account/phone", change.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
    let wrong = browser.reauthenticate("not-it").await;
    let error = wrong.expect_error(StatusCode::FORBIDDEN, ErrorCode::WrongPassword);
    assert!(error.fields.unwrap_or_default().contains_key("password"));
    browser
        .reauthenticate(DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let info: SessionInfo = browser.get("/api/session").await.json();
    assert!(info.session.recently_authenticated_until.is_some());
    browser
        .put("/api/account/phone", change)
        .await
        .expect_status(StatusCode::ACCEPTED);
}

/// Sends `n` sign-ins with a wrong password at once, each from its own connection.
async fn concurrent_wrong_sign_ins(server: &TestServer, n: usize) -> Vec<StatusCode> {
    let requests = (0..n)
        .map(|_| {
            server
                .browser()
                .request(axum::http::Method::POST, "/api/session")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"email": DEMO_EMAIL, "password": "wrong-password"}).to_string(),
                ))
                .expect("request")
        })
        .collect();
    crate::support::at_once(server, requests).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_guesses_gets_no_more_than_the_limit() {
    let server = TestServer::demo().await;
    let statuses = concurrent_wrong_sign_ins(&server, 12).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 7), "{statuses:?}");
}

#[tokio::test]
async fn step_up_issues_a_new_token_and_the_old_one_soon_stops_working() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let old = browser.cookie.clone();
    let reply = browser.reauthenticate(DEMO_PASSWORD).await;
    reply.expect_status(StatusCode::NO_CONTENT);
    assert!(
        reply
            .header("set-cookie")
            .is_some_and(|c| c.contains("HttpOnly"))
    );
    assert_ne!(browser.cookie, old);
    let new = browser.cookie.clone();

    // A request that was already on its way with the old cookie still gets through.
    browser.cookie = old.clone();
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
    advance(&server, MINUTE);
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
    browser.cookie = new;
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
}

#[tokio::test]
async fn signing_in_again_ends_the_session_this_browser_had() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let old = browser.cookie.clone();
    browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let devices: Vec<hallpass_api::Device> = browser.get("/api/devices").await.json();
    assert_eq!(devices.len(), 9, "one device for this browser, not two");
    browser.cookie = old;
    browser
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn the_status_is_null_without_a_session_the_session_with_one_and_the_reason_once_ended() {
    let server = TestServer::demo().await;
    // No cookie, or one that names no session: an answer, not an error (the app asks this on
    // every visit, and a 401 would be logged in the browser's console each time).
    let mut browser = server.browser();
    let reply = browser.get("/api/session/status").await;
    reply.expect_status(StatusCode::OK);
    assert_eq!(
        reply.json::<SessionStatus>(),
        SessionStatus { session: None }
    );
    browser.cookie = Some("forged-token".to_owned());
    let reply = browser.get("/api/session/status").await;
    reply.expect_status(StatusCode::OK);
    assert_eq!(reply.json::<SessionStatus>().session, None);

    // Signed in: the same answer as GET /api/session.
    let mut phone = server.browser();
    let signed_in = phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let reply = phone.get("/api/session/status").await;
    reply.expect_status(StatusCode::OK);
    let status = reply.json::<SessionStatus>();
    assert_eq!(
        status.session.map(|s| s.session.id),
        Some(signed_in.session.id.clone())
    );

    // Signed out from another device: still the 401 and its reason, which the app shows.
    let mut pc = server.demo_browser().await;
    pc.delete(&format!("/api/devices/{}", signed_in.session.id))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    phone
        .get("/api/session/status")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
}

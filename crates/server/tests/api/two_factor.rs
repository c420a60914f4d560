//! Two-step verification: set-up with real TOTP codes, sign-in challenges, recovery codes.

use axum::http::StatusCode;
use hallpass_api::{
    Account, ActivityKind, ActivityPage, ErrorCode, RecoveryCodes, SessionInfo, SignInOutcome,
    TotpSetup,
};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::support::{Browser, MINUTE, TestServer, advance, code_sent_to};

/// What an authenticator app shows for `setup` at the server's time.
pub fn authenticator_code(server: &TestServer, secret: &str, seconds_from_now: i64) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32");
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).expect("totp");
    let at = server.state.clock.now() + seconds_from_now;
    totp.generate(u64::try_from(at).expect("after 1970"))
}

pub async fn turn_on(server: &TestServer, browser: &mut Browser<'_>) -> (String, Vec<String>) {
    let setup: TotpSetup = browser
        .post("/api/two-factor/totp", json!({}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert!(setup.qr_svg.starts_with("<?xml") || setup.qr_svg.contains("<svg"));
    assert!(setup.otpauth_uri.starts_with("otpauth://totp/Hallpass:"));
    browser
        .post("/api/two-factor/totp/confirm", json!({"code": "000000"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidCode);
    let code = authenticator_code(server, &setup.secret, 0);
    let codes: RecoveryCodes = browser
        .post("/api/two-factor/totp/confirm", json!({ "code": code }))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(codes.recovery_codes.len(), 10);
    (setup.secret, codes.recovery_codes)
}

async fn challenge(browser: &mut Browser<'_>) -> String {
    let reply = browser
        .post(
            "/api/session",
            json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await;
    assert!(
        reply.header("set-cookie").is_none(),
        "no session before the second step"
    );
    match reply.expect_status(StatusCode::OK).json::<SignInOutcome>() {
        SignInOutcome::TwoFactorRequired(c) if c.two_factor_required => c.challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

#[tokio::test]
async fn with_two_step_on_signing_in_takes_a_fresh_code_or_an_unused_recovery_code() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (secret, recovery) = turn_on(&server, &mut owner).await;
    let account: Account = owner.get("/api/account").await.json();
    assert!(account.two_factor.enabled);
    assert_eq!(account.two_factor.recovery_codes_left, 10);

    let mut browser = server.browser();
    let first = challenge(&mut browser).await;
    browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": first, "code": "999999"}),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
    // The set-up code was used at this step; the next step's code is fresh.
    advance(&server, 30);
    let code = authenticator_code(&server, &secret, 0);
    let info: SessionInfo = browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": first, "code": code}),
        )
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert!(info.session.recently_authenticated_until.is_some());
    browser
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);

    // The same code again, on a new challenge: refused (no replay). So is the spent challenge.
    let mut again = server.browser();
    let second = challenge(&mut again).await;
    again
        .post(
            "/api/session/two-factor",
            json!({"challenge": second, "code": code}),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);
    again
        .post(
            "/api/session/two-factor",
            json!({"challenge": first, "code": code}),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);

    // A recovery code, typed loosely, works once.
    let loose = recovery[3].to_uppercase().replace('-', " ");
    again
        .post(
            "/api/session/two-factor",
            json!({"challenge": second, "recovery_code": loose}),
        )
        .await
        .expect_status(StatusCode::OK);
    let mut third = server.browser();
    let challenge3 = challenge(&mut third).await;
    third
        .post(
            "/api/session/two-factor",
            json!({"challenge": challenge3, "recovery_code": recovery[3]}),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);
    let account: Account = owner.get("/api/account").await.json();
    assert_eq!(account.two_factor.recovery_codes_left, 9);
}

#[tokio::test]
async fn a_challenge_takes_five_wrong_codes_and_lasts_five_minutes() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (secret, _) = turn_on(&server, &mut owner).await;
    let mut browser = server.browser();
    let guessed = challenge(&mut browser).await;
    for _ in 0..5 {
        browser
            .post(
                "/api/session/two-factor",
                json!({"challenge": guessed, "code": "000001"}),
            )
            .await
            .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);
    }
    advance(&server, 30);
    let right = authenticator_code(&server, &secret, 0);
    let reply = browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": guessed, "code": right}),
        )
        .await;
    reply.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    assert!(reply.header("retry-after").is_some());

    let slow = challenge(&mut browser).await;
    advance(&server, 5 * MINUTE);
    let late = authenticator_code(&server, &secret, 0);
    browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": slow, "code": late}),
        )
        .await
        .expect_error(StatusCode::GONE, ErrorCode::CodeExpired);
}

#[tokio::test]
async fn new_recovery_codes_replace_the_old_and_turning_off_needs_step_up() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (_, old) = turn_on(&server, &mut owner).await;
    let new: RecoveryCodes = owner
        .post("/api/two-factor/recovery-codes", json!({}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert!(new.recovery_codes.iter().all(|c| !old.contains(c)));
    let mut browser = server.browser();
    let c = challenge(&mut browser).await;
    browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": c, "recovery_code": old[0]}),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);
    browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": c, "recovery_code": new.recovery_codes[0]}),
        )
        .await
        .expect_status(StatusCode::OK);

    advance(&server, 11 * MINUTE);
    owner
        .delete("/api/two-factor")
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
    // With two-step on, step-up takes the second step too (here a recovery code).
    owner
        .post(
            "/api/session/reauthenticate",
            json!({"password": DEMO_PASSWORD, "recovery_code": new.recovery_codes[1]}),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    owner
        .delete("/api/two-factor")
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let account: Account = owner.get("/api/account").await.json();
    assert!(!account.two_factor.enabled);
    assert_eq!(account.two_factor.recovery_codes_left, 0);
    owner
        .post("/api/two-factor/recovery-codes", json!({}))
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    let kinds: Vec<ActivityKind> = owner
        .get("/api/activity")
        .await
        .json::<ActivityPage>()
        .events
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds[..4],
        [
            ActivityKind::TwoFactorDisabled,
            ActivityKind::SignedIn,
            // The old recovery code, refused.
            ActivityKind::SignInFailed,
            ActivityKind::RecoveryCodesRegenerated
        ]
    );
    server.browser().sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

#[tokio::test]
async fn wrong_codes_count_per_account_across_challenges_and_show_in_activity() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let (secret, _) = turn_on(&server, &mut owner).await;
    let mut browser = server.browser();
    for _ in 0..2 {
        let c = challenge(&mut browser).await;
        for _ in 0..5 {
            browser
                .post(
                    "/api/session/two-factor",
                    json!({"challenge": c, "code": "000001"}),
                )
                .await
                .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCode);
        }
    }
    // Ten wrong codes in all: a fresh challenge does not buy more guesses.
    let c = challenge(&mut browser).await;
    advance(&server, 30);
    let right = authenticator_code(&server, &secret, 0);
    browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": c, "code": right}),
        )
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    let events: ActivityPage = owner.get("/api/activity").await.json();
    let failed = events
        .events
        .iter()
        .take(10)
        .filter(|e| e.kind == ActivityKind::SignInFailed)
        .count();
    assert_eq!(failed, 10);
}

/// Issue 10, item 4: a `:` is valid in an email address, and totp-rs refuses it in a label.
#[tokio::test]
async fn an_address_with_a_colon_turns_two_step_on_and_signs_in_with_a_code() {
    let server = TestServer::demo().await;
    let mut owner = server.demo_browser().await;
    let address = "riley:tv@example.test";
    owner
        .put("/api/account/email", json!({ "email": address }))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = code_sent_to(&server, address).await;
    owner
        .post("/api/account/email/verify", json!({ "code": code }))
        .await
        .expect_status(StatusCode::OK);

    let setup: TotpSetup = owner
        .post("/api/two-factor/totp", json!({}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    // The account part is percent-encoded, so the authenticator shows the address as typed.
    assert!(
        setup
            .otpauth_uri
            .starts_with("otpauth://totp/Hallpass:riley%3Atv%40example.test?"),
        "{}",
        setup.otpauth_uri
    );
    let code = authenticator_code(&server, &setup.secret, 0);
    owner
        .post("/api/two-factor/totp/confirm", json!({ "code": code }))
        .await
        .expect_status(StatusCode::OK);

    advance(&server, 30);
    let mut browser = server.browser();
    let reply = browser
        .post(
            "/api/session",
            json!({"email": address, "password": DEMO_PASSWORD}),
        )
        .await;
    let challenge = match reply.expect_status(StatusCode::OK).json::<SignInOutcome>() {
        SignInOutcome::TwoFactorRequired(c) => c.challenge,
        other => panic!("expected a challenge, got {other:?}"),
    };
    let code = authenticator_code(&server, &setup.secret, 0);
    let info: SessionInfo = browser
        .post(
            "/api/session/two-factor",
            json!({"challenge": challenge, "code": code}),
        )
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(info.account.email, address);
}

//! Two `hallpass-server` processes on one PostgreSQL database, as two instances behind a
//! proxy (issue 12, section 4): what one decides, the other knows on its very next request,
//! because everything the API decides by lives in the database, not in a process.
//!
//! Real processes, not two routers in this one: nothing (a pool, a clock, a cache) can be
//! shared by accident. PostgreSQL only; without it each test prints why and passes.

use axum::http::{Method, StatusCode};
use hallpass_api::{ErrorCode, SignInOutcome};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;

use crate::process::{Agent, Instance, Postgres, send};
use crate::support::{MINUTE, Reply};

/// Instances A and B, started one after the other on a fresh database.
async fn two_instances(test: &str) -> Option<(Instance, Instance)> {
    let pg = Postgres::from_env(test)?;
    let database = pg.fresh_database().await;
    let a = Instance::start(&database, &[]).await;
    let b = Instance::start(&database, &[]).await;
    Some((a, b))
}

/// Signs `agent` in to the demo account through `to`; returns its session id.
async fn sign_in(agent: &mut Agent, to: &Instance) -> String {
    let body = json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD});
    let reply = agent.post(to, "/api/session", body).await;
    match reply.expect_status(StatusCode::OK).json::<SignInOutcome>() {
        SignInOutcome::SignedIn(info) => info.session.id,
        SignInOutcome::TwoFactorRequired(_) => panic!("two-step verification is on"),
    }
}

async fn wrong_password(to: &Instance) -> Reply {
    let body = json!({"email": DEMO_EMAIL, "password": "wrong-password"});
    send(to, Method::POST, "/api/session", None, Some(body)).await
}

#[tokio::test]
async fn a_device_signed_out_through_b_is_refused_on_its_very_next_request_to_a() {
    let Some((a, b)) = two_instances("instances::signed_out_through_b").await else {
        return;
    };
    let mut phone = Instance::browser();
    let phone_session = sign_in(&mut phone, &a).await;
    // A has served this session once: anything it kept about it is warm.
    phone
        .get(&a, "/api/profiles")
        .await
        .expect_status(StatusCode::OK);

    let mut pc = Instance::browser();
    sign_in(&mut pc, &b).await;
    pc.delete(&b, &format!("/api/devices/{phone_session}"))
        .await
        .expect_status(StatusCode::NO_CONTENT);

    let error = phone
        .get(&a, "/api/profiles")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
    let by = error
        .details
        .expect("when and by which device")
        .signed_out_by;
    assert_eq!(by.device_name, "Chrome on Windows");
}

#[tokio::test]
async fn wrong_passwords_split_across_instances_lock_the_account_as_on_one() {
    let Some((a, b)) = two_instances("instances::split_lockout").await else {
        return;
    };
    // Five failures lock an account's sign-in (session.rs): three on A, two on B.
    for to in [&a, &b, &a, &b, &a] {
        wrong_password(to)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials);
    }
    for to in [&a, &b] {
        let locked = send(
            to,
            Method::POST,
            "/api/session",
            None,
            Some(json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD})),
        )
        .await;
        locked.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
        assert!(locked.header("retry-after").is_some(), "{locked:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_sent_at_once_to_both_instances_get_exactly_five_checks() {
    let Some((a, b)) = two_instances("instances::concurrent_lockout").await else {
        return;
    };
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    // As concurrent.rs does on one instance: twenty at once, here half to each.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let to = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { wrong_password(&to).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    let (checked, refused) = (
        count(StatusCode::UNAUTHORIZED),
        count(StatusCode::TOO_MANY_REQUESTS),
    );
    assert_eq!((checked, refused), (5, 15), "{statuses:?}");
}

#[tokio::test]
async fn a_step_up_on_a_counts_on_b_and_the_dev_clock_is_one_for_both() {
    let Some((a, b)) = two_instances("instances::step_up").await else {
        return;
    };
    let mut phone = Instance::browser();
    let phone_session = sign_in(&mut phone, &b).await;
    let mut pc = Instance::browser();
    sign_in(&mut pc, &a).await;

    // The clock moved through A is B's clock too: the sign-in's 10-minute step-up window,
    // opened on A, has closed when B looks.
    pc.post(
        &a,
        "/api/dev/clock",
        json!({"advance_seconds": 11 * MINUTE}),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    let device = format!("/api/devices/{phone_session}");
    pc.delete(&b, &device)
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);

    // The password confirmed on A opens the window on B (with A's new token, which the
    // browser now sends to whichever instance the proxy picks).
    pc.post(
        &a,
        "/api/session/reauthenticate",
        json!({ "password": DEMO_PASSWORD }),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    pc.delete(&b, &device)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    phone
        .get(&a, "/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);

    // And B's clock moved through B is A's: 11 minutes on, A asks for the password again.
    let mut tablet = Instance::browser();
    let tablet_session = sign_in(&mut tablet, &a).await;
    pc.post(
        &b,
        "/api/dev/clock",
        json!({"advance_seconds": 11 * MINUTE}),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    pc.call(
        &a,
        Method::DELETE,
        &format!("/api/devices/{tablet_session}"),
        None,
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
}

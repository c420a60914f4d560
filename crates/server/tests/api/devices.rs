//! Manage access and devices, and account activity: listing, renaming, revocation that
//! takes effect on the very next request, and accounts kept apart.

use axum::http::StatusCode;
use hallpass_api::{ActivityKind, ActivityPage, Device, DeviceKind, ErrorCode, SignedOutCount};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, SECOND_EMAIL, SECOND_PASSWORD};
use serde_json::json;

use crate::support::{Browser, SAFARI_ON_IPHONE, TestServer, advance};

async fn devices(browser: &mut Browser<'_>) -> Vec<Device> {
    browser
        .get("/api/devices")
        .await
        .expect_status(StatusCode::OK)
        .json()
}

async fn activity(browser: &mut Browser<'_>) -> ActivityPage {
    browser
        .get("/api/activity")
        .await
        .expect_status(StatusCode::OK)
        .json()
}

#[tokio::test]
async fn the_demo_account_lists_its_devices_current_first_then_most_recent() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let list = devices(&mut browser).await;
    assert_eq!(list.len(), 9, "eight demo devices and this browser");
    assert!(list[0].current && list.iter().skip(1).all(|d| !d.current));
    let times: Vec<&str> = list[1..]
        .iter()
        .map(|d| d.last_active_at.as_str())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    let kinds: Vec<DeviceKind> = list[1..].iter().map(|d| d.kind).collect();
    for kind in [
        DeviceKind::Tv,
        DeviceKind::Console,
        DeviceKind::Phone,
        DeviceKind::Tablet,
        DeviceKind::Computer,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    let hotel_tv = list.iter().find(|d| d.name == "LG TV").expect("the LG TV");
    assert_eq!(
        hotel_tv.location.as_ref().and_then(|l| l.city.as_deref()),
        Some("Lisbon")
    );
    assert_eq!(hotel_tv.ip_hint, "192.0.2.x");
    assert_eq!(
        hotel_tv.last_profile.as_ref().map(|p| p.name.as_str()),
        Some("Alex")
    );
    assert_eq!(list[0].ip_hint, "203.0.113.x");
    assert_eq!(list[0].name, "Chrome on Windows");
}

#[tokio::test]
async fn a_device_signed_out_from_another_gets_401_on_its_very_next_request() {
    let server = TestServer::demo().await;
    let mut phone = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 20]);
    let phone_session = phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;
    let mut pc = server.demo_browser().await;

    pc.delete(&format!("/api/devices/{phone_session}"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let error = phone
        .get("/api/profiles")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
    let details = error.details.expect("when and by which device");
    assert_eq!(details.signed_out_by.device_name, "Chrome on Windows");
    assert!(!devices(&mut pc).await.iter().any(|d| d.id == phone_session));
    let events = activity(&mut pc).await.events;
    assert_eq!(events[0].kind, ActivityKind::DeviceSignedOut);
    assert_eq!(
        events[0].device.as_ref().map(|d| d.name.as_str()),
        Some("Safari on iPhone")
    );

    // Signing out a device needs a recent password check.
    let mut other = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 21]);
    let other_session = other.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;
    advance(&server, 11 * 60);
    pc.delete(&format!("/api/devices/{other_session}"))
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
    other
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);
}

/// "Wasn't you?" on a sign-in needs the device behind it, and only while it is signed in.
#[tokio::test]
async fn an_event_names_its_device_id_while_that_device_is_signed_in() {
    let server = TestServer::demo().await;
    let mut phone = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 20]);
    let phone_session = phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;
    let mut pc = server.demo_browser().await;

    let sign_in_id = |page: &ActivityPage| {
        page.events
            .iter()
            .find(|e| e.kind == ActivityKind::SignedIn)
            .and_then(|e| e.device.as_ref())
            .map(|d| (d.name.clone(), d.id.clone()))
    };
    // The newest sign-in is the PC's own; the phone's is the one before it.
    let events = activity(&mut pc).await.events;
    let phone_event = events
        .iter()
        .filter(|e| e.kind == ActivityKind::SignedIn)
        .nth(1)
        .and_then(|e| e.device.clone())
        .expect("the phone's sign-in");
    assert_eq!(phone_event.name, "Safari on iPhone");
    assert_eq!(phone_event.id.as_deref(), Some(phone_session.as_str()));
    assert!(devices(&mut pc).await.iter().any(|d| d.id == phone_session));

    pc.delete(&format!("/api/devices/{phone_session}"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let page = activity(&mut pc).await;
    let phone_event = page
        .events
        .iter()
        .filter(|e| e.kind == ActivityKind::SignedIn)
        .nth(1)
        .and_then(|e| e.device.clone())
        .expect("the phone's sign-in, still listed");
    assert_eq!(
        phone_event.id, None,
        "a signed-out device can't be acted on"
    );
    assert!(
        sign_in_id(&page).and_then(|(_, id)| id).is_some(),
        "this PC is still signed in"
    );
}

/// "Wasn't you?" on a failed sign-in only where it is news: a place this account has never
/// signed in from, not a mistyped password at home.
#[tokio::test]
async fn a_failed_sign_in_is_unusual_only_from_a_place_never_signed_in_from() {
    let server = TestServer::demo().await;
    let mut pc = server.demo_browser().await;
    let failures = |page: &ActivityPage| -> Vec<(Option<String>, Option<String>, bool)> {
        page.events
            .iter()
            .filter(|e| e.kind == ActivityKind::SignInFailed)
            .map(|e| {
                let city = e.location.as_ref().and_then(|l| l.city.clone());
                (city, e.ip_hint.clone(), e.unusual)
            })
            .collect()
    };
    // The demo's stranger in Bucharest: never a sign-in from there.
    let seeded = failures(&activity(&mut pc).await);
    assert!(
        seeded.contains(&(
            Some("Bucharest".to_owned()),
            Some("192.0.2.x".to_owned()),
            true
        )),
        "{seeded:?}"
    );

    // Without a GeoIP database the address tells: this PC's own network is not unusual,
    // another one is.
    for ip in [[203, 0, 113, 7], [198, 18, 0, 9]] {
        server
            .browser()
            .on(SAFARI_ON_IPHONE, ip)
            .post(
                "/api/session",
                json!({"email": DEMO_EMAIL, "password": "not the password"}),
            )
            .await
            .expect_status(StatusCode::UNAUTHORIZED);
    }
    let page = activity(&mut pc).await;
    let newest = failures(&page);
    assert_eq!(
        newest[..2],
        [
            (None, Some("198.18.0.x".to_owned()), true),
            (None, Some("203.0.113.x".to_owned()), false),
        ],
        "{newest:?}"
    );
    assert!(
        page.events
            .iter()
            .filter(|e| e.kind != ActivityKind::SignInFailed)
            .all(|e| !e.unusual),
        "only failures are unusual"
    );
}

#[tokio::test]
async fn signing_out_this_device_from_the_list_is_signing_out() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    advance(&server, 11 * 60); // no step-up needed for yourself
    let me = devices(&mut browser).await[0].id.clone();
    let reply = browser.delete(&format!("/api/devices/{me}")).await;
    reply.expect_status(StatusCode::NO_CONTENT);
    assert!(reply.header("clear-site-data").is_some());
    assert_eq!(browser.cookie, None);
}

#[tokio::test]
async fn sign_out_all_ends_every_other_device_or_every_device() {
    let server = TestServer::demo().await;
    let mut phone = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 20]);
    phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let mut pc = server.demo_browser().await;

    let count: SignedOutCount = pc
        .post("/api/devices/sign-out-all", json!({"keep_current": true}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(count.signed_out, 9, "eight demo devices and the phone");
    phone
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
    assert_eq!(devices(&mut pc).await.len(), 1);
    assert_eq!(
        activity(&mut pc).await.events[0].kind,
        ActivityKind::SignedOutAll
    );

    let reply = pc
        .post("/api/devices/sign-out-all", json!({"keep_current": false}))
        .await;
    let count: SignedOutCount = reply.expect_status(StatusCode::OK).json();
    assert_eq!(count.signed_out, 1);
    assert!(reply.header("clear-site-data").is_some());
    pc.get("/api/session")
        .await
        .expect_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn changing_the_password_can_sign_out_every_other_device() {
    let server = TestServer::demo().await;
    let mut phone = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 20]);
    phone.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let mut pc = server.demo_browser().await;
    let change = |current: &str, new: &str, sign_out: bool| json!({"current_password": current, "new_password": new, "sign_out_other_devices": sign_out});
    pc.put(
        "/api/account/password",
        change(DEMO_PASSWORD, "violet-lantern-harbour-92", false),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    phone
        .get("/api/session")
        .await
        .expect_status(StatusCode::OK);

    pc.put(
        "/api/account/password",
        change(
            "violet-lantern-harbour-92",
            "quiet-otter-meadow-castle-7",
            true,
        ),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    let error = phone
        .get("/api/session")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
    assert_eq!(
        error.details.map(|d| d.signed_out_by.device_name),
        Some("Chrome on Windows".to_owned())
    );
    pc.get("/api/session").await.expect_status(StatusCode::OK);
    assert_eq!(devices(&mut pc).await.len(), 1);
}

#[tokio::test]
async fn a_nickname_names_the_device_everywhere_and_empty_clears_it() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let tv = devices(&mut browser)
        .await
        .into_iter()
        .find(|d| d.kind == DeviceKind::Tv)
        .expect("a TV");
    let path = format!("/api/devices/{}", tv.id);
    let renamed: Device = browser
        .patch(&path, json!({"nickname": "  Living room TV "}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(renamed.nickname.as_deref(), Some("Living room TV"));
    assert_eq!(renamed.name, tv.name, "the default name stays");
    let events = activity(&mut browser).await.events;
    assert!(
        events.iter().any(|e| e
            .device
            .as_ref()
            .is_some_and(|d| d.name == "Living room TV")),
        "the activity list uses the new name"
    );
    let error = browser
        .patch(&path, json!({"nickname": "x".repeat(41)}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    assert!(error.fields.unwrap_or_default().contains_key("nickname"));
    let cleared: Device = browser.patch(&path, json!({"nickname": ""})).await.json();
    assert_eq!(cleared.nickname, None);
}

#[tokio::test]
async fn no_account_can_see_or_touch_another_accounts_devices_profiles_or_activity() {
    let server = TestServer::demo().await;
    let mut demo = server.demo_browser().await;
    let demo_device = devices(&mut demo).await[1].id.clone();
    let demo_profile = demo.profile_id("Sam").await;
    let demo_events: Vec<String> = activity(&mut demo)
        .await
        .events
        .into_iter()
        .map(|e| e.id)
        .collect();

    let mut second = server.browser();
    second.sign_in(SECOND_EMAIL, SECOND_PASSWORD).await;
    let device_path = format!("/api/devices/{demo_device}");
    second
        .delete(&device_path)
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::DeviceNotFound);
    second
        .patch(&device_path, json!({"nickname": "mine now"}))
        .await
        .expect_error(StatusCode::NOT_FOUND, ErrorCode::DeviceNotFound);
    let profile_path = format!("/api/profiles/{demo_profile}");
    for reply in [
        second
            .post(&format!("{profile_path}/select"), json!({}))
            .await,
        second.patch(&profile_path, json!({"name": "Mine"})).await,
        second.delete(&profile_path).await,
        second
            .put(&format!("{profile_path}/lock"), json!({"pin": "1111"}))
            .await,
        second.delete(&format!("{profile_path}/lock")).await,
    ] {
        reply.expect_error(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    }
    assert!(
        devices(&mut second)
            .await
            .iter()
            .all(|d| d.id != demo_device)
    );
    let theirs = activity(&mut second).await.events;
    assert!(theirs.iter().all(|e| !demo_events.contains(&e.id)));
    let profiles: Vec<hallpass_api::Profile> = second.get("/api/profiles").await.json();
    assert_eq!(profiles.len(), 1);

    // Nothing changed on the demo side.
    assert!(
        devices(&mut demo)
            .await
            .iter()
            .any(|d| d.id == demo_device && d.nickname.is_none())
    );
    assert_eq!(demo.profile_id("Sam").await, demo_profile);
}

#[tokio::test]
async fn activity_pages_through_older_events_50_at_a_time() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let first = activity(&mut browser).await;
    assert!(first.next.is_none(), "the demo month fits one page");
    let kinds: Vec<ActivityKind> = first.events.iter().map(|e| e.kind).collect();
    for kind in [
        ActivityKind::SignedIn,
        ActivityKind::SignInFailed,
        ActivityKind::ProfilePinFailed,
        ActivityKind::DeviceSignedOut,
    ] {
        assert!(kinds.contains(&kind), "{kind:?}");
    }
    let failed = first
        .events
        .iter()
        .find(|e| e.kind == ActivityKind::SignInFailed)
        .expect("failed");
    assert_eq!(
        failed.location.as_ref().and_then(|l| l.country.as_deref()),
        Some("Romania")
    );
    assert_eq!(failed.ip_hint.as_deref(), Some("192.0.2.x"));

    for _ in 0..40 {
        browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    }
    let total = first.events.len() + 40;
    let page1 = activity(&mut browser).await;
    assert_eq!(page1.events.len(), 50);
    let ats: Vec<&str> = page1.events.iter().map(|e| e.at.as_str()).collect();
    assert!(ats.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let cursor = page1.next.clone().expect("a next page");
    let page2: ActivityPage = browser
        .get(&format!("/api/activity?before={cursor}"))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(page2.events.len(), total - 50);
    assert_eq!(page2.next, None);
    let ids: std::collections::HashSet<&str> = page1
        .events
        .iter()
        .chain(&page2.events)
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids.len(), total, "no event twice, none missed");

    browser
        .get("/api/activity?before=not-a-cursor")
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
}

#[tokio::test]
async fn every_kind_of_account_event_is_recorded_with_its_device_and_address() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    // The demo month has most kinds; these make the rest.
    browser
        .post("/api/devices/sign-out-all", json!({"keep_current": true}))
        .await
        .expect_status(StatusCode::OK);
    browser
        .put("/api/account/password", json!({"current_password": DEMO_PASSWORD, "new_password": "violet-lantern-harbour-92", "sign_out_other_devices": false}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser
        .put("/api/account/email", json!({"email": "alex@example.com"}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let code = crate::support::code_sent_to(&server, "alex@example.com").await;
    browser
        .post("/api/account/email/verify", json!({"code": code}))
        .await
        .expect_status(StatusCode::OK);

    let events = activity(&mut browser).await.events;
    let kinds: std::collections::HashSet<ActivityKind> = events.iter().map(|e| e.kind).collect();
    for kind in [
        ActivityKind::SignedIn,
        ActivityKind::SignInFailed,
        ActivityKind::SignedOut,
        ActivityKind::DeviceSignedOut,
        ActivityKind::SignedOutAll,
        ActivityKind::PasswordChanged,
        ActivityKind::EmailChanged,
        ActivityKind::PhoneChanged,
        ActivityKind::TwoFactorEnabled,
        ActivityKind::TwoFactorDisabled,
        ActivityKind::RecoveryCodesRegenerated,
        ActivityKind::ProfilePinFailed,
        ActivityKind::LinkedAccountRemoved,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    for event in &events {
        assert!(
            event.device.is_some() && event.ip_hint.is_some(),
            "{event:?}"
        );
        // This test's own browser has no known place; the demo's addresses all do.
        if event.ip_hint.as_deref() != Some("203.0.113.x") {
            assert!(event.location.is_some(), "{event:?}");
        }
    }
}

#[tokio::test]
async fn seeding_the_demo_twice_changes_nothing() {
    let server = TestServer::demo().await;
    let tables = [
        "accounts",
        "profiles",
        "sessions",
        "activity",
        "linked_accounts",
        "outbox",
    ];
    let before = row_counts(&server, &tables).await;
    hallpass_server::demo::seed(&server.state)
        .await
        .expect("seed again");
    let after = row_counts(&server, &tables).await;
    assert_eq!(before, after, "{tables:?}");
    assert_eq!(before[0], 2);
}

async fn row_counts(server: &TestServer, tables: &[&str]) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&server.state.db)
            .await
            .expect("count");
        counts.push(n);
    }
    counts
}

#[tokio::test]
async fn demo_devices_tops_the_demo_account_up_to_a_thousand_devices() {
    let server = TestServer::demo().await;
    hallpass_server::demo::seed_devices(&server.state, 1000)
        .await
        .expect("seed");
    hallpass_server::demo::seed_devices(&server.state, 1000)
        .await
        .expect("again: no more");
    let mut browser = server.demo_browser().await;
    let list = devices(&mut browser).await;
    assert_eq!(list.len(), 1001, "a thousand, and this browser");
    assert!(list[0].current);
    let kinds: std::collections::HashSet<DeviceKind> = list.iter().map(|d| d.kind).collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
}

/// Every JSON answer is compressed when the client accepts it (1,000 devices are about 317 KB
/// of JSON), and decodes to exactly what an identity answer says.
#[tokio::test]
async fn the_device_list_is_compressed_as_the_client_accepts_and_decodes_to_the_same_json() {
    use std::io::Read;

    let server = TestServer::demo().await;
    hallpass_server::demo::seed_devices(&server.state, 1000)
        .await
        .expect("seed");
    let mut browser = server.demo_browser().await;
    let plain = browser.get("/api/devices").await;
    plain.expect_status(StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    let identity: serde_json::Value = plain.json();

    for (accept, encoding) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let request = browser
            .request(axum::http::Method::GET, "/api/devices")
            .header("accept-encoding", accept)
            .body(axum::body::Body::empty())
            .expect("request");
        let reply = browser.send(request).await;
        reply.expect_status(StatusCode::OK);
        assert_eq!(reply.header("content-encoding"), Some(encoding), "{accept}");
        assert!(
            reply
                .header("vary")
                .is_some_and(|v| v.contains("accept-encoding")),
            "{:?}",
            reply.headers
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let mut decoded = Vec::new();
        if encoding == "br" {
            brotli_decompressor::Decompressor::new(reply.body.as_slice(), 4096)
                .read_to_end(&mut decoded)
                .expect("brotli");
        } else {
            flate2::read::GzDecoder::new(reply.body.as_slice())
                .read_to_end(&mut decoded)
                .expect("gzip");
        }
        assert!(
            reply.body.len() * 5 < decoded.len(),
            "{accept}: {} bytes for {} of JSON",
            reply.body.len(),
            decoded.len()
        );
        let json: serde_json::Value = serde_json::from_slice(&decoded).expect("JSON");
        assert_eq!(json, identity, "{accept}");
    }
}

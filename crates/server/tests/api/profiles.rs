//! Profiles: kids profiles kept out of the account, PINs, the limits of five and one.

use axum::http::StatusCode;
use hallpass_api::{ActivityKind, ActivityPage, ErrorCode, Profile, SessionInfo};
use hallpass_server::demo::JORDAN_PIN;
use serde_json::json;

use crate::support::{MINUTE, TestServer, advance};

#[tokio::test]
async fn a_kids_profile_is_refused_every_account_security_and_profile_management_route() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let sam = browser.profile_id("Sam").await;
    let device = browser
        .get("/api/devices")
        .await
        .json::<Vec<hallpass_api::Device>>()[1]
        .id
        .clone();
    let info: SessionInfo = browser
        .select("Kids", None)
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert!(info.profile.is_some_and(|p| p.kids));

    let sam_path = format!("/api/profiles/{sam}");
    let device_path = format!("/api/devices/{device}");
    let code = json!({"code": "123456"});
    let refused = [
        browser.get("/api/account").await,
        browser.put("/api/account/password", json!({"current_password": "x", "new_password": "long-enough-pass", "sign_out_other_devices": false})).await,
        browser.put("/api/account/email", json!({"email": "kid@example.com"})).await,
        browser.post("/api/account/email/verify", code.clone()).await,
        browser.put("/api/account/phone", json!({"phone": "+13125550100"})).await,
        browser.post("/api/account/phone/verify", code.clone()).await,
        browser.put("/api/account/recovery", json!({"recovery_email": ""})).await,
        browser.delete("/api/account/linked/google").await,
        browser.get("/api/devices").await,
        browser.patch(&device_path, json!({"nickname": "mine"})).await,
        browser.delete(&device_path).await,
        browser.post("/api/devices/sign-out-all", json!({"keep_current": true})).await,
        browser.get("/api/activity").await,
        browser.post("/api/two-factor/totp", json!({})).await,
        browser.post("/api/two-factor/totp/confirm", code).await,
        browser.delete("/api/two-factor").await,
        browser.post("/api/two-factor/recovery-codes", json!({})).await,
        browser.post("/api/profiles", json!({"name": "New", "avatar": "comet", "kids": false, "maturity_rating": "18+", "language": "en"})).await,
        browser.patch(&sam_path, json!({"kids": true})).await,
        browser.delete(&sam_path).await,
        browser.put(&format!("{sam_path}/lock"), json!({"pin": "1234"})).await,
        browser.delete(&format!("{sam_path}/lock")).await,
    ];
    for reply in refused {
        reply.expect_error(StatusCode::FORBIDDEN, ErrorCode::KidsProfile);
    }
    // Still allowed: seeing the profiles and switching to another.
    browser
        .get("/api/profiles")
        .await
        .expect_status(StatusCode::OK);
    browser
        .select("Sam", None)
        .await
        .expect_status(StatusCode::OK);
    browser
        .get("/api/account")
        .await
        .expect_status(StatusCode::OK);
}

#[tokio::test]
async fn a_locked_profile_needs_its_pin_and_five_wrong_pins_lock_it_for_a_while() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let profiles: Vec<Profile> = browser.get("/api/profiles").await.json();
    let jordan = profiles
        .iter()
        .find(|p| p.name == "Jordan")
        .expect("Jordan");
    assert!(jordan.locked);
    assert!(
        !String::from_utf8_lossy(&browser.get("/api/profiles").await.body).contains("pin_hash")
    );

    browser
        .select("Jordan", None)
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::PinRequired);
    for _ in 0..5 {
        let error = browser
            .select("Jordan", Some("1111"))
            .await
            .expect_error(StatusCode::FORBIDDEN, ErrorCode::WrongPin);
        assert!(error.fields.unwrap_or_default().contains_key("pin"));
    }
    let reply = browser.select("Jordan", Some(JORDAN_PIN)).await;
    reply.expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    assert!(reply.header("retry-after").is_some());
    let events: ActivityPage = browser.get("/api/activity").await.json();
    assert_eq!(
        events
            .events
            .iter()
            .take(5)
            .filter(|e| e.kind == ActivityKind::ProfilePinFailed)
            .count(),
        5
    );

    advance(&server, 15 * MINUTE);
    let info: SessionInfo = browser
        .select("Jordan", Some(JORDAN_PIN))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(info.profile.map(|p| p.name), Some("Jordan".to_owned()));
    browser
        .select("Jordan", Some("12345"))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
}

#[tokio::test]
async fn profiles_can_be_added_changed_locked_and_deleted_within_the_limits() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let new = |name: &str| json!({"name": name, "avatar": "comet", "kids": false, "maturity_rating": "13+", "language": "pt-BR"});
    let created: Profile = browser
        .post("/api/profiles", new(" Robin "))
        .await
        .expect_status(StatusCode::CREATED)
        .json();
    assert_eq!(
        (
            created.name.as_str(),
            created.language.as_str(),
            created.locked
        ),
        ("Robin", "pt-BR", false)
    );
    browser
        .post("/api/profiles", new("Another"))
        .await
        .expect_error(StatusCode::CONFLICT, ErrorCode::ProfileLimit);
    let path = format!("/api/profiles/{}", created.id);
    let error = browser
        .patch(&path, json!({"name": "sam"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    assert!(
        error.fields.unwrap_or_default().contains_key("name"),
        "duplicate names, in any case"
    );
    browser
        .patch(&path, json!({"kids": true, "maturity_rating": "18+"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    let changed: Profile = browser
        .patch(
            &path,
            json!({"avatar": "ember", "kids": true, "maturity_rating": "7+"}),
        )
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(
        (changed.avatar.as_str(), changed.kids, changed.name.as_str()),
        ("ember", true, "Robin")
    );

    browser
        .put(&format!("{path}/lock"), json!({"pin": "0042"}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser
        .select("Robin", None)
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::PinRequired);
    browser
        .select("Robin", Some("0042"))
        .await
        .expect_status(StatusCode::OK);
    browser
        .select("Alex", None)
        .await
        .expect_status(StatusCode::OK);
    advance(&server, 11 * MINUTE);
    browser
        .delete(&format!("{path}/lock"))
        .await
        .expect_error(StatusCode::FORBIDDEN, ErrorCode::ReauthenticationRequired);
    browser
        .reauthenticate(hallpass_server::demo::DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser
        .delete(&format!("{path}/lock"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    browser
        .select("Robin", None)
        .await
        .expect_status(StatusCode::OK);
    browser
        .select("Alex", None)
        .await
        .expect_status(StatusCode::OK);

    // Down to one, which stays.
    let profiles: Vec<Profile> = browser.get("/api/profiles").await.json();
    assert_eq!(
        profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Alex", "Sam", "Jordan", "Kids", "Robin"]
    );
    for profile in &profiles[1..] {
        browser
            .delete(&format!("/api/profiles/{}", profile.id))
            .await
            .expect_status(StatusCode::NO_CONTENT);
    }
    browser
        .delete(&format!("/api/profiles/{}", profiles[0].id))
        .await
        .expect_error(StatusCode::CONFLICT, ErrorCode::LastProfile);
    let devices: Vec<hallpass_api::Device> = browser.get("/api/devices").await.json();
    assert!(
        devices
            .iter()
            .all(|d| d.last_profile.as_ref().is_none_or(|p| p.name == "Alex")),
        "devices on a deleted profile no longer name it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_pin_guesses_gets_no_more_than_five() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let jordan = browser.profile_id("Jordan").await;
    let requests = (0..12)
        .map(|guess| {
            browser
                .request(
                    axum::http::Method::POST,
                    &format!("/api/profiles/{jordan}/select"),
                )
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({"pin": format!("{:04}", 1000 + guess)}).to_string(),
                ))
                .expect("request")
        })
        .collect();
    let statuses = crate::support::at_once(&server, requests).await;
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::FORBIDDEN)
        .count();
    assert_eq!(wrong, 5, "{statuses:?}");
}

#[tokio::test]
async fn deleting_a_profile_signs_out_the_devices_watching_as_it() {
    let server = TestServer::demo().await;
    let mut kid = server
        .browser()
        .on(crate::support::SAFARI_ON_IPHONE, [198, 51, 100, 30]);
    kid.sign_in(
        hallpass_server::demo::DEMO_EMAIL,
        hallpass_server::demo::DEMO_PASSWORD,
    )
    .await;
    kid.select("Kids", None).await.expect_status(StatusCode::OK);
    let mut parent = server.demo_browser().await;
    let kids = parent.profile_id("Kids").await;
    parent
        .delete(&format!("/api/profiles/{kids}"))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    // Left without a profile, the kid's device must not become one that manages the account.
    kid.get("/api/account")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::SignedOutRemotely);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn choosing_a_profile_while_it_is_deleted_never_fails_on_the_server() {
    let server = TestServer::demo().await;
    let mut watcher = server.demo_browser().await;
    let mut owner = server
        .browser()
        .on(crate::support::SAFARI_ON_IPHONE, [198, 51, 100, 40]);
    owner
        .sign_in(
            hallpass_server::demo::DEMO_EMAIL,
            hallpass_server::demo::DEMO_PASSWORD,
        )
        .await;
    for round in 0..20 {
        let created: hallpass_api::Profile = owner
            .post(
                "/api/profiles",
                json!({"name": format!("Guest {round}"), "avatar": "comet", "kids": false,
                       "maturity_rating": "13+", "language": "en"}),
            )
            .await
            .expect_status(StatusCode::CREATED)
            .json();
        let path = format!("/api/profiles/{}", created.id);
        let select = watcher
            .request(axum::http::Method::POST, &format!("{path}/select"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{}"))
            .expect("request");
        let delete = owner
            .request(axum::http::Method::DELETE, &path)
            .body(axum::body::Body::empty())
            .expect("request");
        let statuses = crate::support::at_once(&server, vec![select, delete]).await;
        assert_eq!(statuses[1], StatusCode::NO_CONTENT, "round {round}");
        // Chosen just before the delete (and then signed out with it), or gone already.
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND].contains(&statuses[0]),
            "round {round}: {statuses:?}"
        );
        if statuses[0] == StatusCode::OK {
            // That device watched as the deleted profile: it was signed out with it.
            watcher = server.demo_browser().await;
        }
    }
}

#[tokio::test]
async fn names_that_hide_characters_or_pass_for_another_are_refused() {
    let server = TestServer::demo().await;
    let mut browser = server.demo_browser().await;
    let new = |name: &str| {
        json!({"name": name, "avatar": "comet", "kids": false, "maturity_rating": "13+",
               "language": "en"})
    };
    for hidden in ["\u{202e}maS", "Sa\u{200b}m", "\u{2066}Riley"] {
        let error = browser
            .post("/api/profiles", new(hidden))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
        assert!(
            error.fields.unwrap_or_default().contains_key("name"),
            "{hidden:?}"
        );
    }
    // "Ѕam" with a Cyrillic Ѕ beside the demo's "Sam".
    let error = browser
        .post("/api/profiles", new("\u{405}am"))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    let fields = error.fields.unwrap_or_default();
    assert!(fields.get("name").is_some_and(|m| m.contains("already")));
    // One name however its accent was typed: stored composed, and a second one is a duplicate.
    let zoe: hallpass_api::Profile = browser
        .post("/api/profiles", new(" Zoe\u{301} "))
        .await
        .expect_status(StatusCode::CREATED)
        .json();
    assert_eq!(zoe.name, "Zo\u{e9}");
    let sam = browser.profile_id("Sam").await;
    browser
        .patch(&format!("/api/profiles/{sam}"), json!({"name": "ZO\u{c9}"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);

    // Device nicknames follow the same rules.
    let devices: Vec<hallpass_api::Device> = browser.get("/api/devices").await.json();
    let path = format!("/api/devices/{}", devices[0].id);
    browser
        .patch(&path, json!({"nickname": "TV\u{202e}"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidFields);
    let renamed: hallpass_api::Device = browser
        .patch(&path, json!({"nickname": "Cafe\u{301} TV"}))
        .await
        .expect_status(StatusCode::OK)
        .json();
    assert_eq!(renamed.nickname.as_deref(), Some("Caf\u{e9} TV"));
}

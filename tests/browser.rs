//! Component tests in a real browser (wasm-bindgen-test-runner, Chromium and Firefox).
//! `cargo xtask test wasm-chromium wasm-firefox` runs them.
#![cfg(target_arch = "wasm32")]

use hallpass::api::{self, ApiError};
use hallpass::auth::provide_auth;
use hallpass::components::{LoadError, PageHeading, SkipLink};
use hallpass::router::provide_location;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen_test::*;

mod support;

use support::{container, find, settle};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn load_error_offers_retry_and_ignores_clicks_while_retrying() {
    let root = container();
    let retries = RwSignal::new(0);
    let (pending, set_pending) = signal(false);
    let _view = mount_to(root.clone(), move || {
        view! {
            <LoadError
                error=ApiError::Network
                on_retry=move |()| retries.update(|n| *n += 1)
                pending=Signal::from(pending)
            />
        }
    });
    settle().await;

    let alert = find(&root, "[role=alert]");
    let text = alert.text_content().unwrap_or_default();
    assert!(text.contains("Can't reach Hallpass"), "{text}");
    assert!(text.contains("Check your internet connection"), "{text}");

    let button = find(&root, "button");
    assert_eq!(button.text_content().as_deref(), Some("Retry"));
    button.click();
    settle().await;
    assert_eq!(retries.get_untracked(), 1);

    set_pending.set(true);
    settle().await;
    assert_eq!(
        button.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    button.click();
    settle().await;
    assert_eq!(
        retries.get_untracked(),
        1,
        "a click while retrying is ignored"
    );
    // The button stays in the document, so keyboard focus is not lost while retrying.
    assert!(root.contains(Some(&button)));
}

#[wasm_bindgen_test]
async fn skip_link_moves_focus_to_its_target() {
    let root = container();
    let _view = mount_to(root.clone(), || {
        view! {
            <SkipLink target="skip-test-target" />
            <div id="skip-test-target" tabindex="-1">"Content"</div>
        }
    });
    settle().await;
    let link = find(&root, "a");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("#skip-test-target")
    );
    assert_eq!(link.text_content().as_deref(), Some("Skip to main content"));
    link.click();
    settle().await;
    let active = document().active_element().expect("something has focus");
    assert_eq!(active.id(), "skip-test-target");
}

#[wasm_bindgen_test]
async fn page_heading_names_the_document() {
    let root = container();
    // The heading reads where it is (for its back link) and who is signed in.
    let _view = mount_to(root.clone(), || {
        provide_location();
        provide_auth();
        view! { <PageHeading text="Manage access and devices" /> }
    });
    settle().await;
    let h1 = find(&root, "h1");
    assert_eq!(
        h1.text_content().as_deref(),
        Some("Manage access and devices")
    );
    assert_eq!(h1.get_attribute("tabindex").as_deref(), Some("-1"));
    assert_eq!(document().title(), "Manage access and devices · Hallpass");
}

/// The test runner's own server has no `/api/health`: it answers 404 with no JSON body,
/// which the client must report as an unexpected answer, not crash on.
#[wasm_bindgen_test]
async fn the_client_reports_an_answer_outside_the_contract() {
    let result = api::health().await;
    match result {
        Err(ApiError::Unexpected { status: 404 }) => {}
        other => panic!("expected an unexpected 404, got {other:?}"),
    }
}

/// The app reads answers with its own serde deserializer (`api/json.rs`): every shape the
/// wire types use, and a clean `None` (never a panic) for what breaks the contract.
#[wasm_bindgen_test]
fn the_client_decodes_the_wire_shapes_and_refuses_the_rest() {
    use hallpass_api::events::{DeviceChange, DevicesChanged, EndedReason};
    use hallpass_api::{
        ErrorBody, ErrorCode, MaturityRating, SessionStatus, SignInOutcome, SignedOutCount,
    };

    // A struct in a struct, an `Option` both ways, a renamed enum, a newtype, an untagged
    // enum, and a field this build doesn't know (a newer server's), which is ignored.
    let session = r#"{"account":{"id":"a1","email":"e@x.test"},
        "session":{"id":"s1","signed_in_at":"2026-12-01T00:00:00Z",
                   "expires_at":"2027-01-01T00:00:00Z","recently_authenticated_until":null},
        "profile":{"id":"p1","name":"Alex","avatar":"blue","kids":false,
                   "maturity_rating":"13+","locked":true,"language":"pt-BR"},
        "added_later":[1,{"x":2.5}]}"#;
    let Some(SignInOutcome::SignedIn(info)) = api::decode::<SignInOutcome>(session) else {
        panic!("a session did not decode as one");
    };
    assert_eq!(info.account.email, "e@x.test");
    assert_eq!(info.session.signed_in_at.as_str(), "2026-12-01T00:00:00Z");
    assert_eq!(info.session.recently_authenticated_until, None);
    let profile = info.profile.expect("the profile");
    assert_eq!(profile.maturity_rating, MaturityRating::Thirteen);
    assert!(profile.locked && !profile.kids);
    assert_eq!(profile.language, "pt-BR");

    let challenge = r#"{"two_factor_required":true,"challenge":"c1"}"#;
    assert!(matches!(
        api::decode::<SignInOutcome>(challenge),
        Some(SignInOutcome::TwoFactorRequired(c)) if c.challenge == "c1"
    ));
    let signed_out = api::decode::<SessionStatus>(r#"{"session":null}"#);
    assert_eq!(signed_out.map(|s| s.session), Some(None));

    // A map, a code this build doesn't know (`#[serde(other)]`), and an absent `Option`.
    let error = r#"{"error":{"code":"added_in_2027","message":"m",
        "fields":{"email":"Enter an email address.","name":"Too long."}}}"#;
    let detail = api::decode::<ErrorBody>(error)
        .expect("an error body")
        .error;
    assert_eq!(detail.code, ErrorCode::Unknown);
    let fields = detail.fields.expect("the fields");
    assert_eq!(fields.get("name").map(String::as_str), Some("Too long."));
    assert_eq!(detail.request_id, None);

    let change = r#"{"change":"signed_out","devices":["Kitchen TV","Phone"]}"#;
    let change = api::decode::<DevicesChanged>(change).expect("a devices event");
    assert_eq!(change.change, DeviceChange::SignedOut);
    assert_eq!(change.devices, ["Kitchen TV", "Phone"]);
    assert_eq!(
        api::decode::<EndedReason>(r#""session_expired""#),
        Some(EndedReason::SessionExpired)
    );
    assert_eq!(
        api::decode::<SignedOutCount>(r#"{"signed_out":3}"#),
        Some(SignedOutCount { signed_out: 3 })
    );

    // What breaks the contract is `None`, whatever the kind of mistake.
    for broken in [
        r#"{"signed_out":-1}"#,
        r#"{"signed_out":4294967296}"#,
        r#"{"signed_out":1.5}"#,
        r#"{"signed_out":"3"}"#,
        r#"{"signed_out":null}"#,
        r#"{}"#,
        r#"[3]"#,
        r#"null"#,
        r#"not json"#,
    ] {
        assert_eq!(api::decode::<SignedOutCount>(broken), None, "{broken}");
    }
    assert_eq!(
        api::decode::<DevicesChanged>(r#"{"change":"signed_in","devices":"Phone"}"#),
        None
    );
    assert_eq!(
        api::decode::<SignInOutcome>(r#"{"two_factor_required":"yes","challenge":"c1"}"#),
        None
    );
}

#[wasm_bindgen_test]
async fn the_app_shell_has_landmarks_and_offers_retry_when_the_session_check_fails() {
    let root = container();
    let _view = mount_to(root.clone(), hallpass::App);
    // The front door asks the runner's server for the session, which answers 404: the page
    // must say so and offer Retry, not send a possibly signed-in person to sign in.
    for _ in 0..100 {
        if root.query_selector("[role=alert]").ok().flatten().is_some() {
            break;
        }
        settle().await;
    }
    let first = root
        .first_element_child()
        .expect("the shell renders something");
    assert_eq!(
        first.text_content().as_deref(),
        Some("Skip to main content")
    );
    find(&root, "header");
    let main = find(&root, "main#main");
    assert_eq!(main.get_attribute("tabindex").as_deref(), Some("-1"));
    let alert = find(&root, "main [role=alert]");
    assert!(
        alert
            .text_content()
            .unwrap_or_default()
            .contains("HTTP 404")
    );
    find(&root, "main [role=alert] button");
}

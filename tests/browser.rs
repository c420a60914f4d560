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

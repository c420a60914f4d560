//! The app shell: it loads, it is accessible, it can be used with the keyboard, and it copes
//! with missing pages and a server that goes away. The first page a newcomer sees is sign in:
//! the front door (`/`) sends a signed-out visitor there (the rest of the door is in
//! `front_door.rs`).

use crate::browser::{Browser, ENTER, PHONE, TAB};
use crate::runner::{Ctx, TestResult};

const START_HEADING: &str = "Sign in";

fn ensure(condition: bool, message: impl FnOnce() -> String) -> TestResult {
    if condition { Ok(()) } else { Err(message()) }
}

/// Leaves a marker in the page's memory, which only a reload of the document would erase.
async fn mark_document(b: &Browser) -> TestResult {
    b.js("window.hallpassTestMarker = true;", vec![]).await?;
    Ok(())
}

async fn still_same_document(b: &Browser, what: &str) -> TestResult {
    let marked = b
        .js("return window.hallpassTestMarker === true;", vec![])
        .await?;
    ensure(marked == true, || format!("{what} reloaded the page"))
}

pub async fn loads_with_landmarks_and_passes_axe(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/").await?;
    b.by_role("heading", START_HEADING).await?;
    b.wait_for_path("/signin").await?;
    b.by_role("banner", None).await?;
    b.by_role("main", None).await?;
    b.by_role("link", "Hallpass").await?;
    let title = b.client.title().await.map_err(|e| e.to_string())?;
    ensure(title == format!("{START_HEADING} · Hallpass"), || {
        format!("the tab is titled {title:?}")
    })?;
    b.axe_audit("the first page at desktop width").await?;

    b.set_viewport(PHONE).await?;
    let overflow = b
        .js(
            "return document.documentElement.scrollWidth - innerWidth;",
            vec![],
        )
        .await?;
    ensure(overflow.as_i64() == Some(0), || {
        format!("the page scrolls sideways by {overflow}px on a phone")
    })?;
    b.axe_audit("the first page at phone width").await
}

pub async fn skip_link_moves_focus_to_main(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/").await?;
    b.by_role("heading", START_HEADING).await?;

    b.press(TAB).await?;
    let focused = b.focused().await?;
    ensure(
        focused.tag == "a" && focused.text == "Skip to main content",
        || format!("the first Tab focused {focused:?}, not the skip link"),
    )?;
    let top = b
        .js(
            "return document.activeElement.getBoundingClientRect().top;",
            vec![],
        )
        .await?;
    ensure(top.as_f64().is_some_and(|t| t >= 0.0), || {
        format!("the focused skip link is off screen (top {top})")
    })?;

    b.press(ENTER).await?;
    let focused = b.focused().await?;
    ensure(focused.tag == "main" && focused.id == "main", || {
        format!("after the skip link, focus is on {focused:?}, not <main>")
    })
}

pub async fn deep_link_to_a_missing_page(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/no/such/page").await?;
    b.by_role("heading", "Page not found").await?;
    b.wait_for_text("/no/such/page").await?;
    b.axe_audit("the not-found page").await?;

    // Its one way on: the front door, which sends a signed-out visitor to sign in.
    mark_document(b).await?;
    b.click("link", "Go to your account").await?;
    b.by_role("heading", START_HEADING).await?;
    b.wait_for_path("/signin").await?;
    still_same_document(b, "the link").await?;
    // After an in-app navigation, focus starts at the new page's heading.
    let focused = b.focused().await?;
    ensure(focused.tag == "h1" && focused.text == START_HEADING, || {
        format!("after navigating, focus is on {focused:?}")
    })?;

    // Back and Forward move between the two pages, still without a reload (and Back never
    // lands on `/`, which would only send it on again).
    b.client.back().await.map_err(|e| e.to_string())?;
    b.by_role("heading", "Page not found").await?;
    b.client.forward().await.map_err(|e| e.to_string())?;
    b.by_role("heading", START_HEADING).await?;
    still_same_document(b, "Back or Forward").await
}

pub async fn offers_retry_when_the_server_is_down(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    // A page that makes no API call, so the app is loaded before the server goes away.
    b.goto("/nowhere").await?;
    b.by_role("heading", "Page not found").await?;
    ctx.server.stop().await?;

    // The front door asks the server who is signed in; with no answer it must not guess
    // (sending a signed-in person to sign in): it says so and offers Retry.
    b.click("link", "Hallpass").await?;
    b.by_role("alert", None).await?;
    b.wait_for_text("Can't reach Hallpass").await?;
    let retry = b.by_role("button", "Retry").await?;
    b.axe_audit("the front door with the server down").await?;

    ctx.server.restart().await?;
    retry.click().await.map_err(|e| e.to_string())?;
    b.by_role("heading", START_HEADING).await?;
    b.wait_for_path("/signin").await?;
    // The Retry button is gone; focus moved to the new page's heading rather than to <body>.
    let focused = b.focused().await?;
    ensure(focused.tag == "h1" && focused.text == START_HEADING, || {
        format!("after a successful retry, focus is on {focused:?}")
    })
}

pub async fn dark_theme_passes_axe(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/").await?;
    b.prefer_dark_scheme().await?;
    b.by_role("heading", START_HEADING).await?;
    let background = b
        .js(
            "return getComputedStyle(document.body).backgroundColor;",
            vec![],
        )
        .await?;
    ensure(background == "rgb(18, 18, 22)", || {
        format!("the dark theme is not applied: the page background is {background}")
    })?;
    b.axe_audit("the sign-in page in the dark theme").await?;

    b.goto("/nowhere").await?;
    b.prefer_dark_scheme().await?;
    b.by_role("heading", "Page not found").await?;
    b.axe_audit("the not-found page in the dark theme").await?;

    // The signed-in pages bring their own colours: the table, the badge, the danger button,
    // and a dialog over its backdrop.
    crate::steps::sign_in_as(b, crate::steps::OWNER).await?;
    b.prefer_dark_scheme().await?;
    crate::devices::open_devices_page(b).await?;
    b.axe_audit("Manage access and devices in the dark theme")
        .await?;
    b.click("button", "Sign out of all devices").await?;
    b.by_role("dialog", "Sign out of all devices?").await?;
    b.axe_audit("the sign-out-all dialog in the dark theme")
        .await
}

//! Signing out of this browser leaves nothing behind, and the signed-out page says why the
//! browser is signed out.

use crate::browser::{Browser, DESKTOP, PHONE};
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    DEMO_EMAIL, OWNER, PROFILES_HEADING, SIGNED_OUT_HEADING, advance_clock, api, ensure,
    fill_every_store, nonempty_stores, sign_in_as,
};

const CLEARED: &str = "This browser's account data has been cleared";
const DAY: i64 = 24 * 60 * 60;

pub async fn signing_out_clears_this_browser_and_back_shows_nothing(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.by_role("heading", "Account").await?;
    b.wait_for_text(DEMO_EMAIL).await?;
    fill_every_store(b).await?;

    // A marker in this document's memory: if Back ever shows this document again (from the
    // back-forward cache), the marker is still there.
    b.mark_document().await?;
    let banner = b.by_role("banner", None).await?;
    b.by_role_within(&banner, "button", "Sign out")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_for_path("/signed-out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    b.wait_for_text(CLEARED).await?;
    let left = nonempty_stores(b).await?;
    ensure(left.is_empty(), || {
        format!("after signing out, the browser still holds {left:?}")
    })?;
    let session = api(b, "GET", "/api/session", None).await?;
    ensure(session.status == 401, || {
        format!("after signing out, GET /api/session answered {session:?}")
    })?;

    // Back leads to an address of the signed-in app. It must show no account data: not from
    // memory (the back-forward cache), and not from the server, which refuses the old cookie.
    let signed_out_at = b.client.current_url().await.map_err(|e| e.to_string())?;
    b.client.back().await.map_err(|e| e.to_string())?;
    b.wait_until(
        "Back to leave the signed-out page and settle on a page with a heading",
        "const h1 = document.querySelector('h1'); \
         return location.href !== arguments[0] && !!h1 && h1.textContent.trim() !== '';",
        vec![serde_json::json!(signed_out_at.as_str())],
    )
    .await
    .map_err(|e| format!("after Back: {e}"))?;
    let restored = b
        .js("return window.hallpassTestMarker === true;", vec![])
        .await?;
    ensure(restored != true, || {
        "Back showed the signed-in document again, from the back-forward cache".to_owned()
    })?;
    // Let the app finish deciding where a signed-out browser belongs before reading the page.
    b.wait_until(
        "the page after Back to show signing in or being signed out",
        "const h1 = document.querySelector('h1'); \
         return !!h1 && ['Sign in', arguments[0]].includes(h1.textContent.trim());",
        vec![serde_json::json!(SIGNED_OUT_HEADING)],
    )
    .await
    .map_err(|e| format!("after Back: {e}"))?;
    let text = b
        .js("return document.body.innerText;", vec![])
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    for shown in [DEMO_EMAIL, OWNER, PROFILES_HEADING] {
        ensure(!text.contains(shown), || {
            format!("after signing out, Back shows {shown:?}")
        })?;
    }
    let headings = b.all_by_role("heading", Some("Account")).await?;
    ensure(headings.is_empty(), || {
        "after signing out, Back shows the Account heading".to_owned()
    })
}

pub async fn signed_out_page_says_why(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;

    // Expired: a month without use. A page left open learns it from its live stream and goes
    // by itself.
    sign_in_as(b, OWNER).await?;
    b.by_role("heading", "Account").await?;
    // The page's own requests must be answered first: one still in flight when the clock
    // jumps gets its 401, and that page's clean-up would race the stream's.
    b.by_role("heading", "Membership").await?;
    advance_clock(b, 31 * DAY).await?;
    says_it_expired(b).await?;

    // The same on the next visit, with no page open meanwhile (a page load, not an in-app
    // request: the session check at start-up must say why too). The clock moves from a
    // document of the site that isn't the app, so no stream hears it.
    sign_in_as(b, OWNER).await?;
    b.by_role("heading", "Membership").await?;
    b.goto("/favicon.svg").await?;
    advance_clock(b, 31 * DAY).await?;
    b.goto("/account").await?;
    says_it_expired(b).await?;
    b.by_role("link", "Sign in again").await?;
    audit_at_both_widths(b, "the signed-out page (session expired)").await?;

    // Signed out from another device (the whole flow is in devices.rs): who, and when.
    b.goto("/signed-out?reason=remote&by=Living%20room%20TV&at=2026-11-22T09%3A14%3A03Z")
        .await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    b.wait_for_text("Signed out from Living room TV on ")
        .await?;

    // Signed out here.
    b.goto("/signed-out?reason=here").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    b.wait_for_text(CLEARED).await?;
    audit_at_both_widths(b, "the signed-out page (signed out here)").await?;

    // "Sign in again" leads to the sign-in page.
    b.click("link", "Sign in again").await?;
    b.by_role("heading", "Sign in").await?;
    b.wait_for_path("/signin").await?;
    audit_at_both_widths(b, "the sign-in page").await
}

async fn says_it_expired(b: &Browser) -> TestResult {
    b.wait_for_path("/signed-out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    b.wait_until(
        "the signed-out page to say the session expired",
        "return document.body.innerText.toLowerCase().includes('expired');",
        vec![],
    )
    .await
}

/// axe at desktop width, then at phone width (where the page must not scroll sideways),
/// then back to desktop.
pub async fn audit_at_both_widths(b: &Browser, what: &str) -> TestResult {
    b.axe_audit(&format!("{what} at desktop width")).await?;
    b.set_viewport(PHONE).await?;
    let result = async {
        let overflow = crate::steps::sideways_overflow(b).await?;
        ensure(overflow == 0, || {
            format!("{what} scrolls sideways by {overflow}px on a phone")
        })?;
        b.axe_audit(&format!("{what} at phone width")).await
    }
    .await;
    b.set_viewport(DESKTOP).await?;
    result
}

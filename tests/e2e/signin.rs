//! Signing in, "Who's watching?" with a PIN-locked profile, the signed-in header, and a kids
//! profile kept out of the account.

use fantoccini::elements::Element;
use serde_json::json;

use crate::browser::Browser;
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    DEMO_EMAIL, DEMO_PASSWORD, JORDAN, JORDAN_PIN, KIDS, KIDS_BLOCKED_HEADING, OWNER,
    PROFILES_HEADING, api, ensure, sign_in_as,
};

const ACCOUNT_SECTIONS: [&str; 5] = [
    "Membership",
    "Sign-in details",
    "Recovery",
    "Linked accounts",
    "Profiles",
];

/// Waits until `field` is marked invalid and its description (the error tied to it) says
/// something: how a field's error reaches a screen reader.
pub async fn wait_for_field_error(b: &Browser, field: &Element, what: &str) -> TestResult {
    let field = serde_json::to_value(field).map_err(|e| e.to_string())?;
    b.wait_until(
        &format!("an error on {what}"),
        "const el = arguments[0]; \
         const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean); \
         const said = ids.map(id => document.getElementById(id)) \
           .some(d => d && d.textContent.trim() !== ''); \
         return el.getAttribute('aria-invalid') === 'true' && said;",
        vec![field],
    )
    .await
}

/// Waits until an alert (`role="alert"`) says something.
async fn wait_for_alert(b: &Browser, what: &str) -> TestResult {
    b.wait_until(
        what,
        "return [...document.querySelectorAll('[role=alert]')] \
           .some(el => el.textContent.trim() !== '');",
        vec![],
    )
    .await
}

pub async fn signs_in_and_unlocks_a_profile_with_its_pin(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/signin").await?;
    b.by_role("heading", "Sign in").await?;

    // A wrong password: an error, and the email is still there to try again.
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", "not-the-right-password").await?;
    b.click("button", "Sign in").await?;
    wait_for_alert(b, "an error after a wrong password").await?;
    let email = b.by_label("Email").await?.prop("value").await;
    ensure(
        email
            .as_ref()
            .is_ok_and(|v| v.as_deref() == Some(DEMO_EMAIL)),
        || format!("after a wrong password the email field holds {email:?}"),
    )?;

    b.fill("Password", DEMO_PASSWORD).await?;
    b.click("button", "Sign in").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    for name in [OWNER, "Sam", KIDS] {
        b.by_role("button", name).await?;
    }
    let jordan = b
        .by_role_described("button", JORDAN, "Locked with a PIN")
        .await?;

    // The PIN dialog: Cancel gives focus back to the profile.
    jordan.click().await.map_err(|e| e.to_string())?;
    let title = format!("Enter the PIN for {JORDAN}");
    let dialog = b.by_role("dialog", title.as_str()).await?;
    ensure(crate::steps::is_modal(b, &dialog).await?, || {
        "the PIN dialog is not modal".to_owned()
    })?;
    let pin = b.by_label("PIN").await?;
    b.expect_focus(&pin, "the PIN field when the dialog opens")
        .await?;
    b.by_role_within(&dialog, "button", "Continue").await?;
    b.by_role_within(&dialog, "button", "Cancel")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_gone("dialog", &title).await?;
    b.expect_focus(&jordan, "Jordan's button after Cancel")
        .await?;

    // A wrong PIN: an error, and the field keeps focus for the next try.
    jordan.click().await.map_err(|e| e.to_string())?;
    let dialog = b.by_role("dialog", title.as_str()).await?;
    let pin = b.by_label("PIN").await?;
    pin.send_keys("1357").await.map_err(|e| e.to_string())?;
    b.by_role_within(&dialog, "button", "Continue")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    wait_for_field_error(b, &pin, "the PIN field after a wrong PIN").await?;
    b.expect_focus(&pin, "the PIN field after a wrong PIN")
        .await?;

    b.fill("PIN", JORDAN_PIN).await?;
    b.by_role_within(&dialog, "button", "Continue")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_for_path("/account").await?;
    b.by_role("heading", "Account").await?;
    b.wait_for_text_in_banner(JORDAN).await?;

    // The signed-in header.
    let nav = b.by_role("navigation", "Account").await?;
    b.by_role_within(&nav, "link", "Account").await?;
    let banner = b.by_role("banner", None).await?;
    b.by_role_within(&banner, "link", "Switch profile").await?;
    b.by_role_within(&banner, "button", "Sign out").await?;

    for section in ACCOUNT_SECTIONS {
        b.by_role("heading", section).await?;
    }
    b.wait_for_text(DEMO_EMAIL).await
}

pub async fn kids_profile_cannot_manage_the_account(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, KIDS).await?;

    // No way into the account from the header.
    let banner = b.by_role("banner", None).await?;
    for link in ["Account", "Security"] {
        let found = b.all_by_role_within(&banner, "link", Some(link)).await?;
        ensure(found.is_empty(), || {
            format!("a kids profile's header has the link {link:?}")
        })?;
    }
    b.by_role_within(&banner, "link", "Switch profile").await?;

    // The address it landed on, and the others typed in directly, show the block.
    check_blocked(b, "/account").await?;

    // The server refuses too.
    let answer = api(b, "GET", "/api/account", None).await?;
    ensure(
        answer.status == 403 && answer.body["error"]["code"] == json!("kids_profile"),
        || format!("GET /api/account from a kids profile answered {answer:?}"),
    )?;

    for path in ["/security", "/security/devices"] {
        b.goto(path).await?;
        check_blocked(b, path).await?;
    }

    // Its way out: choosing another profile.
    b.click("button", "Switch profile").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    Ok(())
}

async fn check_blocked(b: &Browser, path: &str) -> TestResult {
    b.by_role("heading", KIDS_BLOCKED_HEADING)
        .await
        .map_err(|e| format!("at {path}: {e}"))?;
    b.by_role("button", "Switch profile")
        .await
        .map_err(|e| format!("at {path}: {e}"))?;
    Ok(())
}

//! Change password: the live hints, a wrong current password, the server's strength advice,
//! and success, which signs out every other device when the box is checked.

use serde_json::json;

use crate::browser::Browser;
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{
    DEMO_EMAIL, DEMO_PASSWORD, OWNER, api, devices, ensure, sign_in_as, signed_out_by_itself,
};

const HEADING: &str = "Change password";
const NEW_PASSWORD: &str = "quiet lantern harbour 42 tide";

/// The text of the element that describes `label`'s field (its hint and error).
async fn description(b: &Browser, label: &str) -> TestResult<String> {
    let field = b.by_label(label).await?;
    let field = serde_json::to_value(&field).map_err(|e| e.to_string())?;
    let text = b
        .js(
            "return (arguments[0].getAttribute('aria-describedby') || '').split(/\\s+/) \
               .map(id => document.getElementById(id)).filter(Boolean) \
               .map(el => el.textContent).join(' ');",
            vec![field],
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

pub async fn wait_for_description(b: &Browser, label: &str, text: &str) -> TestResult {
    let field = b.by_label(label).await?;
    let field = serde_json::to_value(&field).map_err(|e| e.to_string())?;
    b.wait_until(
        &format!("{label:?} described as {text:?}"),
        "return (arguments[0].getAttribute('aria-describedby') || '').split(/\\s+/) \
           .map(id => document.getElementById(id)).filter(Boolean) \
           .some(el => el.textContent.includes(arguments[1]));",
        vec![field, json!(text)],
    )
    .await
}

pub async fn value_of(b: &Browser, label: &str) -> TestResult<String> {
    let value = b
        .by_label(label)
        .await?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?;
    Ok(value.unwrap_or_default())
}

pub async fn changes_the_password_and_signs_out_other_devices(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    // Another device, signed in before the change.
    let other = ctx.second_browser().await?;
    sign_in_as(other, OWNER).await?;
    sign_in_as(b, OWNER).await?;
    let before = devices(b).await?.len();
    ensure(before >= 2, || {
        format!("{before} devices before the change")
    })?;

    b.goto("/account").await?;
    b.click("link", HEADING).await?;
    b.by_role("heading", HEADING).await?;
    b.wait_for_path("/account/password").await?;
    let others = b
        .by_role("checkbox", "Sign out of all other devices")
        .await?;
    ensure(others.is_selected().await.unwrap_or(false), || {
        "\"Sign out of all other devices\" starts unchecked".to_owned()
    })?;
    for (label, autocomplete) in [
        ("Current password", "current-password"),
        ("New password", "new-password"),
        ("Confirm new password", "new-password"),
    ] {
        let attr = b
            .by_label(label)
            .await?
            .attr("autocomplete")
            .await
            .map_err(|e| e.to_string())?;
        ensure(attr.as_deref() == Some(autocomplete), || {
            format!("{label:?} has autocomplete {attr:?}")
        })?;
    }
    audit_at_both_widths(b, "Change password").await?;

    // Hints follow the typing.
    b.fill("New password", "short").await?;
    wait_for_description(b, "New password", "Use at least 8 characters.").await?;
    b.fill("Confirm new password", "shor").await?;
    wait_for_description(b, "Confirm new password", "Doesn't match yet.").await?;
    b.fill("New password", NEW_PASSWORD).await?;
    b.fill("Confirm new password", NEW_PASSWORD).await?;
    wait_for_description(b, "New password", "Long enough.").await?;
    wait_for_description(b, "Confirm new password", "Matches.").await?;

    // A wrong current password: said against that field, which takes focus; the new
    // password is still there.
    b.fill("Current password", "not-my-password").await?;
    b.click("button", HEADING).await?;
    let current = b.by_label("Current password").await?;
    wait_for_field_error(b, &current, "a wrong current password").await?;
    b.expect_focus(&current, "the current password after a wrong one")
        .await?;
    ensure(value_of(b, "New password").await? == NEW_PASSWORD, || {
        "the new password was lost after a wrong current one".to_owned()
    })?;

    // A weak one: the server's advice, against the new password.
    b.fill("Current password", DEMO_PASSWORD).await?;
    b.fill("New password", "password123").await?;
    b.fill("Confirm new password", "password123").await?;
    b.click("button", HEADING).await?;
    let new = b.by_label("New password").await?;
    wait_for_field_error(b, &new, "a weak new password").await?;
    b.expect_focus(&new, "the new password after a weak one")
        .await?;
    let advice = description(b, "New password").await?;
    ensure(advice.len() > "Long enough.".len() + 10, || {
        format!("the weak password's advice is only {advice:?}")
    })?;

    // Success: back on Account, and every other device is signed out.
    b.fill("New password", NEW_PASSWORD).await?;
    b.fill("Confirm new password", NEW_PASSWORD).await?;
    b.click("button", HEADING).await?;
    b.by_role("heading", "Account").await?;
    b.wait_for_path("/account").await?;
    let after = devices(b).await?;
    ensure(after.len() == 1 && after[0].current, || {
        format!("{} devices after the change: {after:?}", after.len())
    })?;
    // The other device, on an account page all along, leaves by itself.
    signed_out_by_itself(other).await?;

    // The old password no longer signs in; the new one does.
    let old = api(
        other,
        "POST",
        "/api/session",
        Some(json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD})),
    )
    .await?;
    ensure(old.status == 401, || format!("the old password: {old:?}"))?;
    let fresh = api(
        other,
        "POST",
        "/api/session",
        Some(json!({"email": DEMO_EMAIL, "password": NEW_PASSWORD})),
    )
    .await?;
    ensure(fresh.status == 200, || {
        format!("the new password: {fresh:?}")
    })
}

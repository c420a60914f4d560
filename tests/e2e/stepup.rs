//! Step-up: when sign-in was more than 10 minutes ago, signing out a device asks for the
//! password first ("Confirm it's you"), then does what was asked, once.

use serde_json::json;

use crate::browser::Browser;
use crate::devices::{
    CONFIRM_TITLE, HEADING, check_device_dialog, check_signed_out, click_err, focus_after_removing,
    sign_out_name,
};
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::steps::{
    DEMO_PASSWORD, Device, OWNER, advance_clock, api, devices, ensure, is_modal, sign_in_as,
};

pub async fn asks_for_the_password_when_sign_in_was_long_ago(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.goto("/security/devices").await?;
    b.by_role("heading", HEADING).await?;
    let list = devices(b).await?;
    let target = list
        .iter()
        .find(|d| !d.current)
        .cloned()
        .ok_or("no other device")?;
    let before = signed_out_events(b, &target).await?;
    // Sign-in counts as a password check for 10 minutes.
    advance_clock(b, 11 * 60).await?;

    let (next, next_what) = focus_after_removing(b, &list, &target).await?;
    b.mark_document().await?;
    b.click("button", &sign_out_name(&target)).await?;
    let dialog = check_device_dialog(b, &target).await?;
    b.by_role_within(&dialog, "button", "Sign out")
        .await?
        .click()
        .await
        .map_err(click_err("the dialog's Sign out"))?;

    let confirm = b.by_role("dialog", CONFIRM_TITLE).await?;
    ensure(is_modal(b, &confirm).await?, || {
        format!("{CONFIRM_TITLE:?} is not modal")
    })?;
    let password = b.by_label("Password").await?;
    password
        .send_keys("not-the-password")
        .await
        .map_err(|e| e.to_string())?;
    b.by_role_within(&confirm, "button", "Confirm")
        .await?
        .click()
        .await
        .map_err(click_err("Confirm"))?;
    wait_for_field_error(b, &password, "the password after a wrong one").await?;
    b.expect_focus(&password, "the password field after a wrong password")
        .await?;
    ensure(devices(b).await?.len() == list.len(), || {
        "a wrong password signed the device out".to_owned()
    })?;

    b.fill("Password", DEMO_PASSWORD).await?;
    b.by_role_within(&confirm, "button", "Confirm")
        .await?
        .click()
        .await
        .map_err(click_err("Confirm"))?;
    b.wait_gone("dialog", CONFIRM_TITLE).await?;
    check_signed_out(b, &target, &next, &next_what).await?;

    // Once: one device fewer, one sign-out event.
    let left = devices(b).await?;
    ensure(left.len() == list.len() - 1, || {
        format!("{} devices before, {} after", list.len(), left.len())
    })?;
    let after = signed_out_events(b, &target).await?;
    ensure(after == before + 1, || {
        format!(
            "{before} sign-out events for {:?} before, {after} after",
            target.name
        )
    })
}

/// How many `device_signed_out` events name `device` (on the first page of activity).
async fn signed_out_events(b: &Browser, device: &Device) -> TestResult<usize> {
    let answer = api(b, "GET", "/api/activity", None).await?;
    let events = answer.body["events"]
        .as_array()
        .ok_or_else(|| format!("GET /api/activity answered {answer:?}"))?;
    Ok(events
        .iter()
        .filter(|e| e["kind"] == "device_signed_out" && e["device"]["name"] == json!(device.name))
        .count())
}

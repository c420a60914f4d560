//! Step-up: when sign-in was more than 10 minutes ago, signing out a device asks for the
//! password first ("Confirm it's you"), then does what was asked, once.

use serde_json::json;

use crate::browser::Browser;
use crate::devices::{
    CONFIRM_TITLE, HEADING, check_device_dialog, check_signed_out, click_err, focus_after_removing,
    sign_out_name,
};
use crate::password::{value_of, wait_for_description};
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{
    DEMO_PASSWORD, Device, OWNER, advance_clock, api, devices, ensure, is_modal, sign_in_as,
};
use crate::two_step::{code_at, turn_on_by_api};

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

/// With two-step verification on, "Confirm it's you" asks for a code from the authenticator
/// app as well, once the password is right; a wrong code keeps the password typed.
pub async fn asks_for_a_code_too_when_two_step_is_on(ctx: &Ctx) -> TestResult {
    const CODE: &str = "Code from your authenticator app";
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let secret = turn_on_by_api(b).await?;
    advance_clock(b, 11 * 60).await?;
    b.goto("/security/two-step").await?;
    b.wait_for_text("You have 10 recovery codes left.").await?;
    b.click("button", "Get new recovery codes").await?;
    let dialog = b.by_role("dialog", "Get new recovery codes?").await?;
    b.click_within(&dialog, "button", "Get new codes").await?;

    let confirm = b.by_role("dialog", CONFIRM_TITLE).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    // The password was right: the code field appears, takes focus and says what it needs.
    let field = b.by_label(CODE).await?;
    wait_for_field_error(b, &field, "the code step-up asks for").await?;
    // Focus moves once the field is drawn (the next frame), which may come after its error.
    b.wait_until(
        "focus on the code field, the first empty one",
        "return document.activeElement === arguments[0];",
        vec![serde_json::to_value(&field).map_err(|e| e.to_string())?],
    )
    .await?;
    for (attr, wanted) in [("autocomplete", "one-time-code"), ("inputmode", "numeric")] {
        let value = field.attr(attr).await.map_err(|e| e.to_string())?;
        ensure(value.as_deref() == Some(wanted), || {
            format!("the code field has {attr} {value:?}")
        })?;
    }
    audit_at_both_widths(b, "Confirm it's you with a code").await?;

    // A wrong code: said against the code; the password is kept.
    let right = code_at(&secret, 11 * 60)?;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.fill(CODE, wrong).await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    wait_for_description(b, CODE, "isn't right").await?;
    let field = b.by_label(CODE).await?;
    b.expect_focus(&field, "the code after a wrong one").await?;
    ensure(value_of(b, "Password").await? == DEMO_PASSWORD, || {
        "the password was lost after a wrong code".to_owned()
    })?;

    // The switch to a recovery code, and back.
    b.click_within(&confirm, "button", "Use a recovery code instead")
        .await?;
    let recovery = b.by_label("Recovery code").await?;
    b.wait_until(
        "focus on the recovery code",
        "return document.activeElement === arguments[0];",
        vec![serde_json::to_value(&recovery).map_err(|e| e.to_string())?],
    )
    .await?;
    b.click_within(&confirm, "button", "Use a code from your app instead")
        .await?;

    b.fill(CODE, &right).await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    b.wait_gone("dialog", CONFIRM_TITLE).await?;
    b.by_role("heading", "Save your recovery codes").await?;
    Ok(())
}

/// "Confirm it's you" takes the place of the dialog it interrupts: one dialog at a time. Escape
/// or Cancel brings the interrupted one back as it was, with no error; confirming carries on.
pub async fn replaces_the_dialog_it_interrupts(ctx: &Ctx) -> TestResult {
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
    advance_clock(b, 11 * 60).await?;
    b.click("button", &sign_out_name(&target)).await?;
    let title = format!("Sign out {}?", target.name);

    for (leave, how) in [(Leave::Escape, "Escape"), (Leave::Cancel, "Cancel")] {
        let dialog = b.by_role("dialog", title.as_str()).await?;
        b.click_within(&dialog, "button", "Sign out").await?;
        b.by_role("dialog", CONFIRM_TITLE).await?;
        expect_open_dialogs(b, &[CONFIRM_TITLE]).await?;
        match leave {
            Leave::Escape => b.press(ESCAPE).await?,
            Leave::Cancel => b.click("button", "Cancel").await?,
        }
        b.wait_gone("dialog", CONFIRM_TITLE).await?;
        // Back where the person was: the same dialog, its Sign out focused, and no error.
        let dialog = b.by_role("dialog", title.as_str()).await?;
        expect_open_dialogs(b, &[title.as_str()]).await?;
        let button = b.by_role_within(&dialog, "button", "Sign out").await?;
        b.expect_focus(&button, &format!("the dialog's Sign out after {how}"))
            .await?;
        let alerts = b
            .js(
                "return [...arguments[0].querySelectorAll('[role=alert]')] \
               .map(a => a.textContent.trim()).join('');",
                vec![serde_json::to_value(&dialog).map_err(|e| e.to_string())?],
            )
            .await?;
        ensure(alerts == "", || {
            format!("leaving \"Confirm it's you\" with {how} is reported as {alerts}")
        })?;
    }
    ensure(devices(b).await?.len() == list.len(), || {
        "cancelling signed the device out".to_owned()
    })?;

    let dialog = b.by_role("dialog", title.as_str()).await?;
    b.click_within(&dialog, "button", "Sign out").await?;
    let confirm = b.by_role("dialog", CONFIRM_TITLE).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    // The interrupted dialog comes back while the sign-out runs, then closes with it.
    b.wait_gone("dialog", CONFIRM_TITLE).await?;
    b.wait_until(
        "every dialog to close",
        "return !document.querySelector('dialog[open]');",
        vec![],
    )
    .await?;
    ensure(devices(b).await?.len() == list.len() - 1, || {
        "confirming did not sign the device out".to_owned()
    })
}

enum Leave {
    Escape,
    Cancel,
}

const ESCAPE: char = '\u{E00C}';

/// Fails unless the open modal dialogs are exactly those titled `titles`.
async fn expect_open_dialogs(b: &Browser, titles: &[&str]) -> TestResult {
    let open = b
        .js(
            "return [...document.querySelectorAll('dialog[open], [role=dialog][open]')] \
               .map(d => document.getElementById(d.getAttribute('aria-labelledby'))?.textContent);",
            vec![],
        )
        .await?;
    ensure(open == json!(titles), || {
        format!("open dialogs: {open}, wanted {titles:?}")
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

//! Naming a device, which every list then uses, and acting on a sign-in that wasn't you.

use crate::browser::{DESKTOP, PHONE};
use crate::devices::HEADING as DEVICES_HEADING;
use crate::runner::{Ctx, TestResult};
use crate::security::ACTIVITY_HEADING;
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{OWNER, devices, ensure, sign_in_as, sign_in_elsewhere};

const NICKNAME: &str = "Intruder laptop";

pub async fn renames_a_device_and_signs_out_a_sign_in_that_was_not_you(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    // A sign-in from "elsewhere" with this browser's own name: renaming tells them apart.
    sign_in_elsewhere(b, 1).await?;
    let list = devices(b).await?;
    let stranger = list.get(1).cloned().ok_or("no second device")?;
    ensure(!stranger.current, || format!("{list:?}"))?;

    b.goto("/security/devices").await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    // The rows come with the table: wait for it before listing its buttons.
    b.by_role("table", "Devices signed in to your account")
        .await?;
    // Same name as this browser: the page numbers the two in the order they signed in (to the
    // second, so maybe not this browser first), in the row and in the buttons' names.
    let region = b.by_role("region", "This device").await?;
    let mine = format!("Rename {} (#1)", stranger.name);
    let number = if b
        .all_by_role_within(&region, "button", Some(&mine))
        .await?
        .is_empty()
    {
        1
    } else {
        2
    };
    let rename = format!("Rename {} (#{number})", stranger.name);
    let button = b.by_role("button", rename.as_str()).await?;
    button.click().await.map_err(|e| e.to_string())?;
    let dialog = b.by_role("dialog", rename.as_str()).await?;
    audit_at_both_widths(b, "the Rename dialog").await?;

    // Too long: said against the field.
    b.fill("Device name", &"x".repeat(41)).await?;
    b.click_within(&dialog, "button", "Save").await?;
    let field = b.by_label("Device name").await?;
    wait_for_field_error(b, &field, "a 41-character name").await?;

    b.fill("Device name", NICKNAME).await?;
    b.click_within(&dialog, "button", "Save").await?;
    b.wait_gone("dialog", rename.as_str()).await?;
    let renamed = b
        .by_role("button", format!("Rename {NICKNAME}").as_str())
        .await?;
    b.expect_focus(&renamed, "the renamed device's Rename button")
        .await?;
    b.by_role("button", format!("Sign out {NICKNAME}").as_str())
        .await?;
    let after = devices(b).await?;
    ensure(
        after
            .iter()
            .any(|d| d.id == stranger.id && d.name == NICKNAME),
        || format!("the API lists {after:?}"),
    )?;
    // The cards on a phone use the name too.
    b.set_viewport(PHONE).await?;
    b.by_role("button", format!("Rename {NICKNAME}").as_str())
        .await?;
    b.set_viewport(DESKTOP).await?;

    // Account activity names the device by its new name, and its sign-in can be undone.
    b.goto("/security/activity").await?;
    b.by_role("heading", ACTIVITY_HEADING).await?;
    let not_me = format!("Wasn't you? Sign out {NICKNAME}");
    b.click("button", &not_me).await?;
    let title = format!("Sign out {NICKNAME}?");
    let dialog = b.by_role("dialog", title.as_str()).await?;
    audit_at_both_widths(b, "the Wasn't you? dialog").await?;
    b.click_within(&dialog, "button", "Sign out and change password")
        .await?;
    b.by_role("heading", "Change password").await?;
    b.wait_for_path("/account/password").await?;
    let left = devices(b).await?;
    ensure(!left.iter().any(|d| d.id == stranger.id), || {
        format!("{NICKNAME} is still signed in: {left:?}")
    })
}

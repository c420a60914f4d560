//! The devices flow with the keyboard alone: Tab, Enter, Space and Escape, no clicks, from
//! the sign-in page to a device signed out.

use crate::browser::{ENTER, ESCAPE, SPACE, TAB};
use crate::devices::{
    HEADING, SECURITY_HEADING, check_device_dialog, check_signed_out, focus_after_removing,
    sign_out_name,
};
use crate::runner::{Ctx, TestResult};
use crate::steps::{DEMO_EMAIL, DEMO_PASSWORD, OWNER, PROFILES_HEADING, devices, ensure};

pub async fn signs_out_a_device_with_the_keyboard_alone(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/signin").await?;
    b.by_role("heading", "Sign in").await?;
    let email = b.by_label("Email").await?;
    b.tab_to_element(&email, "the Email field").await?;
    b.type_text(DEMO_EMAIL).await?;
    let password = b.by_label("Password").await?;
    b.tab_to_element(&password, "the Password field").await?;
    b.type_text(DEMO_PASSWORD).await?;
    b.press(ENTER).await?;
    b.by_role("heading", PROFILES_HEADING).await?;

    b.tab_to("button", OWNER).await?;
    b.press(ENTER).await?;
    b.by_role("heading", "Account").await?;
    b.tab_to("link", "Security").await?;
    b.press(ENTER).await?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.tab_to("link", HEADING).await?;
    b.press(ENTER).await?;
    b.by_role("heading", HEADING).await?;

    let list = devices(b).await?;
    let target = list
        .iter()
        .find(|d| !d.current)
        .cloned()
        .ok_or("no other device")?;
    let (next, next_what) = focus_after_removing(b, &list, &target).await?;
    b.mark_document().await?;

    // Enter opens the dialog on Cancel; Escape closes it and focus goes back.
    let opener = b.tab_to("button", &sign_out_name(&target)).await?;
    b.press(ENTER).await?;
    check_device_dialog(b, &target)
        .await
        .map_err(|e| format!("after Enter on the sign-out button: {e}"))?;
    b.press(ESCAPE).await?;
    b.wait_gone("dialog", &format!("{}?", sign_out_name(&target)))
        .await?;
    b.expect_focus(&opener, "the sign-out button after Escape")
        .await?;
    ensure(devices(b).await?.len() == list.len(), || {
        "Escape signed the device out".to_owned()
    })?;

    // Space opens it too; Tab reaches "Sign out", Enter confirms.
    b.press(SPACE).await?;
    let dialog = check_device_dialog(b, &target)
        .await
        .map_err(|e| format!("after Space on the sign-out button: {e}"))?;
    let confirm = b.by_role_within(&dialog, "button", "Sign out").await?;
    b.press(TAB).await?;
    b.expect_focus(&confirm, "the dialog's Sign out after one Tab from Cancel")
        .await?;
    b.press(ENTER).await?;
    check_signed_out(b, &target, &next, &next_what).await
}

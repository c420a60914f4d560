//! axe-core on every signed-in page at desktop and phone widths, and with each dialog open.
//! (The sign-in and signed-out pages are audited in `signout.rs`.) Each sweep goes on past a
//! failing page and reports every problem at the end.

use crate::browser::{Browser, DESKTOP, PHONE};
use crate::devices::{
    CONFIRM_TITLE, HEADING as DEVICES_HEADING, SECURITY_HEADING, SIGN_OUT_ALL, SIGN_OUT_ALL_TITLE,
    check_phone_layout, sign_out_name,
};
use crate::runner::{Ctx, TestResult};
use crate::security::ACTIVITY_HEADING;
use crate::steps::{
    JORDAN, KIDS, KIDS_BLOCKED_HEADING, OWNER, PROFILES_HEADING, advance_clock, choose_profile,
    devices, sideways_overflow, sign_in, sign_in_as,
};

/// Address and heading of every page of the account (for a profile that may manage it).
const ACCOUNT_PAGES: [(&str, &str); 6] = [
    ("/profiles", PROFILES_HEADING),
    ("/account", "Account"),
    ("/security", SECURITY_HEADING),
    ("/security/devices", DEVICES_HEADING),
    ("/security/activity", ACTIVITY_HEADING),
    ("/signin/forgot", crate::forgot::HEADING),
];

fn report(problems: Vec<String>) -> TestResult {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n"))
    }
}

async fn check_page(b: &Browser, path: &str, heading: &str, width: &str) -> TestResult {
    b.goto(path).await?;
    b.by_role("heading", heading).await?;
    b.wait_for_path(path).await?;
    if width == "phone" {
        let overflow = sideways_overflow(b).await?;
        if overflow != 0 {
            return Err(format!(
                "{path} scrolls sideways by {overflow}px on a phone"
            ));
        }
        if heading == DEVICES_HEADING {
            check_phone_layout(b).await?;
        }
    }
    b.axe_audit(&format!("{path} at {width} width")).await
}

pub async fn every_page_passes_axe_at_desktop_and_phone_widths(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let mut problems = Vec::new();
    for (size, width) in [(DESKTOP, "desktop"), (PHONE, "phone")] {
        b.set_viewport(size).await?;
        for (path, heading) in ACCOUNT_PAGES {
            if let Err(e) = check_page(b, path, heading, width).await {
                problems.push(e);
            }
        }
    }

    // What a kids profile sees instead.
    b.set_viewport(DESKTOP).await?;
    b.goto("/profiles").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    choose_profile(b, KIDS).await?;
    for (size, width) in [(DESKTOP, "desktop"), (PHONE, "phone")] {
        b.set_viewport(size).await?;
        for path in ["/account", "/security/devices"] {
            if let Err(e) = check_page(b, path, KIDS_BLOCKED_HEADING, width).await {
                problems.push(format!("kids profile: {e}"));
            }
        }
    }
    report(problems)
}

pub async fn every_dialog_passes_axe(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    let mut problems = Vec::new();

    sign_in(b).await?;
    b.click("button", JORDAN).await?;
    let title = format!("Enter the PIN for {JORDAN}");
    b.by_role("dialog", title.as_str()).await?;
    if let Err(e) = b.axe_audit("the PIN dialog").await {
        problems.push(e);
    }
    let dialog = b.by_role("dialog", title.as_str()).await?;
    b.by_role_within(&dialog, "button", "Cancel")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_gone("dialog", &title).await?;
    choose_profile(b, OWNER).await?;

    if let Err(e) = device_dialogs(b, &mut problems).await {
        problems.push(e);
    }
    report(problems)
}

async fn device_dialogs(b: &Browser, problems: &mut Vec<String>) -> TestResult {
    b.goto("/security/devices").await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    let list = devices(b).await?;
    let target = list.iter().find(|d| !d.current).ok_or("no other device")?;
    let name = sign_out_name(target);
    let title = format!("{name}?");

    b.click("button", &name).await?;
    let dialog = b.by_role("dialog", title.as_str()).await?;
    if let Err(e) = b.axe_audit("the dialog for signing out a device").await {
        problems.push(e);
    }
    b.by_role_within(&dialog, "button", "Cancel")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_gone("dialog", &title).await?;

    b.click("button", SIGN_OUT_ALL).await?;
    let all = b.by_role("dialog", SIGN_OUT_ALL_TITLE).await?;
    if let Err(e) = b
        .axe_audit("the dialog for signing out of all devices")
        .await
    {
        problems.push(e);
    }
    b.by_role_within(&all, "button", "Cancel")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_gone("dialog", SIGN_OUT_ALL_TITLE).await?;

    // "Confirm it's you" appears once the sign-in is more than 10 minutes old.
    advance_clock(b, 11 * 60).await?;
    b.click("button", &name).await?;
    let dialog = b.by_role("dialog", title.as_str()).await?;
    b.by_role_within(&dialog, "button", "Sign out")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.by_role("dialog", CONFIRM_TITLE).await?;
    b.axe_audit("the dialog \"Confirm it's you\"").await
}

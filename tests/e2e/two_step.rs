//! Two-step verification: turned on with a real TOTP code computed from the secret the setup
//! screen shows; signing in then asks for a code; a recovery code works once; new codes; and
//! turning it off with a confirmation and a password check.

use std::time::{SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Secret, TOTP};

use crate::browser::Browser;
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{
    DEMO_EMAIL, DEMO_PASSWORD, OWNER, PROFILES_HEADING, SIGNED_OUT_HEADING, advance_clock, api,
    choose_profile, ensure, sign_in_as, signed_out_by_itself,
};

const HEADING: &str = "Two-step verification";

/// The code an authenticator app shows for `secret`, `ahead` steps of 30 s from now.
fn code(secret: &str, ahead: u64) -> TestResult<String> {
    code_at(secret, 30 * ahead)
}

/// The code for `secret` on the server's clock, which `advance_clock` has moved `ahead`
/// seconds past this machine's.
pub fn code_at(secret: &str, ahead: u64) -> TestResult<String> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|e| format!("the setup key {secret:?} is not base32: {e:?}"))?;
    let totp = TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        DEMO_EMAIL.to_owned(),
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    Ok(totp.generate(now + ahead))
}

/// Turns two-step verification on from the page, as the app's setup would (for cases about
/// what follows); returns the secret.
pub async fn turn_on_by_api(b: &Browser) -> TestResult<String> {
    let setup = api(b, "POST", "/api/two-factor/totp", None).await?;
    let secret = setup.body["secret"]
        .as_str()
        .ok_or_else(|| format!("starting set-up answered {setup:?}"))?
        .to_owned();
    let body = serde_json::json!({"code": code_at(&secret, 0)?});
    let on = api(b, "POST", "/api/two-factor/totp/confirm", Some(body)).await?;
    ensure(on.status == 200, || {
        format!("confirming set-up answered {on:?}")
    })?;
    Ok(secret)
}

/// The "Sign out of all other devices" box, which must start checked.
async fn sign_out_others_box(b: &Browser, what: &str) -> TestResult<fantoccini::elements::Element> {
    let others = b
        .by_role("checkbox", "Sign out of all other devices")
        .await?;
    ensure(others.is_selected().await.unwrap_or(false), || {
        format!("\"Sign out of all other devices\" starts unchecked {what}")
    })?;
    Ok(others)
}

/// What `GET /api/session` answers the other browser: 200, or the 401's code.
async fn other_session(other: &Browser) -> TestResult<String> {
    let answer = api(other, "GET", "/api/session", None).await?;
    Ok(match answer.status {
        200 => "signed in".to_owned(),
        _ => answer.body["error"]["code"]
            .as_str()
            .unwrap_or("no code")
            .to_owned(),
    })
}

/// Goes through set-up on the page up to the recovery codes; `sign_out_others` sets the box.
async fn turn_on_in_the_page(b: &Browser, sign_out_others: bool) -> TestResult {
    b.click("button", "Turn on").await?;
    b.by_role("heading", "Set up your authenticator app")
        .await?;
    let key = b
        .by_label("Setup key")
        .await?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let secret: String = key.split_whitespace().collect();
    let others = sign_out_others_box(b, "when turning two-step on").await?;
    if !sign_out_others {
        others.click().await.map_err(|e| e.to_string())?;
    }
    b.fill("Code", &code(&secret, 0)?).await?;
    b.click("button", "Turn on two-step verification").await?;
    b.by_role("heading", "Save your recovery codes").await?;
    b.click("button", "Done").await?;
    b.by_role("heading", "Two-step verification is on").await?;
    Ok(())
}

/// Turning two-step verification on or off offers "Sign out of all other devices", checked;
/// the other browser is signed out only when it stays checked.
pub async fn turning_two_step_on_or_off_can_sign_out_other_devices(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    let other = ctx.second_browser().await?;
    sign_in_as(other, OWNER).await?;
    sign_in_as(b, OWNER).await?;
    b.goto("/security/two-step").await?;
    b.by_role("heading", "Two-step verification is off").await?;

    // On, with the box unchecked: the other browser stays.
    turn_on_in_the_page(b, false).await?;
    let state = other_session(other).await?;
    ensure(state == "signed in", || {
        format!("turning on with the box unchecked left the other browser {state}")
    })?;

    // Off, with the box as it starts (checked): the other browser is signed out.
    b.click("button", "Turn off").await?;
    let dialog = b
        .by_role("dialog", "Turn off two-step verification?")
        .await?;
    sign_out_others_box(b, "in the Turn off dialog").await?;
    audit_at_both_widths(b, "the Turn off dialog with its checkbox").await?;
    b.click_within(&dialog, "button", "Turn off").await?;
    b.by_role("heading", "Two-step verification is off").await?;
    // The other browser, on Account all along, leaves by itself and says why.
    signed_out_by_itself(other)
        .await
        .map_err(|e| format!("turning off with the box checked: {e}"))?;

    // On again, with the box left checked: the browser signed in meanwhile is signed out.
    sign_in_as(other, OWNER).await?;
    turn_on_in_the_page(b, true).await?;
    signed_out_by_itself(other)
        .await
        .map_err(|e| format!("turning on with the box checked: {e}"))
}

pub async fn sign_out(b: &Browser) -> TestResult {
    let banner = b.by_role("banner", None).await?;
    b.click_within(&banner, "button", "Sign out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    Ok(())
}

/// Email and password, up to the two-step code.
async fn sign_in_to_code(b: &Browser) -> TestResult {
    b.goto("/signin").await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click("button", "Sign in").await?;
    b.by_role("heading", HEADING).await?;
    Ok(())
}

async fn sign_in_with_recovery_code(b: &Browser, recovery: &str) -> TestResult {
    sign_in_to_code(b).await?;
    b.click("button", "Use a recovery code instead").await?;
    b.fill("Recovery code", recovery).await?;
    b.click("button", "Verify").await
}

pub async fn turns_on_two_step_verification_and_signs_in_with_codes(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.goto("/security").await?;
    b.click("link", "Set up two-step verification").await?;
    b.by_role("heading", HEADING).await?;
    b.by_role("heading", "Two-step verification is off").await?;
    audit_at_both_widths(b, "Two-step verification, off").await?;

    b.click("button", "Turn on").await?;
    b.by_role("heading", "Set up your authenticator app")
        .await?;
    b.by_role(
        "img",
        "QR code for adding Hallpass to an authenticator app. If you can't scan it, type the setup key instead.",
    )
    .await?;
    let key = b
        .by_label("Setup key")
        .await?
        .prop("value")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let secret: String = key.split_whitespace().collect();
    ensure(secret.len() >= 16, || format!("the setup key is {key:?}"))?;
    audit_at_both_widths(b, "Two-step setup").await?;

    // A wrong first code: said against the field, which keeps focus.
    let wrong = if code(&secret, 0)? == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.fill("Code", wrong).await?;
    b.click("button", "Turn on two-step verification").await?;
    let field = b.by_label("Code").await?;
    wait_for_field_error(b, &field, "a wrong first code").await?;
    b.expect_focus(&field, "the code after a wrong one").await?;

    b.fill("Code", &code(&secret, 0)?).await?;
    b.click("button", "Turn on two-step verification").await?;
    b.by_role("heading", "Save your recovery codes").await?;
    b.wait_for_text("These codes won't be shown again.").await?;
    let list = b.by_role("list", "Recovery codes").await?;
    let mut codes = Vec::new();
    for item in b.all_by_role_within(&list, "listitem", None).await? {
        codes.push(
            item.text()
                .await
                .map_err(|e| e.to_string())?
                .trim()
                .to_owned(),
        );
    }
    ensure(codes.len() == 10, || format!("recovery codes: {codes:?}"))?;
    b.by_role("button", "Copy").await?;
    b.by_role("button", "Download").await?;
    audit_at_both_widths(b, "the recovery codes").await?;
    b.click("button", "Done").await?;
    b.by_role("heading", "Two-step verification is on").await?;
    b.wait_for_text("You have 10 recovery codes left.").await?;
    audit_at_both_widths(b, "Two-step verification, on").await?;

    // Signing in now asks for a code. The setup's step is spent, so the app's next one.
    sign_out(b).await?;
    sign_in_to_code(b).await?;
    b.fill("Code", &code(&secret, 1)?).await?;
    b.click("button", "Verify").await?;
    b.by_role("heading", PROFILES_HEADING).await?;

    // A recovery code works once.
    sign_out(b).await?;
    sign_in_with_recovery_code(b, &codes[0]).await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    sign_out(b).await?;
    sign_in_with_recovery_code(b, &codes[0]).await?;
    let field = b.by_label("Recovery code").await?;
    wait_for_field_error(b, &field, "a recovery code used before").await?;
    b.expect_focus(&field, "the recovery code after a spent one")
        .await?;
    b.fill("Recovery code", &codes[1]).await?;
    b.click("button", "Verify").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    choose_profile(b, OWNER).await?;

    // New codes replace the old ones.
    b.goto("/security/two-step").await?;
    b.wait_for_text("You have 8 recovery codes left.").await?;
    b.click("button", "Get new recovery codes").await?;
    let dialog = b.by_role("dialog", "Get new recovery codes?").await?;
    audit_at_both_widths(b, "the Get new recovery codes dialog").await?;
    b.click_within(&dialog, "button", "Get new codes").await?;
    b.by_role("heading", "Save your recovery codes").await?;
    b.click("button", "Done").await?;
    b.wait_for_text("You have 10 recovery codes left.").await?;

    // Turning it off asks first, and for the password once sign-in is 10 minutes old.
    advance_clock(b, 11 * 60).await?;
    b.click("button", "Turn off").await?;
    let dialog = b
        .by_role("dialog", "Turn off two-step verification?")
        .await?;
    audit_at_both_widths(b, "the Turn off dialog").await?;
    b.click_within(&dialog, "button", "Turn off").await?;
    // With two-step on, step-up takes a code too (after the password; the clock moved 11 min).
    let confirm = b.by_role("dialog", "Confirm it's you").await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    b.fill(
        "Code from your authenticator app",
        &code_at(&secret, 11 * 60)?,
    )
    .await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    b.by_role("heading", "Two-step verification is off").await?;
    let account = api(b, "GET", "/api/account", None).await?;
    ensure(account.body["two_factor"]["enabled"] == false, || {
        format!("the account after turning it off: {account:?}")
    })
}

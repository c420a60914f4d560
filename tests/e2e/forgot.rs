//! Forgot password: the email, the code from the outbox (a wrong one, a new one), the new
//! password (weak, then strong), and the end: every device signed out, the old password
//! refused and the new one signing in. With two-step on, the authenticator code or a recovery
//! code; an unknown address sees what a known one does.

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::password::wait_for_description;
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{
    DEMO_EMAIL, DEMO_PASSWORD, OWNER, PROFILES_HEADING, advance_clock, api, ensure, sign_in_as,
    signed_out_by_itself,
};
use crate::two_step::code_at;

pub const HEADING: &str = "Reset your password";
const NEW_PASSWORD: &str = "amber kettle orchard 58 drift";
const NOBODY: &str = "nobody@hallpass.test";

/// The newest 6-digit code sent to `to`, from the demo server's outbox.
async fn code_sent_to(b: &Browser, to: &str) -> TestResult<String> {
    let outbox = api(b, "GET", "/api/dev/outbox", None).await?;
    let body = outbox
        .body
        .as_array()
        .and_then(|list| list.iter().find(|m| m["to"] == to))
        .and_then(|m| m["body"].as_str())
        .ok_or_else(|| format!("no message to {to} in {outbox:?}"))?;
    body.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
        .ok_or_else(|| format!("no 6-digit code in {body:?}"))
}

/// Waits for the step heading `name` and for focus on it.
async fn step(b: &Browser, name: &str) -> TestResult {
    let heading = b.by_role("heading", name).await?;
    let heading = serde_json::to_value(&heading).map_err(|e| e.to_string())?;
    b.wait_until(
        &format!("focus on the heading {name:?}"),
        "return document.activeElement === arguments[0];",
        vec![heading],
    )
    .await
}

async fn attr(b: &Browser, label: &str, name: &str) -> TestResult<Option<String>> {
    b.by_label(label)
        .await?
        .attr(name)
        .await
        .map_err(|e| e.to_string())
}

/// From the first step to the new password's, for `email`.
async fn up_to_new_password(b: &Browser, email: &str) -> TestResult {
    b.goto("/signin/forgot").await?;
    b.by_role("heading", HEADING).await?;
    b.fill("Email", email).await?;
    b.click("button", "Send code").await?;
    step(b, "Check your email").await?;
    let code = code_sent_to(b, email).await?;
    b.fill("Code", &code).await?;
    b.click("button", "Continue").await?;
    step(b, "Choose a new password").await
}

async fn set_password(b: &Browser, password: &str) -> TestResult {
    b.fill("New password", password).await?;
    b.fill("Confirm new password", password).await?;
    b.click("button", "Change password").await
}

async fn finished(b: &Browser) -> TestResult {
    step(b, "Your password is changed").await?;
    b.wait_for_text("Every device was signed out").await
}

async fn signs_in(b: &Browser, password: &str) -> TestResult<u16> {
    let body = json!({"email": DEMO_EMAIL, "password": password});
    Ok(api(b, "POST", "/api/session", Some(body)).await?.status)
}

pub async fn resets_the_password_and_signs_out_every_device(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    let other = ctx.second_browser().await?;
    sign_in_as(other, OWNER).await?;

    b.goto("/signin/forgot").await?;
    b.by_role("heading", HEADING).await?;
    b.by_role("heading", "Enter your email").await?;
    b.by_role("link", "Back to sign in").await?;
    audit_at_both_widths(b, "Forgot password, the email").await?;
    b.fill("Email", "not-an-address").await?;
    b.click("button", "Send code").await?;
    let email = b.by_label("Email").await?;
    wait_for_field_error(b, &email, "a malformed address").await?;
    b.expect_focus(&email, "the email after a malformed one")
        .await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.click("button", "Send code").await?;

    step(b, "Check your email").await?;
    for (name, value) in [("autocomplete", "one-time-code"), ("inputmode", "numeric")] {
        let got = attr(b, "Code", name).await?;
        ensure(got.as_deref() == Some(value), || {
            format!("the code field has {name} {got:?}")
        })?;
    }
    audit_at_both_widths(b, "Forgot password, the code").await?;
    let first = code_sent_to(b, DEMO_EMAIL).await?;
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.fill("Code", wrong).await?;
    b.click("button", "Continue").await?;
    let code = b.by_label("Code").await?;
    wait_for_field_error(b, &code, "a wrong code").await?;
    b.expect_focus(&code, "the code after a wrong one").await?;
    b.click("button", "Send a new code").await?;
    b.wait_for_text("New code sent.").await?;
    let second = code_sent_to(b, DEMO_EMAIL).await?;
    b.fill("Code", &second).await?;
    b.click("button", "Continue").await?;

    step(b, "Choose a new password").await?;
    for label in ["New password", "Confirm new password"] {
        let got = attr(b, label, "autocomplete").await?;
        ensure(got.as_deref() == Some("new-password"), || {
            format!("{label:?} has autocomplete {got:?}")
        })?;
    }
    audit_at_both_widths(b, "Forgot password, the new password").await?;
    // The hints and the strength advice of Change password.
    b.fill("New password", "short").await?;
    wait_for_description(b, "New password", "Use at least 8 characters.").await?;
    set_password(b, "password123").await?;
    let new = b.by_label("New password").await?;
    wait_for_field_error(b, &new, "a weak new password").await?;
    b.expect_focus(&new, "the new password after a weak one")
        .await?;
    wait_for_description(b, "New password", "common password").await?;
    set_password(b, NEW_PASSWORD).await?;

    finished(b).await?;
    audit_at_both_widths(b, "Forgot password, done").await?;
    let sign_in = b.by_role("link", "Sign in").await?;
    // (WebKit's driver answers with the resolved address.)
    let href = sign_in.attr("href").await.map_err(|e| e.to_string())?;
    ensure(
        href.as_deref()
            .is_some_and(|h| h.ends_with("/signin?email=demo%40hallpass.test")),
        || format!("\"Sign in\" leads to {href:?}"),
    )?;

    // The other browser, on Account all along, leaves by itself and says from where.
    signed_out_by_itself(other).await?;

    ensure(signs_in(b, DEMO_PASSWORD).await? == 401, || {
        "the old password still signs in".to_owned()
    })?;
    b.click("link", "Sign in").await?;
    b.wait_for_path("/signin").await?;
    b.by_role("heading", "Sign in").await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", NEW_PASSWORD).await?;
    b.click("button", "Sign in").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    Ok(())
}

/// Turns two-step on through the API; the secret and the recovery codes.
async fn turn_on(b: &Browser) -> TestResult<(String, Vec<String>)> {
    let setup = api(b, "POST", "/api/two-factor/totp", None).await?;
    let secret = setup.body["secret"]
        .as_str()
        .ok_or_else(|| format!("starting set-up answered {setup:?}"))?
        .to_owned();
    let body = json!({"code": code_at(&secret, 0)?});
    let on = api(b, "POST", "/api/two-factor/totp/confirm", Some(body)).await?;
    let codes: Vec<String> = on.body["recovery_codes"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    ensure(!codes.is_empty(), || {
        format!("confirming set-up answered {on:?}")
    })?;
    Ok((secret, codes))
}

pub async fn with_two_step_on_asks_for_a_code_or_a_recovery_code(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let (secret, recovery) = turn_on(b).await?;

    up_to_new_password(b, DEMO_EMAIL).await?;
    let code_label = "Code from your authenticator app";
    for (name, value) in [("autocomplete", "one-time-code"), ("inputmode", "numeric")] {
        let got = attr(b, code_label, name).await?;
        ensure(got.as_deref() == Some(value), || {
            format!("the two-step code field has {name} {got:?}")
        })?;
    }
    audit_at_both_widths(b, "Forgot password with two-step on").await?;
    set_password(b, NEW_PASSWORD).await?;
    let field = b.by_label(code_label).await?;
    wait_for_field_error(b, &field, "no two-step code").await?;
    // A step the set-up has not used: the server takes each code once.
    advance_clock(b, 30).await?;
    b.fill(code_label, &code_at(&secret, 30)?).await?;
    b.click("button", "Change password").await?;
    finished(b).await?;
    let session = api(b, "GET", "/api/session", None).await?;
    ensure(session.status == 401, || {
        format!("this browser's session after the reset: {session:?}")
    })?;

    // Again, with a recovery code instead.
    up_to_new_password(b, DEMO_EMAIL).await?;
    b.click("button", "Use a recovery code instead").await?;
    // Focus moves to the new field; typing elsewhere before it has would be cut in two.
    let field = b.by_label("Recovery code").await?;
    let field = serde_json::to_value(&field).map_err(|e| e.to_string())?;
    b.wait_until(
        "focus on the recovery code",
        "return document.activeElement === arguments[0];",
        vec![field],
    )
    .await?;
    b.fill("New password", DEMO_PASSWORD).await?;
    b.fill("Confirm new password", DEMO_PASSWORD).await?;
    b.fill("Recovery code", &recovery[0]).await?;
    b.click("button", "Change password").await?;
    finished(b).await?;
    ensure(signs_in(b, DEMO_PASSWORD).await? == 200, || {
        "the password set with a recovery code doesn't sign in".to_owned()
    })
}

/// The visible text of `<main>`, with the address typed made anonymous.
async fn main_text(b: &Browser, email: &str) -> TestResult<String> {
    let text = b
        .js("return document.querySelector('main').innerText;", vec![])
        .await?;
    Ok(text.as_str().unwrap_or_default().replace(email, "ADDRESS"))
}

pub async fn an_unknown_address_gets_the_same_screen(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/signin/forgot").await?;
    b.by_role("heading", HEADING).await?;
    b.fill("Email", NOBODY).await?;
    b.click("button", "Send code").await?;
    step(b, "Check your email").await?;
    let unknown = main_text(b, NOBODY).await?;
    b.fill("Code", "123456").await?;
    b.click("button", "Continue").await?;
    let code = b.by_label("Code").await?;
    wait_for_field_error(b, &code, "a code for an unknown address").await?;
    b.wait_for_text("That code isn't right.").await?;

    b.click("button", "Use another email address").await?;
    step(b, "Enter your email").await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.click("button", "Send code").await?;
    step(b, "Check your email").await?;
    let known = main_text(b, DEMO_EMAIL).await?;
    ensure(unknown == known, || {
        format!("an unknown address sees {unknown:?}, a known one {known:?}")
    })
}

//! Email and phone, each confirmed with a code from the outbox (wrong, expired, sent again),
//! recovery contacts, and unlinking an account: all behind step-up.

use serde_json::Value;

use crate::browser::Browser;
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{DEMO_PASSWORD, OWNER, advance_clock, api, ensure, sign_in_as};

const NEW_EMAIL: &str = "alex.new@hallpass.test";
const NEW_PHONE: &str = "+351 912 345 678";
const CONFIRM_TITLE: &str = "Confirm it's you";

/// The newest code sent to `to`, read from the demo server's outbox.
async fn latest_code(b: &Browser, to: &str) -> TestResult<String> {
    let outbox = api(b, "GET", "/api/dev/outbox", None).await?;
    let message: Option<&Value> = outbox
        .body
        .as_array()
        .and_then(|list| list.iter().find(|m| m["to"] == to));
    let body = message
        .and_then(|m| m["body"].as_str())
        .ok_or_else(|| format!("no message to {to} in {outbox:?}"))?;
    body.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
        .ok_or_else(|| format!("no 6-digit code in {body:?}"))
}

/// Waits until Account's row `label` (a `<dt>`) shows `value`: its value's text, the
/// "Verified" badge included.
pub async fn wait_for_row(b: &Browser, label: &str, value: &str) -> TestResult {
    b.wait_until(
        &format!("the {label} row to show {value:?}"),
        "const [label, value] = arguments; \
         return [...document.querySelectorAll('main dt')].some(dt => dt.textContent === label \
           && dt.nextElementSibling \
           && dt.nextElementSibling.textContent.replace(/\\s+/g, ' ').trim() === value);",
        vec![serde_json::json!(label), serde_json::json!(value)],
    )
    .await
}

async fn confirm_password(b: &Browser) -> TestResult {
    let dialog = b.by_role("dialog", CONFIRM_TITLE).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click_within(&dialog, "button", "Confirm").await?;
    b.wait_gone("dialog", CONFIRM_TITLE).await
}

pub async fn changes_the_email_and_phone_with_codes(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.click("link", "Change email").await?;
    b.by_role("heading", "Change email").await?;
    audit_at_both_widths(b, "Change email").await?;

    b.fill("New email", "not-an-address").await?;
    b.click("button", "Send code").await?;
    let field = b.by_label("New email").await?;
    wait_for_field_error(b, &field, "an address without @").await?;
    b.fill("New email", NEW_EMAIL).await?;
    b.click("button", "Send code").await?;
    b.by_role("heading", "Enter the code").await?;
    audit_at_both_widths(b, "the verification code step").await?;
    let first = latest_code(b, NEW_EMAIL).await?;

    // A wrong code, then the right one after it has expired: each said against the field.
    let wrong = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    b.fill("Verification code", wrong).await?;
    b.click("button", "Verify").await?;
    let field = b.by_label("Verification code").await?;
    wait_for_field_error(b, &field, "a wrong code").await?;
    b.expect_focus(&field, "the code after a wrong one").await?;
    advance_clock(b, 16 * 60).await?;
    b.fill("Verification code", &first).await?;
    b.click("button", "Verify").await?;
    b.wait_for_text("That code has expired.").await?;

    // A new code: 16 minutes on, that needs the password again.
    b.click("button", "Send a new code").await?;
    confirm_password(b).await?;
    b.wait_for_text(&format!("A new code was sent to {NEW_EMAIL}."))
        .await?;
    let second = latest_code(b, NEW_EMAIL).await?;
    ensure(second != first, || "the new code is the old one".to_owned())?;
    b.fill("Verification code", &second).await?;
    b.click("button", "Verify").await?;
    b.by_role("heading", "Account").await?;
    wait_for_row(b, "Email", &format!("{NEW_EMAIL} Verified")).await?;

    // The phone, the same way (inside the new step-up window).
    b.click("link", "Change phone").await?;
    b.by_role("heading", "Change phone").await?;
    b.fill("New phone number", NEW_PHONE).await?;
    b.click("button", "Send code").await?;
    b.by_role("heading", "Enter the code").await?;
    let e164: String = NEW_PHONE.split_whitespace().collect();
    let code = latest_code(b, &e164).await?;
    b.fill("Verification code", &code).await?;
    b.click("button", "Verify").await?;
    b.by_role("heading", "Account").await?;
    // Shown grouped for reading, as it was typed.
    wait_for_row(b, "Phone", &format!("{NEW_PHONE} Verified")).await
}

pub async fn sets_recovery_contacts_and_unlinks_an_account(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    advance_clock(b, 11 * 60).await?;
    b.click("link", "Add a recovery email").await?;
    b.by_role("heading", "Recovery email and phone").await?;
    audit_at_both_widths(b, "Recovery email and phone").await?;
    b.fill("Recovery email", "alex@").await?;
    b.click("button", "Save").await?;
    let field = b.by_label("Recovery email").await?;
    wait_for_field_error(b, &field, "a half address").await?;
    b.fill("Recovery email", "backup@hallpass.test").await?;
    b.fill("Recovery phone", "+44 20 7946 0018").await?;
    b.click("button", "Save").await?;
    confirm_password(b).await?;
    b.by_role("heading", "Account").await?;
    wait_for_row(b, "Recovery email", "backup@hallpass.test").await?;
    wait_for_row(b, "Recovery phone", "+44 207 946 0018").await?;
    b.by_role("link", "Change recovery email").await?;

    // Unlink, after a dialog that says what changes; focus then goes to the section.
    let account = api(b, "GET", "/api/account", None).await?;
    let provider = account.body["linked_accounts"][0]["provider"]
        .as_str()
        .ok_or_else(|| format!("no linked account: {account:?}"))?
        .to_owned();
    let service = format!("{}{}", provider[..1].to_uppercase(), &provider[1..]);
    b.click("button", &format!("Unlink {service}")).await?;
    let title = format!("Unlink {service}?");
    let dialog = b.by_role("dialog", title.as_str()).await?;
    audit_at_both_widths(b, "the Unlink dialog").await?;
    b.click_within(&dialog, "button", "Unlink").await?;
    b.wait_gone("dialog", &title).await?;
    b.wait_gone("button", &format!("Unlink {service}")).await?;
    let heading = b.by_role("heading", "Linked accounts").await?;
    b.expect_focus(&heading, "the Linked accounts heading after unlinking")
        .await?;
    let after = api(b, "GET", "/api/account", None).await?;
    let still = after.body["linked_accounts"]
        .as_array()
        .is_some_and(|l| l.iter().any(|a| a["provider"] == provider.as_str()));
    ensure(!still, || format!("{provider} is still linked: {after:?}"))
}

//! Manage profiles: add, edit and delete with the five-profile limit and the last profile
//! kept, and locking a profile with a PIN (step-up) from "Who's watching?".

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::runner::{Ctx, TestResult};
use crate::signin::wait_for_field_error;
use crate::signout::audit_at_both_widths;
use crate::steps::{
    DEMO_PASSWORD, OWNER, PROFILES_HEADING, advance_clock, api, ensure, sign_in, sign_in_as,
};

const HEADING: &str = "Manage profiles";
const CONFIRM_TITLE: &str = "Confirm it's you";

async fn profiles(b: &Browser) -> TestResult<Vec<Value>> {
    let answer = api(b, "GET", "/api/profiles", None).await?;
    answer
        .body
        .as_array()
        .cloned()
        .filter(|_| answer.status == 200)
        .ok_or_else(|| format!("GET /api/profiles answered {answer:?}"))
}

/// On "Who's watching?", chooses Sam (locked) and gets in with `pin`.
pub async fn open_sam_with_pin(b: &Browser, pin: &str) -> TestResult {
    b.by_role_described("button", "Sam", "Locked with a PIN")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.by_role("dialog", "Enter the PIN for Sam").await?;
    b.fill("PIN", pin).await?;
    b.click("button", "Continue").await?;
    b.by_role("heading", "Account").await?;
    Ok(())
}

pub async fn profile_named(b: &Browser, name: &str) -> TestResult<Value> {
    profiles(b)
        .await?
        .into_iter()
        .find(|p| p["name"] == name)
        .ok_or_else(|| format!("no profile named {name:?}"))
}

async fn choose(b: &Browser, label: &str, option: &str) -> TestResult {
    b.by_label(label)
        .await?
        .select_by_label(option)
        .await
        .map_err(|e| format!("choosing {option:?} in {label:?}: {e}"))
}

pub async fn adds_edits_and_deletes_profiles_within_the_limits(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.goto("/account").await?;
    b.click("link", HEADING).await?;
    b.by_role("heading", HEADING).await?;
    b.wait_for_path("/profiles/manage").await?;
    for name in [OWNER, "Sam", "Jordan", "Kids"] {
        b.by_role("heading", name).await?;
    }
    audit_at_both_widths(b, "Manage profiles").await?;

    // Add: a name is required, and a kids profile can't be rated 16+.
    b.click("button", "Add profile").await?;
    let dialog = b.by_role("dialog", "Add a profile").await?;
    audit_at_both_widths(b, "the Add a profile dialog").await?;
    b.click_within(&dialog, "button", "Add profile").await?;
    let name = b.by_label("Name").await?;
    wait_for_field_error(b, &name, "an empty name").await?;
    b.expect_focus(&name, "the name field after an empty name")
        .await?;
    b.fill("Name", "Riley").await?;
    b.click("radio", "Ocean").await?;
    b.click("checkbox", "Kids profile").await?;
    choose(b, "Maturity rating", "16+").await?;
    b.click_within(&dialog, "button", "Add profile").await?;
    let rating = b.by_label("Maturity rating").await?;
    wait_for_field_error(b, &rating, "a kids profile rated 16+").await?;
    choose(b, "Maturity rating", "7+").await?;
    b.click_within(&dialog, "button", "Add profile").await?;
    b.wait_gone("dialog", "Add a profile").await?;
    b.by_role("heading", "Riley").await?;
    let riley = profile_named(b, "Riley").await?;
    ensure(
        riley["kids"] == true && riley["maturity_rating"] == "7+" && riley["avatar"] == "ocean",
        || format!("Riley was saved as {riley}"),
    )?;

    // Five is the most: the page says so, and the server refuses a sixth.
    b.wait_gone("button", "Add profile").await?;
    b.wait_for_text("This account has 5 profiles, the most it can have.")
        .await?;
    let sixth = api(
        b,
        "POST",
        "/api/profiles",
        Some(json!({"name": "Sixth", "avatar": "comet", "kids": false,
                    "maturity_rating": "all", "language": "en"})),
    )
    .await?;
    ensure(
        sixth.status == 409 && sixth.body["error"]["code"] == "profile_limit",
        || format!("a sixth profile answered {sixth:?}"),
    )?;

    // Edit: a name already taken is refused against the field; then a new name and language.
    b.click("button", "Edit Riley").await?;
    let dialog = b.by_role("dialog", "Edit Riley").await?;
    b.fill("Name", "Sam").await?;
    b.click_within(&dialog, "button", "Save").await?;
    let name = b.by_label("Name").await?;
    wait_for_field_error(b, &name, "a name another profile has").await?;
    b.expect_focus(&name, "the name field after a taken name")
        .await?;
    b.fill("Name", "Riley B").await?;
    choose(b, "Language", "Deutsch").await?;
    b.click_within(&dialog, "button", "Save").await?;
    b.wait_gone("dialog", "Edit Riley").await?;
    b.by_role("heading", "Riley B").await?;
    let edited = profile_named(b, "Riley B").await?;
    ensure(edited["language"] == "de", || {
        format!("Riley B was saved as {edited}")
    })?;

    // Delete, with a dialog that names what is lost; focus starts on Cancel.
    b.click("button", "Delete Riley B").await?;
    let dialog = b.by_role("dialog", "Delete Riley B?").await?;
    audit_at_both_widths(b, "the Delete profile dialog").await?;
    let cancel = b.by_role_within(&dialog, "button", "Cancel").await?;
    b.expect_focus(&cancel, "Cancel in the delete dialog")
        .await?;
    b.click_within(&dialog, "button", "Delete profile").await?;
    b.wait_gone("dialog", "Delete Riley B?").await?;
    b.wait_gone("heading", "Riley B").await?;
    b.by_role("button", "Add profile").await?;
    ensure(profiles(b).await?.len() == 4, || {
        "four profiles after the delete".to_owned()
    })?;

    // The last profile: no Delete button, and the server refuses it too.
    for other in profiles(b).await?.iter().filter(|p| p["name"] != OWNER) {
        let id = other["id"].as_str().unwrap_or_default();
        let answer = api(b, "DELETE", &format!("/api/profiles/{id}"), None).await?;
        ensure(answer.status == 204, || {
            format!("deleting {other}: {answer:?}")
        })?;
    }
    b.goto("/profiles/manage").await?;
    b.by_role("button", format!("Edit {OWNER}").as_str())
        .await?;
    ensure(
        b.all_by_role("button", Some(&format!("Delete {OWNER}")))
            .await?
            .is_empty(),
        || "the only profile offers Delete".to_owned(),
    )?;
    b.wait_for_text("An account keeps at least one profile.")
        .await?;
    let owner = profile_named(b, OWNER).await?;
    let id = owner["id"].as_str().unwrap_or_default();
    let last = api(b, "DELETE", &format!("/api/profiles/{id}"), None).await?;
    ensure(
        last.status == 409 && last.body["error"]["code"] == "last_profile",
        || format!("deleting the last profile answered {last:?}"),
    )
}

pub async fn locks_a_profile_with_a_pin_from_whos_watching(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in(b).await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    b.click("link", HEADING).await?;
    b.by_role("heading", HEADING).await?;

    // The PIN is a password check's worth: past the sign-in's 10 minutes it asks again.
    advance_clock(b, 11 * 60).await?;
    b.click("button", "Set PIN for Sam").await?;
    let dialog = b.by_role("dialog", "Lock Sam with a PIN").await?;
    audit_at_both_widths(b, "the Lock with a PIN dialog").await?;
    b.fill("PIN", "12a4").await?;
    b.click_within(&dialog, "button", "Lock profile").await?;
    let pin = b.by_label("PIN").await?;
    wait_for_field_error(b, &pin, "a PIN with a letter").await?;
    b.expect_focus(&pin, "the PIN after a bad one").await?;
    b.fill("PIN", "1357").await?;
    b.fill("Type the PIN again", "1375").await?;
    b.click_within(&dialog, "button", "Lock profile").await?;
    let again = b.by_label("Type the PIN again").await?;
    wait_for_field_error(b, &again, "PINs that differ").await?;
    b.fill("Type the PIN again", "1357").await?;
    b.click_within(&dialog, "button", "Lock profile").await?;

    let confirm = b.by_role("dialog", CONFIRM_TITLE).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click_within(&confirm, "button", "Confirm").await?;
    b.wait_gone("dialog", CONFIRM_TITLE).await?;
    b.wait_gone("dialog", "Lock Sam with a PIN").await?;
    b.by_role("button", "Remove PIN from Sam").await?;
    ensure(profile_named(b, "Sam").await?["locked"] == true, || {
        "Sam is not locked".to_owned()
    })?;

    // "Who's watching?" now asks for Sam's PIN.
    b.click("link", "Done").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    open_sam_with_pin(b, "1357").await?;

    // And the PIN comes off again (still inside the step-up window).
    b.click("link", HEADING).await?;
    b.click("button", "Remove PIN from Sam").await?;
    let dialog = b.by_role("dialog", "Remove the PIN from Sam?").await?;
    audit_at_both_widths(b, "the Remove PIN dialog").await?;
    b.click_within(&dialog, "button", "Remove PIN").await?;
    b.wait_gone("dialog", "Remove the PIN from Sam?").await?;
    b.by_role("button", "Set PIN for Sam").await?;
    ensure(profile_named(b, "Sam").await?["locked"] == false, || {
        "Sam is still locked".to_owned()
    })
}

//! Account activity: days as headed lists, the filter (with the mouse and the arrow keys, its
//! count announced), and "Wasn't you?" on a failed sign-in from a place never signed in from.

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::devices::wait_for_status;
use crate::runner::{Ctx, TestResult};
use crate::security::ACTIVITY_HEADING;
use crate::signout::audit_at_both_widths;
use crate::steps::{OWNER, api, ensure, sign_in_as};

const ARROW_LEFT: char = '\u{E012}';
const FAILED_SIGN_IN: &str = "Wasn't you? Failed sign-in from Bucharest, Romania";

/// What the first page of `GET /api/activity` holds of `kinds`.
async fn count_of(b: &Browser, kinds: &[&str]) -> TestResult<usize> {
    let answer = api(b, "GET", "/api/activity", None).await?;
    let events = answer.body["events"]
        .as_array()
        .ok_or_else(|| format!("GET /api/activity answered {answer:?}"))?;
    Ok(events
        .iter()
        .filter(|e| kinds.iter().any(|k| e["kind"] == json!(k)))
        .count())
}

/// The page's events as people read them: each row's first line.
async fn shown(b: &Browser) -> TestResult<Vec<String>> {
    let rows = b
        .js(
            "return [...document.querySelectorAll('main li[id^=event-] .event-what')] \
               .map(p => p.textContent.trim());",
            vec![],
        )
        .await?;
    Ok(rows
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

async fn checked(b: &Browser, name: &str) -> TestResult<bool> {
    let radio = b.by_role("radio", name).await?;
    let radio = serde_json::to_value(&radio).map_err(|e| e.to_string())?;
    Ok(b.js("return arguments[0].checked;", vec![radio]).await? == true)
}

pub async fn groups_by_day_and_filters_by_kind(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.goto("/security/activity").await?;
    b.by_role("heading", ACTIVITY_HEADING).await?;

    // Each day is a list named by its heading; this sign-in is today's.
    let today = b.by_role("list", "Today").await?;
    let items = b.all_by_role_within(&today, "listitem", None).await?;
    ensure(!items.is_empty(), || "Today's list is empty".to_owned())?;
    let days = b
        .js(
            "return [...document.querySelectorAll('main h2')].map(h => h.textContent.trim());",
            vec![],
        )
        .await?;
    let days: Vec<String> = days
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    ensure(days.len() >= 5, || {
        format!("a month of activity in {days:?}")
    })?;
    let mut unique = days.clone();
    unique.dedup();
    ensure(unique.len() == days.len(), || {
        format!("a day is headed twice: {days:?}")
    })?;
    for day in &days {
        b.by_role("list", day.as_str()).await?;
    }
    ensure(checked(b, "All").await?, || {
        "All is not chosen at first".to_owned()
    })?;
    audit_at_both_widths(b, "Account activity, grouped by day").await?;

    // Failures: only failures, and how many is said.
    let failures = count_of(b, &["sign_in_failed", "profile_pin_failed"]).await?;
    ensure(failures >= 2, || format!("{failures} failures in the demo"))?;
    b.click("radio", "Failures").await?;
    wait_for_status(b, &format!("Showing {failures} failures")).await?;
    let rows = shown(b).await?;
    ensure(
        rows.len() == failures
            && rows.iter().all(|r| {
                r.starts_with("Failed sign-in attempt") || r == "Wrong profile PIN entered"
            }),
        || format!("Failures shows {rows:?}"),
    )?;

    // The arrow keys move along the filter, as in any radio group.
    let radio = b.by_role("radio", "Failures").await?;
    b.expect_focus(&radio, "the Failures radio after choosing it")
        .await?;
    b.press(ARROW_LEFT).await?;
    let changes = count_of(
        b,
        &[
            "password_changed",
            "email_changed",
            "phone_changed",
            "two_factor_enabled",
            "two_factor_disabled",
            "recovery_codes_regenerated",
            "linked_account_removed",
        ],
    )
    .await?;
    wait_for_status(b, &format!("Showing {changes} changes")).await?;
    ensure(checked(b, "Changes").await?, || {
        "the left arrow did not choose Changes".to_owned()
    })?;
    let rows = shown(b).await?;
    ensure(
        rows.len() == changes
            && !rows
                .iter()
                .any(|r| r.contains("Signed") || r.contains("Failed")),
        || format!("Changes shows {rows:?}"),
    )?;

    b.click("radio", "Sign-ins").await?;
    let rows = shown(b).await?;
    ensure(
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.contains("Signed") || r == "Device signed out"),
        || format!("Sign-ins shows {rows:?}"),
    )?;
    b.click("radio", "All").await?;
    ensure(shown(b).await?.len() > rows.len(), || {
        "All shows no more than Sign-ins".to_owned()
    })
}

pub async fn wasnt_you_on_a_failed_sign_in_from_a_new_place(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    // A wrong password from here, where the account signs in: a typo, not news.
    let answer = api(
        b,
        "POST",
        "/api/session",
        Some(json!({"email": "demo@hallpass.test", "password": "not the password"})),
    )
    .await?;
    ensure(answer.status == 401, || {
        format!("a wrong password answered {answer:?}")
    })?;
    b.goto("/security/activity").await?;
    b.by_role("heading", ACTIVITY_HEADING).await?;
    b.click("radio", "Failures").await?;
    let today = b.by_role("list", "Today").await?;
    let here = b.all_by_role_within(&today, "button", None).await?;
    ensure(here.is_empty(), || {
        "a failed sign-in from a usual place offers \"Wasn't you?\"".to_owned()
    })?;

    // The demo's stranger in Bucharest: the action, not just a colour.
    let button = b.by_role("button", FAILED_SIGN_IN).await?;
    ensure(
        button
            .attr("aria-expanded")
            .await
            .map_err(|e| e.to_string())?
            .as_deref()
            == Some("false"),
        || "\"Wasn't you?\" is not a closed disclosure".to_owned(),
    )?;
    button.click().await.map_err(|e| e.to_string())?;
    ensure(
        button
            .attr("aria-expanded")
            .await
            .map_err(|e| e.to_string())?
            .as_deref()
            == Some("true"),
        || "\"Wasn't you?\" did not open".to_owned(),
    )?;
    b.wait_for_text("They didn't get in.").await?;
    b.by_role("link", "Turn on two-step verification").await?;
    audit_at_both_widths(b, "Wasn't you? on a failed sign-in").await?;
    b.click("link", "Change password").await?;
    b.by_role("heading", "Change password").await?;
    b.wait_for_path("/account/password").await
}

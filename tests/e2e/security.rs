//! Security & privacy, and Account activity: newest first, and "Load more" for older events.
//! A secondary request that fails (the profiles on Account, the devices on Security) takes
//! only its own part of the page down.

use serde_json::Value;

use crate::browser::Browser;
use crate::contact::wait_for_row;
use crate::devices::{HEADING as DEVICES_HEADING, SECURITY_HEADING, SIGN_OUT_ALL};
use crate::runner::{Ctx, TestResult};
use crate::signout::audit_at_both_widths;
use crate::steps::{DEMO_EMAIL, JORDAN, OWNER, api, ensure, sign_in_as, sign_in_elsewhere};

pub const ACTIVITY_HEADING: &str = "Account activity";
/// More than the API's page of 50 events, with the demo's 20.
const EXTRA_SIGN_INS: usize = 35;

pub async fn security_page_and_account_activity(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    sign_in_elsewhere(b, EXTRA_SIGN_INS).await?;

    let nav = b.by_role("navigation", "Account").await?;
    b.by_role_within(&nav, "link", "Account").await?;
    b.by_role_within(&nav, "link", "Security")
        .await?
        .click()
        .await
        .map_err(|e| format!("clicking Security: {e}"))?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.wait_for_path("/security").await?;
    b.by_role("link", DEVICES_HEADING).await?;
    b.by_role("button", SIGN_OUT_ALL).await?;
    b.click("link", "Review account activity").await?;
    b.by_role("heading", ACTIVITY_HEADING).await?;
    b.wait_for_path("/security/activity").await?;

    // What the API holds: a first page of 50 and more behind it.
    let first = api(b, "GET", "/api/activity", None).await?;
    let first_count = first.body["events"].as_array().map_or(0, Vec::len);
    let next = first.body["next"].as_str().map(str::to_owned);
    let next = next.ok_or_else(|| format!("the API has only one page of activity: {first:?}"))?;
    let rest = api(b, "GET", &format!("/api/activity?before={next}"), None).await?;
    let total = first_count + rest.body["events"].as_array().map_or(0, Vec::len);

    let shown = wait_for_events(b, first_count).await?;
    newest_first(&shown)?;
    b.click("button", "Load more").await?;
    let shown = wait_for_events(b, total).await?;
    newest_first(&shown)?;
    b.wait_gone("button", "Load more").await
}

/// Waits until the page shows `n` events, and returns their times. Each event's time is a
/// `<time datetime>`, which is what lets the order be checked.
async fn wait_for_events(b: &Browser, n: usize) -> TestResult<Vec<String>> {
    b.wait_until(
        &format!("{n} events (each with a <time datetime>)"),
        "return document.querySelectorAll('main time[datetime]').length === arguments[0];",
        vec![serde_json::json!(n)],
    )
    .await?;
    let times = b
        .js(
            "return [...document.querySelectorAll('main time[datetime]')] \
               .map(t => t.getAttribute('datetime'));",
            vec![],
        )
        .await?;
    Ok(times
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

fn newest_first(times: &[String]) -> TestResult {
    // RFC 3339 in UTC sorts as text.
    let out_of_order = times.windows(2).find(|w| w[0] < w[1]);
    ensure(out_of_order.is_none(), || {
        format!("activity is not newest first: {out_of_order:?} in {times:?}")
    })
}

/// The profiles' request fails for real (the browser drops it): Account still shows the
/// membership and the email, and the Profiles card says so in a line with its own Retry, which
/// brings the profiles once the request goes through. The same on Security with the devices.
/// Chromium only: it is the one engine whose requests WebDriver can block.
pub async fn a_failed_secondary_request_takes_down_only_its_part(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;

    b.block_requests(&["*/api/profiles"]).await?;
    b.goto("/account").await?;
    b.by_role("heading", "Account").await?;
    b.by_role("heading", "Membership").await?;
    wait_for_row(b, "Email", &format!("{DEMO_EMAIL} Verified")).await?;
    b.wait_for_text("Your profiles couldn't be loaded.").await?;
    let profiles = b.by_role("region", "Profiles").await?;
    ensure(
        b.all_by_role_within(&profiles, "alert", None).await?.len() == 1,
        || "the Profiles card has no alert of its own".to_owned(),
    )?;
    b.by_role_within(&profiles, "link", "Manage profiles")
        .await?;
    ensure(
        b.all_by_role("button", Some("Retry")).await?.len() == 1,
        || "one Retry on the page, the Profiles card's".to_owned(),
    )?;
    audit_at_both_widths(b, "Account with its profiles failing").await?;

    b.block_requests(&[]).await?;
    b.click_within(&profiles, "button", "Retry").await?;
    b.wait_gone("button", "Retry").await?;
    // Jordan is named nowhere else on the page (the header names Alex, the profile in use).
    b.wait_for_text(JORDAN).await?;

    b.block_requests(&["*/api/devices"]).await?;
    b.goto("/security").await?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.by_role("link", "Set up two-step verification").await?;
    b.by_role("link", DEVICES_HEADING).await?;
    b.wait_for_text("The devices couldn't be counted.").await?;
    ensure(
        b.all_by_role("button", Some(SIGN_OUT_ALL))
            .await?
            .is_empty(),
        || "Sign out of all devices is offered without the count it confirms".to_owned(),
    )?;
    audit_at_both_widths(b, "Security with its devices failing").await?;
    b.block_requests(&[]).await?;
    b.click("button", "Retry").await?;
    b.wait_for_text("devices signed in").await?;
    b.by_role("button", SIGN_OUT_ALL).await?;
    Ok(())
}

//! Security & privacy, and Account activity: newest first, and "Load more" for older events.

use serde_json::Value;

use crate::browser::Browser;
use crate::devices::{HEADING as DEVICES_HEADING, SECURITY_HEADING, SIGN_OUT_ALL};
use crate::runner::{Ctx, TestResult};
use crate::steps::{OWNER, api, ensure, sign_in_as, sign_in_elsewhere};

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
    b.click("link", ACTIVITY_HEADING).await?;
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

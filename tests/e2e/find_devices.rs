//! Finding a device among many on "Manage access and devices": the count, sign-out-all near
//! the top, a page of rows and "Show more", same-named devices told apart, search and sort.

use serde_json::json;

use crate::browser::{Browser, TAB};
use crate::devices::{
    CAPTION, HEADING, SIGN_OUT_ALL, THIS_DEVICE, open_devices_page, sign_out_name, wait_for_status,
};
use crate::runner::{Ctx, TestResult};
use crate::steps::{OWNER, devices, ensure, sign_in_as, sign_in_elsewhere};

/// Rows the page shows before "Show more" (`PAGE` in `src/pages/devices.rs`).
const FIRST_PAGE: usize = 50;
const BACKSPACE: char = '\u{e003}';
pub const FIND: &str = "Find a device";
pub const SORT: &str = "Sort by";

/// The devices' labels as the table's row headers show them (their first line), in order.
async fn row_names(b: &Browser) -> TestResult<Vec<String>> {
    let names = b
        .js(
            "return [...document.querySelectorAll('main table tbody th[scope=row]')] \
               .map(el => el.innerText.split('\\n').map(l => l.trim()).find(l => l) ?? '');",
            vec![],
        )
        .await?;
    Ok(names
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// Waits until the table shows `n` rows of devices (its header row aside).
async fn wait_for_rows(b: &Browser, n: usize) -> TestResult {
    b.wait_until(
        &format!("the table to show {n} devices"),
        "const t = document.querySelector('main table'); \
         return (t ? t.tBodies[0].rows.length : 0) === arguments[0];",
        vec![json!(n)],
    )
    .await
}

/// Many devices, most with this browser's own name: the count says how many; "Sign out of
/// all devices" is reached from the top in a few Tabs; the list shows a page and "Show more";
/// same-named devices are numbered in the row and in their buttons' names, and the numbers
/// stay while searching; a search by name, kind or place filters as you type with a polite
/// count; and the sort orders by name, kind or recent activity.
pub async fn finds_a_device_among_many_and_tells_same_names_apart(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    // More than a page: sign-ins "elsewhere" that carry this browser's own name.
    sign_in_elsewhere(b, FIRST_PAGE).await?;
    let list = devices(b).await?;
    let me = list
        .iter()
        .find(|d| d.current)
        .cloned()
        .ok_or("no current device")?;
    let others = list.len() - 1;
    open_devices_page(b).await?;

    // The count, and sign-out-all near the top: three Tabs from the heading.
    b.wait_for_text(&format!("{} devices signed in", list.len()))
        .await?;
    let all = b.by_role("button", SIGN_OUT_ALL).await?;
    let heading = b.by_role("heading", HEADING).await?;
    b.js(
        "arguments[0].focus();",
        vec![serde_json::to_value(&heading).map_err(|e| e.to_string())?],
    )
    .await?;
    let mut reached = false;
    for _ in 0..3 {
        b.press(TAB).await?;
        if b.is_focused(&all).await? {
            reached = true;
            break;
        }
    }
    let focused = b.focused().await?;
    ensure(reached, || {
        format!(
            "{SIGN_OUT_ALL:?} is not among the first three Tab stops after the heading (focus is on {focused:?})"
        )
    })?;

    // This device is numbered among the devices of its name too (by when they signed in, to
    // the second; ties by id), and keeps its own place at the top.
    let region = b.by_role("region", THIS_DEVICE).await?;
    let rename_me = b
        .all_by_role_within(&region, "button", None)
        .await?
        .into_iter()
        .next()
        .ok_or("no buttons for this device")?
        .attr("aria-label")
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let my_number: usize = rename_me
        .strip_prefix(&format!("Rename {} (#", me.name))
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("this device's Rename is named {rename_me:?}"))?;
    // A page of rows, and the rest behind "Show more".
    wait_for_rows(b, FIRST_PAGE).await?;
    wait_for_status(
        b,
        &format!("{others} other devices, showing the first {FIRST_PAGE}"),
    )
    .await?;
    let more = format!("Show {} more", others - FIRST_PAGE);
    b.click("button", &more).await?;
    wait_for_rows(b, others).await?;
    b.wait_gone("button", &more).await?;
    let first_new = row_names(b)
        .await?
        .get(FIRST_PAGE)
        .cloned()
        .ok_or("no 51st row")?;
    let focus_to = b
        .by_role("button", format!("Rename {first_new}").as_str())
        .await?;
    b.expect_focus(&focus_to, "the first row that Show more added")
        .await?;

    // Same names told apart, in the page and in every button's name.
    let names = row_names(b).await?;
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    ensure(unique.len() == names.len(), || {
        format!("two rows have the same name: {names:?}")
    })?;
    let numbers = [1, 2, 3, FIRST_PAGE + 1];
    for n in numbers.into_iter().filter(|&n| n != my_number).take(3) {
        let label = format!("{} (#{n})", me.name);
        ensure(names.contains(&label), || {
            format!("no row named {label:?}: {names:?}")
        })?;
        b.by_role("button", format!("Sign out {label}").as_str())
            .await?;
    }
    ensure(
        b.all_by_role("button", Some(&sign_out_name(&me)))
            .await?
            .is_empty(),
        || {
            format!(
                "a button is named {:?}, like every other device of that name",
                sign_out_name(&me)
            )
        },
    )?;

    // Search: by place, by kind, by a numbered name; the count is spoken politely.
    b.fill(FIND, "lisbon").await?;
    wait_for_status(b, &format!("1 of {others} other devices")).await?;
    wait_for_rows(b, 1).await?;
    b.by_role("button", "Sign out LG TV").await?;
    b.fill(FIND, "tv").await?;
    wait_for_status(b, &format!("2 of {others} other devices")).await?;
    wait_for_rows(b, 2).await?;
    let seventh = format!("{} (#{})", me.name, if my_number == 7 { 8 } else { 7 });
    b.fill(FIND, &seventh).await?;
    wait_for_status(b, &format!("1 of {others} other devices")).await?;
    b.by_role("button", format!("Sign out {seventh}").as_str())
        .await?;
    b.fill(FIND, "no such device").await?;
    wait_for_status(b, "No device matches").await?;
    b.wait_gone("table", CAPTION).await?;
    // Emptied with Backspace, as a person would: every device again, a page of them.
    b.fill(FIND, "x").await?;
    b.press(BACKSPACE).await?;
    wait_for_status(
        b,
        &format!("{others} other devices, showing the first {FIRST_PAGE}"),
    )
    .await?;
    wait_for_rows(b, FIRST_PAGE).await?;

    // Sort: by name, then by kind (the icons' text), then back to the most recent first.
    let sort = b.by_label(SORT).await?;
    sort.select_by_value("name")
        .await
        .map_err(|e| e.to_string())?;
    b.wait_until(
        "the rows to be in order of name",
        "const names = [...document.querySelectorAll('main table tbody th[scope=row]')] \
           .map(el => el.innerText.split('\\n').map(l => l.trim()).find(l => l) ?? '').map(n => n.toLowerCase()); \
         return names.length > 1 && names.every((n, i) => i === 0 || names[i - 1] <= n) \
           && names[0] !== names[names.length - 1];",
        vec![],
    )
    .await?;
    sort.select_by_value("kind")
        .await
        .map_err(|e| e.to_string())?;
    b.wait_until(
        "the rows to be in order of kind",
        "const kinds = [...document.querySelectorAll('main table tbody th [role=img]')] \
           .map(el => el.getAttribute('aria-label')); \
         return kinds.length > 1 && kinds.every((k, i) => i === 0 || kinds[i - 1] <= k) \
           && kinds[0] === 'Computer';",
        vec![],
    )
    .await?;
    sort.select_by_value("recent")
        .await
        .map_err(|e| e.to_string())?;
    b.wait_until(
        "the rows to be in order of recent activity",
        "const at = [...document.querySelectorAll('main table tbody time')] \
           .map(el => el.getAttribute('datetime')); \
         return at.length > 1 && at.every((t, i) => i === 0 || at[i - 1] >= t) \
           && document.querySelector('main table tbody th [role=img]') !== null;",
        vec![],
    )
    .await?;
    Ok(())
}

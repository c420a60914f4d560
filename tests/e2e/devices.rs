//! Manage access and devices: signing out another device (which then finds out), and
//! signing out of all devices. (The password check before a sign-out is in `stepup.rs`, the
//! whole flow with the keyboard alone in `keyboard.rs`.)

use fantoccini::elements::Element;
use serde_json::json;

use crate::browser::{Browser, TAB};
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    Device, OWNER, SIGNED_OUT_HEADING, api, devices, ensure, fill_every_store, is_modal,
    nickname_this_device, nonempty_stores, sign_in_as, this_device,
};

pub const HEADING: &str = "Manage access and devices";
pub const CAPTION: &str = "Devices signed in to your account";
pub const SECURITY_HEADING: &str = "Security & privacy";
pub const SIGN_OUT_ALL: &str = "Sign out of all devices";
pub const SIGN_OUT_ALL_TITLE: &str = "Sign out of all devices?";
pub const KEEP_THIS_ONE: &str = "Keep me signed in on this device";
pub const CONFIRM_TITLE: &str = "Confirm it's you";
pub const THIS_DEVICE: &str = "This device";
pub const SIGN_OUT_HERE: &str = "Sign out of this device";

pub fn sign_out_name(device: &Device) -> String {
    format!("Sign out {}", device.name)
}

pub(crate) fn click_err(what: &str) -> impl FnOnce(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("clicking {what}: {e}")
}

/// From any signed-in page, through the header: Security, then Manage access and devices.
pub async fn open_devices_page(b: &Browser) -> TestResult {
    let nav = b.by_role("navigation", "Account").await?;
    b.by_role_within(&nav, "link", "Security")
        .await?
        .click()
        .await
        .map_err(click_err("the header's Security link"))?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.click("link", HEADING).await?;
    b.by_role("heading", HEADING).await?;
    b.wait_for_path("/security/devices").await
}

/// Waits until a polite live region (`role="status"`) says `text`.
pub async fn wait_for_status(b: &Browser, text: &str) -> TestResult {
    b.wait_until(
        &format!("a status saying {text:?}"),
        "return [...document.querySelectorAll('[role=status], output')] \
           .some(el => el.textContent.includes(arguments[0]));",
        vec![json!(text)],
    )
    .await
}

/// The element that should get focus once `target`'s row is gone: the next row's sign-out
/// button, or the page's heading when there is no next row.
pub(crate) async fn focus_after_removing(
    b: &Browser,
    list: &[Device],
    target: &Device,
) -> TestResult<(Element, String)> {
    let index = list
        .iter()
        .position(|d| d.id == target.id)
        .ok_or("the device to sign out is not in the list")?;
    match list.get(index + 1) {
        Some(next) => {
            let name = sign_out_name(next);
            Ok((
                b.by_role("button", name.as_str()).await?,
                format!("the button {name:?}"),
            ))
        }
        None => Ok((
            b.by_role("heading", HEADING).await?,
            "the page heading".to_owned(),
        )),
    }
}

/// This device, first and apart: a region "This device" with the "This device" mark, its own
/// name, "Rename" and a "Sign out of this device" worded unlike the others' "Sign out".
pub(crate) async fn check_this_device(b: &Browser, me: &Device) -> TestResult<Element> {
    let region = b.by_role("region", THIS_DEVICE).await?;
    let text = region.text().await.map_err(|e| e.to_string())?;
    // The region's heading and the mark on the device both say it.
    ensure(
        text.contains(&me.name) && text.matches(THIS_DEVICE).count() >= 2,
        || {
            format!(
                "the region {THIS_DEVICE:?} shows {text:?} (this device is {:?})",
                me.name
            )
        },
    )?;
    b.by_role_within(&region, "button", SIGN_OUT_HERE).await?;
    b.by_role_within(&region, "button", &format!("Rename {}", me.name))
        .await?;
    Ok(region)
}

/// The table of the other devices: its caption names it, it has column headers, one row per
/// other device (plus the header row), none of them this device, and each has a "Sign out"
/// button named after it; this device is above it, on its own.
async fn check_table(b: &Browser, list: &[Device]) -> TestResult<Element> {
    let me = list.iter().find(|d| d.current).ok_or("no current device")?;
    check_this_device(b, me).await?;
    let table = b.by_role("table", CAPTION).await?;
    let headers = b.all_by_role_within(&table, "columnheader", None).await?;
    ensure(headers.len() >= 2, || {
        format!("the devices table has {} column header(s)", headers.len())
    })?;
    let rows = b.all_by_role_within(&table, "row", None).await?;
    ensure(rows.len() == list.len(), || {
        format!(
            "the devices table has {} rows for {} other devices and its header",
            rows.len(),
            list.len() - 1
        )
    })?;
    let text = table.text().await.map_err(|e| e.to_string())?;
    ensure(!text.contains(THIS_DEVICE), || {
        format!("the table of other devices lists this device: {text:?}")
    })?;
    for device in list.iter().filter(|d| !d.current) {
        let button = b
            .by_role_within(&table, "button", &sign_out_name(device))
            .await?;
        let visible = button.text().await.map_err(|e| e.to_string())?;
        ensure(visible.trim() == "Sign out", || {
            format!(
                "the button for {:?} shows {visible:?}, not \"Sign out\"",
                device.name
            )
        })?;
    }
    Ok(table)
}

/// Opens `device`'s sign-out dialog, checks it (modal, named, Cancel focused), confirms, and
/// checks the outcome: announced, the row gone without a reload, focus on the next row.
pub(crate) async fn sign_out_device(b: &Browser, list: &[Device], device: &Device) -> TestResult {
    let name = sign_out_name(device);
    let (next, next_what) = focus_after_removing(b, list, device).await?;
    b.mark_document().await?;
    b.click("button", &name).await?;
    let dialog = check_device_dialog(b, device).await?;
    b.by_role_within(&dialog, "button", "Sign out")
        .await?
        .click()
        .await
        .map_err(click_err("the dialog's Sign out"))?;
    check_signed_out(b, device, &next, &next_what).await
}

/// The open dialog for signing out `device`: modal, named "Sign out <device>?", Cancel
/// focused first.
pub(crate) async fn check_device_dialog(b: &Browser, device: &Device) -> TestResult<Element> {
    let title = format!("{}?", sign_out_name(device));
    let dialog = b.by_role("dialog", title.as_str()).await?;
    ensure(is_modal(b, &dialog).await?, || {
        format!("the dialog {title:?} is not modal")
    })?;
    let cancel = b.by_role_within(&dialog, "button", "Cancel").await?;
    b.expect_focus(&cancel, &format!("Cancel when {title:?} opens"))
        .await?;
    b.by_role_within(&dialog, "button", "Sign out").await?;
    Ok(dialog)
}

pub(crate) async fn check_signed_out(
    b: &Browser,
    device: &Device,
    next: &Element,
    next_what: &str,
) -> TestResult {
    wait_for_status(b, &format!("Signed out {}", device.name)).await?;
    b.wait_gone("button", &sign_out_name(device)).await?;
    b.wait_gone("dialog", &format!("{}?", sign_out_name(device)))
        .await?;
    b.expect_focus(
        next,
        &format!("{next_what} after signing out {:?}", device.name),
    )
    .await?;
    b.still_same_document("signing out a device").await
}

pub async fn signs_out_another_browser_which_learns_it_by_itself(ctx: &Ctx) -> TestResult {
    // The other device: signed in first, with a nickname to tell it apart.
    let other = ctx.second_browser().await?;
    sign_in_as(other, "Sam").await?;
    other.by_role("heading", "Account").await?;
    let second = nickname_this_device(other, "Second browser").await?;
    fill_every_store(other).await?;

    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let me = this_device(b).await?;
    open_devices_page(b).await?;
    let list = devices(b).await?;
    ensure(list.iter().any(|d| d.id == second.id), || {
        format!("the second browser is not among the devices: {list:?}")
    })?;
    let second = list
        .iter()
        .find(|d| d.id == second.id)
        .cloned()
        .ok_or("no second browser")?;
    check_table(b, &list).await?;
    sign_out_device(b, &list, &second).await?;
    let table = b.by_role("table", CAPTION).await?;
    let rows = b.all_by_role_within(&table, "row", None).await?;
    // The other devices but one, and the header row.
    ensure(rows.len() == list.len() - 1, || {
        format!(
            "after signing out one of {} devices the table has {} rows",
            list.len(),
            rows.len()
        )
    })?;

    // The other browser, untouched, learns it at once from its live stream, clears
    // everything, and says by whom.
    other.wait_for_path("/signed-out").await?;
    other.by_role("heading", SIGNED_OUT_HEADING).await?;
    other
        .wait_for_text(&format!("Signed out from {} on ", me.name))
        .await?;
    let left = nonempty_stores(other).await?;
    ensure(left.is_empty(), || {
        format!("the browser signed out from elsewhere still holds {left:?}")
    })?;
    let session = api(other, "GET", "/api/session", None).await?;
    ensure(session.status == 401, || {
        format!("the signed-out browser's GET /api/session answered {session:?}")
    })?;
    // Told once: the ended session's cookie is gone, so the next visit is simply signed out
    // and "Sign in again" can't bounce back to the signed-out page.
    other.goto("/account").await?;
    other.wait_for_path("/signin").await?;
    other.by_role("heading", "Sign in").await?;
    Ok(())
}

pub async fn signs_out_of_all_devices_keeping_this_one_or_not(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    open_devices_page(b).await?;
    let list = devices(b).await?;
    let others = list.len() - 1;

    // Keeping this device.
    b.mark_document().await?;
    b.click("button", SIGN_OUT_ALL).await?;
    let dialog = b.by_role("dialog", SIGN_OUT_ALL_TITLE).await?;
    ensure(is_modal(b, &dialog).await?, || {
        "the sign-out-all dialog is not modal".to_owned()
    })?;
    let keep = b.by_role_within(&dialog, "checkbox", KEEP_THIS_ONE).await?;
    // The choice comes before the buttons: focus starts on it, then Tab reaches Cancel and
    // only then the destructive button.
    b.expect_focus(&keep, &format!("{KEEP_THIS_ONE:?} when the dialog opens"))
        .await?;
    b.press(TAB).await?;
    let cancel = b.by_role_within(&dialog, "button", "Cancel").await?;
    b.expect_focus(&cancel, "Cancel after one Tab").await?;
    b.press(TAB).await?;
    let all = b.by_role_within(&dialog, "button", SIGN_OUT_ALL).await?;
    b.expect_focus(&all, &format!("{SIGN_OUT_ALL:?} after two Tabs"))
        .await?;
    let checked = keep.prop("checked").await.map_err(|e| e.to_string())?;
    ensure(checked.as_deref() == Some("true"), || {
        format!("{KEEP_THIS_ONE:?} starts as {checked:?}, not checked")
    })?;
    expect_count_in(b, &dialog, others).await?;
    keep.click().await.map_err(click_err(KEEP_THIS_ONE))?;
    expect_count_in(b, &dialog, list.len()).await?;
    keep.click().await.map_err(click_err(KEEP_THIS_ONE))?;
    expect_count_in(b, &dialog, others).await?;
    b.by_role_within(&dialog, "button", "Cancel").await?;
    b.by_role_within(&dialog, "button", SIGN_OUT_ALL)
        .await?
        .click()
        .await
        .map_err(click_err("the dialog's Sign out of all devices"))?;
    wait_for_status(b, &format!("Signed out {others} devices")).await?;
    b.wait_gone("dialog", SIGN_OUT_ALL_TITLE).await?;
    // No other device is left: the table goes, the status says so, this device stays.
    b.wait_gone("table", CAPTION).await?;
    wait_for_status(b, "No other devices are signed in.").await?;
    b.wait_for_text("1 device signed in").await?;
    let me = list.iter().find(|d| d.current).ok_or("no current device")?;
    check_this_device(b, me).await?;
    let left = devices(b).await?;
    ensure(left.len() == 1 && left[0].current, || {
        format!("after signing out of all others, the API lists {left:?}")
    })?;
    b.still_same_document("signing out of all devices").await?;

    // Not keeping it, from the Security page: this browser is signed out too.
    let nav = b.by_role("navigation", "Account").await?;
    b.by_role_within(&nav, "link", "Security")
        .await?
        .click()
        .await
        .map_err(click_err("the header's Security link"))?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.click("button", SIGN_OUT_ALL).await?;
    let dialog = b.by_role("dialog", SIGN_OUT_ALL_TITLE).await?;
    b.by_role_within(&dialog, "checkbox", KEEP_THIS_ONE)
        .await?
        .click()
        .await
        .map_err(click_err(KEEP_THIS_ONE))?;
    expect_count_in(b, &dialog, 1).await?;
    b.by_role_within(&dialog, "button", SIGN_OUT_ALL)
        .await?
        .click()
        .await
        .map_err(click_err("the dialog's Sign out of all devices"))?;
    b.wait_for_path("/signed-out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    let session = api(b, "GET", "/api/session", None).await?;
    ensure(session.status == 401, || {
        format!("after signing out of every device, GET /api/session answered {session:?}")
    })
}

/// Waits until `dialog` mentions the number `n` (how many devices it will sign out).
async fn expect_count_in(b: &Browser, dialog: &Element, n: usize) -> TestResult {
    b.wait_until(
        &format!("the dialog to say it signs out {n} device(s)"),
        "return new RegExp('(^|\\\\D)' + arguments[1] + '(\\\\D|$)').test(arguments[0].textContent);",
        vec![serde_json::to_value(dialog).map_err(|e| e.to_string())?, json!(n)],
    )
    .await
}

/// The devices page at phone width: cards in a list instead of the table, the same buttons,
/// and nothing to scroll sideways. Used by the page sweep in `audit.rs`.
pub async fn check_phone_layout(b: &Browser) -> TestResult {
    let list = devices(b).await?;
    let other = list.iter().find(|d| !d.current).ok_or("no other device")?;
    b.wait_gone("table", CAPTION).await?;
    let button = b.by_role("button", sign_out_name(other).as_str()).await?;
    let in_list = b
        .js(
            "const li = arguments[0].closest('li'); \
             const ul = li && li.closest('ul'); \
             return ul ? [...ul.children].filter(c => c.tagName === 'LI').length : -1;",
            vec![serde_json::to_value(&button).map_err(|e| e.to_string())?],
        )
        .await?;
    ensure(in_list.as_u64() == Some(list.len() as u64 - 1), || {
        format!(
            "at phone width the sign-out buttons should be in a <ul> with one <li> per other \
             device ({}); found {in_list}",
            list.len() - 1
        )
    })?;
    for device in list.iter().filter(|d| !d.current) {
        b.by_role("button", sign_out_name(device).as_str()).await?;
    }
    let overflow = crate::steps::sideways_overflow(b).await?;
    ensure(overflow == 0, || {
        format!("the devices page scrolls sideways by {overflow}px on a phone")
    })
}

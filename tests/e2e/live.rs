//! Live events (issue 14): what happens elsewhere reaches the open tabs by themselves. One
//! stream per browser, however many tabs (counted at the server); the tab holding it passes
//! events on to the others and hands it over when it closes; signing out in one tab signs
//! out every tab. (A browser signed out from another device: `devices.rs` and
//! `instances.rs`.)

use std::time::Duration;

use fantoccini::wd::WindowHandle;
use serde_json::Value;

use crate::browser::Browser;
use crate::devices::click_err;
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    DEMO_EMAIL, DEMO_PASSWORD, OWNER, SIGNED_OUT_HEADING, api, devices, ensure, sign_in_as,
};

/// Devices the account has never seen, by their user agents.
const SMART_TV: &str = "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, \
                        like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36";
const GAME_CONSOLE: &str = "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 \
                            (KHTML, like Gecko) Version/13.0 Safari/605.1.15";

const NOTICE: &str = "New sign-in";
const SIGNED_OUT_HERE: &str = "You signed out. This browser's account data has been cleared.";

pub async fn tabs_share_one_stream_and_hear_new_sign_ins(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let first = window(b).await?;
    let second = new_tab(b).await?;
    b.goto("/security/devices").await?;
    b.by_role("heading", "Manage access and devices").await?;
    b.by_role("table", crate::devices::CAPTION).await?;
    one_stream(b).await?;

    // A TV signs in: the devices page reads the list again and says so, and the notice shows.
    let tv = sign_in_from_new_device(ctx, b, SMART_TV).await?;
    b.by_role("button", format!("Sign out {tv}").as_str())
        .await?;
    wait_for_status(b, &format!("{tv} signed in")).await?;
    let notice = b.by_role("region", NOTICE).await?;
    b.by_role_within(&notice, "link", "Wasn't you?").await?;
    b.wait_for_text(&format!("New sign-in on {tv}")).await?;
    b.axe_audit("the new sign-in notice").await?;

    // The first tab, which holds the stream, showed it too; its link leads to the entry.
    switch(b, &first).await?;
    let notice = b.by_role("region", NOTICE).await?;
    b.by_role_within(&notice, "link", "Wasn't you?")
        .await?
        .click()
        .await
        .map_err(click_err("Wasn't you? in the notice"))?;
    b.wait_for_path("/security/activity").await?;
    b.wait_gone("region", NOTICE).await?;
    b.wait_until(
        "focus on the new sign-in's entry",
        "const el = document.activeElement; \
         return !!el && el.id.startsWith('event-') && el.innerText.includes(arguments[0]);",
        vec![Value::from(tv.as_str())],
    )
    .await?;

    // The tab holding the stream closes: the other takes it over, and still hears.
    b.client
        .close_window()
        .await
        .map_err(|e| format!("closing the first tab: {e}"))?;
    switch(b, &second).await?;
    let console = sign_in_from_new_device(ctx, b, GAME_CONSOLE).await?;
    b.wait_for_text(&format!("New sign-in on {console}"))
        .await?;
    wait_for_status(b, &format!("{console} signed in")).await?;
    one_stream(b).await
}

pub async fn signing_out_in_one_tab_signs_out_every_tab(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let first = window(b).await?;
    new_tab(b).await?;
    b.goto("/security").await?;
    b.by_role("heading", "Security & privacy").await?;
    one_stream(b).await?;

    sign_out_in_the_header(b).await?;
    b.wait_for_path("/signed-out").await?;

    // The first tab went too, at once, and says what the second does: told by the tab that
    // signed out, not by a failed request of its own (which would say "not signed in").
    switch(b, &first).await?;
    b.wait_for_path("/signed-out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    b.wait_for_text(SIGNED_OUT_HERE).await?;
    streams_become(b, 0).await
}

/// The same with the server out of the second tab's reach (its requests fail as a dropped
/// connection would; Chromium only, the one engine that can block them): the first tab still
/// has the server, but nothing there tells it, since the sign-out never arrived. It leaves on
/// the second tab's word alone, and, reaching the server itself, finishes the sign-out.
pub async fn signing_out_in_one_tab_without_the_server_signs_out_every_tab(
    ctx: &Ctx,
) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    let first = window(b).await?;
    new_tab(b).await?;
    b.goto("/security").await?;
    b.by_role("heading", "Security & privacy").await?;
    b.block_requests(&["*/api/*"]).await?;
    sign_out_in_the_header(b).await?;
    b.wait_for_path("/signed-out").await?;
    b.wait_for_text("Hallpass couldn't be reached").await?;

    switch(b, &first).await?;
    b.wait_for_path("/signed-out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    // Its signed-out page finishes the sign-out the second tab couldn't.
    let mut status = 0;
    for _ in 0..100 {
        status = api(b, "GET", "/api/session", None).await?.status;
        if status == 401 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "the session was not ended at the server: GET /api/session answers {status}"
    ))
}

async fn sign_out_in_the_header(b: &Browser) -> TestResult {
    let banner = b.by_role("banner", None).await?;
    b.by_role_within(&banner, "button", "Sign out")
        .await?
        .click()
        .await
        .map_err(click_err("Sign out in the second tab"))
}

/// Waits until the server holds exactly `n` streams, and (for one) that it stays so: the
/// other tabs wait their turn instead of opening their own.
async fn one_stream(b: &Browser) -> TestResult {
    streams_become(b, 1).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let open = streams(b).await?;
    ensure(open == 1, || {
        format!("{open} streams are open for one browser's tabs")
    })
}

async fn streams_become(b: &Browser, n: u64) -> TestResult {
    let mut open = u64::MAX;
    for _ in 0..100 {
        open = streams(b).await?;
        if open == n {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the server holds {open} streams, not {n}"))
}

/// `GET /api/dev/streams`: how many event streams the server holds now.
async fn streams(b: &Browser) -> TestResult<u64> {
    let answer = api(b, "GET", "/api/dev/streams", None).await?;
    answer.body["open"]
        .as_u64()
        .ok_or_else(|| format!("GET /api/dev/streams answered {answer:?}"))
}

/// Signs in to the demo account from outside the browser, as a device with `user_agent`
/// (node's fetch: a browser can't be made to send another user agent in every engine), and
/// returns the name the account's device list gives it.
async fn sign_in_from_new_device(ctx: &Ctx, b: &Browser, user_agent: &str) -> TestResult<String> {
    let before = devices(b).await?;
    let script = "const [url, agent, email, password] = process.argv.slice(1); \
                  fetch(url + '/api/session', { method: 'POST', headers: { \
                    'Content-Type': 'application/json', 'User-Agent': agent, Origin: url }, \
                    body: JSON.stringify({ email, password }) }) \
                  .then(async r => { if (r.status !== 200) { \
                    console.error(r.status, await r.text()); process.exit(1); } }) \
                  .catch(e => { console.error(String(e)); process.exit(1); });";
    let out = tokio::process::Command::new("node")
        .args(["-e", script, &ctx.server.url, user_agent])
        .args([DEMO_EMAIL, DEMO_PASSWORD])
        // The server's certificate is self-signed.
        .env("NODE_TLS_REJECT_UNAUTHORIZED", "0")
        .output()
        .await
        .map_err(|e| format!("running node: {e}"))?;
    ensure(out.status.success(), || {
        format!(
            "signing in as {user_agent:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let after = devices(b).await?;
    after
        .into_iter()
        .find(|d| before.iter().all(|old| old.id != d.id))
        .map(|d| d.name)
        .ok_or_else(|| format!("no new device after signing in as {user_agent:?}"))
}

async fn wait_for_status(b: &Browser, text: &str) -> TestResult {
    b.wait_until(
        &format!("a status saying {text:?}"),
        "return [...document.querySelectorAll('[role=status]')] \
           .some(el => el.textContent.includes(arguments[0]));",
        vec![Value::from(text)],
    )
    .await
}

async fn window(b: &Browser) -> TestResult<WindowHandle> {
    b.client
        .window()
        .await
        .map_err(|e| format!("this tab's handle: {e}"))
}

/// Opens a tab of the same browser (its cookies and storage) and switches to it.
async fn new_tab(b: &Browser) -> TestResult<WindowHandle> {
    let tab = b
        .client
        .new_window(true)
        .await
        .map_err(|e| format!("opening a tab: {e}"))?
        .handle;
    switch(b, &tab).await?;
    Ok(tab)
}

async fn switch(b: &Browser, tab: &WindowHandle) -> TestResult {
    b.client
        .switch_to_window(tab.clone())
        .await
        .map_err(|e| format!("switching tabs: {e}"))
}

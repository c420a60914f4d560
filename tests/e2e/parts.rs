//! The app comes in parts, one per page (src/parts.rs): what a fresh browser fetches for the
//! sign-in page, and what a page whose part can't be fetched shows.

use serde_json::Value;

use crate::browser::Browser;
use crate::devices::{
    HEADING as DEVICES_HEADING, SECURITY_HEADING, SIGN_OUT_ALL, SIGN_OUT_ALL_TITLE,
};
use crate::forgot::HEADING as FORGOT_HEADING;
use crate::password::value_of;
use crate::profiles::{open_sam_with_pin, profile_named};
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    APP_CODE_CACHE, DEMO_EMAIL, DEMO_PASSWORD, OWNER, PROFILES_HEADING, api, ensure, sign_in,
    sign_in_as,
};
use crate::two_step::{sign_out, turn_on_by_api};

/// The budget for any entry page's first load (README "Size", `cargo xtask size`).
const BUDGET: u64 = 100 * 1024;
/// What `/signin` fetched once a first visit got the main module inside the page's bundle
/// (2026-12-02: 112,664 bytes brotli by `cargo xtask size`; the suite saw 112,888 in Chromium
/// and Firefox and 113,050 in WebKit) plus about 2% for the differences between engines and
/// builds (162,000 from the first split, then 157,000, 152,500, 152,000, 137,000, 126,000,
/// 123,500, 121,500, 119,000 and 118,000). It only ever comes down: it fails a change that
/// makes the first load heavier, until the page is within [`BUDGET`] and the check becomes the
/// budget itself.
const CEILING: u64 = 115_000;

/// A browser with an empty cache opens `/signin`: the bytes it fetched (compressed, as sent;
/// each file once) until the sign-in form showed, counted from the browser's own resource
/// timing, stay under the ceiling; the glue, the split loader and the sign-in page's first
/// bundle (the main module, the part and its chunks in one file) were among them, each sent to
/// be cached for good, and neither the main module nor the part was fetched again on its own.
/// Only what started before the bundle arrived counts: "Who's watching?" is fetched after the
/// form shows, on purpose (the likely next page).
///
/// The main module is then kept in Cache Storage, and the next visit fetches only the page's
/// own bundle.
pub async fn signin_first_load_stays_within_its_ceiling(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto("/signin").await?;
    b.by_role("heading", "Sign in").await?;
    let fetched = b
        .js(
            "const nav = performance.getEntriesByType('navigation')[0];
             const all = performance.getEntriesByType('resource');
             const part = all.find(e => /\\/first_sign_in-[0-9a-f]+\\.bin$/.test(e.name));
             if (!part) return null;
             const sizes = new Map(), twice = [];
             for (const e of all.filter(e => e.startTime <= part.responseEnd)) {
               const path = new URL(e.name).pathname;
               if (sizes.has(path)) twice.push(path); else sizes.set(path, e.encodedBodySize);
             }
             return {
               total: nav.encodedBodySize + [...sizes.values()].reduce((sum, n) => sum + n, 0),
               files: [...sizes.entries()],
               twice,
               alone: all.filter(e => /\\/(split_sign_in|hallpass_bg)-/.test(e.name)).map(e => e.name),
             };",
            vec![],
        )
        .await?;
    let Value::Object(fetched) = fetched else {
        return Err(
            "the sign-in page's first bundle (first_sign_in-*.bin) was never fetched".to_owned(),
        );
    };
    let total = fetched["total"].as_u64().unwrap_or(0);
    let files = fetched["files"].as_array().cloned().unwrap_or_default();
    let named = |prefix: &str| {
        files.iter().any(|f| {
            f[0].as_str().is_some_and(|path| path.starts_with(prefix)) && f[1].as_u64() > Some(0)
        })
    };
    for prefix in ["/hallpass-", "/__wasm_split-", "/first_sign_in-"] {
        ensure(named(prefix), || {
            format!("no {prefix}* with a size among what /signin fetched: {files:?}")
        })?;
    }
    let alone = &fetched["alone"];
    ensure(alone.as_array().is_some_and(Vec::is_empty), || {
        format!("fetched on their own as well as in the bundle: {alone}")
    })?;
    println!(
        "    /signin fetched {total} bytes in {} files (budget {BUDGET}, ceiling {CEILING})",
        files.len() + 1
    );
    // WebKit once listed the main module twice (its preload, then init's fetch). Each file
    // counts once: this is about what the app is made of; the double fetch is reported.
    if let Some(twice) = fetched["twice"].as_array().filter(|t| !t.is_empty()) {
        println!("    listed more than once, counted once: {twice:?}");
    }
    ensure(total <= CEILING, || {
        format!("/signin fetched {total} bytes, over its ceiling of {CEILING}: {files:?}")
    })?;
    // A returning visitor fetches none of it again: every file of the app is content-hashed,
    // and the server says so (a name it doesn't recognise as hashed is sent `no-cache`, and
    // the whole app is revalidated on every visit).
    let app: Vec<Value> = files
        .iter()
        .filter_map(|f| f[0].as_str())
        .filter(|path| {
            [".wasm", ".js", ".bin"]
                .iter()
                .any(|end| path.ends_with(end))
        })
        .map(|path| Value::from(path.to_owned()))
        .collect();
    let caching = b
        .js_async(
            "const [paths, done] = arguments;
             Promise.all(paths.map(p => fetch(p, { cache: 'no-store' })
                 .then(r => [p, r.headers.get('cache-control')])))
               .then(done, e => done(String(e)));",
            vec![Value::Array(app)],
        )
        .await?;
    let not_immutable: Vec<&Value> = caching
        .as_array()
        .ok_or(format!("fetching the app's files again: {caching}"))?
        .iter()
        .filter(|f| !f[1].as_str().is_some_and(|c| c.contains("immutable")))
        .collect();
    ensure(not_immutable.is_empty(), || {
        format!("app files a returning visitor must fetch again: {not_immutable:?}")
    })?;
    the_next_visit_takes_the_main_module_from_cache_storage(b).await
}

/// After a first visit, the main module is in Cache Storage ([`APP_CODE_CACHE`]), and opening
/// another entry page fetches that page's bundle without it (`entry_`, not `first_`), and not
/// the main module.
async fn the_next_visit_takes_the_main_module_from_cache_storage(b: &Browser) -> TestResult {
    let kept = b
        .js_async(
            "const [cacheName, done] = arguments;
             (async () => {
               for (let i = 0; i < 50; i++) {
                 const c = await caches.open(cacheName);
                 const urls = (await c.keys()).map(r => new URL(r.url).pathname);
                 if (urls.length) return urls;
                 await new Promise(r => setTimeout(r, 100));
               }
               return [];
             })().then(done, e => done(String(e)));",
            vec![APP_CODE_CACHE.into()],
        )
        .await?;
    let main_kept = kept.as_array().is_some_and(|urls| {
        urls.len() == 1
            && urls[0]
                .as_str()
                .is_some_and(|u| u.starts_with("/hallpass_bg-"))
    });
    ensure(main_kept, || {
        format!("after the first visit, the cache {APP_CODE_CACHE} holds {kept}")
    })?;
    b.goto("/signin/forgot").await?;
    b.by_role("heading", FORGOT_HEADING).await?;
    let fetched = b
        .js(
            "return performance.getEntriesByType('resource')
                 .map(e => new URL(e.name).pathname)
                 .filter(p => /^\\/(entry_|first_|hallpass_bg-|split_forgot_password-)/.test(p))
                 .map(p => p.replace(/-[0-9a-f]{16}\\.(bin|wasm)$/, ''));",
            vec![],
        )
        .await?;
    ensure(
        fetched == serde_json::json!(["/entry_forgot_password"]),
        || format!("after /signin, /signin/forgot fetched {fetched}"),
    )
}

/// Which bundle `index.html` fetched: the entry page's part and chunks come as one file, and
/// an account page opened by someone signed out sends them to sign in, so it fetches the
/// sign-in page's bundle instead (64 KB less, and the page that does show comes at once).
/// Once signed in, the same address fetches its own.
pub async fn an_account_address_fetches_the_bundle_of_the_page_it_shows(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    let bundles = "return performance.getEntriesByType('resource')
         .map(e => new URL(e.name).pathname)
         .filter(p => /^\\/(entry|first)_/.test(p))
         .map(p => p.replace(/-[0-9a-f]+\\.bin$/, ''));";
    b.goto("/security/devices").await?;
    b.by_role("heading", "Sign in").await?;
    let fetched = b.js(bundles, vec![]).await?;
    // A first visit: the bundle with the main module.
    ensure(fetched == serde_json::json!(["/first_sign_in"]), || {
        format!("signed out, /security/devices fetched the bundles {fetched}")
    })?;

    sign_in_as(b, OWNER).await?;
    b.goto("/security/devices").await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    let fetched = b.js(bundles, vec![]).await?;
    ensure(fetched == serde_json::json!(["/entry_devices"]), || {
        format!("signed in, /security/devices fetched the bundles {fetched}")
    })
}

/// The network goes away between pages: the page whose part can't be fetched says so and
/// offers Retry (not a blank page), and Retry shows the page once the part comes through.
/// Chromium only: it is the one engine whose requests WebDriver can block.
pub async fn a_page_whose_part_fails_to_load_offers_retry(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    // Before Security shows, so that its preload of the devices page fails too.
    b.block_requests(&["*/split_devices-*"]).await?;
    b.goto("/security").await?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.click("link", DEVICES_HEADING).await?;
    b.wait_for_path("/security/devices").await?;
    let alert = b.by_role("alert", None).await?;
    let text = alert.text().await.map_err(|e| e.to_string())?;
    ensure(text.contains("Can't reach Hallpass"), || {
        format!("the alert says {text:?}")
    })?;
    b.axe_audit("a page whose part failed to load").await?;

    b.block_requests(&[]).await?;
    b.click("button", "Retry").await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    b.wait_gone("button", "Retry").await
}

/// Sign-in's two-step code is a part of its own, which the sign-in page fetches while the
/// password is checked. If it can't be fetched, the password step stays as it was, with the
/// password still typed and the error a lost connection gets; signing in again once the
/// network is back goes on to the code. Chromium only, as above.
pub async fn a_code_step_that_cant_be_fetched_keeps_the_password(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    turn_on_by_api(b).await?;
    sign_out(b).await?;

    b.block_requests(&["*/split_sign_in_code-*"]).await?;
    b.goto("/signin").await?;
    b.by_role("heading", "Sign in").await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click("button", "Sign in").await?;
    b.wait_for_text("Check your internet connection, then try again.")
        .await?;
    b.by_role("heading", "Sign in").await?;
    let password = value_of(b, "Password").await?;
    ensure(password == DEMO_PASSWORD, || {
        format!("the password field holds {password:?} after the code step failed to load")
    })?;
    b.axe_audit("sign-in whose code step couldn't be fetched")
        .await?;

    b.block_requests(&[]).await?;
    b.click("button", "Sign in").await?;
    b.by_role("heading", "Two-step verification").await?;
    b.by_label("Code").await?;
    Ok(())
}

/// "Who's watching?" when the network fails under it: choosing a profile whose answer doesn't
/// come says so (it used to do nothing at all), and so does choosing a locked one whose PIN
/// dialog (a part of its own) can't be fetched; once the network is back, the dialog opens.
/// Chromium only, as above.
pub async fn whos_watching_says_when_a_choice_cant_go_through(ctx: &Ctx) -> TestResult {
    const OFFLINE: &str = "Check your internet connection, then try again.";
    let b = &ctx.browser;
    sign_in(b).await?;
    // Sam gets a PIN (the sign-in is recent, so no step-up is asked for).
    let sam = profile_named(b, "Sam").await?;
    let path = format!(
        "/api/profiles/{}/lock",
        sam["id"].as_str().unwrap_or_default()
    );
    let locked = api(b, "PUT", &path, Some(serde_json::json!({"pin": "1357"}))).await?;
    ensure(locked.status == 204, || {
        format!("locking Sam answered {locked:?}")
    })?;

    b.block_requests(&["*/split_pin_dialog-*", "*/api/profiles/*/select"])
        .await?;
    b.goto("/profiles").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    b.click("button", OWNER).await?;
    b.wait_for_text(OFFLINE).await?;
    b.by_role("heading", PROFILES_HEADING).await?;

    b.goto("/profiles").await?;
    b.by_role_described("button", "Sam", "Locked with a PIN")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    b.wait_for_text(OFFLINE).await?;
    b.wait_gone("dialog", "Enter the PIN for Sam").await?;
    b.axe_audit("Who's watching? whose PIN dialog couldn't be fetched")
        .await?;

    b.block_requests(&[]).await?;
    open_sam_with_pin(b, "1357").await
}

/// Confirmations that most visits never open are parts of their own, fetched just after the
/// page shows. If "Sign out of all devices?" can't be fetched, pressing the button says the
/// connection is the problem, and once it comes back the button opens the dialog.
/// Chromium only, as above.
pub async fn a_confirmation_that_cant_be_fetched_says_so(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.block_requests(&["*/split_sign_out_all_dialog-*"]).await?;
    b.goto("/security").await?;
    b.by_role("heading", SECURITY_HEADING).await?;
    b.click("button", SIGN_OUT_ALL).await?;
    b.wait_for_text("Check your internet connection, then try again.")
        .await?;
    b.wait_gone("dialog", SIGN_OUT_ALL_TITLE).await?;
    b.axe_audit("Security whose confirmation couldn't be fetched")
        .await?;

    b.block_requests(&[]).await?;
    b.click("button", SIGN_OUT_ALL).await?;
    let dialog = b.by_role("dialog", SIGN_OUT_ALL_TITLE).await?;
    b.click_within(&dialog, "button", "Cancel").await?;
    b.wait_gone("dialog", SIGN_OUT_ALL_TITLE).await?;
    // Opening it again took the message away.
    b.wait_until(
        "the connection message gone",
        "return !document.body.innerText.includes(arguments[0]);",
        vec![Value::from(
            "Check your internet connection, then try again.",
        )],
    )
    .await
}

/// A row's "Sign out …?" and "Rename …" on Manage access and devices are a part of their own:
/// if it can't be fetched, the press says so at the foot of the window, "Dismiss" takes the
/// message away, and a press once the network is back opens the dialog.
pub async fn a_rows_dialog_that_cant_be_fetched_says_so(ctx: &Ctx) -> TestResult {
    const OFFLINE: &str = "Check your internet connection, then try again.";
    let b = &ctx.browser;
    sign_in_as(b, OWNER).await?;
    b.block_requests(&["*/split_device_dialogs-*"]).await?;
    b.goto("/security/devices").await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    b.click("button", "Sign out LG TV").await?;
    b.wait_for_text(OFFLINE).await?;
    b.wait_gone("dialog", "Sign out LG TV?").await?;
    b.axe_audit("Manage access and devices whose row dialogs couldn't be fetched")
        .await?;
    b.click("button", "Dismiss").await?;
    let gone = "return !document.body.innerText.includes(arguments[0]);";
    b.wait_until("the message dismissed", gone, vec![Value::from(OFFLINE)])
        .await?;

    b.block_requests(&[]).await?;
    b.click("button", "Rename LG TV").await?;
    let dialog = b.by_role("dialog", "Rename LG TV").await?;
    b.click_within(&dialog, "button", "Cancel").await?;
    b.wait_gone("dialog", "Rename LG TV").await
}

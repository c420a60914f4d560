//! What a person does in the app, as steps the cases share: signing in, choosing a profile;
//! and what only a test does: calling the API from the page, moving the server's clock, and
//! putting data into (and looking for it in) every store a browser keeps for a site.

use serde_json::{Value, json};

use crate::browser::Browser;
use crate::runner::TestResult;

// The demo data of `hallpass-server --demo` (crates/server/src/demo.rs).
pub const DEMO_EMAIL: &str = "demo@hallpass.test";
pub const DEMO_PASSWORD: &str = "correct-horse-battery-staple";
/// The account owner's profile: not locked, not a kids profile.
pub const OWNER: &str = "Alex";
/// Locked with [`JORDAN_PIN`].
pub const JORDAN: &str = "Jordan";
pub const JORDAN_PIN: &str = "2468";
pub const KIDS: &str = "Kids";

pub const PROFILES_HEADING: &str = "Who's watching?";
pub const SIGNED_OUT_HEADING: &str = "You're signed out";
pub const KIDS_BLOCKED_HEADING: &str = "This profile can't manage the account";

pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> TestResult {
    if condition { Ok(()) } else { Err(message()) }
}

/// Signs in through the sign-in page and waits for "Who's watching?".
pub async fn sign_in(b: &Browser) -> TestResult {
    b.goto("/signin").await?;
    b.by_role("heading", "Sign in").await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click("button", "Sign in").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    Ok(())
}

/// On "Who's watching?", chooses a profile that has no PIN and waits for the page it leads to.
pub async fn choose_profile(b: &Browser, name: &str) -> TestResult {
    b.click("button", name).await?;
    b.wait_for_path("/account").await?;
    b.by_role("banner", None).await?;
    // The header names the current profile once the choice has gone through.
    b.wait_for_text_in_banner(name).await
}

/// Signs in and chooses `profile` (one without a PIN).
pub async fn sign_in_as(b: &Browser, profile: &str) -> TestResult {
    sign_in(b).await?;
    choose_profile(b, profile).await
}

impl Browser {
    /// Waits until the page's banner (its header) shows `text`.
    pub async fn wait_for_text_in_banner(&self, text: &str) -> TestResult {
        self.wait_until(
            &format!("{text:?} in the header"),
            "const header = document.querySelector('header, [role=banner]'); \
             return !!header && header.innerText.includes(arguments[0]);",
            vec![json!(text)],
        )
        .await
    }
}

/// An answer to [`api`]: its status and its JSON body (`null` when it has none).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// Calls the API from the page with `fetch`, as the app does: same origin, with the session
/// cookie, so it is what this browser's app would be answered.
pub async fn api(b: &Browser, method: &str, path: &str, body: Option<Value>) -> TestResult<Answer> {
    let answer = b
        .js_async(
            "const [method, path, body, done] = arguments; \
             const init = {method, credentials: 'same-origin', headers: {}}; \
             if (body !== null) { \
               init.headers['Content-Type'] = 'application/json'; \
               init.body = JSON.stringify(body); \
             } \
             fetch(path, init) \
               .then(async r => { \
                 const text = await r.text(); \
                 let json = null; \
                 try { json = text ? JSON.parse(text) : null; } catch (e) { json = text; } \
                 done({status: r.status, body: json}); \
               }) \
               .catch(e => done({status: 0, body: String(e)}));",
            vec![json!(method), json!(path), body.unwrap_or(Value::Null)],
        )
        .await?;
    Ok(Answer {
        status: answer["status"].as_u64().unwrap_or(0) as u16,
        body: answer["body"].clone(),
    })
}

/// `b`, left alone on an account page, learns from its live stream that another device signed
/// it out: it loads "You're signed out" by itself, saying from which device, and the server
/// refuses its session.
pub async fn signed_out_by_itself(b: &Browser) -> TestResult {
    b.wait_for_path("/signed-out").await?;
    b.by_role("heading", SIGNED_OUT_HEADING).await?;
    b.wait_for_text("Signed out from ").await?;
    let session = api(b, "GET", "/api/session", None).await?;
    ensure(session.status == 401, || {
        format!("the browser signed out from elsewhere got {session:?} from GET /api/session")
    })
}

/// Moves the server's clock forward (`POST /api/dev/clock`, served with `--demo`), so that
/// windows and sessions lapse without waiting.
pub async fn advance_clock(b: &Browser, seconds: i64) -> TestResult {
    let answer = api(
        b,
        "POST",
        "/api/dev/clock",
        Some(json!({ "advance_seconds": seconds })),
    )
    .await?;
    ensure(answer.status == 204, || {
        format!("moving the server's clock answered {answer:?}")
    })
}

/// A device as `GET /api/devices` lists it, with the name the app shows for it.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub current: bool,
    /// The nickname if it has one, else the readable default ("Chrome on Linux").
    pub name: String,
}

/// This browser's account's devices, current first, as the API lists them.
pub async fn devices(b: &Browser) -> TestResult<Vec<Device>> {
    let answer = api(b, "GET", "/api/devices", None).await?;
    let list = answer
        .body
        .as_array()
        .filter(|_| answer.status == 200)
        .ok_or_else(|| format!("GET /api/devices answered {answer:?}"))?;
    Ok(list
        .iter()
        .map(|d| Device {
            id: d["id"].as_str().unwrap_or_default().to_owned(),
            current: d["current"] == true,
            name: d["nickname"]
                .as_str()
                .or(d["name"].as_str())
                .unwrap_or_default()
                .to_owned(),
        })
        .collect())
}

/// This browser's own device.
pub async fn this_device(b: &Browser) -> TestResult<Device> {
    devices(b)
        .await?
        .into_iter()
        .find(|d| d.current)
        .ok_or_else(|| "GET /api/devices lists no current device".to_owned())
}

/// Gives this browser's device a nickname through the API, as the Devices page would.
pub async fn nickname_this_device(b: &Browser, nickname: &str) -> TestResult<Device> {
    let me = this_device(b).await?;
    let answer = api(
        b,
        "PATCH",
        &format!("/api/devices/{}", me.id),
        Some(json!({ "nickname": nickname })),
    )
    .await?;
    ensure(answer.status == 200, || {
        format!("renaming this device answered {answer:?}")
    })?;
    Ok(Device {
        name: nickname.to_owned(),
        ..me
    })
}

/// Puts something into localStorage, sessionStorage, IndexedDB (a database with an object
/// store and a record), Cache Storage and a cookie that script can see.
pub async fn fill_every_store(b: &Browser) -> TestResult {
    let error = b
        .js_async(
            "const done = arguments[arguments.length - 1]; \
             (async () => { \
               localStorage.setItem('e2e-local', 'kept'); \
               sessionStorage.setItem('e2e-session', 'kept'); \
               document.cookie = 'e2e_cookie=kept; Path=/; Secure; SameSite=Strict'; \
               await new Promise((resolve, reject) => { \
                 const open = indexedDB.open('e2e-database', 1); \
                 open.onupgradeneeded = () => open.result.createObjectStore('things'); \
                 open.onerror = () => reject(open.error); \
                 open.onsuccess = () => { \
                   const db = open.result; \
                   const tx = db.transaction('things', 'readwrite'); \
                   tx.objectStore('things').put({kept: true}, 'record'); \
                   tx.oncomplete = () => { db.close(); resolve(); }; \
                   tx.onerror = () => reject(tx.error); \
                 }; \
               }); \
               const cache = await caches.open('e2e-cache'); \
               await cache.put('/e2e-cached', new Response('kept')); \
             })().then(() => done(null), e => done(String(e)));",
            vec![],
        )
        .await?;
    ensure(error.is_null(), || format!("filling the stores: {error}"))?;
    let full = nonempty_stores(b).await?;
    ensure(full.len() == 5, || {
        format!("after filling every store, only these hold data: {full:?}")
    })
}

/// The cache where `index.html`'s script keeps the app's main module after a first visit
/// (`APP_CODE_CACHE` in xtask/src/split.rs).
pub const APP_CODE_CACHE: &str = "hallpass-app";

/// The stores that hold anything for this site, described (empty when all are). The app's
/// own code cache doesn't count while it holds nothing but the main module
/// ([`APP_CODE_CACHE`]): `/signed-out` keeps it there again after the sign-out cleared it,
/// public code that is the same for everyone, as the HTTP cache keeps it too.
pub async fn nonempty_stores(b: &Browser) -> TestResult<Vec<String>> {
    let found = b
        .js_async(
            "const [codeCache, done] = arguments; \
             (async () => { \
               const full = []; \
               if (localStorage.length) full.push('localStorage: ' + Object.keys(localStorage)); \
               if (sessionStorage.length) full.push('sessionStorage: ' + Object.keys(sessionStorage)); \
               if (document.cookie) full.push('cookies: ' + document.cookie); \
               const dbs = await indexedDB.databases(); \
               if (dbs.length) full.push('IndexedDB: ' + dbs.map(d => d.name)); \
               const keys = []; \
               for (const key of await caches.keys()) { \
                 const urls = (await (await caches.open(key)).keys()).map(r => new URL(r.url).pathname); \
                 const code = key == codeCache && urls.every(u => /^\\/hallpass_bg-[0-9a-f]{16}\\.wasm$/.test(u)); \
                 if (!code) keys.push(key + ' (' + urls + ')'); \
               } \
               if (keys.length) full.push('Cache Storage: ' + keys); \
               return full; \
             })().then(done, e => done(['(could not look: ' + e + ')']));",
            vec![APP_CODE_CACHE.into()],
        )
        .await?;
    Ok(found
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default())
}

/// How far the page scrolls sideways, in CSS pixels (0 when it fits). Measured against the
/// root's client width, which leaves out a vertical scrollbar (`innerWidth` includes it).
pub async fn sideways_overflow(b: &Browser) -> TestResult<i64> {
    let overflow = b
        .js(
            "const root = document.documentElement; \
             return Math.max(0, root.scrollWidth - root.clientWidth);",
            vec![],
        )
        .await?;
    Ok(overflow.as_i64().unwrap_or(i64::MAX))
}

/// Whether `element` is a dialog open as a modal (`showModal()`, or `aria-modal`).
pub async fn is_modal(b: &Browser, element: &fantoccini::elements::Element) -> TestResult<bool> {
    let element = serde_json::to_value(element).map_err(|e| e.to_string())?;
    let modal = b
        .js(
            "const el = arguments[0]; \
             let modal = false; \
             try { modal = el.matches(':modal'); } catch (e) {} \
             return modal || el.getAttribute('aria-modal') === 'true';",
            vec![element],
        )
        .await?;
    Ok(modal == true)
}

/// Signs in to the demo account `times` more times from this page without keeping the
/// cookies (`credentials: 'omit'`): more devices and `signed_in` events, this browser's own
/// session untouched.
pub async fn sign_in_elsewhere(b: &Browser, times: usize) -> TestResult {
    let failed = b
        .js_async(
            "const [times, email, password, done] = arguments; \
             (async () => { \
               for (let i = 0; i < times; i++) { \
                 const r = await fetch('/api/session', { \
                   method: 'POST', credentials: 'omit', \
                   headers: {'Content-Type': 'application/json'}, \
                   body: JSON.stringify({email, password}), \
                 }); \
                 if (r.status !== 200) return `sign-in ${i} answered ${r.status}`; \
               } \
               return null; \
             })().then(done, e => done(String(e)));",
            vec![json!(times), json!(DEMO_EMAIL), json!(DEMO_PASSWORD)],
        )
        .await?;
    ensure(failed.is_null(), || {
        format!("signing in elsewhere: {failed}")
    })
}

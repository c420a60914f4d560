//! A browser session with the helpers the tests use: keyboard input, focus, viewports, scripts
//! (sync and async), and an axe-core audit. Finding elements is in `queries.rs`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

pub use crate::driver::{Driver, Engine};
use crate::runner::TestResult;

pub const DESKTOP: (u32, u32) = (1280, 800);
pub const PHONE: (u32, u32) = (360, 740);
/// Below this width the app lays out for phones. Firefox keeps windows at least 500 px wide
/// and MiniBrowser's toolbar at least 447 px, so in those two engines the "phone" is the
/// narrowest window they allow, which must still be under this width. Chromium gets 360.
pub const PHONE_MAX_WIDTH: i64 = 640;

pub const TAB: char = '\u{e004}';
pub const ENTER: char = '\u{e007}';
pub const ESCAPE: char = '\u{e00c}';
pub const SPACE: char = '\u{e00d}';

/// How many Tab presses [`Browser::tab_to`] tries before it gives up.
const MAX_TABS: usize = 60;

/// One browser session on one server.
pub struct Browser {
    pub client: Client,
    pub engine: Engine,
    base: String,
    pub(crate) node_modules: PathBuf,
}

impl Browser {
    pub async fn open(
        driver: &Driver,
        engine: Engine,
        base: &str,
        node_modules: &Path,
    ) -> TestResult<Self> {
        let Value::Object(caps) = engine.capabilities() else {
            return Err("capabilities must be an object".into());
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .map_err(|e| format!("opening a {} session: {e}", engine.name()))?;
        let browser = Self {
            client,
            engine,
            base: base.to_owned(),
            node_modules: node_modules.to_owned(),
        };
        browser.set_viewport(DESKTOP).await?;
        Ok(browser)
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Loads `path` of the server in a full navigation.
    pub async fn goto(&self, path: &str) -> TestResult {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .map_err(|e| format!("loading {path}: {e}"))
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> TestResult<Value> {
        self.client
            .execute(script, args)
            .await
            .map_err(|e| format!("running script: {e}"))
    }

    /// Sets the size of the page's viewport (not of the window around it), and returns the
    /// size it got: the one asked for, except below Firefox's and WebKit's minimum window
    /// width (see [`PHONE_MAX_WIDTH`]).
    pub async fn set_viewport(&self, (width, height): (u32, u32)) -> TestResult<(i64, i64)> {
        let want = (i64::from(width), i64::from(height));
        let mut window = want;
        let mut got = (0, 0);
        for _ in 0..6 {
            let size = (window.0.max(100) as u32, window.1.max(100) as u32);
            self.client
                .set_window_size(size.0, size.1)
                .await
                .map_err(|e| format!("resizing: {e}"))?;
            got = self.settled_viewport().await?;
            if got == want {
                return Ok(got);
            }
            // The window is larger than its viewport by the browser's own frame. Measure the
            // frame from the window the browser reports now, not from the size asked for:
            // Chromium sometimes answers before it applies a resize, and adding up the
            // differences of such stale readings overshot (CI once ended at 1280×943).
            let (outer_w, outer_h) = self
                .client
                .get_window_size()
                .await
                .map_err(|e| format!("reading the window size: {e}"))?;
            let frame = (outer_w as i64 - got.0, outer_h as i64 - got.1);
            let next = (want.0 + frame.0.max(0), want.1 + frame.1.max(0));
            if next == window && got.1 == want.1 {
                // Only the width is off, and asking for the same window again won't change
                // it: the browser's minimum width (see below).
                break;
            }
            window = next;
        }
        let narrowest_allowed = self.engine != Engine::Chromium
            && got.1 == want.1
            && got.0 > want.0
            && got.0 < PHONE_MAX_WIDTH;
        if narrowest_allowed {
            return Ok(got);
        }
        Err(format!(
            "could not set the viewport to {width}×{height}: it is {}×{}",
            got.0, got.1
        ))
    }

    /// The viewport size once it stops changing: WebKit applies a resize a moment after
    /// answering the command.
    async fn settled_viewport(&self) -> TestResult<(i64, i64)> {
        let mut last = (-1, -1);
        for _ in 0..20 {
            let inner = self.js("return [innerWidth, innerHeight];", vec![]).await?;
            let now = (
                inner[0].as_i64().unwrap_or(0),
                inner[1].as_i64().unwrap_or(0),
            );
            if now == last {
                return Ok(now);
            }
            last = now;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(last)
    }

    /// Runs `script` as WebDriver's async script: it ends by calling the callback that is its
    /// last argument (`const done = arguments[arguments.length - 1]`).
    pub async fn js_async(&self, script: &str, args: Vec<Value>) -> TestResult<Value> {
        self.client
            .execute_async(script, args)
            .await
            .map_err(|e| format!("running async script: {e}"))
    }

    /// Leaves a marker in the page's memory, which only a new document would erase.
    pub async fn mark_document(&self) -> TestResult {
        self.js("window.hallpassTestMarker = true;", vec![]).await?;
        Ok(())
    }

    /// Fails if the page was loaded anew since [`Browser::mark_document`].
    pub async fn still_same_document(&self, what: &str) -> TestResult {
        let marked = self
            .js("return window.hallpassTestMarker === true;", vec![])
            .await?;
        if marked == true {
            Ok(())
        } else {
            Err(format!("{what} reloaded the page"))
        }
    }

    /// Describes the focused element: its tag, id and text.
    pub async fn focused(&self) -> TestResult<Focused> {
        let v = self
            .js(
                "const el = document.activeElement; \
                 return el ? [el.tagName.toLowerCase(), el.id, el.textContent] : ['', '', ''];",
                vec![],
            )
            .await?;
        let field = |i: usize| v[i].as_str().unwrap_or_default().trim().to_owned();
        Ok(Focused {
            tag: field(0),
            id: field(1),
            text: field(2),
        })
    }

    /// Presses and releases one key, sent to whatever has focus, as a person would.
    pub async fn press(&self, key: char) -> TestResult {
        self.focus_window().await?;
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| format!("pressing a key: {e}"))
    }

    /// Gives the window system focus if it has lost it, as a person's window has while they
    /// type. Headless Firefox sometimes reports `document.hasFocus()` false, and then Enter
    /// on a focused button dispatches its key events but no click.
    async fn focus_window(&self) -> TestResult {
        if self.js("return document.hasFocus();", vec![]).await? == true {
            return Ok(());
        }
        let handle = self
            .client
            .window()
            .await
            .map_err(|e| format!("reading the window handle: {e}"))?;
        self.client
            .switch_to_window(handle)
            .await
            .map_err(|e| format!("focusing the window: {e}"))
    }

    /// Types `text` into whatever has focus, key by key, as a person would (no element is
    /// targeted, unlike WebDriver's Element Send Keys).
    pub async fn type_text(&self, text: &str) -> TestResult {
        self.focus_window().await?;
        let mut actions = KeyActions::new("keyboard".to_owned());
        for key in text.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| format!("typing {text:?}: {e}"))
    }

    /// Whether `element` has keyboard focus.
    pub async fn is_focused(&self, element: &Element) -> TestResult<bool> {
        let element = serde_json::to_value(element).map_err(|e| e.to_string())?;
        let focused = self
            .js(
                "return document.activeElement === arguments[0];",
                vec![element],
            )
            .await?;
        Ok(focused == true)
    }

    /// Fails unless `element` has keyboard focus within a second, naming what has it instead.
    /// The app moves focus to what it has just drawn on the next animation frame
    /// (`focus_when_drawn`), which can come after the test already sees the new rows: WebKit
    /// once lost that race in CI.
    pub async fn expect_focus(&self, element: &Element, what: &str) -> TestResult {
        for _ in 0..20 {
            if self.is_focused(element).await? {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let focused = self.focused().await?;
        Err(format!(
            "focus should be on {what}, but it is on {focused:?}"
        ))
    }

    /// Presses Tab until the element with this role and name has focus, as a keyboard user
    /// would, and returns it. Fails if it never gets focus (it is not reachable by Tab).
    pub async fn tab_to(&self, role: &str, name: &str) -> TestResult<Element> {
        let target = self.by_role(role, name).await?;
        self.tab_to_element(&target, &format!("the {role} {name:?}"))
            .await?;
        Ok(target)
    }

    /// Presses Tab until `element` has focus; fails if it never gets it.
    pub async fn tab_to_element(&self, element: &Element, what: &str) -> TestResult {
        for _ in 0..MAX_TABS {
            if self.is_focused(element).await? {
                return Ok(());
            }
            self.press(TAB).await?;
        }
        Err(format!(
            "{what} never got focus in {MAX_TABS} presses of Tab"
        ))
    }

    /// Runs axe-core on the whole page and fails with every violation, listed.
    pub async fn axe_audit(&self, what: &str) -> TestResult {
        self.ensure_script("axe", "axe-core/axe.min.js").await?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 window.axe.run(document, {resultTypes: ['violations']}) \
                   .then(r => done(r.violations.map(v => ({ \
                     id: v.id, impact: v.impact, help: v.help, \
                     nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) \
                   })))) \
                   .catch(e => done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]));",
                vec![],
            )
            .await
            .map_err(|e| format!("running axe: {e}"))?;
        let violations = result.as_array().cloned().unwrap_or_default();
        if violations.is_empty() {
            return Ok(());
        }
        let mut report = format!("axe found {} violation(s) on {what}:", violations.len());
        for v in &violations {
            report.push_str(&format!(
                "\n  - {} ({}): {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?")
            ));
            for node in v["nodes"].as_array().into_iter().flatten() {
                report.push_str(&format!("\n      {}", node.as_str().unwrap_or("?")));
            }
        }
        Err(report)
    }

    /// Makes the page match `prefers-color-scheme: dark`. Only Chromium can switch this
    /// during a session (DevTools' media emulation); cases that need it run in Chromium only.
    pub async fn prefer_dark_scheme(&self) -> TestResult {
        if self.engine != Engine::Chromium {
            return Err(format!(
                "{} cannot emulate a colour scheme",
                self.engine.name()
            ));
        }
        self.client
            .issue_cmd(ChromiumCdp {
                cmd: "Emulation.setEmulatedMedia",
                params: json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
            })
            .await
            .map_err(|e| format!("emulating dark mode: {e}"))?;
        let dark = self
            .js(
                "return matchMedia('(prefers-color-scheme: dark)').matches;",
                vec![],
            )
            .await?;
        if dark == Value::Bool(true) {
            Ok(())
        } else {
            Err("the page does not see prefers-color-scheme: dark".to_owned())
        }
    }

    /// Makes every request whose URL matches one of `patterns` (`*` is a wildcard) fail as a
    /// dropped connection would, until called again with none. Only Chromium can (DevTools'
    /// `Network.setBlockedURLs`); geckodriver and WebKitWebDriver offer no request blocking
    /// over classic WebDriver, so cases that need it run in Chromium only.
    pub async fn block_requests(&self, patterns: &[&str]) -> TestResult {
        if self.engine != Engine::Chromium {
            return Err(format!("{} cannot block requests", self.engine.name()));
        }
        for (cmd, params) in [
            ("Network.enable", json!({})),
            ("Network.setBlockedURLs", json!({ "urls": patterns })),
        ] {
            self.client
                .issue_cmd(ChromiumCdp { cmd, params })
                .await
                .map_err(|e| format!("{cmd}: {e}"))?;
        }
        Ok(())
    }

    /// Saves a screenshot, for failure reports.
    pub async fn screenshot(&self, path: &Path) -> TestResult {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A Chrome DevTools Protocol call through ChromeDriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct ChromiumCdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for ChromiumCdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// What has keyboard focus.
#[derive(Debug)]
pub struct Focused {
    pub tag: String,
    pub id: String,
    pub text: String,
}

//! The three engines, their WebDriver servers, and a browser session with the helpers the
//! tests use: find by role and accessible name (Testing Library's queries, as a screen reader
//! would name things), keyboard input, viewports, and an axe-core audit.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::{Element, ElementRef};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::runner::TestResult;

/// How long a query waits for the app to render what it looks for.
const WAIT: Duration = Duration::from_secs(10);

pub const DESKTOP: (u32, u32) = (1280, 800);
pub const PHONE: (u32, u32) = (390, 844);
/// Below this width the app lays out for phones. Firefox keeps windows at least 500 px wide
/// and MiniBrowser's toolbar at least 447 px, so in those two engines the "phone" is the
/// narrowest window they allow, which must still be under this width. Chromium gets 390.
pub const PHONE_MAX_WIDTH: i64 = 640;

const TESTING_LIBRARY: &str = "@testing-library/dom/dist/@testing-library/dom.umd.min.js";

pub const TAB: char = '\u{e004}';
pub const ENTER: char = '\u{e007}';

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    fn capabilities(self) -> Value {
        match self {
            Engine::Chromium => json!({
                "browserName": "chrome",
                "acceptInsecureCerts": true,
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--window-size=1280,800",
                    ],
                },
            }),
            Engine::Firefox => json!({
                "browserName": "firefox",
                "acceptInsecureCerts": true,
                "moz:firefoxOptions": {
                    "binary": "/usr/bin/firefox-esr",
                    "args": ["-headless", "-width=1280", "-height=800"],
                },
            }),
            // MiniBrowser's --headless hangs, so it runs in a real window under Xvfb.
            Engine::WebKit => json!({
                "browserName": "MiniBrowser",
                "acceptInsecureCerts": true,
                "webkitgtk:browserOptions": {
                    "binary": "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                    "args": ["--automation"],
                },
            }),
        }
    }
}

/// A running WebDriver server (and, for WebKit, the X server it draws on). Dropping it
/// kills them.
pub struct Driver {
    url: String,
    _processes: Vec<Child>,
}

impl Driver {
    pub async fn start(engine: Engine) -> TestResult<Self> {
        let port = free_port()?;
        let mut processes = Vec::new();
        let mut cmd = match engine {
            Engine::Chromium => {
                let mut cmd = Command::new("/usr/bin/chromedriver");
                cmd.arg(format!("--port={port}"));
                cmd
            }
            Engine::Firefox => {
                let mut cmd = Command::new(geckodriver()?);
                cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
                cmd
            }
            Engine::WebKit => {
                let (xvfb, display) = start_xvfb().await?;
                processes.push(xvfb);
                let mut cmd = Command::new("/usr/bin/WebKitWebDriver");
                cmd.arg(format!("--port={port}")).env("DISPLAY", display);
                cmd
            }
        };
        let driver = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting the {} WebDriver: {e}", engine.name()))?;
        processes.push(driver);
        wait_for_port(port)
            .await
            .map_err(|e| format!("the {} WebDriver did not start: {e}", engine.name()))?;
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            _processes: processes,
        })
    }
}

fn geckodriver() -> TestResult<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin"));
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(cargo_bin)
        .map(|dir| dir.join("geckodriver"))
        .find(|path| path.is_file())
        .ok_or_else(|| "geckodriver is not installed (cargo xtask test installs it)".to_owned())
}

/// Xvfb picks a free display itself and writes its number to stdout (`-displayfd 1`).
async fn start_xvfb() -> TestResult<(Child, String)> {
    let mut xvfb = Command::new("/usr/bin/Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1920x1080x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting Xvfb: {e}"))?;
    let stdout = xvfb.stdout.take().ok_or("Xvfb has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let display = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .map_err(|_| "Xvfb did not report a display")?
        .map_err(|e| format!("reading Xvfb: {e}"))?
        .ok_or("Xvfb exited")?;
    Ok((xvfb, format!(":{}", display.trim())))
}

fn free_port() -> TestResult<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

async fn wait_for_port(port: u16) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("nothing listens on port {port} after 20 s"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One browser session on one server.
pub struct Browser {
    pub client: Client,
    pub engine: Engine,
    base: String,
    node_modules: PathBuf,
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
        for _ in 0..3 {
            let size = (window.0.max(100) as u32, window.1.max(100) as u32);
            self.client
                .set_window_size(size.0, size.1)
                .await
                .map_err(|e| format!("resizing: {e}"))?;
            got = self.settled_viewport().await?;
            if got == want {
                return Ok(got);
            }
            // The window is larger than its viewport by the browser's own frame.
            window = (window.0 + want.0 - got.0, window.1 + want.1 - got.1);
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

    /// The one element with this ARIA role and accessible name, waiting until it appears.
    pub async fn by_role(&self, role: &str, name: impl Into<Option<&str>>) -> TestResult<Element> {
        let name = name.into();
        let found = self
            .poll(&format!("a {role} named {name:?}"), || async {
                let all = self.all_by_role(role, name).await?;
                Ok(match all.len() {
                    0 => None,
                    1 => all.into_iter().next(),
                    n => return Err(format!("{n} elements are a {role} named {name:?}")),
                })
            })
            .await?;
        Ok(found)
    }

    /// Clicks the one element with this role and accessible name, once it appears.
    pub async fn click(&self, role: &str, name: &str) -> TestResult {
        self.by_role(role, name)
            .await?
            .click()
            .await
            .map_err(|e| format!("clicking the {role} {name:?}: {e}"))
    }

    /// Every element with this role (and accessible name, if given), right now.
    pub async fn all_by_role(&self, role: &str, name: Option<&str>) -> TestResult<Vec<Element>> {
        self.ensure_script("TestingLibraryDom", TESTING_LIBRARY)
            .await?;
        let found = self
            .js(
                "const [role, name] = arguments; \
                 return window.TestingLibraryDom.queryAllByRole(document.body, role, \
                   name === null ? {} : {name});",
                vec![json!(role), json!(name)],
            )
            .await?;
        Ok(found
            .as_array()
            .map(|items| items.iter().filter_map(|v| self.element(v)).collect())
            .unwrap_or_default())
    }

    /// Waits until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> TestResult {
        self.poll(&format!("the text {text:?}"), || async {
            let body = self
                .js(
                    "return document.body ? document.body.innerText : '';",
                    vec![],
                )
                .await?;
            Ok(body
                .as_str()
                .is_some_and(|b| b.contains(text))
                .then_some(()))
        })
        .await
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
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| format!("pressing a key: {e}"))
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

    /// Saves a screenshot, for failure reports.
    pub async fn screenshot(&self, path: &Path) -> TestResult {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Loads an npm script into the page once per document.
    async fn ensure_script(&self, global: &str, file: &str) -> TestResult {
        let present = self
            .js(
                &format!("return typeof window.{global} !== 'undefined';"),
                vec![],
            )
            .await?;
        if present == Value::Bool(true) {
            return Ok(());
        }
        let path = self.node_modules.join(file);
        let source =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // UMD bundles attach to `globalThis`, which in Firefox's WebDriver scripts is not the
        // page's window; bind it to `window` so the library outlives this one script.
        self.js(
            &format!(
                "(function (globalThis, self) {{\n{source}\n}}).call(window, window, window);"
            ),
            vec![],
        )
        .await?;
        let loaded = self
            .js(
                &format!("return typeof window.{global} !== 'undefined';"),
                vec![],
            )
            .await?;
        if loaded == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("{file} did not define window.{global}"))
        }
    }

    fn element(&self, value: &Value) -> Option<Element> {
        let id = value.as_object()?.values().next()?.as_str()?.to_owned();
        Some(Element::from_element_id(
            self.client.clone(),
            ElementRef::from(id),
        ))
    }

    /// Retries `attempt` until it yields something or [`WAIT`] runs out.
    async fn poll<T, F, Fut>(&self, what: &str, mut attempt: F) -> TestResult<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = TestResult<Option<T>>>,
    {
        let deadline = Instant::now() + WAIT;
        let mut last_error = None;
        loop {
            match attempt().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(err) => last_error = Some(err),
            }
            if Instant::now() > deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                return Err(match last_error {
                    Some(err) => format!("waiting for {what} on {url}: {err}"),
                    None => format!("{what} did not appear on {url} within {WAIT:?}"),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

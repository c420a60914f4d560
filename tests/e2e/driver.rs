//! The three engines and their WebDriver servers (and, for WebKit, the X server it draws on).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::runner::TestResult;

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

    pub(crate) fn capabilities(self) -> Value {
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
    pub(crate) url: String,
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

//! What the tests run against: the built app, the server binary, npm's test scripts, and
//! a server process of each test's own.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::runner::TestResult;

/// Where things are: from the environment that `cargo xtask test` sets, or the places xtask
/// builds them by default.
pub struct Paths {
    pub dist: PathBuf,
    pub server_bin: PathBuf,
    pub node_modules: PathBuf,
}

impl Paths {
    pub fn from_env() -> Result<Self, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let var =
            |name: &str, default: PathBuf| std::env::var_os(name).map_or(default, PathBuf::from);
        let paths = Self {
            dist: var("HALLPASS_DIST", root.join("dist")),
            server_bin: var(
                "HALLPASS_SERVER_BIN",
                root.join("target/debug/hallpass-server"),
            ),
            node_modules: var("HALLPASS_NODE_MODULES", root.join(".tools/node_modules")),
        };
        for (what, path) in [
            (
                "the built app (dist/index.html)",
                paths.dist.join("index.html"),
            ),
            ("the server binary", paths.server_bin.clone()),
            ("axe-core", paths.node_modules.join("axe-core/axe.min.js")),
        ] {
            if !path.exists() {
                return Err(format!(
                    "{what} is missing at {}: run the suite with `cargo xtask test e2e`",
                    path.display()
                ));
            }
        }
        Ok(paths)
    }
}

/// One `hallpass-server` process over HTTPS (WebKit keeps `Secure` cookies only there), on a
/// free loopback port, with its own database in a temporary folder, started with `--demo`:
/// the demo accounts (see `steps.rs`) and the development routes (`/api/dev/outbox`,
/// `/api/dev/clock`). Killed when dropped.
pub struct Server {
    pub url: String,
    port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    dist: PathBuf,
    child: Mutex<Option<Child>>,
}

impl Server {
    pub async fn start(paths: &Paths) -> TestResult<Self> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let mut server = Self {
            url: String::new(),
            port: 0,
            dir,
            bin: paths.server_bin.clone(),
            dist: paths.dist.clone(),
            child: Mutex::new(None),
        };
        let (child, url) = server.spawn("127.0.0.1:0").await?;
        server.port = url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("no port in {url}"))?;
        server.url = url;
        *server.child.get_mut() = Some(child);
        Ok(server)
    }

    async fn spawn(&self, listen: &str) -> TestResult<(Child, String)> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .map_err(|e| format!("server log: {e}"))?;
        let mut child = Command::new(&self.bin)
            .arg("--listen")
            .arg(listen)
            .arg("--database")
            .arg(self.dir.path().join("hallpass.sqlite"))
            .arg("--dist")
            .arg(&self.dist)
            .arg("--tls-self-signed")
            // Seeds the demo accounts once (a restart finds them there and leaves them).
            .arg("--demo")
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", self.bin.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("Hallpass is listening on ") {
                    return Ok(url.to_owned());
                }
            }
            Err(format!(
                "the server exited before listening:\n{}",
                self.log_tail()
            ))
        })
        .await
        .map_err(|_| "the server did not start within 30 s".to_owned())??;
        // Keep reading so a chatty server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok((child, url))
    }

    /// Kills the server, as a crash or a lost connection would.
    pub async fn stop(&self) -> TestResult {
        if let Some(mut child) = self.child.lock().await.take() {
            child
                .kill()
                .await
                .map_err(|e| format!("killing the server: {e}"))?;
        }
        Ok(())
    }

    /// Starts the server again on the same port and database.
    pub async fn restart(&self) -> TestResult {
        self.stop().await?;
        let (child, _) = self.spawn(&format!("127.0.0.1:{}", self.port)).await?;
        *self.child.lock().await = Some(child);
        Ok(())
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

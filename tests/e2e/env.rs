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
    /// `--database`: a file in `dir`, or a PostgreSQL URL (see [`Postgres`]).
    database: String,
    bin: PathBuf,
    dist: PathBuf,
    child: Mutex<Option<Child>>,
}

impl Server {
    pub async fn start(paths: &Paths) -> TestResult<Self> {
        Self::start_on(paths, None).await
    }

    /// The same, on `database` (a PostgreSQL URL) instead of an SQLite file of its own; start
    /// the instances of one database one after the other (each seeds the demo data it lacks).
    pub async fn start_on(paths: &Paths, database: Option<&str>) -> TestResult<Self> {
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let database = database.map_or_else(
            || dir.path().join("hallpass.sqlite").display().to_string(),
            str::to_owned,
        );
        let mut server = Self {
            url: String::new(),
            port: 0,
            dir,
            database,
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
            .arg(&self.database)
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

/// The run's PostgreSQL, handed over by `cargo xtask test` (`xtask/src/postgres.rs`): the URL
/// of its maintenance database, and the folder of its programs (for `psql`).
pub struct Postgres {
    url: String,
    bin: PathBuf,
}

impl Postgres {
    /// `None` when the suite runs without PostgreSQL (by hand, without the variables).
    pub fn from_env() -> Option<Self> {
        Some(Self {
            url: std::env::var("HALLPASS_TEST_POSTGRES").ok()?,
            bin: std::env::var_os("HALLPASS_TEST_POSTGRES_BIN")?.into(),
        })
    }

    /// Creates a fresh, empty database and returns its URL.
    pub async fn fresh_database(&self) -> TestResult<String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "e2e_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", &self.url, "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .await
            .map_err(|e| format!("running psql: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "CREATE DATABASE {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let (server, _) = self
            .url
            .rsplit_once('/')
            .ok_or_else(|| format!("no database in {}", self.url))?;
        Ok(format!("{server}/{name}"))
    }
}

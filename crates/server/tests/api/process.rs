//! Real `hallpass-server` processes on a PostgreSQL database, for what one in-process router
//! can't show: several instances sharing one database (`instances.rs`), and a server living
//! through its database going away (`faults.rs`). Each process has its own pool, clock and
//! memory; all they share is the database, as behind a proxy.
//!
//! PostgreSQL comes from `cargo xtask test` (or `cargo xtask postgres`, by hand): the URL of a
//! maintenance database in `HALLPASS_TEST_POSTGRES`, and the folder of PostgreSQL's programs in
//! `HALLPASS_TEST_POSTGRES_BIN` (by hand, Debian's is found). Without the URL these tests print
//! why and pass: that is the SQLite run.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::support::{CHROME_ON_WINDOWS, Reply};

/// How long the tests wait for one answer before calling it a hang.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The run's PostgreSQL, if it has one.
pub struct Postgres {
    /// `postgres://…/postgres`, the maintenance database.
    pub url: String,
    /// The folder with `psql`, `initdb`, `pg_ctl`.
    pub bin: PathBuf,
}

impl Postgres {
    /// The run's PostgreSQL, if it has one; when there is none, says so and gives `None`.
    pub fn from_env(test: &str) -> Option<Self> {
        let Some(url) = std::env::var("HALLPASS_TEST_POSTGRES")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            println!(
                "{test}: skipped, no PostgreSQL (`cargo xtask test` sets HALLPASS_TEST_POSTGRES; \
                 `cargo xtask postgres` prints it)"
            );
            return None;
        };
        // Set by xtask; by hand, Debian's newest server, where xtask finds it too.
        let bin = std::env::var_os("HALLPASS_TEST_POSTGRES_BIN")
            .map(PathBuf::from)
            .or_else(debian_bin)
            .expect("HALLPASS_TEST_POSTGRES_BIN: the folder with PostgreSQL's psql and pg_ctl");
        Some(Self { url, bin })
    }

    /// Creates a fresh, empty database and returns its URL.
    pub async fn fresh_database(&self) -> String {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "instances_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", &self.url, "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .await
            .expect("run psql");
        assert!(
            out.status.success(),
            "CREATE DATABASE {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (server, _) = self.url.rsplit_once('/').expect("a URL with a database");
        format!("{server}/{name}")
    }
}

/// `/usr/lib/postgresql/N/bin` with the highest N that has `initdb`.
fn debian_bin() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin)
}

/// A `hallpass-server --demo` process on `database`, on a free loopback port; killed on drop.
pub struct Instance {
    pub addr: std::net::SocketAddr,
    child: Child,
    dir: tempfile::TempDir,
}

impl Instance {
    /// Starts the server with `--demo` and `extra` arguments; returns once it listens.
    /// Start instances of one database one after the other: each seeds the demo data when
    /// it finds none.
    pub async fn start(database: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hallpass-server"))
            .args(["--listen", "127.0.0.1:0", "--database", database, "--demo"])
            // No app is built for these tests: the API is what they use.
            .arg("--dist")
            .arg(dir.path().join("dist"))
            .args(extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("start hallpass-server");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let listening = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("Hallpass is listening on http://") {
                    return Some(url.parse().expect("an address"));
                }
            }
            None
        })
        .await;
        let instance = |addr| Self { addr, child, dir };
        match listening {
            Ok(Some(addr)) => {
                // Keep reading, so a chatty server never blocks on a full pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                instance(addr)
            }
            _ => {
                let failed = instance("0.0.0.0:0".parse().expect("an address"));
                panic!("the server did not start:\n{}", failed.log_tail())
            }
        }
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().is_ok_and(|status| status.is_none())
    }

    /// A browser of its own (no cookie yet), which may send its requests to any instance.
    pub fn browser() -> Agent {
        Agent { cookie: None }
    }
}

/// A browser: keeps its session cookie and sends what the app's same-origin `fetch` sends, to
/// whichever instance a proxy would have picked.
#[derive(Clone)]
pub struct Agent {
    pub cookie: Option<String>,
}

impl Agent {
    pub async fn call(
        &mut self,
        to: &Instance,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let reply = send(to, method, path, self.cookie.as_deref(), body).await;
        if let Some(set) = reply.header("set-cookie") {
            let value = set
                .strip_prefix("__Host-hallpass_session=")
                .and_then(|rest| rest.split(';').next())
                .unwrap_or_default();
            self.cookie = Some(value.to_owned()).filter(|v| !v.is_empty());
        }
        reply
    }

    pub async fn get(&mut self, to: &Instance, path: &str) -> Reply {
        self.call(to, Method::GET, path, None).await
    }

    pub async fn post(&mut self, to: &Instance, path: &str, body: Value) -> Reply {
        self.call(to, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&mut self, to: &Instance, path: &str, body: Value) -> Reply {
        self.call(to, Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&mut self, to: &Instance, path: &str) -> Reply {
        self.call(to, Method::DELETE, path, None).await
    }
}

/// One request on a connection of its own (HTTP/1.1), as a proxy without keep-alive would
/// send it. Panics on a hang: no answer within [`PATIENCE`].
pub async fn send(
    to: &Instance,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let what = format!("{method} {path} to {}", to.addr);
    let exchange = async {
        let stream = TcpStream::connect(to.addr)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", to.addr.to_string())
            .header("user-agent", CHROME_ON_WINDOWS)
            .header("sec-fetch-site", "same-origin");
        if let Some(token) = cookie {
            request = request.header("cookie", format!("__Host-hallpass_session={token}"));
        }
        let bytes = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Bytes::from(json.to_string())
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(bytes)).map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes()
            .to_vec();
        Ok::<_, String>(Reply {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(PATIENCE, exchange).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(err)) => panic!("{what}: {err}\n{}", to.log_tail()),
        Err(_) => panic!("{what}: no answer within {PATIENCE:?}\n{}", to.log_tail()),
    }
}

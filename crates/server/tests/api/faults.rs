//! PostgreSQL goes away under a stream of writes and comes back (issue 12, section 2): meanwhile
//! the server answers 503 `unavailable` with `Retry-After`, never a 500 and never later than its
//! request timeout, and `/api/health` says so; afterwards it serves again without a restart, and
//! every write it acknowledged is there.
//!
//! The test stops and starts PostgreSQL itself, so it runs on a cluster of its own (initdb takes
//! about a second): stopping the run's shared cluster would fail the tests running beside it in
//! this binary. The ~40 lines that start it repeat the recipe of `xtask/src/postgres.rs` (xtask is
//! a binary crate the tests can't link to); only the folder of PostgreSQL's programs comes from
//! there, in `HALLPASS_TEST_POSTGRES_BIN`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use hallpass_api::{Device, ErrorCode, SignInOutcome};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;
use tokio::process::Command;

use crate::process::{Instance, Postgres, send};
use crate::support::Reply;

/// The server's `--request-timeout` here: no answer may take (much) longer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// A cluster of this test's own; stopped and removed on drop.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    async fn start(bin: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let cluster = Self {
            bin: bin.to_owned(),
            dir,
            port,
        };
        if is_root() {
            // initdb refuses root, and the server must own its files.
            run(Command::new("chown")
                .arg("postgres:")
                .arg(cluster.dir.path()))
            .await;
        }
        let data = cluster.dir.path().join("data");
        let mut initdb = cluster.as_server_user("initdb");
        initdb.arg("-D").arg(&data);
        initdb.args([
            "-U", "postgres", "-A", "trust", "-N", "-E", "UTF8", "--locale", "C",
        ]);
        run(&mut initdb).await;
        cluster.start_again().await;
        cluster
    }

    async fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log");
        let mut start = self.pg_ctl();
        start
            .args(["-w", "-l"])
            .arg(log)
            .args(["-o", &options, "start"]);
        run(&mut start).await;
    }

    /// `fast`: as an administrator stops it; `immediate`: as a crash would.
    async fn stop(&self, mode: &str) {
        run(self.pg_ctl().args(["-w", "-m", mode, "stop"])).await;
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = self.as_server_user("pg_ctl");
        cmd.arg("-D").arg(self.dir.path().join("data"));
        cmd
    }

    fn as_server_user(&self, program: &str) -> Command {
        Command::from(server_user(self.bin.join(program)))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = server_user(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-w", "-m", "immediate", "stop"])
            .output();
    }
}

/// `program` as the `postgres` user when the tests run as root (CI does; initdb and pg_ctl
/// refuse root), as the current user otherwise.
fn server_user(program: PathBuf) -> std::process::Command {
    if is_root() {
        let mut cmd = std::process::Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        std::process::Command::new(program)
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

async fn run(cmd: &mut Command) {
    let out = cmd.output().await.expect("run a PostgreSQL program");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One write of the stream: its device, its answer, and how long the answer took.
struct Write {
    device: String,
    nickname: String,
    reply: Reply,
    took: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_writes_gets_503s_then_recovers_and_keeps_every_acknowledged_write()
{
    let Some(shared) = Postgres::from_env("faults::postgres_stopped") else {
        return;
    };
    let cluster = Cluster::start(&shared.bin).await;
    let mine = Postgres {
        url: cluster.url(),
        bin: shared.bin.clone(),
    };
    let database = mine.fresh_database().await;
    let timeout = REQUEST_TIMEOUT.as_secs().to_string();
    let mut server = Instance::start(
        &database,
        &["--demo-devices", "100", "--request-timeout", &timeout],
    )
    .await;
    let mut pc = Instance::browser();
    let body = json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD});
    let reply = pc.post(&server, "/api/session", body).await;
    assert!(matches!(
        reply.expect_status(StatusCode::OK).json(),
        SignInOutcome::SignedIn(_)
    ));
    let devices: Vec<Device> = pc.get(&server, "/api/devices").await.json();
    let mut devices = devices.into_iter().map(|d| d.id);

    let mut writes = Vec::new();
    // A graceful stop, then a crash.
    for mode in ["fast", "immediate"] {
        let server_ref = &server;
        let done = Arc::new(AtomicBool::new(false));
        let stream = {
            let done = done.clone();
            let mut pc = pc.clone();
            let ids: Vec<String> = devices.by_ref().take(40).collect();
            async move {
                let mut writes = Vec::new();
                for (n, device) in ids.into_iter().enumerate() {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let nickname = format!("{mode} {n}");
                    let started = Instant::now();
                    let path = format!("/api/devices/{device}");
                    let body = json!({ "nickname": nickname });
                    let reply = pc.patch(server_ref, &path, body).await;
                    writes.push(Write {
                        device,
                        nickname,
                        reply,
                        took: started.elapsed(),
                    });
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                writes
            }
        };
        let outage = async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            cluster.stop(mode).await;
            let health = send(server_ref, Method::GET, "/api/health", None, None).await;
            health.expect_error(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable);
            assert!(health.header("retry-after").is_some(), "{health:?}");
            tokio::time::sleep(Duration::from_millis(2500)).await;
            cluster.start_again().await;
            // Back by itself: no restart, just the next requests.
            let back = Instant::now();
            loop {
                let health = send(server_ref, Method::GET, "/api/health", None, None).await;
                if health.status == StatusCode::OK {
                    break;
                }
                assert!(back.elapsed() < Duration::from_secs(30), "{health:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            // A few writes after the recovery, then the stream ends.
            tokio::time::sleep(Duration::from_millis(600)).await;
            done.store(true, Ordering::Relaxed);
        };
        let (round, ()) = tokio::join!(stream, outage);
        let refused = round.iter().filter(|w| !w.reply.status.is_success());
        assert!(refused.count() > 0, "{mode}: no write met the outage");
        let last = round.last().expect("writes");
        assert!(
            last.reply.status.is_success(),
            "{mode}: the last write, after the recovery, got {:?}",
            last.reply
        );
        writes.extend(round);
    }
    assert!(server.is_running(), "the server ended");

    for write in &writes {
        assert!(
            write.took < REQUEST_TIMEOUT + Duration::from_secs(1),
            "a write took {:?}: {:?}",
            write.took,
            write.reply
        );
        if !write.reply.status.is_success() {
            write
                .reply
                .expect_error(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable);
            assert!(
                write.reply.header("retry-after").is_some(),
                "{:?}",
                write.reply
            );
        }
    }
    let stored: Vec<Device> = pc
        .get(&server, "/api/devices")
        .await
        .expect_status(StatusCode::OK)
        .json();
    for write in writes.iter().filter(|w| w.reply.status.is_success()) {
        let device = stored.iter().find(|d| d.id == write.device);
        assert_eq!(
            device.and_then(|d| d.nickname.as_deref()),
            Some(write.nickname.as_str()),
            "an acknowledged rename is lost"
        );
    }
    let acknowledged = writes.iter().filter(|w| w.reply.status.is_success());
    println!(
        "faults: {} writes, {} acknowledged, all kept",
        writes.len(),
        acknowledged.count()
    );
}

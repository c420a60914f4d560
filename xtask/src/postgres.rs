//! A throw-away PostgreSQL: Debian's server binaries (installed through apt when missing), a
//! cluster in a temporary folder on a free loopback port, stopped and removed however the run
//! ends. `cargo xtask postgres` starts one for a developer; the PostgreSQL test suites will start
//! one per `cargo xtask test` run. No Docker and no downloads.
//!
//! Clean-up, because pg_ctl detaches the server from the terminal (it starts it in its own
//! session), so nothing stops it when xtask ends: [`Postgres`]'s `Drop` stops it and removes
//! its folder (also on a panic, which unwinds); Ctrl-C and SIGTERM are caught and do the same
//! for every cluster still running, then end xtask; and a cluster left by an xtask that was
//! killed outright (SIGKILL, a crash) is stopped and removed by the next [`Postgres::start`],
//! which recognises it by its folder's name: it carries the pid of an xtask that is gone.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, Once, PoisonError};
use std::time::Instant;

use crate::install::postgres_bin;
use crate::proc::{describe, output_of};
use crate::{Result, step};

/// Every cluster's folder is `$TMPDIR/hallpass-pg-<xtask pid>-<n>`.
const PREFIX: &str = "hallpass-pg-";

/// The clusters this process started and has not removed yet: (binaries, folder), for the
/// Ctrl-C handler, which can't reach the guards.
static RUNNING: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

/// Where the PostgreSQL test suites will find the run's cluster: the URL of its maintenance
/// database, from which each suite creates databases of its own.
pub const TEST_URL_VAR: &str = "HALLPASS_TEST_POSTGRES";

/// Where the tests that need PostgreSQL's own programs find them (the folder with `initdb`,
/// `pg_ctl` and `psql`): the fault test stops and starts a cluster of its own with them, and
/// the suites without a PostgreSQL client of their own create databases with `psql`.
pub const TEST_BIN_VAR: &str = "HALLPASS_TEST_POSTGRES_BIN";

/// A running PostgreSQL cluster, trusted local access for the `postgres` superuser; stopped
/// and its folder removed on drop.
///
/// For the test runner: start one before the suites that need it, [`Postgres::hand_to`] each
/// suite's command, and keep the guard in a local until the last of them ends.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Postgres {
    /// Installs the binaries if needed, then initialises and starts a fresh cluster.
    pub fn start() -> Result<Self> {
        let bin = postgres_bin()?;
        remove_orphans(&bin);
        catch_interrupts();
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("{PREFIX}{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        running().push((bin.clone(), dir.clone()));
        // From here on, dropping `pg` removes the folder.
        let mut pg = Self { bin, dir, port: 0 };
        if is_root() {
            // initdb refuses to run as root, and the server must own its files.
            quiet(Command::new("chown").arg("postgres:").arg(&pg.dir))?;
        }
        // The C locale sorts and folds case byte by byte (ASCII only), as SQLite does.
        quiet(
            pg.as_server_user("initdb")
                .arg("-D")
                .arg(pg.data())
                .args(["-U", "postgres", "-A", "trust", "-N", "-E", "UTF8"])
                .args(["--locale", "C"]),
        )?;
        // A free port can be taken between asking for it and the server binding it.
        let mut last_error = String::new();
        for _ in 0..3 {
            pg.port = free_port()?;
            match pg.start_again() {
                Ok(()) => return Ok(pg),
                Err(err) => last_error = err,
            }
        }
        Err(last_error)
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`: the maintenance database, from which
    /// other databases are created.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Gives `cmd` (a `cargo test` of suites that need PostgreSQL) this cluster's URL in
    /// [`TEST_URL_VAR`] and the folder of PostgreSQL's programs in [`TEST_BIN_VAR`].
    pub fn hand_to<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env(TEST_URL_VAR, self.url())
            .env(TEST_BIN_VAR, &self.bin)
    }

    /// Creates an empty database `name` (lower-case letters, digits and `_`) and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(format!("`{name}` is not a plain database name"));
        }
        quiet(
            Command::new(self.bin.join("createdb"))
                .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
                .arg(self.port.to_string())
                .arg(name),
        )?;
        Ok(self.url_of(name))
    }

    /// Stops the server as an administrator would (`-m fast`: open connections are ended, with
    /// SQLSTATE 57P01), keeping its data and port for [`Postgres::start_again`].
    pub fn stop(&self) -> Result {
        self.pg_ctl_stop("fast")
    }

    /// Stops the server as a crash would (`-m immediate`: no shutdown checkpoint; the next
    /// start recovers from the write-ahead log).
    pub fn stop_immediately(&self) -> Result {
        self.pg_ctl_stop("immediate")
    }

    /// Starts the server (again) on the same data and port; returns once it takes connections.
    pub fn start_again(&self) -> Result {
        self.pg_ctl()
            .args(["-w", "-t", "60", "-l"])
            .arg(self.log())
            .args(["-o", &self.server_options(), "start"])
            .output()
            .map_err(|err| format!("could not start pg_ctl: {err}"))
            .and_then(|out| self.check(out, "starting PostgreSQL"))
    }

    /// What `postgres` is started with: loopback only, its socket in the cluster's folder (not
    /// the system's /run/postgresql), and no fsync: the data is thrown away anyway.
    fn server_options(&self) -> String {
        format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        )
    }

    /// Whether the server is up (`pg_ctl status`).
    pub fn is_running(&self) -> bool {
        self.pg_ctl()
            .arg("status")
            .output()
            .is_ok_and(|out| out.status.success())
    }

    /// The server's version line, such as `postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)`.
    pub fn version(&self) -> String {
        output_of(self.bin.join("postgres"), &["--version"]).unwrap_or_default()
    }

    fn pg_ctl_stop(&self, mode: &str) -> Result {
        self.pg_ctl()
            .args(["-w", "-m", mode, "stop"])
            .output()
            .map_err(|err| format!("could not start pg_ctl: {err}"))
            .and_then(|out| self.check(out, "stopping PostgreSQL"))
    }

    fn check(&self, out: Output, what: &str) -> Result {
        if out.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        Err(format!(
            "{what} failed ({}): {}\nthe server's log ends with:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = self.as_server_user("pg_ctl");
        cmd.arg("-D").arg(self.data());
        cmd
    }

    fn as_server_user(&self, program: &str) -> Command {
        as_server_user(&self.bin.join(program))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        running().retain(|(_, dir)| *dir != self.dir);
        remove(&self.bin, &self.dir);
    }
}

/// Stops the cluster in `dir`, if it runs, and removes the folder.
fn remove(bin: &Path, dir: &Path) {
    let _ = as_server_user(&bin.join("pg_ctl"))
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-w", "-m", "immediate", "stop"])
        .output();
    let _ = std::fs::remove_dir_all(dir);
}

/// Removes the clusters of xtask processes that no longer exist (killed before they could).
fn remove_orphans(bin: &Path) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            step(&format!(
                "Removing a PostgreSQL left running by an xtask that was killed: {}",
                entry.path().display()
            ));
            remove(bin, &entry.path());
        }
    }
}

/// On Ctrl-C or SIGTERM, stops and removes every cluster this process runs, then exits.
fn catch_interrupts() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            for (bin, dir) in std::mem::take(&mut *running()) {
                remove(&bin, &dir);
            }
            eprintln!("\nxtask: interrupted; the throw-away PostgreSQL is stopped and removed");
            std::process::exit(130);
        });
        if let Err(err) = installed {
            eprintln!(
                "xtask: can't catch Ctrl-C ({err}); an interrupted run leaves its PostgreSQL \
                 until the next start removes it"
            );
        }
    });
}

fn running() -> std::sync::MutexGuard<'static, Vec<(PathBuf, PathBuf)>> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

fn is_root() -> bool {
    output_of("id", &["-u"]).as_deref() == Some("0")
}

/// `program` run as the `postgres` user when xtask runs as root (CI does; initdb and pg_ctl
/// refuse root), and as the current user otherwise.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| format!("no free loopback port: {err}"))
}

/// Runs `cmd` with its output captured (initdb and createdb are chatty); fails with its stderr.
fn quiet(cmd: &mut Command) -> Result {
    let out = cmd
        .output()
        .map_err(|err| format!("could not start `{}`: {err}", describe(cmd)))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{}` failed ({}): {}",
            describe(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `cargo xtask postgres [check]`.
pub fn run_postgres(args: &[String]) -> Result {
    match args {
        [] => serve(),
        [check] if check == "check" => self_check(),
        _ => Err("usage: cargo xtask postgres [check]".to_owned()),
    }
}

/// Starts a cluster with a `hallpass` database and keeps it until Ctrl-C, stopped or not: a
/// developer may stop and start it by hand to see the server through an outage.
fn serve() -> Result {
    step("Starting a throw-away PostgreSQL");
    let started = Instant::now();
    let pg = Postgres::start()?;
    let url = pg.create_database("hallpass")?;
    let pg_ctl = describe(&pg.pg_ctl());
    println!(
        "{} is running (started in {:.1} s), its data in {}\n\n  {url}\n\n\
         Point the server at it:\n\n  cargo run -p hallpass-server -- --database {url}\n\n\
         Or run the PostgreSQL tests on it:\n\n  {TEST_URL_VAR}={} {TEST_BIN_VAR}={} \
         cargo test -p hallpass-server\n\n\
         To see the server through an outage, stop it and start it again:\n\n  \
         {pg_ctl} -w -m fast stop\n  {pg_ctl} -w -l {} -o \"{}\" start\n\n\
         Ctrl-C stops it and removes its data.",
        pg.version(),
        started.elapsed().as_secs_f64(),
        pg.dir.display(),
        pg.url(),
        pg.bin.display(),
        pg.log().display(),
        pg.server_options(),
    );
    loop {
        std::thread::park();
    }
}

/// Goes through everything the tests will rely on, timing it: start, a database, a row written,
/// stop (the server refuses connections), start again (the row is still there), and the clean-up.
fn self_check() -> Result {
    step("Checking the throw-away PostgreSQL: start, stop, start again, clean-up");
    let started = Instant::now();
    let pg = Postgres::start()?;
    let start_time = started.elapsed();
    let url = pg.create_database("xtask_check")?;
    let psql = |sql: &str| output_of(pg.bin.join("psql"), &["-X", "-At", &url, "-c", sql]);
    let listed = output_of(
        pg.bin.join("psql"),
        &[
            "-X",
            "-At",
            &pg.url(),
            "-c",
            "SELECT datname FROM pg_database",
        ],
    );
    if !listed.is_some_and(|names| names.lines().any(|name| name == "xtask_check")) {
        return Err("the maintenance database does not list the database just made".to_owned());
    }
    psql("CREATE TABLE t (n int); INSERT INTO t VALUES (42)").ok_or("could not write a row")?;
    let stopping = Instant::now();
    pg.stop()?;
    let stop_time = stopping.elapsed();
    if psql("SELECT 1").is_some() || pg.is_running() {
        return Err("the server still answers after stop()".to_owned());
    }
    let restarting = Instant::now();
    pg.start_again()?;
    let restart_time = restarting.elapsed();
    if psql("SELECT n FROM t").as_deref() != Some("42") {
        return Err("the row written before stop() is gone after start_again()".to_owned());
    }
    pg.stop_immediately()?;
    pg.start_again()?;
    if psql("SELECT n FROM t").as_deref() != Some("42") {
        return Err("the row is gone after a crash and recovery".to_owned());
    }
    let dir = pg.dir.clone();
    let port = pg.port;
    drop(pg);
    if dir.exists() || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        return Err(format!(
            "after drop, {} or the server on port {port} is still there",
            dir.display()
        ));
    }
    println!(
        "ok: started in {:.2} s (initdb and start), stopped in {:.2} s, started again in {:.2} s; \
         the row survived stop and crash; stopped and removed on drop",
        start_time.as_secs_f64(),
        stop_time.as_secs_f64(),
        restart_time.as_secs_f64()
    );
    Ok(())
}

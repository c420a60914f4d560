//! `cargo xtask push`: what issue 14's live events cost and how fast they are.
//!
//! A report, not a test: the figures depend on the machine, and `cargo xtask test` doesn't run
//! it. Three figures, each on the deployment build of the server (`--profile server`, `--demo`,
//! a fresh database):
//!
//! 1. From the answer to "sign this device out" on one browser to the other browser showing
//!    "You're signed out": median and worst of 20 runs, on one instance (SQLite) and on two
//!    instances of one PostgreSQL database (the sign-out through one, the stream from the
//!    other, so it crosses `LISTEN`/`NOTIFY`). Headless Chromium, `xtask/bench/push.mjs`.
//! 2. The server's resident memory per idle `GET /api/events` stream, with 10,000 of them open
//!    (plain HTTP/1.1 sockets of this process, one session: what an idle stream costs is the
//!    connection and the stream, not the session).
//! 3. The first-load bytes of /signin and /account, from `cargo xtask size`.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::build::dist_dir;
use crate::demo::{DemoServer, deployment_server};
use crate::install::{CHROMIUM, render_tools, tools_dir};
use crate::postgres::Postgres;
use crate::proc::run_tee;
use crate::{Result, root, step};

/// Sign-outs timed per setup (after one warm-up run).
const RUNS: usize = 20;
/// Idle streams held at once.
const STREAMS: usize = 10_000;
/// The entry pages whose first load the report prints.
const PAGES: [&str; 2] = ["/signin", "/account"];
/// Nothing on loopback takes this long; past it, the server is not answering.
const PATIENCE: Duration = Duration::from_secs(5);

/// `cargo xtask push [size|streams|latency]`: every figure, or only the one named.
pub fn run_push(args: &[String]) -> Result {
    let only = match args {
        [] => None,
        [part] if ["size", "streams", "latency"].contains(&part.as_str()) => Some(part.as_str()),
        _ => return Err("usage: cargo xtask push [size|streams|latency]".to_owned()),
    };
    let wanted = |part: &str| only.is_none_or(|only| only == part);
    let mut lines = Vec::new();
    if wanted("size") || wanted("latency") {
        render_tools()?;
        // `cargo xtask size` builds dist/ (which the browsers need too) and prints every
        // file; the entry pages' rows are read back from what it printed.
        step("First-load bytes: cargo xtask size");
        let exe = std::env::current_exe().map_err(|err| format!("xtask's own path: {err}"))?;
        let (ok, printed) = run_tee(Command::new(exe).current_dir(root()).arg("size"))?;
        if !ok {
            return Err("`cargo xtask size` failed".to_owned());
        }
        let loads = PAGES
            .iter()
            .map(|page| {
                first_load(&printed, page).map(|bytes| format!("{page} {}", thousands(bytes)))
            })
            .collect::<Result<Vec<_>>>()?;
        lines.push(format!(
            "first load (brotli, bytes; before issue 14: /signin 156,761, /account 190,389): {}",
            loads.join(", ")
        ));
    }
    if only == Some("size") {
        println!("\n{}", lines.join("\n"));
        return Ok(());
    }
    let binary = deployment_server()?;
    if wanted("streams") {
        lines.insert(0, idle_streams(&binary)?);
    }
    if wanted("latency") {
        lines.insert(0, latencies(&binary)?);
    }
    println!("\n{}", lines.join("\n\n"));
    Ok(())
}

/// Sign-out latency on one SQLite instance, then on two instances of one PostgreSQL
/// database; the table of both.
fn latencies(binary: &Path) -> Result<String> {
    step(&format!(
        "Sign-out to \"You're signed out\", one instance (SQLite): {RUNS} runs"
    ));
    let dist = dist_dir();
    let one = DemoServer::start(binary, "push", None, Some(&dist))?;
    let sqlite = latency("SQLite, 1 instance", &one.url, &one.url)?;
    drop(one);

    step("Starting a throw-away PostgreSQL and two instances on one database");
    let postgres = Postgres::start()?;
    let database = postgres.create_database("push")?;
    // One after the other: each seeds what is missing.
    let a = DemoServer::start_app_on(binary, &database, &dist)?;
    let b = DemoServer::start_app_on(binary, &database, &dist)?;
    step(&format!(
        "Sign-out through instance A to \"You're signed out\" streamed from instance B: {RUNS} runs"
    ));
    let two = latency("PostgreSQL, 2 instances", &a.url, &b.url)?;
    drop((a, b, postgres));

    let mut table = "| sign-out answered → \"You're signed out\" painted | median | worst | \
                     of which to `session_ended` in B: median / worst | runs |\n\
                     |---|---|---|---|---|"
        .to_owned();
    for (what, figures) in [sqlite, two] {
        table.push_str(&format!("\n| {what} | {figures} |"));
    }
    Ok(table)
}

/// The "1st load" column of `page`'s row in what `cargo xtask size` printed.
fn first_load(printed: &str, page: &str) -> Result<u64> {
    printed
        .lines()
        .map(str::split_whitespace)
        .find_map(|mut words| {
            (words.next() == Some(page)).then(|| {
                let words: Vec<&str> = words.collect();
                // page [*] modules apart bundle 1st-load verdict
                words
                    .len()
                    .checked_sub(2)
                    .and_then(|i| words[i].parse().ok())
            })?
        })
        .ok_or_else(|| format!("`cargo xtask size` printed no first load for {page}"))
}

/// Runs `push.mjs` with B's page on `b` and A's sign-out through `a`; "median | worst | runs".
fn latency(label: &str, a: &str, b: &str) -> Result<(String, String)> {
    let (ok, printed) = run_tee(
        Command::new("node")
            .arg(root().join("xtask").join("bench").join("push.mjs"))
            .args(["--a", a, "--b", b, "--label", label])
            .arg("--tools")
            .arg(tools_dir())
            .args(["--chromium", CHROMIUM])
            .args(["--runs", &RUNS.to_string()]),
    )?;
    let result = printed
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok());
    let (true, Some(result)) = (ok, result) else {
        return Err(format!("push.mjs failed for {label}"));
    };
    let ms = |key: &str| format!("{:.0} ms", result[key].as_f64().unwrap_or(f64::NAN));
    Ok((
        label.to_owned(),
        format!(
            "{} | {} | {} / {} | {}",
            ms("median"),
            ms("worst"),
            ms("median_event"),
            ms("worst_event"),
            result["runs"]
        ),
    ))
}

/// Opens [`STREAMS`] idle streams on a fresh SQLite server and measures its resident memory
/// before and after; closes them and checks the count falls back to 0. Returns the lines.
fn idle_streams(binary: &Path) -> Result<String> {
    let limit = rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|err| format!("can't raise xtask's open-file limit: {err}"))?;
    step(&format!(
        "{STREAMS} idle GET /api/events streams on one server (SQLite); xtask's open-file \
         limit raised to its hard limit, {limit}"
    ));
    if limit < STREAMS as u64 + 100 {
        println!(
            "xtask can hold at most about {} sockets: raise the hard limit (`ulimit -Hn`) for \
             all {STREAMS}",
            limit.saturating_sub(100)
        );
    }
    let server = DemoServer::start(binary, "push-streams", None, None)?;
    let addr: SocketAddr = server
        .addr
        .parse()
        .map_err(|err| format!("the server's address {}: {err}", server.addr))?;
    let files = max_open_files(server.pid());
    let cookie = crate::load::sign_in(&addr.to_string())?;
    let mut counter = Counter { addr, conn: None };
    // Its connection is made before the streams, and its count starts from nothing.
    let initial = counter.open();
    if initial != Some(0) {
        return Err(format!(
            "GET /api/dev/streams says {initial:?} before any stream is open (is the server \
             built from a branch with issue 14's events?)"
        ));
    }
    let before = rss_kib(server.pid())?;

    let request = format!(
        "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    let started = Instant::now();
    let mut streams = Vec::with_capacity(STREAMS);
    let mut failed_connects = 0;
    while streams.len() < STREAMS && failed_connects < 3 {
        // A server at its connection cap stops accepting: connections wait in the backlog,
        // and once that is full, connecting times out.
        match TcpStream::connect_timeout(&addr, PATIENCE) {
            Ok(mut stream) => {
                stream
                    .write_all(request.as_bytes())
                    .map_err(|err| format!("sending GET /api/events: {err}"))?;
                streams.push(stream);
            }
            Err(_) => failed_connects += 1,
        }
        if streams.len().is_multiple_of(1000) {
            // Keeps the counter's connection from idling out while the streams open.
            let _ = counter.open();
        }
    }
    let opened = wait_for(
        &mut counter,
        |n| n >= STREAMS as u64,
        Duration::from_secs(60),
    );
    let opening = started.elapsed();
    let after = rss_kib(server.pid())?;
    let answers = classify(&streams);
    let held = answers.ok;

    let per_stream = (after.saturating_sub(before)) as f64 / held.max(1) as f64;
    let mut report = format!(
        "idle streams: {held} of {STREAMS} open (GET /api/dev/streams: {}) after {:.1} s; \
         server resident memory {} MiB before, {} MiB with them: {per_stream:.1} KiB per stream",
        opened.map_or("no answer".to_owned(), |n| n.to_string()),
        opening.as_secs_f64(),
        before / 1024,
        after / 1024,
    );
    if held < STREAMS {
        let otherwise = if answers.other.is_empty() {
            String::new()
        } else {
            format!(
                ", {} answered otherwise: {}",
                answers.other.len(),
                answers.other.join(", ")
            )
        };
        report.push_str(&format!(
            "\n  the server's connection cap: {held} streams got their answer and this tool's \
             counting connection is one more; {} waited unanswered{otherwise}{}. Its open-file \
             limit: {files}; the cap defaults to what that limit allows (`--max-connections N` \
             sets it within it), and `ulimit -Hn` (or systemd's `LimitNOFILE=`) raises the \
             limit itself",
            answers.waiting,
            if failed_connects > 0 {
                format!(", {failed_connects} could not connect")
            } else {
                String::new()
            },
        ));
    }
    drop(streams);
    let closed = Instant::now();
    let remaining = wait_for(&mut counter, |n| n == 0, Duration::from_secs(60));
    report.push_str(&format!(
        "\n  closed them all: GET /api/dev/streams says {} after {:.1} s; resident memory then {} MiB",
        remaining.map_or("no answer".to_owned(), |n| n.to_string()),
        closed.elapsed().as_secs_f64(),
        rss_kib(server.pid())? / 1024,
    ));
    println!("{report}");
    drop(server);
    Ok(report)
}

/// What the streams' sockets have received: a `200` head, another answer, or nothing yet.
struct Answers {
    ok: usize,
    other: Vec<String>,
    waiting: usize,
}

fn classify(streams: &[TcpStream]) -> Answers {
    let mut answers = Answers {
        ok: 0,
        other: Vec::new(),
        waiting: 0,
    };
    for mut stream in streams {
        let mut head = [0u8; 16];
        let _ = stream.set_nonblocking(true);
        match stream.read(&mut head) {
            Ok(n) if head[..n].starts_with(b"HTTP/1.1 200") => answers.ok += 1,
            Ok(0) => answers.other.push("closed".to_owned()),
            Ok(n) => answers
                .other
                .push(String::from_utf8_lossy(&head[..n]).trim().to_owned()),
            Err(err) if err.kind() == ErrorKind::WouldBlock => answers.waiting += 1,
            Err(err) => answers.other.push(err.to_string()),
        }
    }
    answers.other.dedup();
    answers
}

/// Asks `GET /api/dev/streams` until `done` holds for its count or `within` has passed;
/// returns the last count it got.
fn wait_for(counter: &mut Counter, done: impl Fn(u64) -> bool, within: Duration) -> Option<u64> {
    let started = Instant::now();
    let mut last = None;
    let mut steady_since = Instant::now();
    loop {
        let now = counter.open();
        if now != last {
            steady_since = Instant::now();
        }
        last = now;
        // A count that has not moved for 10 s will not reach the goal (the cap, or lost streams).
        if last.is_some_and(&done)
            || started.elapsed() > within
            || steady_since.elapsed() > Duration::from_secs(10)
        {
            return last;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `GET /api/dev/streams` over one kept-alive connection, made before the streams so that it
/// is not left waiting behind them when the server is at its connection cap.
struct Counter {
    addr: SocketAddr,
    conn: Option<TcpStream>,
}

impl Counter {
    /// The server's count of open streams; `None` if it doesn't answer.
    fn open(&mut self) -> Option<u64> {
        for _ in 0..2 {
            if self.conn.is_none() {
                let conn = TcpStream::connect_timeout(&self.addr, PATIENCE).ok()?;
                conn.set_read_timeout(Some(PATIENCE)).ok()?;
                self.conn = Some(conn);
            }
            match self.conn.as_mut().and_then(|conn| ask(conn, self.addr)) {
                Some(body) => {
                    let json: serde_json::Value = serde_json::from_str(&body).ok()?;
                    return json["open"].as_u64();
                }
                // The server closed the kept-alive connection: once more on a new one.
                None => self.conn = None,
            }
        }
        None
    }
}

/// One `GET /api/dev/streams` on `conn`; its body if the answer was 200.
fn ask(conn: &mut TcpStream, addr: SocketAddr) -> Option<String> {
    let request = format!("GET /api/dev/streams HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    conn.write_all(request.as_bytes()).ok()?;
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = conn.read(&mut chunk).ok().filter(|n| *n > 0)?;
        received.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&received);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length: usize = head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })?;
        if body.len() >= length {
            return head
                .starts_with("HTTP/1.1 200")
                .then(|| body[..length].to_owned());
        }
    }
}

/// `VmRSS` of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|err| format!("/proc/{pid}/status: {err}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))
}

/// The soft "Max open files" of process `pid`, as `/proc/<pid>/limits` shows it.
fn max_open_files(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .ok()
        .and_then(|limits| {
            limits.lines().find_map(|line| {
                line.strip_prefix("Max open files")
                    .and_then(|rest| rest.split_whitespace().next().map(str::to_owned))
            })
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// 156761 → "156,761".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_load_of_a_page_from_the_size_report() {
        let printed = "page                    modules    apart   bundle  1st load   budget\n\
                       /signin *                    3     4200     3600     98765       ok\n\
                       /account *                   4     7200     6100    101234     OVER\n\
                       /account/email               4     7000     6000    100000     over\n";
        assert_eq!(first_load(printed, "/signin"), Ok(98_765));
        assert_eq!(first_load(printed, "/account"), Ok(101_234));
        assert!(first_load(printed, "/profiles").is_err());
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(156_761), "156,761");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}

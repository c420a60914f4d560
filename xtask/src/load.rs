//! `cargo xtask load`: latencies under a short loopback load, for SQLite, PostgreSQL with one
//! instance and PostgreSQL with two instances, side by side.
//!
//! A figure to watch, not a test: it depends on the machine. The server is built with the
//! deployment profile (`--profile server`) and seeded with `--demo` on a fresh database (an
//! SQLite file, or a database on a throw-away PostgreSQL, `postgres.rs`). Three loads, each
//! for as long as wrk's connections allow: one session asking for its devices, the demo's nine
//! and then a thousand (`--demo-devices 1000`); and a sign-in mix, every connection signing in
//! (an argon2id check and a new session) and then asking for its session with the new cookie.
//! Two instances are reached through a round-robin TCP relay in this process, one connection
//! to the next instance (wrk holds its connections open, so they split evenly): an extra
//! loopback hop a one-instance run doesn't pay. wrk and the relay run on the same machine, so
//! on two cores they take CPU from the servers: the numbers are an upper bound on the latency
//! lone servers would show.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;

use crate::demo::{DemoServer, deployment_server};
use crate::install::load_tools;
use crate::postgres::Postgres;
use crate::{Result, step};

const CONNECTIONS: &str = "16";
const THREADS: &str = "2";
const DURATION: &str = "10s";

/// The sign-in mix: per wrk thread, a sign-in, then `GET /api/session` with the cookie it set
/// (the thread's connections share it; every session stays signed in).
const SIGN_IN_MIX: &str = r#"
local body = '{"email":"demo@hallpass.test","password":"correct-horse-battery-staple"}'
local n, cookie = 0, nil
request = function()
  n = n + 1
  if n % 2 == 1 or cookie == nil then
    return wrk.format("POST", "/api/session",
      {["Content-Type"] = "application/json", ["Sec-Fetch-Site"] = "same-origin"}, body)
  end
  return wrk.format("GET", "/api/session", {["Cookie"] = cookie})
end
response = function(status, headers, body)
  local set = headers["set-cookie"] or headers["Set-Cookie"]
  if set then cookie = set:match("^([^;]+)") end
end
"#;

#[derive(Clone, Copy)]
enum Setup {
    Sqlite,
    Postgres { instances: usize },
}

impl Setup {
    fn name(self) -> String {
        match self {
            Self::Sqlite => "SQLite".to_owned(),
            Self::Postgres { instances: 1 } => "PostgreSQL, 1 instance".to_owned(),
            Self::Postgres { instances } => format!("PostgreSQL, {instances} instances"),
        }
    }
}

pub fn run_load() -> Result {
    load_tools()?;
    let binary = deployment_server()?;
    step("Starting a throw-away PostgreSQL");
    let postgres = Postgres::start()?;
    let script = std::env::temp_dir().join(format!("hallpass-load-{}.lua", std::process::id()));
    std::fs::write(&script, SIGN_IN_MIX).map_err(|err| format!("{}: {err}", script.display()))?;

    let loads = [
        ("GET /api/devices, 9 devices", None, None),
        ("GET /api/devices, 1,000 devices", Some(1000), None),
        ("sign-in mix", None, Some(script.as_path())),
    ];
    let setups = [
        Setup::Sqlite,
        Setup::Postgres { instances: 1 },
        Setup::Postgres { instances: 2 },
    ];
    let mut rows = Vec::new();
    let mut count = 0;
    for (what, devices, script) in loads {
        for setup in setups {
            count += 1;
            let database = match setup {
                Setup::Sqlite => None,
                Setup::Postgres { .. } => Some(postgres.create_database(&format!("load_{count}"))?),
            };
            let figures = measure(&binary, setup, database.as_deref(), devices, script)?;
            rows.push(format!("| {what} | {} | {figures} |", setup.name()));
        }
    }
    let _ = std::fs::remove_file(&script);
    println!(
        "\n| load | database | p50 | p99 | requests/s | failed (non-2xx, timeouts) |\n\
         |---|---|---|---|---|---|"
    );
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

/// Servers on a fresh database, one wrk run; "p50 | p99 | requests/s | failed".
fn measure(
    binary: &std::path::Path,
    setup: Setup,
    database: Option<&str>,
    demo_devices: Option<usize>,
    script: Option<&std::path::Path>,
) -> Result<String> {
    let servers = match (setup, database) {
        (Setup::Postgres { instances }, Some(url)) => (0..instances)
            .map(|_| DemoServer::start_on(binary, url, demo_devices))
            .collect::<Result<Vec<_>>>()?,
        _ => vec![DemoServer::start(binary, "load", demo_devices, None)?],
    };
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();
    let addr = match addrs.as_slice() {
        [one] => one.clone(),
        many => round_robin(many.to_vec())?,
    };

    let cookie = sign_in(&addr)?;
    let target = if script.is_some() {
        "sign-in mix"
    } else {
        "GET /api/devices"
    };
    step(&format!(
        "wrk: {target} on {}, {CONNECTIONS} connections, {THREADS} threads, {DURATION}",
        setup.name()
    ));
    let mut wrk = Command::new("wrk");
    wrk.args([
        "-t",
        THREADS,
        "-c",
        CONNECTIONS,
        "-d",
        DURATION,
        "--latency",
    ]);
    match script {
        Some(script) => wrk.arg("-s").arg(script).arg(format!("http://{addr}/")),
        None => wrk
            .args(["-H", &format!("Cookie: {cookie}")])
            .arg(format!("http://{addr}/api/devices")),
    };
    let out = wrk
        .output()
        .map_err(|err| format!("could not run wrk: {err}"))?;
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    drop(servers);

    let percentile = |p: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(p).map(|v| v.trim().to_owned()))
    };
    // A refused or timed-out request is part of the result (it is what the load did to the
    // servers), so it goes in the table rather than ending the run.
    let failed: u64 = report
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix("Non-2xx or 3xx responses:")
                .or_else(|| l.split_once("timeout ").map(|(_, n)| n))
        })
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .sum();
    match (
        percentile("50%"),
        percentile("99%"),
        percentile("Requests/sec:"),
    ) {
        (Some(p50), Some(p99), Some(rps)) => Ok(format!("{p50} | {p99} | {rps} | {failed}")),
        _ => Err("could not read wrk's latency distribution".to_owned()),
    }
}

/// A loopback address that relays each connection to the next of `backends` in turn; its
/// threads end with xtask.
fn round_robin(backends: Vec<String>) -> Result<String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|err| format!("the relay's port: {err}"))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("the relay's address: {err}"))?
        .to_string();
    std::thread::spawn(move || {
        for (n, client) in listener.incoming().enumerate() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(&backends[n % backends.len()]) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            for (mut from, mut to) in [
                (client.try_clone(), server.try_clone()),
                (server.try_clone(), client.try_clone()),
            ]
            .into_iter()
            .filter_map(|(from, to)| Some((from.ok()?, to.ok()?)))
            {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            }
        }
    });
    Ok(addr)
}

/// Signs in to the demo account over plain HTTP/1.1 (`Origin` as a browser sends it, so the
/// cross-site check passes) and returns the `name=value` cookie. Also `cargo xtask push`'s.
pub(crate) fn sign_in(addr: &str) -> Result<String> {
    let body = r#"{"email":"demo@hallpass.test","password":"correct-horse-battery-staple"}"#;
    let request = format!(
        "POST /api/session HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).map_err(|err| format!("connect {addr}: {err}"))?;
    stream
        .write_all(request.as_bytes())
        .map_err(|err| format!("send the sign-in: {err}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|err| format!("read the sign-in answer: {err}"))?;
    response
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().map(str::to_owned))?
        })
        .ok_or_else(|| format!("the sign-in set no cookie:\n{response}"))
}

//! `cargo xtask load`: the latency of `GET /api/devices` under a short loopback load.
//!
//! A figure to watch, not a test: it depends on the machine. The server is built with the
//! deployment profile (`--profile server`), seeded with `--demo` on a fresh database, and one
//! signed-in session asks for its devices as fast as wrk's connections allow: the demo's nine,
//! then a thousand (`--demo-devices 1000`). wrk runs on
//! the same machine, so on two cores it takes CPU from the server: the numbers are an upper
//! bound on the latency a lone server would show.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use crate::demo::{DemoServer, deployment_server};
use crate::install::load_tools;
use crate::{Result, step};

const CONNECTIONS: &str = "16";
const THREADS: &str = "2";
const DURATION: &str = "10s";

pub fn run_load() -> Result {
    load_tools()?;
    let binary = deployment_server()?;
    let mut lines = Vec::new();
    for (what, devices) in [("9 devices", None), ("1,000 devices", Some(1000))] {
        let figures = measure(&binary, devices)?;
        lines.push(format!("GET /api/devices ({what}): {figures}"));
    }
    println!();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// One server on a fresh database, one wrk run; "p50 …, p99 …, … requests/s".
fn measure(binary: &std::path::Path, demo_devices: Option<usize>) -> Result<String> {
    let server = DemoServer::start(binary, "load", demo_devices, None)?;
    let addr = server.addr.clone();

    let cookie = sign_in(&addr)?;
    step(&format!(
        "wrk: GET /api/devices, {CONNECTIONS} connections, {THREADS} threads, {DURATION}"
    ));
    let out = Command::new("wrk")
        .args([
            "-t",
            THREADS,
            "-c",
            CONNECTIONS,
            "-d",
            DURATION,
            "--latency",
        ])
        .args(["-H", &format!("Cookie: {cookie}")])
        .arg(format!("http://{addr}/api/devices"))
        .output()
        .map_err(|err| format!("could not run wrk: {err}"))?;
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    drop(server);

    let percentile = |p: &str| {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(p).map(|v| v.trim().to_owned()))
    };
    if let Some(line) = report.lines().find(|l| l.contains("Non-2xx")) {
        return Err(format!("some requests failed: {}", line.trim()));
    }
    match (
        percentile("50%"),
        percentile("99%"),
        percentile("Requests/sec:"),
    ) {
        (Some(p50), Some(p99), Some(rps)) => Ok(format!("p50 {p50}, p99 {p99}, {rps} requests/s")),
        _ => Err("could not read wrk's latency distribution".to_owned()),
    }
}

/// Signs in to the demo account over plain HTTP/1.1 and returns the `name=value` cookie.
fn sign_in(addr: &str) -> Result<String> {
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
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("the sign-in set no cookie:\n{response}"))
}

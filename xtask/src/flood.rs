//! `cargo xtask flood`: what a burst of password checks does to the server's memory.
//!
//! Argon2id spends 19 MiB a check on purpose, so the number of checks running at once decides
//! the server's memory. This fires bursts of 200, 200 and 400 sign-ins at once (the review's
//! bursts), each for an address with no account (still one full argon2 check each, so timing
//! says nothing about which addresses exist), from 20 loopback addresses per burst so the
//! per-address limit doesn't stop them first, and samples the server's resident memory while
//! they run. It prints the answers (401 checked, 503 refused while busy), the resident memory
//! before, the peak (`VmHWM`) and after, against the bound: one argon2 block per hashing
//! thread. A figure to read, not a test (it depends on the machine).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use crate::demo::{DemoServer, deployment_server};
use crate::{Result, step};

const BURSTS: [usize; 3] = [200, 200, 400];
const ADDRESSES_PER_BURST: usize = 20;
const ARGON2_MIB: u64 = 19;

pub fn run_flood() -> Result {
    let binary = deployment_server()?;
    let server = DemoServer::start(&binary, "flood", None, None)?;
    let pid = server.pid();
    let addr: SocketAddr = server
        .addr
        .parse()
        .map_err(|err| format!("the server's address {}: {err}", server.addr))?;
    let before = memory_kib(pid, "VmRSS:")?;
    let mut lines = Vec::new();
    for (n, size) in BURSTS.into_iter().enumerate() {
        step(&format!("Burst {}: {size} sign-ins at once", n + 1));
        let started = Instant::now();
        let (statuses, sampled_peak) = burst(addr, pid, n, size)?;
        let took = started.elapsed();
        lines.push(format!(
            "burst {} ({size} at once): {} in {:.1} s; resident memory at most {} MiB while it ran",
            n + 1,
            summarise(&statuses),
            took.as_secs_f64(),
            sampled_peak / 1024
        ));
    }
    let peak = memory_kib(pid, "VmHWM:")?;
    let after = memory_kib(pid, "VmRSS:")?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from) as u64;
    println!();
    for line in lines {
        println!("{line}");
    }
    println!(
        "resident memory: {} MiB before, {} MiB at the peak, {} MiB after",
        before / 1024,
        peak / 1024,
        after / 1024
    );
    println!(
        "bound: {threads} hashing threads × {ARGON2_MIB} MiB = {} MiB of argon2 memory above the \
         server's own (one thread per core; each reuses one block)",
        threads * ARGON2_MIB
    );
    Ok(())
}

/// Fires `size` sign-ins at once from burst `n`'s addresses; returns every status and the
/// highest resident memory sampled meanwhile.
fn burst(addr: SocketAddr, pid: u32, n: usize, size: usize) -> Result<(Vec<u16>, u64)> {
    let start = Arc::new(Barrier::new(size));
    let done = Arc::new(AtomicBool::new(false));
    let highest = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, highest) = (Arc::clone(&done), Arc::clone(&highest));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Ok(kib) = memory_kib(pid, "VmRSS:") {
                    highest.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let clients: Vec<_> = (0..size)
        .map(|i| {
            let start = Arc::clone(&start);
            // 127.0.(n+1).(1..=20): each burst from addresses the earlier ones didn't use.
            let from = Ipv4Addr::new(127, 0, n as u8 + 1, (i % ADDRESSES_PER_BURST) as u8 + 1);
            let email = format!("stranger-{n}-{i}@example.test");
            std::thread::spawn(move || sign_in(addr, from, &email, &start))
        })
        .collect();
    let mut statuses = Vec::with_capacity(size);
    for client in clients {
        statuses.push(client.join().map_err(|_| "a client thread panicked")??);
    }
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    Ok((statuses, highest.load(Ordering::Relaxed)))
}

/// One sign-in over HTTP/1.1 from the loopback address `from`; the answer's status.
fn sign_in(to: SocketAddr, from: Ipv4Addr, email: &str, start: &Barrier) -> Result<u16> {
    let body = format!(r#"{{"email":"{email}","password":"not-the-password"}}"#);
    let request = format!(
        "POST /api/session HTTP/1.1\r\nHost: {to}\r\nOrigin: http://{to}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let socket =
        Socket::new(Domain::IPV4, Type::STREAM, None).map_err(|err| format!("a socket: {err}"))?;
    socket
        .bind(&SocketAddr::V4(SocketAddrV4::new(from, 0)).into())
        .map_err(|err| format!("bind {from}: {err}"))?;
    start.wait();
    socket
        .connect(&to.into())
        .map_err(|err| format!("connect {to} from {from}: {err}"))?;
    let mut stream = std::net::TcpStream::from(socket);
    stream
        .write_all(request.as_bytes())
        .map_err(|err| format!("send: {err}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|err| format!("read: {err}"))?;
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {response:.80}"))
}

/// "180 × 401, 20 × 503".
fn summarise(statuses: &[u16]) -> String {
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for status in statuses {
        match counts.iter_mut().find(|(s, _)| s == status) {
            Some((_, n)) => *n += 1,
            None => counts.push((*status, 1)),
        }
    }
    counts.sort_unstable();
    counts
        .iter()
        .map(|(status, n)| format!("{n} × {status}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `kB` line of `/proc/PID/status` (`VmRSS:` now, `VmHWM:` the peak so far).
fn memory_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|err| format!("/proc/{pid}/status: {err}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

//! `cargo xtask` — everything `cargo` alone can't do (see README.md):
//!
//! - `run`:  install what is missing, build the app, serve it with demo data.
//! - `test`: install what the tests need, then every check CI runs.
//! - `size`: build the release app and print its first-load transfer size.
//! - `dist`: build the release app into `dist/` only.
//! - `split`: Trunk's post_build hook that splits the app into one part per page.
//! - `load`: p50/p99 latency under a short loopback load (wrk), on SQLite and PostgreSQL.
//! - `flood`: the server's memory under bursts of 200–400 concurrent password checks.
//! - `render`: how long the devices page takes to show 1,000 devices in headless Chromium.
//! - `screens`: a screenshot of every page and dialog, and a contact sheet of them all.
//! - `lighthouse`: Lighthouse's scores for the sign-in and devices pages.
//! - `push`: sign-out to "You're signed out" latency, memory per idle event stream.
//! - `postgres`: a throw-away PostgreSQL for a developer, until Ctrl-C.

mod build;
mod demo;
mod flood;
mod fuzz;
mod install;
mod lighthouse;
mod load;
mod postgres;
mod proc;
mod push;
mod render;
mod screens;
mod size;
mod split;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  run                 build everything and serve the app on http://127.0.0.1:8080
  test [SUITE...]     every check CI runs (or only the named suites:
                      fmt clippy native api-fuzz wasm-chromium
                      wasm-firefox e2e)
  size                build the release app and print raw, gzip and brotli sizes
  dist                build the release app into dist/
  load                p50/p99 under 10 s loopback loads (wrk): SQLite, PostgreSQL x1, x2
  flood               the server's peak memory under bursts of 200, 200 and 400
                      concurrent sign-ins (each an argon2 check)
  render              time to show 1,000 devices on Manage access and devices
                      (headless Chromium, median of 7 runs)
  screens             screenshots of every page and dialog at 1280 and 360 px,
                      light and dark, with a contact sheet (target/screens/)
  lighthouse [--runs N]
                      Lighthouse (mobile) on /signin and /security/devices:
                      scores, CLS, LCP, TBT and failing audits (target/lighthouse/);
                      with --runs, the median of N runs
  push [size|streams|latency]
                      how fast a signed-out browser learns it (median and worst of
                      20 sign-outs, SQLite and two PostgreSQL instances), the
                      server's memory per idle event stream at 10,000 streams,
                      and the first-load bytes of /signin and /account
  postgres [check]    a throw-away PostgreSQL (Debian's, in a temporary folder)
                      until Ctrl-C; `check` times start, stop, start again and
                      clean-up instead
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => build::run(),
        Some("test") => test::run(&args[1..]),
        Some("size") => size::run(),
        Some("dist") => build::dist().map(|_| ()),
        Some("split") => split::run(),
        Some("load") => load::run_load(),
        Some("render") => render::run_render(),
        Some("flood") => flood::run_flood(),
        Some("screens") => screens::run_screens(),
        Some("lighthouse") => lighthouse::run_lighthouse(&args[1..]),
        Some("push") => push::run_push(&args[1..]),
        Some("postgres") => postgres::run_postgres(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: {err}");
            ExitCode::FAILURE
        }
    }
}

/// What every xtask step returns: a message for people on failure.
pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives one folder below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Prints a step header, so long steps say what is happening.
pub fn step(message: &str) {
    println!("\n==> {message}");
}

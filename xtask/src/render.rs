//! `cargo xtask render`: how long "Manage access and devices" takes to show the first page
//! of a thousand devices in headless Chromium, to search them and to show more, and how much
//! its layout shifts on a full load (CLS); and beside each run the same run of a hand-written
//! DOM build of the same markup and data (`xtask/bench/vanilla-devices.js`), so the report
//! prints Hallpass ÷ vanilla: what the framework costs over plain DOM calls.
//!
//! A figure to watch, not a test: it depends on the machine, and nothing in `cargo xtask test`
//! runs it. The release app (`dist/`) is served by the deployment build of the server, seeded
//! with `--demo --demo-devices 1000` on a fresh database; `xtask/bench/render.mjs` drives
//! Debian's Chromium with playwright-core and prints the medians (see that script for what
//! each figure starts and ends at).

use std::process::Command;

use crate::demo::{DemoServer, deployment_server};
use crate::install::{CHROMIUM, render_tools, tools_dir};
use crate::proc::run;
use crate::{Result, root, step};

/// Devices on the demo account; the browser's own sign-in is one more.
const DEVICES: usize = 1000;
/// Measured runs at 1280 px (after one warm-up run) and at 360 px.
const RUNS: usize = 11;
const NARROW_RUNS: usize = 5;
/// Runs (of each page) that click "Show more" until all the devices are shown.
const ALL_RUNS: usize = 5;
/// Traced runs (of each page, at 1280 px) for where the time goes and the main thread's CPU
/// time: steadier than wall time when other work shares the machine.
const TRACED_RUNS: usize = 5;
/// Rows the page draws before "Show more" (`PAGE` in `src/pages/devices.rs`).
const FIRST_PAGE: usize = 50;

pub fn run_render() -> Result {
    render_tools()?;
    let dist = crate::build::dist()?;
    let binary = deployment_server()?;
    step(&format!(
        "Serving dist/ with --demo --demo-devices {DEVICES} on a fresh database"
    ));
    let server = DemoServer::start(&binary, "render", Some(DEVICES), Some(&dist))?;
    step(&format!(
        "Headless Chromium, the app and the vanilla page in turn: {RUNS} runs at 1280 px, \
         {NARROW_RUNS} at 360 px, {ALL_RUNS} showing every row, {TRACED_RUNS} traced"
    ));
    let result = run(Command::new("node")
        .arg(root().join("xtask").join("bench").join("render.mjs"))
        .args(["--url", &format!("http://{}", server.addr)])
        .arg("--tools")
        .arg(tools_dir())
        .args(["--chromium", CHROMIUM])
        .args(["--runs", &RUNS.to_string()])
        .args(["--narrow-runs", &NARROW_RUNS.to_string()])
        .args(["--all-runs", &ALL_RUNS.to_string()])
        .args(["--traced-runs", &TRACED_RUNS.to_string()])
        .args(["--demo-devices", &DEVICES.to_string()])
        .args(["--first-page", &FIRST_PAGE.to_string()]));
    drop(server);
    result
}

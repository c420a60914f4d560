//! `cargo xtask lighthouse`: Lighthouse's mobile audit (its default preset: a mid-range phone
//! on a slow 4G link, simulated) of the sign-in page signed out and of "Manage access and
//! devices" signed in.
//!
//! A report, not a test: the performance figures depend on the machine. The release app is
//! served over HTTPS (`--tls-self-signed`: the `__Host-` session cookie is `Secure`) by
//! `hallpass-server --demo` on a fresh database. For the signed-in page, `report/session.mjs`
//! signs in over the API and chooses a profile, and Lighthouse sends that cookie with every
//! request (`--extra-headers`): Lighthouse clears the site's storage before it loads a page,
//! so a cookie set in its browser would not survive. Nothing is fetched from the network:
//! Chromium runs with the background-networking flags of CONVENTIONS.md and Lighthouse's
//! error reporting is off. The JSON reports are kept in `target/lighthouse/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::build::target_dir;
use crate::demo::DemoServer;
use crate::install::{CHROMIUM, lighthouse_tools, tools_dir};
use crate::proc::{describe, run};
use crate::{Result, root, step};

/// The pages audited: (report name, path, signed in).
const PAGES: &[(&str, &str, bool)] = &[
    ("signin", "/signin", false),
    ("devices", "/security/devices", true),
];
/// The categories the issue sets targets for, in the order they are printed.
const CATEGORIES: &[(&str, &str)] = &[
    ("accessibility", "accessibility"),
    ("best-practices", "best practices"),
    ("performance", "performance"),
];
/// Chromium's flags: CONVENTIONS.md's headless set, and the self-signed certificate accepted.
const CHROME_FLAGS: &str = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
     --disable-background-networking --disable-component-update --disable-sync --no-first-run \
     --ignore-certificate-errors";

/// Where the JSON reports go, beside the screenshots.
pub fn reports_dir() -> PathBuf {
    target_dir().join("lighthouse")
}

pub fn run_lighthouse() -> Result {
    lighthouse_tools()?;
    let dist = crate::build::dist()?;
    let binary = crate::build::server()?;
    let out = reports_dir();
    std::fs::create_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    step("Serving dist/ with --demo over HTTPS on a fresh database");
    let server = DemoServer::start_https(&binary, "lighthouse", &dist)?;
    let mut lines = Vec::new();
    for &(name, path, signed_in) in PAGES {
        let cookie = if signed_in {
            Some(session_cookie(&server.url)?)
        } else {
            None
        };
        let who = if signed_in { "signed in" } else { "signed out" };
        step(&format!("Lighthouse (mobile): {path}, {who}"));
        let report = out.join(format!("{name}.json"));
        let url = format!("{}{path}", server.url);
        audit(&url, cookie.as_deref(), &report)?;
        lines.push(summary(&format!("{path} ({who})"), &report)?);
    }
    drop(server);
    println!();
    for line in lines {
        println!("{line}");
    }
    println!("\nJSON reports in {}", out.display());
    Ok(())
}

/// Signs in over the API (see `report/session.mjs`); the cookie as `name=value`.
fn session_cookie(url: &str) -> Result<String> {
    let mut cmd = Command::new("node");
    cmd.arg(root().join("xtask").join("report").join("session.mjs"))
        .arg(url);
    let out = cmd
        .output()
        .map_err(|err| format!("could not start `{}`: {err}", describe(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "signing in for Lighthouse failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs Lighthouse's command line on `url`, writing its JSON report to `report`.
fn audit(url: &str, cookie: Option<&str>, report: &Path) -> Result {
    let cli = tools_dir()
        .join("node_modules")
        .join("lighthouse")
        .join("cli")
        .join("index.js");
    let mut cmd = Command::new("node");
    cmd.arg(cli)
        .arg(url)
        .env("CHROME_PATH", CHROMIUM)
        .args([
            "--quiet",
            "--no-enable-error-reporting",
            "--output=json",
            "--only-categories=accessibility,best-practices,performance",
        ])
        .arg(format!("--chrome-flags={CHROME_FLAGS}"))
        .arg(format!("--output-path={}", report.display()));
    if let Some(cookie) = cookie {
        let headers = serde_json::json!({ "Cookie": cookie });
        cmd.arg(format!("--extra-headers={headers}"));
    }
    run(&mut cmd)
}

/// "/signin (signed out): accessibility 100, best practices 96, performance 88; CLS 0.118,
/// LCP 2.9 s, TBT 40 ms", then each category's failing audits.
fn summary(what: &str, report: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(report).map_err(|err| format!("{}: {err}", report.display()))?;
    let lhr: Value =
        serde_json::from_str(&text).map_err(|err| format!("{}: {err}", report.display()))?;
    if let Some(error) = lhr["runtimeError"]["message"].as_str() {
        return Err(format!("Lighthouse could not audit {what}: {error}"));
    }
    let scores: Vec<String> = CATEGORIES
        .iter()
        .map(|(id, label)| match lhr["categories"][id]["score"].as_f64() {
            Some(score) => format!("{label} {}", (score * 100.0).round()),
            None => format!("{label} (no score)"),
        })
        .collect();
    let metric = |id: &str| lhr["audits"][id]["numericValue"].as_f64();
    let cls = metric("cumulative-layout-shift").map_or("?".to_owned(), |v| format!("{v:.3}"));
    let lcp = metric("largest-contentful-paint").map_or("?".to_owned(), |v| {
        format!("{:.1} s", v / 1000.0)
    });
    let tbt = metric("total-blocking-time").map_or("?".to_owned(), |v| format!("{v:.0} ms"));
    let mut text = format!(
        "{what}: {}; CLS {cls}, LCP {lcp}, TBT {tbt}",
        scores.join(", ")
    );
    for (id, label) in CATEGORIES {
        let failing = failing_audits(&lhr, id);
        let list = if failing.is_empty() {
            "none".to_owned()
        } else {
            failing.join(", ")
        };
        text.push_str(&format!("\n  failing {label}: {list}"));
    }
    Ok(text)
}

/// The audits of a category that cost it points: a pass/fail audit that failed, or a scored
/// one under 0.9 (Lighthouse's own green), with its score when it has one.
fn failing_audits(lhr: &Value, category: &str) -> Vec<String> {
    let refs = lhr["categories"][category]["auditRefs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    refs.iter()
        .filter_map(|r| {
            let id = r["id"].as_str()?;
            let audit = &lhr["audits"][id];
            let score = audit["score"].as_f64()?;
            let binary = audit["scoreDisplayMode"] == "binary";
            match (binary, score) {
                (true, s) if s < 1.0 => Some(id.to_owned()),
                (false, s) if s < 0.9 => Some(format!("{id} ({:.2})", s)),
                _ => None,
            }
        })
        .collect()
}

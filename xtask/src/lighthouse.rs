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

/// The pages audited: (report name, path, signed in, Lighthouse's preset). Mobile is the
/// issue's target; the devices page on the desktop preset is where the review measured its
/// layout shift.
const PAGES: &[(&str, &str, bool, Preset)] = &[
    ("signin", "/signin", false, Preset::Mobile),
    ("devices", "/security/devices", true, Preset::Mobile),
    (
        "devices-desktop",
        "/security/devices",
        true,
        Preset::Desktop,
    ),
];

#[derive(Clone, Copy, PartialEq)]
enum Preset {
    /// Lighthouse's default: a mid-range phone on a slow 4G link, simulated.
    Mobile,
    Desktop,
}
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

/// `args`: `--runs N` audits each page N times (default 1) and prints the median run (by
/// performance score, as Lighthouse advises), with every run's CLS and scores beside it: on a
/// busy machine the timing of the first paint, and with it the layout shift, varies by run.
pub fn run_lighthouse(args: &[String]) -> Result {
    let runs = match args {
        [] => 1,
        [flag, n] if flag == "--runs" => n
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("--runs takes a number above 0, not {n:?}"))?,
        _ => return Err("usage: cargo xtask lighthouse [--runs N]".to_owned()),
    };
    lighthouse_tools()?;
    let dist = crate::build::dist()?;
    let binary = crate::build::server()?;
    let out = reports_dir();
    // Last run's reports would otherwise sit beside this run's (`--runs` changes the names).
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    }
    std::fs::create_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    step("Serving dist/ with --demo over HTTPS on a fresh database");
    let server = DemoServer::start_https(&binary, "lighthouse", &dist)?;
    let mut lines = Vec::new();
    for &(name, path, signed_in, preset) in PAGES {
        let cookie = if signed_in {
            Some(session_cookie(&server.url)?)
        } else {
            None
        };
        let who = if signed_in { "signed in" } else { "signed out" };
        let form = match preset {
            Preset::Mobile => "mobile",
            Preset::Desktop => "desktop",
        };
        let url = format!("{}{path}", server.url);
        let mut reports = Vec::new();
        for run in 1..=runs {
            step(&format!(
                "Lighthouse ({form}): {path}, {who} (run {run} of {runs})"
            ));
            let report = if runs == 1 {
                out.join(format!("{name}.json"))
            } else {
                out.join(format!("{name}-{run}.json"))
            };
            audit(&url, cookie.as_deref(), preset, &report)?;
            reports.push((read(&report)?, report));
        }
        // The median run by performance score.
        reports.sort_by(|a, b| performance(&a.0).total_cmp(&performance(&b.0)));
        let (lhr, report) = &reports[(reports.len() - 1) / 2];
        let mut text = summary(&format!("{path} ({who}, {form})"), lhr)?;
        if runs > 1 {
            let each: Vec<String> = reports
                .iter()
                .map(|(lhr, _)| {
                    let cls = lhr["audits"]["cumulative-layout-shift"]["numericValue"]
                        .as_f64()
                        .unwrap_or(f64::NAN);
                    format!("performance {:.0} CLS {cls:.3}", performance(lhr) * 100.0)
                })
                .collect();
            let file = report.file_name().unwrap_or_default().to_string_lossy();
            text.push_str(&format!(
                "\n  the median of {runs} runs ({file}); every run: {}",
                each.join("; ")
            ));
        }
        lines.push(text);
    }
    drop(server);
    println!();
    for line in lines {
        println!("{line}");
    }
    println!("\nJSON reports in {}", out.display());
    Ok(())
}

fn read(report: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(report).map_err(|err| format!("{}: {err}", report.display()))?;
    serde_json::from_str(&text).map_err(|err| format!("{}: {err}", report.display()))
}

fn performance(lhr: &Value) -> f64 {
    lhr["categories"]["performance"]["score"]
        .as_f64()
        .unwrap_or(0.0)
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
fn audit(url: &str, cookie: Option<&str>, preset: Preset, report: &Path) -> Result {
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
    if preset == Preset::Desktop {
        cmd.arg("--preset=desktop");
    }
    if let Some(cookie) = cookie {
        let headers = serde_json::json!({ "Cookie": cookie });
        cmd.arg(format!("--extra-headers={headers}"));
    }
    run(&mut cmd)
}

/// "/signin (signed out): accessibility 100, best practices 96, performance 88; CLS 0.118,
/// LCP 2.9 s, TBT 40 ms", then each category's failing audits.
fn summary(what: &str, lhr: &Value) -> Result<String> {
    if let Some(error) = lhr["runtimeError"]["message"].as_str() {
        return Err(format!("Lighthouse could not audit {what}: {error}"));
    }
    let scores: Vec<String> = CATEGORIES
        .iter()
        .map(
            |(id, label)| match lhr["categories"][id]["score"].as_f64() {
                Some(score) => format!("{label} {}", (score * 100.0).round()),
                None => format!("{label} (no score)"),
            },
        )
        .collect();
    let metric = |id: &str| lhr["audits"][id]["numericValue"].as_f64();
    let cls = metric("cumulative-layout-shift").map_or("?".to_owned(), |v| format!("{v:.3}"));
    let lcp = metric("largest-contentful-paint")
        .map_or("?".to_owned(), |v| format!("{:.1} s", v / 1000.0));
    let tbt = metric("total-blocking-time").map_or("?".to_owned(), |v| format!("{v:.0} ms"));
    let mut text = format!(
        "{what}: {}; CLS {cls}, LCP {lcp}, TBT {tbt}",
        scores.join(", ")
    );
    for (id, label) in CATEGORIES {
        let (scored, unscored) = failing_audits(lhr, id);
        let list = if scored.is_empty() {
            "none".to_owned()
        } else {
            scored.join(", ")
        };
        text.push_str(&format!("\n  failing {label}: {list}"));
        if !unscored.is_empty() {
            text.push_str(&format!(
                " (also flagged, no weight: {})",
                unscored.join(", ")
            ));
        }
    }
    // What "errors-in-console" saw, so the fix can start from it.
    for item in lhr["audits"]["errors-in-console"]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let url = item["sourceLocation"]["url"].as_str().unwrap_or_default();
        let url = url.find("/api/").map_or(url, |at| &url[at..]);
        text.push_str(&format!(
            "\n  console error: {} {url}",
            item["description"].as_str().unwrap_or_default()
        ));
    }
    // What shifted, and by how much: where a CLS fix starts.
    for item in lhr["audits"]["layout-shifts"]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
    {
        text.push_str(&format!(
            "\n  layout shift {:.3}: {}",
            item["score"].as_f64().unwrap_or_default(),
            item["node"]["snippet"].as_str().unwrap_or("(no element)")
        ));
    }
    for warning in lhr["runWarnings"].as_array().into_iter().flatten() {
        text.push_str(&format!("\n  Lighthouse warns: {warning}"));
    }
    Ok(text)
}

/// The audits of a category that flag a problem: a pass/fail audit that failed, or a scored
/// one under 0.9 (Lighthouse's own green), with its score. First those that cost the category
/// points (a weight above 0), then the rest (diagnostics and insights).
fn failing_audits(lhr: &Value, category: &str) -> (Vec<String>, Vec<String>) {
    let refs = lhr["categories"][category]["auditRefs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut scored = Vec::new();
    let mut unscored = Vec::new();
    for r in &refs {
        let Some(id) = r["id"].as_str() else { continue };
        let audit = &lhr["audits"][id];
        let Some(score) = audit["score"].as_f64() else {
            continue;
        };
        let flagged = match audit["scoreDisplayMode"].as_str() {
            Some("binary") if score < 1.0 => id.to_owned(),
            Some("binary") => continue,
            _ if score < 0.9 => format!("{id} ({score:.2})"),
            _ => continue,
        };
        if r["weight"].as_f64().unwrap_or(0.0) > 0.0 {
            scored.push(flagged);
        } else {
            unscored.push(flagged);
        }
    }
    (scored, unscored)
}

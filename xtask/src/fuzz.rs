//! `cargo xtask test api-fuzz`: schemathesis checks the server against its own OpenAPI
//! document (`GET /api/openapi.json`), signed in as the demo account with a grown-up profile
//! and a fresh step-up, so that every route, the step-up ones too, gets past its session
//! checks. Every answer must be one the document declares, with the declared content type and
//! body, and none may be a 5xx.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::demo::DemoServer;
use crate::install::tools_dir;
use crate::proc::{describe, output_of, run, run_tee};
use crate::{Result, root, step};

/// Pinned: schemathesis 3 and 4 differ in every flag, and a new release may add checks.
const SCHEMATHESIS: &str = "4.32.5";
const DEMO_EMAIL: &str = "demo@hallpass.test";
const DEMO_PASSWORD: &str = "correct-horse-battery-staple";
/// Test cases per operation and phase: the whole suite stays near a minute on 2 cores, well
/// inside the 10-minute step-up window, so no route starts answering `reauthentication_required`.
const MAX_EXAMPLES: &str = "30";
/// The checks that hold the server to the document: answers as declared, and the document's
/// rules as the server's in both directions (`negative_data_rejection`: a request the
/// document forbids is refused; `positive_data_acceptance`: one it allows is not, less the
/// documented refusals `xtask/schemathesis.toml` lists, such as a wrong but well-formed
/// code's 422 `invalid_code`); `ignored_auth`: an operation that declares the session cookie
/// refuses a request without it. Left out: `use_after_free`, `ensure_resource_availability`
/// and `object_level_authorization` need the stateful phase, which would sign itself out.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
    response_headers_conformance,response_schema_conformance,positive_data_acceptance,\
    negative_data_rejection,ignored_auth";
/// Never fuzzed: `GET /api/events` is a stream that lasts as long as the session, so no
/// request to it ever completes. Its own tests are in `crates/server/tests/api/events.rs`.
const NEVER: &[&str] = &["events"];
/// Operations that change how every later request is answered, each run on its own, with a
/// session of its own, after all the others: choosing a profile may choose a kids profile the
/// fuzzing created (then every account route answers 403 `kids_profile`), and each way of
/// signing out may end the session (then everything answers 401): everywhere
/// (`keep_current: false`), this device (which schemathesis finds in `GET /api/devices`), this
/// browser. (Once one of those has signed out, the rest of its cases get 401 and schemathesis
/// warns "Authentication failed": expected, and not a failure.)
const LATER: &[(&str, &[&str])] = &[
    ("choosing a profile", &["select_profile"]),
    ("signing out everywhere", &["sign_out_all_devices"]),
    ("signing out a device", &["sign_out_device"]),
    ("signing out here", &["sign_out"]),
];

fn venv() -> PathBuf {
    tools_dir().join("schemathesis-venv")
}

fn st() -> PathBuf {
    venv().join("bin").join("st")
}

/// schemathesis from PyPI into `.tools/schemathesis-venv`, unless it is there at [`SCHEMATHESIS`].
pub fn install() -> Result {
    let want = format!("st, version {SCHEMATHESIS}");
    if output_of(st(), &["--version"]).as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    step(&format!(
        "Installing schemathesis {SCHEMATHESIS} from PyPI into .tools/schemathesis-venv \
         (first time only: about a minute)"
    ));
    let _ = std::fs::remove_dir_all(venv());
    run(Command::new("python3").args(["-m", "venv"]).arg(venv()))?;
    run(Command::new(venv().join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS}"),
    ]))?;
    match output_of(st(), &["--version"]) {
        Some(v) if v == want => Ok(()),
        found => Err(format!(
            "installed schemathesis, but `st --version` says {found:?}"
        )),
    }
}

/// Runs the suite against a throw-away demo server started from `server` (the dev binary the
/// native suite built); returns (passed, failed, note), counted in operations.
pub fn run_suite(server: &Path) -> Result<(u32, u32, String)> {
    install()?;
    let demo = DemoServer::start(server, "api-fuzz", None, None)?;
    // Not the demo server's folder (`hallpass-api-fuzz-PID`), which holds its database.
    let work = std::env::temp_dir().join(format!("hallpass-schemathesis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|err| format!("creating {}: {err}", work.display()))?;

    let mut passed = 0;
    let mut failed = 0;
    let mut notes = Vec::new();
    let later: Vec<&str> = LATER
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .chain(NEVER.iter().copied())
        .collect();
    let runs = std::iter::once(("every other operation", "--exclude-operation-id", later)).chain(
        LATER
            .iter()
            .map(|(name, ids)| (*name, "--include-operation-id", ids.to_vec())),
    );
    for (i, (name, filter, ids)) in runs.enumerate() {
        step(&format!("schemathesis {SCHEMATHESIS}: {name}"));
        // A new session for each run: the one before may have chosen a kids profile or ended
        // it. Its wrong passwords have also used up the demo account's sign-in limit, so the
        // server's clock (the demo-only `POST /api/dev/clock`) first moves past the limit's
        // 15-minute window; nothing is waited for.
        if i > 0 {
            request(
                &demo.addr,
                "POST",
                "/api/dev/clock",
                None,
                Some(r#"{"advance_seconds":960}"#),
            )?;
        }
        let cookie = signed_in_and_stepped_up(&demo.addr)?;
        let junit = work.join(format!("run-{i}.xml"));
        let mut cmd = Command::new(st());
        cmd.current_dir(&work)
            .arg("--config-file")
            .arg(root().join("xtask").join("schemathesis.toml"))
            .arg("run")
            .arg(format!("http://{}/api/openapi.json", demo.addr))
            .args(["--checks", CHECKS])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args(["--max-examples", MAX_EXAMPLES])
            // Deterministic: the same cases on every run (and no example database on disk).
            .arg("--generation-deterministic")
            .args(["--workers", "1"])
            // The cookie's value, for `[auth.openapi.session_cookie]` in the configuration.
            .env(
                "HALLPASS_SESSION",
                cookie.split_once('=').map_or(cookie.as_str(), |(_, v)| v),
            )
            // State-changing requests from another origin are refused before any handler.
            .args(["--header", "Sec-Fetch-Site: same-origin"])
            .args(["--report", "junit", "--report-junit-path"])
            .arg(&junit)
            .arg("--no-color");
        for id in ids {
            cmd.args([filter, id]);
        }
        let (ok, _) = run_tee(&mut cmd)?;
        // No report when schemathesis stops before testing (a bad flag, an unreadable document).
        let (p, f) = junit_counts(&junit).unwrap_or((0, 0));
        passed += p;
        failed += f;
        if !ok && f == 0 {
            failed += 1;
            notes.push(format!("`{}` failed", describe(&cmd)));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    println!("api-fuzz: {passed} passed, {failed} failed (operations, over all runs)");
    Ok((passed, failed, notes.join("; ")))
}

/// (passed, failed) operations from schemathesis's JUnit report.
fn junit_counts(path: &Path) -> Result<(u32, u32)> {
    let xml = std::fs::read_to_string(path)
        .map_err(|err| format!("reading {}: {err}", path.display()))?;
    let suite = xml
        .find("<testsuite ")
        .map(|start| &xml[start..])
        .and_then(|rest| rest.find('>').map(|end| &rest[..end]))
        .ok_or("no <testsuite> in schemathesis's JUnit report")?;
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        suite
            .find(&key)
            .map(|i| &suite[i + key.len()..])
            .and_then(|rest| rest.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let (tests, failures, errors, skipped) = (
        attr("tests"),
        attr("failures"),
        attr("errors"),
        attr("skipped"),
    );
    let failed = failures + errors;
    Ok((tests.saturating_sub(failed + skipped), failed))
}

/// Signs the demo account in, chooses its first unlocked grown-up profile and steps up;
/// returns the `name=value` of the session cookie (the step-up rotates it).
fn signed_in_and_stepped_up(addr: &str) -> Result<String> {
    let (_, cookie, _) = request(
        addr,
        "POST",
        "/api/session",
        None,
        Some(&format!(
            r#"{{"email":"{DEMO_EMAIL}","password":"{DEMO_PASSWORD}"}}"#
        )),
    )?;
    let cookie = cookie.ok_or("signing in set no cookie")?;
    let (_, _, profiles) = request(addr, "GET", "/api/profiles", Some(&cookie), None)?;
    let profiles: serde_json::Value =
        serde_json::from_str(&profiles).map_err(|err| format!("GET /api/profiles: {err}"))?;
    let profile = profiles
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["kids"] == false && p["locked"] == false)
        .and_then(|p| p["id"].as_str())
        .ok_or("the demo account has no unlocked grown-up profile")?;
    request(
        addr,
        "POST",
        &format!("/api/profiles/{profile}/select"),
        Some(&cookie),
        Some("{}"),
    )?;
    let (_, rotated, _) = request(
        addr,
        "POST",
        "/api/session/reauthenticate",
        Some(&cookie),
        Some(&format!(r#"{{"password":"{DEMO_PASSWORD}"}}"#)),
    )?;
    Ok(rotated.unwrap_or(cookie))
}

/// One HTTP/1.1 request on its own connection; fails unless the answer is 2xx. Returns the
/// status, the session cookie it set (`name=value`) and the body.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, Option<String>, String)> {
    let what = format!("{method} {path}");
    let mut stream = TcpStream::connect(addr).map_err(|err| format!("{what}: {err}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Sec-Fetch-Site: same-origin\r\nUser-Agent: xtask api-fuzz\r\n"
    );
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream
        .write_all(format!("{head}{body}").as_bytes())
        .map_err(|err| format!("{what}: {err}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|err| format!("{what}: {err}"))?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{what}: no status in the answer"))?;
    if !(200..300).contains(&status) {
        return Err(format!("{what} answered {status}: {body}"));
    }
    let cookie = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("set-cookie")
            .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
    });
    Ok((status, cookie, body.to_owned()))
}

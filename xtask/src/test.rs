//! `cargo xtask test`: every check CI runs, in order, each with a summary line, and a last
//! line `N passed, N failed` over all of them. A suite that cannot run (no browser, no driver,
//! a build error) counts as failed: a browser suite never skips silently.

use std::process::Command;
use std::time::Instant;

use crate::build::dist;
use crate::install::{self, WASM_TARGET, find, tool_path, tools_dir};
use crate::postgres::Postgres;
use crate::proc::{describe, run_tee};
use crate::{Result, root, step};

const SUITES: &[&str] = &[
    "fmt",
    "clippy",
    "native",
    "api-postgres",
    "api-fuzz",
    "wasm-chromium",
    "wasm-firefox",
    "e2e",
];

struct Outcome {
    suite: &'static str,
    passed: u32,
    failed: u32,
    seconds: f64,
    note: String,
}

pub fn run(only: &[String]) -> Result {
    if let Some(unknown) = only.iter().find(|s| !SUITES.contains(&s.as_str())) {
        return Err(format!(
            "no suite `{unknown}`; the suites are {}",
            SUITES.join(", ")
        ));
    }
    let wanted = |suite: &str| only.is_empty() || only.iter().any(|s| s == suite);
    // `api-fuzz` needs only schemathesis, and `api-postgres` only PostgreSQL, which they
    // install themselves: run alone, they don't wait for Trunk, the browsers and the npm tools.
    let self_contained = ["api-fuzz", "api-postgres"];
    if SUITES
        .iter()
        .any(|s| wanted(s) && !self_contained.contains(s))
    {
        install::test_tools()?;
    }

    let mut shared = Shared::default();
    let mut outcomes = Vec::new();
    for &suite in SUITES.iter().filter(|s| wanted(s)) {
        step(&format!("Suite: {suite}"));
        let started = Instant::now();
        let (passed, failed, note) = match run_suite(suite, &mut shared) {
            Ok(counts) => counts,
            Err(err) => {
                eprintln!("{suite}: {err}");
                (0, 1, err)
            }
        };
        outcomes.push(Outcome {
            suite,
            passed,
            failed,
            seconds: started.elapsed().as_secs_f64(),
            note,
        });
    }

    println!("\n==> Summary");
    for o in &outcomes {
        let status = if o.failed == 0 { "ok  " } else { "FAIL" };
        println!(
            "{status} {:<14} {:>4} passed, {:>3} failed  {:>7.1}s  {}",
            o.suite, o.passed, o.failed, o.seconds, o.note
        );
    }
    // CI's disk once ran out mid-run: this line shows how close the build comes.
    println!(
        "target/ holds {:.1} GB",
        dir_size(&crate::build::target_dir()) as f64 / 1e9
    );
    let passed: u32 = outcomes.iter().map(|o| o.passed).sum();
    let failed: u32 = outcomes.iter().map(|o| o.failed).sum();
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} failed"))
    }
}

/// What suites share within one run: the throw-away PostgreSQL, started by the first suite
/// that needs it and stopped (its folder removed) when the run ends, whatever happened.
#[derive(Default)]
struct Shared {
    postgres: Option<Postgres>,
}

impl Shared {
    fn postgres(&mut self) -> Result<&Postgres> {
        if self.postgres.is_none() {
            self.postgres = Some(Postgres::start()?);
        }
        self.postgres
            .as_ref()
            .ok_or_else(|| "PostgreSQL did not start".to_owned())
    }
}

/// Runs one suite; returns (passed, failed, note).
fn run_suite(suite: &str, shared: &mut Shared) -> Result<(u32, u32, String)> {
    match suite {
        "fmt" => check(cargo().args(["fmt", "--all", "--check"])),
        "clippy" => {
            // The app's browser-only code (tests/browser.rs, cfg wasm32) is linted as wasm too.
            let native = check(cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            let wasm = check(cargo().args([
                "clippy",
                "--package",
                "hallpass",
                "--all-targets",
                "--target",
                WASM_TARGET,
                "--",
                "-D",
                "warnings",
            ]))?;
            Ok((native.0 + wasm.0, native.1 + wasm.1, String::new()))
        }
        "native" => tests(
            cargo().args(["test", "--workspace", "--no-fail-fast"]),
            false,
        ),
        "wasm-chromium" => {
            let mut cmd = wasm_tests()?;
            cmd.env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env_remove("GECKODRIVER");
            tests(&mut cmd, true)
        }
        "wasm-firefox" => {
            let gecko = find("geckodriver").ok_or("geckodriver is not installed")?;
            let mut cmd = wasm_tests()?;
            cmd.env("GECKODRIVER", gecko).env_remove("CHROMEDRIVER");
            tests(&mut cmd, true)
        }
        // The server's API tests again, each on a fresh database of a real PostgreSQL
        // (crates/server/tests/api/support.rs) instead of an SQLite file.
        "api-postgres" => {
            let postgres = shared.postgres()?;
            // "postgres (PostgreSQL) 15.18 (Debian …)" → "PostgreSQL 15.18".
            let version = postgres.version();
            let note = version
                .split_once("(PostgreSQL) ")
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .map_or(version.clone(), |v| format!("PostgreSQL {v}"));
            let mut cmd = cargo();
            cmd.args(["test", "--workspace", "--no-fail-fast", "--test", "api"]);
            postgres.hand_to(&mut cmd);
            let (passed, failed, _) = tests(&mut cmd, true)?;
            Ok((passed, failed, note))
        }
        "api-fuzz" => crate::fuzz::run_suite(&test_server()?),
        "e2e" => {
            let dist = dist()?;
            let server = test_server()?;
            let mut cmd = cargo();
            // `--workspace`, like the native suite: cargo unifies dependency features over the
            // packages it is asked for, so `--package hallpass` would build hyper, libc and
            // everything above them a second time, with other features, into `target/`.
            cmd.args(["test", "--workspace", "--test", "e2e"])
                .env("HALLPASS_DIST", dist)
                .env("HALLPASS_SERVER_BIN", server)
                .env("HALLPASS_NODE_MODULES", tools_dir().join("node_modules"));
            // The case with two instances on one database (tests/e2e/instances.rs).
            shared.postgres()?.hand_to(&mut cmd);
            tests(&mut cmd, true)
        }
        _ => Err(format!("no suite `{suite}`")),
    }
}

/// The dev server binary exactly as the native suite builds it (a no-op after that suite):
/// `cargo build --package hallpass-server` resolves features without the dev-dependencies and
/// would compile the server and its HTTP stack again, which CI's disk has no room for.
fn test_server() -> Result<std::path::PathBuf> {
    let (ok, _) = run_tee(cargo().args(["test", "--workspace", "--no-run"]))?;
    if !ok {
        return Err("building the tests and the server failed".to_owned());
    }
    let server = crate::build::target_dir()
        .join("debug")
        .join("hallpass-server");
    if server.is_file() {
        Ok(server)
    } else {
        Err(format!("{} was not built", server.display()))
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root()).env("PATH", tool_path());
    cmd
}

/// The app's wasm-bindgen tests, run in a real browser by wasm-bindgen-test-runner.
/// `webdriver.json` at the root adds the headless and sandbox flags.
fn wasm_tests() -> Result<Command> {
    let runner = find("wasm-bindgen-test-runner").ok_or("wasm-bindgen-test-runner is missing")?;
    let mut cmd = cargo();
    cmd.args(["test", "--package", "hallpass", "--target", WASM_TARGET])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
    Ok(cmd)
}

/// A check with no test count of its own: one pass or one failure.
fn check(cmd: &mut Command) -> Result<(u32, u32, String)> {
    let (ok, _) = run_tee(cmd)?;
    Ok(if ok {
        (1, 0, String::new())
    } else {
        (0, 1, format!("`{}` failed", describe(cmd)))
    })
}

/// A test run: counts come from the `test result:` lines of libtest (and of
/// wasm-bindgen-test-runner and libtest-mimic, which print the same line).
fn tests(cmd: &mut Command, must_run_some: bool) -> Result<(u32, u32, String)> {
    let (ok, output) = run_tee(cmd)?;
    let (passed, failed) = count_results(&output);
    if !ok && failed == 0 {
        return Ok((
            passed,
            1,
            format!("`{}` failed before reporting tests", describe(cmd)),
        ));
    }
    if must_run_some && passed + failed == 0 {
        return Ok((0, 1, "ran no tests".to_owned()));
    }
    Ok((passed, failed, String::new()))
}

/// Sums `test result: ok. 3 passed; 0 failed; …` lines.
fn count_results(output: &str) -> (u32, u32) {
    let mut passed = 0;
    let mut failed = 0;
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(number)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = number.parse::<u32>() else {
                continue;
            };
            match label {
                "passed" => passed += n,
                "failed" => failed += n,
                _ => {}
            }
        }
    }
    (passed, failed)
}

/// Bytes in the files under `dir` (symlinks not followed; unreadable entries count as 0).
fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => dir_size(&entry.path()),
            Ok(t) if t.is_file() => entry.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::count_results;

    #[test]
    fn counts_libtest_and_runner_summaries() {
        let output = "\
running 3 tests
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
some other line: 9 passed
";
        assert_eq!(count_results(output), (4, 2));
    }
}

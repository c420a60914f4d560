//! Installing what the build and the tests need, skipping whatever is already there at the
//! right version. Everything comes from the package registries this project may use:
//! crates.io (`cargo install`), npm (into `.tools/`, git-ignored) and Debian (`apt-get`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::proc::{output_of, run};
use crate::{Result, root, step};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// trunk 0.22 needs a newer rustc than this project's 1.95.
const TRUNK: &str = "0.21.14";
const GECKODRIVER: &str = "0.37.1";
/// The splitter cargo-leptos's `--split` uses (`cargo xtask split`).
const WASM_SPLIT: &str = "0.2.4";
/// npm packages, installed together into `.tools/`. binaryen ≥ 132 is required: older
/// wasm-opt builds produce a module that fails at start-up (see shared/CONVENTIONS.md).
/// Trunk.toml pins the same binaryen version.
const NPM_TOOLS: &[(&str, &str)] = &[
    ("binaryen", "132.0.0"),
    ("axe-core", "4.14.1"),
    ("@testing-library/dom", "10.4.2"),
    // Minifies the split app's two scripts (`cargo xtask split`): Trunk's minifier can't parse
    // wasm-bindgen's glue.
    ("terser", "5.51.4"),
];
/// npm packages only `cargo xtask render` and `cargo xtask screens` need: Playwright's driver
/// without its browser downloads (it drives Debian's Chromium).
const RENDER_NPM_TOOLS: &[(&str, &str)] = &[("playwright-core", "1.64.1")];
/// What only `cargo xtask lighthouse` needs. Lighthouse 13 needs Node 22; 12.8 runs on the
/// Node 20 of Debian 12's NodeSource setup.
const LIGHTHOUSE_NPM_TOOLS: &[(&str, &str)] = &[("lighthouse", "12.8.2")];
/// Debian's Chromium, which the report commands drive.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian packages for the browser tests: (a file the package installs, package).
const APT_PACKAGES: &[(&str, &str)] = &[
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/chromedriver", "chromium-driver"),
    ("/usr/bin/firefox-esr", "firefox-esr"),
    ("/usr/bin/WebKitWebDriver", "webkit2gtk-driver"),
    ("/usr/bin/Xvfb", "xvfb"),
];

/// Where npm tools live: git-ignored, one per checkout.
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

/// `PATH` with the npm tools and cargo's bin folder first, so Trunk finds the right
/// `wasm-opt` and `wasm-bindgen` (Debian's older `wasm-opt` must not win).
pub fn tool_path() -> OsString {
    let mut dirs = vec![tools_dir().join("node_modules").join(".bin"), cargo_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A program by name, looked up in [`tool_path`].
pub fn find(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&tool_path())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn version_of(program: &str) -> Option<String> {
    output_of(find(program)?, &["--version"])
}

/// Everything `trunk build` needs.
pub fn build_tools() -> Result {
    wasm_target()?;
    let bindgen = wasm_bindgen_version()?;
    cargo_install(
        "trunk",
        "trunk",
        TRUNK,
        &format!("trunk {TRUNK}"),
        true,
        "about 10 minutes on 2 cores",
    )?;
    // wasm-bindgen-cli's lock file names a crate the registry no longer has: no --locked.
    cargo_install(
        "wasm-bindgen-cli",
        "wasm-bindgen",
        &bindgen,
        &format!("wasm-bindgen {bindgen}"),
        false,
        "about 5 minutes on 2 cores",
    )?;
    wasm_split_cli()?;
    npm_tools()
}

/// The splitter `cargo xtask split` runs. It has no `--version`: `cargo install --list` says
/// which version is installed.
fn wasm_split_cli() -> Result {
    let listed = output_of("cargo", &["install", "--list"]).unwrap_or_default();
    let line = format!("wasm_split_cli_support v{WASM_SPLIT}:");
    if listed.lines().any(|l| l.starts_with(&line)) && find("wasm-split-cli").is_some() {
        return Ok(());
    }
    step(&format!(
        "Installing wasm_split_cli_support {WASM_SPLIT} with cargo (first time only: about 2 minutes on 2 cores)"
    ));
    // `build-binary` is the feature that makes it a program; its lock file builds.
    run(Command::new("cargo").args([
        "install",
        "wasm_split_cli_support",
        "--version",
        WASM_SPLIT,
        "--locked",
        "--features",
        "build-binary",
    ]))
}

/// Everything the test suites need, on top of [`build_tools`].
pub fn test_tools() -> Result {
    build_tools()?;
    apt_packages()?;
    cargo_install(
        "geckodriver",
        "geckodriver",
        GECKODRIVER,
        &format!("geckodriver {GECKODRIVER}"),
        true,
        "about 3 minutes on 2 cores",
    )
}

fn wasm_target() -> Result {
    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    step(&format!("Adding the Rust target {WASM_TARGET}"));
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The wasm-bindgen CLI must match the library version exactly; Cargo.lock has it.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|err| format!("reading Cargo.lock: {err}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
        {
            return Ok(version.to_owned());
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".to_owned())
}

fn cargo_install(
    krate: &str,
    program: &str,
    version: &str,
    expected_version_line: &str,
    locked: bool,
    how_long: &str,
) -> Result {
    if version_of(program).is_some_and(|v| v.starts_with(expected_version_line)) {
        return Ok(());
    }
    step(&format!(
        "Installing {krate} {version} with cargo (first time only: {how_long})"
    ));
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version]);
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)?;
    match version_of(program) {
        Some(v) if v.starts_with(expected_version_line) => Ok(()),
        found => Err(format!(
            "installed {krate} {version}, but `{program} --version` says {found:?}; \
             is another {program} earlier on PATH?"
        )),
    }
}

fn npm_version(package: &str) -> Option<String> {
    let manifest = tools_dir()
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    // `"version": "1.2.3"` — enough of JSON for a manifest npm wrote itself.
    let start = text.find("\"version\"")?;
    let rest = &text[start + "\"version\"".len()..];
    let rest = &rest[rest.find('"')? + 1..];
    Some(rest[..rest.find('"')?].to_owned())
}

fn npm_tools() -> Result {
    npm_install(
        NPM_TOOLS,
        "wasm-opt (binaryen), terser, axe-core and Testing Library",
    )
}

/// Installs `packages` with npm into `.tools/` unless every one is there at its version.
/// An `npm install` into `.tools/` removes whatever it was not asked for, so the report
/// commands' tools that are already there are asked for again: installing one command's tools
/// never takes another's away.
fn npm_install(packages: &[(&str, &str)], what: &str) -> Result {
    if packages
        .iter()
        .all(|(package, version)| npm_version(package).as_deref() == Some(*version))
    {
        return Ok(());
    }
    let mut packages = packages.to_vec();
    for &(package, version) in RENDER_NPM_TOOLS.iter().chain(LIGHTHOUSE_NPM_TOOLS) {
        let present = npm_version(package).as_deref() == Some(version);
        if present && !packages.iter().any(|(p, _)| *p == package) {
            packages.push((package, version));
        }
    }
    step(&format!("Installing {what} with npm into .tools/"));
    std::fs::create_dir_all(tools_dir()).map_err(|err| format!("creating .tools: {err}"))?;
    let mut cmd = Command::new("npm");
    cmd.args([
        "install",
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--prefix",
    ])
    .arg(tools_dir());
    cmd.args(packages.iter().map(|(p, v)| format!("{p}@{v}")));
    run(&mut cmd)
}

/// What `cargo xtask render` and `cargo xtask screens` need on top of [`build_tools`]:
/// Chromium and playwright-core.
pub fn render_tools() -> Result {
    build_tools()?;
    apt_install(&[(CHROMIUM, "chromium")], "the render measurement")?;
    let all: Vec<(&str, &str)> = NPM_TOOLS.iter().chain(RENDER_NPM_TOOLS).copied().collect();
    npm_install(&all, "playwright-core (with the build's npm tools)")
}

/// What `cargo xtask lighthouse` needs on top of [`build_tools`]: Chromium and Lighthouse.
pub fn lighthouse_tools() -> Result {
    build_tools()?;
    apt_install(&[(CHROMIUM, "chromium")], "the Lighthouse report")?;
    let all: Vec<(&str, &str)> = NPM_TOOLS
        .iter()
        .chain(LIGHTHOUSE_NPM_TOOLS)
        .copied()
        .collect();
    npm_install(&all, "Lighthouse (with the build's npm tools)")
}

fn apt_packages() -> Result {
    apt_install(APT_PACKAGES, "the browser tests")
}

/// What `cargo xtask load` needs: wrk, the HTTP load generator.
pub fn load_tools() -> Result {
    apt_install(&[("/usr/bin/wrk", "wrk")], "the load measurement")
}

/// Where Debian's PostgreSQL server binaries are installed: one folder per major version.
const POSTGRES_LIB: &str = "/usr/lib/postgresql";

/// The `bin` folder of Debian's PostgreSQL server (`initdb`, `pg_ctl`, off PATH), the newest
/// version when several are installed; installs the `postgresql` package when there is none.
pub fn postgres_bin() -> Result<PathBuf> {
    if let Some(bin) = installed_postgres_bin() {
        return Ok(bin);
    }
    apt_get_install(
        &["postgresql"],
        "`cargo xtask postgres` and the PostgreSQL tests",
    )?;
    installed_postgres_bin().ok_or_else(|| {
        format!("installed Debian's postgresql, but {POSTGRES_LIB}/*/bin/initdb is still missing")
    })
}

/// `/usr/lib/postgresql/VERSION/bin` with the highest major VERSION that has a server
/// (`postgresql-client` alone brings `psql` there, but no `initdb`).
fn installed_postgres_bin() -> Option<PathBuf> {
    std::fs::read_dir(POSTGRES_LIB)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin)
}

/// Installs the Debian packages whose file is missing (`(file, package)` pairs).
fn apt_install(packages: &[(&str, &str)], needed_by: &str) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|(_, package)| *package)
        .collect();
    apt_get_install(&missing, needed_by)
}

/// Installs `missing` with apt-get as root; asks a person who isn't root to do it.
fn apt_get_install(missing: &[&str], needed_by: &str) -> Result {
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if output_of("id", &["-u"]).as_deref() != Some("0") {
        return Err(format!(
            "{needed_by} need Debian packages that are not installed: {list}\n\
             Install them with: sudo apt-get install -y {list}"
        ));
    }
    step(&format!(
        "Installing {list} with apt-get (first time only: a few minutes)"
    ));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq"])
        .args(missing))
}

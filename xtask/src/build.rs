//! Building the app (`dist`) and serving it (`run`).

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::install::{self, tool_path};
use crate::proc::run as run_cmd;
use crate::{Result, root, step};

/// File types the server sends precompressed; images other than SVG are compressed already.
const COMPRESSIBLE: &[&str] = &["html", "js", "css", "wasm", "bin", "svg", "json", "txt"];

/// Cargo's target folder, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

/// Builds the release app into `dist/`, with a `.br` and a `.gz` beside each text file.
pub fn dist() -> Result<PathBuf> {
    install::build_tools()?;
    step("Building the app: trunk build --release --offline, split by its post_build hook");
    let trunk = install::find("trunk").ok_or("trunk is not on PATH after installing it")?;
    // Trunk's hook (`cargo xtask split`, Trunk.toml) needs the module linked with relocations.
    let (var, flags) = crate::split::RUSTFLAGS;
    let flags = format!("{flags}{}", remapped_paths());
    run_cmd(
        Command::new(trunk)
            .current_dir(root())
            .env("PATH", tool_path())
            .env(var, flags)
            .args(["build", "--release", "--offline"]),
    )?;
    let dist = dist_dir();
    compress_dir(&dist)?;
    Ok(dist)
}

/// `--remap-path-prefix` for the folders the dependencies' and the standard library's sources
/// are in: a panic's location names its file, and without these every browser would be sent
/// this machine's paths (`/root/.cargo/registry/src/index.crates.io-…/leptos-0.8.23/…`), 99 of
/// them in the main module alone. Now `crates/leptos-0.8.23/…` and `rust/library/…`. A folder
/// whose path has a space is left as it is: the variable is split at spaces.
fn remapped_paths() -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let mut remaps = Vec::new();
    if let Some(Ok(registries)) =
        cargo_home.map(|home| std::fs::read_dir(home.join("registry/src")))
    {
        for registry in registries.flatten() {
            remaps.push((registry.path(), "crates"));
        }
    }
    if let Some(sysroot) = crate::proc::output_of("rustc", &["--print", "sysroot"]) {
        remaps.push((Path::new(&sysroot).join("lib/rustlib/src/rust"), "rust"));
    }
    remaps
        .iter()
        .filter_map(|(from, to)| from.to_str().map(|from| (from, to)))
        .filter(|(from, _)| !from.contains(char::is_whitespace))
        .map(|(from, to)| format!(" --remap-path-prefix={from}={to}"))
        .collect()
}

/// The server binary, built in the dev profile so that it shares its build with the tests.
pub fn server() -> Result<PathBuf> {
    step("Building hallpass-server");
    run_cmd(Command::new("cargo").current_dir(root()).args([
        "build",
        "--package",
        "hallpass-server",
    ]))?;
    Ok(target_dir().join("debug").join("hallpass-server"))
}

/// `cargo xtask run`.
pub fn run() -> Result {
    dist()?;
    let server = server()?;
    step("Starting Hallpass with demo data (Ctrl-C stops it)");
    run_cmd(Command::new(server).current_dir(root()).args([
        "--demo",
        "--listen",
        "127.0.0.1:8080",
        "--database",
        "data/hallpass.sqlite",
        "--dist",
        "dist",
    ]))
}

fn compress_dir(dir: &Path) -> Result {
    for path in files_in(dir)? {
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|ext| COMPRESSIBLE.contains(&ext));
        if compressible {
            let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            write(&with_suffix(&path, "gz"), &gzip(&data)?)?;
            write(&with_suffix(&path, "br"), &brotli(&data)?)?;
        }
    }
    Ok(())
}

/// Every file below `dir` except the `.br`/`.gz` copies, sorted.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz")) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write(path: &Path, data: &[u8]) -> Result {
    std::fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
}

/// gzip -9.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

/// brotli -q 11 (with the default 4 MiB window of the `brotli` command).
pub fn brotli(data: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut BufReader::new(data), &mut out, &params)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

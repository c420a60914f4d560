//! `cargo xtask size`: what the first load of the app costs on the wire.

use crate::build::{brotli, dist, files_in, gzip};
use crate::{Result, step};

/// The budget for the whole first load, brotli-compressed (README.md).
const BUDGET_BROTLI: usize = 100 * 1024;

pub fn run() -> Result {
    let dist = dist()?;
    step("First-load size of dist/ (every file is part of the first load)");
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    for path in files_in(&dist)? {
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (raw, gz, br) = (data.len(), gzip(&data)?.len(), brotli(&data)?.len());
        raw_total += raw;
        gz_total += gz;
        br_total += br;
        let name = path
            .strip_prefix(&dist)
            .unwrap_or(&path)
            .display()
            .to_string();
        println!("{name:<44} {raw:>10} {gz:>10} {br:>10}");
    }
    println!(
        "{:<44} {raw_total:>10} {gz_total:>10} {br_total:>10}",
        "total"
    );
    let verdict = if br_total <= BUDGET_BROTLI {
        "within"
    } else {
        "OVER"
    };
    println!(
        "\nFirst load: {br_total} bytes brotli ({:.1} KiB), {verdict} the {} KiB budget.",
        br_total as f64 / 1024.0,
        BUDGET_BROTLI / 1024
    );
    Ok(())
}

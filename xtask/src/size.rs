//! `cargo xtask size`: what the first visit to each entry page costs on the wire.
//!
//! A browser with an empty cache that opens, say, `/security/devices` fetches `index.html`,
//! its stylesheet (one, bundled by the split step) and icon, the glue and the split loader,
//! and that page's first bundle: the main module, the page's part and the chunks it shares
//! with other parts, as one file. A later visit has the main module in Cache Storage and
//! fetches the page's bundle without it. Other pages' parts come later, when they are opened
//! (or preloaded once the page has shown). Sizes are brotli -q 11, as the server sends them;
//! the pictures a page shows (avatars) are not counted.

use std::collections::BTreeMap;
use std::path::Path;

use crate::build::{brotli, dist, files_in, gzip};
use crate::split::{ENTRY_PAGES, Manifest};
use crate::{Result, step};

/// The budget for any entry page's first load, brotli-compressed (README.md).
pub const BUDGET_BROTLI: usize = 100 * 1024;

/// The entry pages the budget is promised for (issue 13); the others are reported too.
const PROMISED: &[&str] = &[
    "/signin",
    "/profiles",
    "/account",
    "/security",
    "/security/devices",
    "/signed-out",
];

pub fn run() -> Result {
    let dist = dist()?;
    step("Every file of dist/");
    let sizes = file_sizes(&dist)?;
    println!(
        "{:<48} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for (name, (raw, gz, br)) in &sizes {
        println!("{name:<48} {raw:>10} {gz:>10} {br:>10}");
    }

    let manifest = Manifest::from_text(
        &std::fs::read_to_string(dist.join("parts.txt")).map_err(|e| format!("parts.txt: {e}"))?,
    )?;
    let br = |name: &str| sizes.get(name).map_or(0, |s| s.2);
    let page_files: Vec<&String> = sizes
        .keys()
        .filter(|n| *n == "index.html" || n.ends_with(".css") || *n == "favicon.svg")
        .collect();
    let document: usize = page_files.iter().map(|n| br(n)).sum();
    let shell: usize = manifest.shell.iter().map(|n| br(n)).sum();
    // What every first load fetches besides its bundle: the glue and the loader.
    let scripts: usize = manifest
        .shell
        .iter()
        .filter(|n| n.ends_with(".js"))
        .map(|n| br(n))
        .sum();

    step("First load of each entry page (brotli 11, bytes)");
    println!("index.html, stylesheet and icon: {document:>7}");
    for name in &manifest.shell {
        println!("  shell: {name:<40} {:>7}", br(name));
    }
    println!("shell (glue, loader, main module):  {shell:>7}");
    println!();
    println!(
        "apart: the page's part and chunks one by one; bundle: in one file, as a later visit\n\
         fetches them; first: with the main module too, as a first visit does. 1st load:\n\
         index.html, stylesheet, icon, glue, loader and the first bundle.\n"
    );
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "page", "modules", "apart", "bundle", "first", "1st load", "budget"
    );
    let mut over = Vec::new();
    for (path, part) in ENTRY_PAGES {
        let files = &manifest.parts[*part];
        // What the part and its chunks would cost one by one, and as the one file the
        // page fetches (xtask/src/split.rs, `bundle_entry_parts`).
        let apart: usize = files.iter().map(|n| br(n)).sum();
        let bundle = bundle_size(&sizes, &format!("entry_{part}-"))?;
        let first = bundle_size(&sizes, &format!("first_{part}-"))?;
        let total = document + scripts + first;
        let promised = PROMISED.contains(path);
        let verdict = match (total <= BUDGET_BROTLI, promised) {
            (true, _) => "ok",
            (false, true) => "OVER",
            (false, false) => "over",
        };
        if promised && total > BUDGET_BROTLI {
            over.push(*path);
        }
        println!(
            "{:<22} {:>8} {apart:>8} {bundle:>8} {first:>8} {total:>9} {verdict:>8}",
            format!("{path}{}", if promised { " *" } else { "" }),
            files.len(),
        );
    }
    println!(
        "\n* the entry pages the {} KiB budget is promised for.",
        BUDGET_BROTLI / 1024
    );
    if over.is_empty() {
        println!("Every promised entry page is within the budget.");
    } else {
        println!("Over the budget: {}", over.join(", "));
    }
    Ok(())
}

/// The brotli size of the bundle whose name starts with `prefix`.
fn bundle_size(sizes: &BTreeMap<String, (usize, usize, usize)>, prefix: &str) -> Result<usize> {
    sizes
        .iter()
        .find(|(name, _)| name.starts_with(prefix) && name.ends_with(".bin"))
        .map(|(_, s)| s.2)
        .ok_or(format!("no {prefix}*.bin in dist/: run `cargo xtask dist`"))
}

/// (raw, gzip, brotli) of every file below `dist`, by its path relative to `dist`.
fn file_sizes(dist: &Path) -> Result<BTreeMap<String, (usize, usize, usize)>> {
    let mut sizes = BTreeMap::new();
    for path in files_in(dist)? {
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .display()
            .to_string();
        sizes.insert(name, (data.len(), gzip(&data)?.len(), brotli(&data)?.len()));
    }
    Ok(sizes)
}

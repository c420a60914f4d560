//! Classes that wasm-bindgen exports although nothing in the app uses them, taken out of the
//! glue and the main module.
//!
//! Leptos's `csr` feature turns on `server_fn`'s `browser` feature, which links
//! `wasm-streams`. Its three `#[wasm_bindgen]` classes (adapters from Rust streams to the
//! browser's) are exports of the module, and an export is a root no optimiser may remove: the
//! classes, their methods and everything those reach (futures, promise adapters) came with every
//! page, 1.1 KB brotli of the shell. Hallpass calls no server functions and makes no
//! streams, so the classes go from the glue, and `wasm-metadce` then removes their exports and
//! what only they reached.

use std::path::Path;
use std::process::Command;

use crate::Result;
use crate::install::{find, tool_path};
use crate::proc::run as run_cmd;

/// The classes, as wasm-bindgen names them in the glue.
const UNUSED: &[&str] = &[
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// Removes [`UNUSED`] from `glue` (wasm-bindgen's output) and their exports from `wasm`
/// (rewritten in place); returns the new glue.
pub fn remove(glue: &str, wasm: &Path) -> Result<String> {
    let mut glue = glue.to_owned();
    for class in UNUSED {
        glue = cut(&glue, &format!("export class {class} {{"), &dispose(class))?;
        glue = cut(&glue, &format!("const {class}Finalization = "), "));\n")?;
    }
    // Every export stays reachable but these classes' own: wasm-bindgen names each method's
    // export after its class in lower case (`intounderlyingsink_write`, and
    // `__wbg_intounderlyingsink_free`).
    let lower: Vec<String> = UNUSED.iter().map(|c| c.to_lowercase()).collect();
    let exports = exports_of(wasm)?;
    let kept: Vec<&String> = exports
        .iter()
        .filter(|export| !lower.iter().any(|class| export.contains(class.as_str())))
        .collect();
    if kept.len() == exports.len() {
        return Err(
            "the main module exports none of wasm-streams' classes: has wasm-bindgen \
                    or leptos changed? (xtask/src/split/unused.rs)"
                .into(),
        );
    }
    let removed = exports.iter().filter(|export| !kept.contains(export));
    if let Some(export) = removed
        .clone()
        .find(|export| glue.contains(&format!("wasm.{export}")))
    {
        return Err(format!(
            "the glue still calls {export}, which was to be removed"
        ));
    }
    let graph = graph(&exports, &kept);
    let graph_file = wasm.with_extension("metadce.json");
    std::fs::write(&graph_file, graph).map_err(|e| e.to_string())?;
    let metadce =
        find("wasm-metadce").ok_or("wasm-metadce is not installed: run `cargo xtask dist`")?;
    run_cmd(
        Command::new(metadce)
            .env("PATH", tool_path())
            .args(super::FEATURES)
            // Names kept for twiggy on target/split/bindgen; wasm-opt drops them after.
            .arg("--debuginfo")
            .arg("--graph-file")
            .arg(&graph_file)
            .arg(wasm)
            .arg("-o")
            .arg(wasm)
            // It lists what it removed; the check above has said what that must be.
            .stdout(std::process::Stdio::null()),
    )?;
    Ok(glue)
}

/// The line that ends a class in wasm-bindgen's glue.
fn dispose(class: &str) -> String {
    format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n")
}

/// `text` without the first span that starts with `start` and ends with `end` (included).
fn cut(text: &str, start: &str, end: &str) -> Result<String> {
    let missing = || {
        format!(
            "wasm-bindgen's glue has no `{}`: has it changed?",
            start.trim()
        )
    };
    let from = text.find(start).ok_or_else(missing)?;
    let to = from + text[from..].find(end).ok_or_else(missing)? + end.len();
    Ok(format!("{}{}", &text[..from], &text[to..]))
}

/// The export names of `wasm`, read from its text form.
fn exports_of(wasm: &Path) -> Result<Vec<String>> {
    let dis = find("wasm-dis").ok_or("wasm-dis is not installed: run `cargo xtask dist`")?;
    let output = Command::new(dis)
        .env("PATH", tool_path())
        .arg(wasm)
        .output()
        .map_err(|e| format!("wasm-dis: {e}"))?;
    if !output.status.success() {
        return Err(format!("wasm-dis failed on {}", wasm.display()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(text
        .lines()
        .filter_map(|line| line.strip_prefix(" (export \""))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect())
}

/// wasm-metadce's graph: one root that reaches every kept export.
fn graph(exports: &[String], kept: &[&String]) -> String {
    let node = |export: &str| format!("{{\"name\":\"e:{export}\",\"export\":\"{export}\"}}");
    let reaches: Vec<String> = kept.iter().map(|e| format!("\"e:{e}\"")).collect();
    let mut nodes = vec![format!(
        "{{\"name\":\"root\",\"root\":true,\"reaches\":[{}]}}",
        reaches.join(",")
    )];
    nodes.extend(exports.iter().map(|e| node(e)));
    format!("[{}]", nodes.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_is_cut_from_its_start_to_its_dispose_line() {
        let glue = "a\nexport class IntoUnderlyingSink {\n  free() {}\n}\n\
                    if (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = \
                    IntoUnderlyingSink.prototype.free;\nb\n";
        let cut = cut(
            glue,
            "export class IntoUnderlyingSink {",
            &dispose("IntoUnderlyingSink"),
        );
        assert_eq!(cut.as_deref(), Ok("a\nb\n"));
    }

    #[test]
    fn a_glue_without_the_class_is_an_error_not_a_silent_pass() {
        assert!(cut("a\nb\n", "export class IntoUnderlyingSink {", "\n").is_err());
    }

    #[test]
    fn the_graph_roots_only_what_is_kept() {
        let exports = vec!["main".to_owned(), "intounderlyingsink_write".to_owned()];
        let graph = graph(&exports, &[&exports[0]]);
        assert!(graph.contains("\"reaches\":[\"e:main\"]"), "{graph}");
        assert!(graph.contains(
            "{\"name\":\"e:intounderlyingsink_write\",\"export\":\"intounderlyingsink_write\"}"
        ));
    }
}

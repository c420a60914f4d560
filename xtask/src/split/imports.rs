//! Short names for the main module's imports from the glue.
//!
//! wasm-bindgen names each function the module imports from its glue after the JS it calls
//! plus a 16-digit hash (`__wbg_new_with_str_and_init_d9f6b5611184e16b`), and each name is
//! written twice: in the module's import section and as a key of the glue's imports object,
//! which no minifier may rename. Some 200 of them came to 4.8 KB brotli of every page (2.8 KB
//! in the module, 2.0 KB in the glue), most of it the hashes, which don't compress. Here each
//! gets a name of one or two letters, in both files. Nothing else refers to them: the split
//! parts import only the table, the memory and the stack pointer, from the split loader.
//!
//! wasm-bindgen also imports the split loader once per load function, 23 times, each under a
//! key of the imports object of its own: one import and one key do (0.13 KB of every page).
//! (Naming the two modules the imports come from `g` and `s` in both files, and the load
//! functions by their part alone, was measured too: the main module didn't get smaller.)
//!
//! The same goes the other way for the closure adapters the module exports under their
//! mangled Rust names (`_ZN12wasm_bindgen7convert8closures1_6invoke17h…E`, a hash each), which
//! the glue calls as `wasm._ZN…(`: they become `_a`, `_b`, … in both (0.2 KB of every page).

use std::path::Path;

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Parser, Payload};

use crate::Result;

/// Renames the imports of `wasm` (rewritten in place) that come from `module`, and their keys
/// in `glue`, and imports the split loader (`loader`) once in `glue`; returns the new glue.
pub fn shorten(glue: &str, wasm: &Path, module: &str, loader: &str) -> Result<String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let (bytes, renames, exports) = rename(&bytes, module)?;
    if renames.is_empty() {
        return Err(format!(
            "the main module imports nothing from {module}: has wasm-bindgen changed?"
        ));
    }
    let mut glue = glue.to_owned();
    for (old, new) in &renames {
        glue = rename_key(&glue, old, new)?;
    }
    glue = one_loader_import(&glue, loader)?;
    for (old, new) in &exports {
        glue = rename_call(&glue, old, new)?;
    }
    if glue.contains(&format!("wasm.{MANGLED}")) {
        return Err(
            "the glue uses an export of the module by a mangled name this step didn't rename: \
             has wasm-bindgen changed? (xtask/src/split/imports.rs)"
                .to_owned(),
        );
    }
    std::fs::write(wasm, bytes).map_err(|e| format!("{}: {e}", wasm.display()))?;
    Ok(glue)
}

/// The glue with one import of the split loader where wasm-bindgen writes one per function
/// the main module imports from it (`import * as import7 from "./__wasm_split.js"`, and
/// `"./__wasm_split.js": import7,` in its imports object, 23 of each): the same module each
/// time, so the first of each does (the object's duplicate keys went to the last anyway).
pub fn one_loader_import(glue: &str, loader: &str) -> Result<String> {
    let import = |name: &str| format!("import * as {name} from \"{loader}\"");
    let key = |name: &str| format!("        \"{loader}\": {name},");
    let names: Vec<&str> = glue
        .lines()
        .filter_map(|line| {
            line.strip_prefix("import * as ")?
                .strip_suffix(&format!(" from \"{loader}\""))
        })
        .collect();
    let Some(first) = names.first().copied() else {
        return Err(format!(
            "the glue doesn't import {loader}: has wasm-bindgen changed? \
             (xtask/src/split/imports.rs)"
        ));
    };
    let mut out = String::with_capacity(glue.len());
    let mut keys = 0;
    for line in glue.split_inclusive('\n') {
        let text = line.trim_end_matches('\n');
        let name = names
            .iter()
            .find(|name| text == import(name) || text == key(name));
        match name {
            Some(name) if text == key(name) => {
                keys += 1;
                if keys == 1 {
                    out.push_str(&key(first));
                    out.push('\n');
                }
            }
            Some(name) if *name != first => {}
            _ => out.push_str(line),
        }
    }
    let left = names[1..].iter().find(|name| {
        let used = format!("{name}.");
        out.contains(&format!("{name},")) || out.contains(&used)
    });
    if keys != names.len() || left.is_some() {
        return Err(format!(
            "the glue imports {loader} {} times but names it {keys} times in its imports \
             object, or uses one of those imports elsewhere: has wasm-bindgen changed? \
             (xtask/src/split/imports.rs)",
            names.len()
        ));
    }
    Ok(out)
}

/// The glue's key `old` (a function in its imports object), as `new`. The key must be the
/// only place the glue names it: anywhere else would still use the old name.
fn rename_key(glue: &str, old: &str, new: &str) -> Result<String> {
    let key = format!("\n        {old}: function");
    if glue.matches(old).count() != 1 || !glue.contains(&key) {
        return Err(format!(
            "the glue doesn't name the import {old} once, as a key of its imports object: \
             has wasm-bindgen changed? (xtask/src/split/imports.rs)"
        ));
    }
    Ok(glue.replacen(&key, &format!("\n        {new}: function"), 1))
}

/// The glue's calls of the module's export `old` (`wasm.old(`), as calls of `new`.
fn rename_call(glue: &str, old: &str, new: &str) -> Result<String> {
    let call = format!("wasm.{old}(");
    if !glue.contains(&call) {
        return Err(format!(
            "the glue doesn't call the export {old}: has wasm-bindgen changed? \
             (xtask/src/split/imports.rs)"
        ));
    }
    Ok(glue.replace(&call, &format!("wasm.{new}(")))
}

/// How a mangled Rust name starts (the exports wasm-bindgen leaves as they are).
const MANGLED: &str = "_ZN";

/// Each renamed import or export: its old name, its new one.
type Renames = Vec<(String, String)>;

/// `bytes` with every import from `module` renamed, in order, to `a`, `b`, … `Z`, `aa`, …,
/// and every export with a mangled name to `_a`, `_b`, …; and the two lists of renames.
/// Every other section is copied as it is.
fn rename(bytes: &[u8], module: &str) -> Result<(Vec<u8>, Renames, Renames)> {
    let error = |e: &dyn std::fmt::Display| format!("reading the main module: {e}");
    let mut out = wasm_encoder::Module::new();
    let mut renames = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| error(&e))?;
        if let Payload::ImportSection(reader) = payload {
            let mut section = wasm_encoder::ImportSection::new();
            for import in reader.into_imports() {
                let import = import.map_err(|e| error(&e))?;
                let ty = RoundtripReencoder
                    .entity_type(import.ty)
                    .map_err(|e| error(&e))?;
                let name = if import.module == module {
                    let short = short_name(renames.len());
                    renames.push((import.name.to_owned(), short.clone()));
                    short
                } else {
                    import.name.to_owned()
                };
                section.import(import.module, &name, ty);
            }
            out.section(&section);
        } else if let Payload::ExportSection(reader) = payload {
            let mut section = wasm_encoder::ExportSection::new();
            let mut names = std::collections::BTreeSet::new();
            for export in reader {
                let export = export.map_err(|e| error(&e))?;
                let name = if export.name.starts_with(MANGLED) {
                    let short = format!("_{}", short_name(exports.len()));
                    exports.push((export.name.to_owned(), short.clone()));
                    short
                } else {
                    export.name.to_owned()
                };
                if !names.insert(name.clone()) {
                    return Err(format!("the main module would export {name} twice"));
                }
                let kind = RoundtripReencoder
                    .export_kind(export.kind)
                    .map_err(|e| error(&e))?;
                section.export(&name, kind, export.index);
            }
            out.section(&section);
        } else if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection {
                id,
                data: &bytes[range],
            });
        }
    }
    Ok((out.finish(), renames, exports))
}

/// The `n`th of `a` … `z`, `A` … `Z`, `aa`, `ab`, …: JS identifiers, shortest first.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    n += 1;
    while n > 0 {
        n -= 1;
        name.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_distinct_identifiers_shortest_first() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        assert_eq!(names[..3], ["a", "b", "c"]);
        assert_eq!(names[51], "Z");
        assert_eq!(names[52], "aa");
        let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(
            names
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_alphabetic()))
        );
    }

    #[test]
    fn only_the_glues_imports_are_renamed_and_the_rest_is_kept() {
        let mut module = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut imports = wasm_encoder::ImportSection::new();
        imports.import(
            "./glue.js",
            "__wbg_alert_0123456789abcdef",
            wasm_encoder::EntityType::Function(0),
        );
        imports.import(
            "./__wasm_split.js",
            "__wasm_split_load_x",
            wasm_encoder::EntityType::Function(0),
        );
        imports.import(
            "./glue.js",
            "__wbg_log_fedcba9876543210",
            wasm_encoder::EntityType::Function(0),
        );
        module.section(&imports);
        let mut functions = wasm_encoder::FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut exported = wasm_encoder::ExportSection::new();
        exported.export("main", wasm_encoder::ExportKind::Func, 3);
        exported.export(
            "_ZN4core3fmt17h0123456789abcdefE",
            wasm_encoder::ExportKind::Func,
            3,
        );
        module.section(&exported);
        let mut code = wasm_encoder::CodeSection::new();
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().end();
        code.function(&body);
        module.section(&code);
        module.section(&wasm_encoder::CustomSection {
            name: "kept".into(),
            data: b"as it was".into(),
        });
        let (bytes, renames, exports) = rename(&module.finish(), "./glue.js").unwrap();
        assert_eq!(
            exports,
            [(
                "_ZN4core3fmt17h0123456789abcdefE".to_owned(),
                "_a".to_owned()
            )]
        );
        assert_eq!(
            renames,
            [
                ("__wbg_alert_0123456789abcdef".to_owned(), "a".to_owned()),
                ("__wbg_log_fedcba9876543210".to_owned(), "b".to_owned())
            ]
        );
        let mut names = Vec::new();
        let mut custom = None;
        for payload in Parser::new(0).parse_all(&bytes) {
            match payload.unwrap() {
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.unwrap();
                        names.push(format!("{} {}", import.module, import.name));
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        names.push(format!("export {}", export.unwrap().name));
                    }
                }
                Payload::CustomSection(section) => custom = Some(section.data().to_vec()),
                _ => {}
            }
        }
        assert_eq!(
            names,
            [
                "./glue.js a",
                "./__wasm_split.js __wasm_split_load_x",
                "./glue.js b",
                "export main",
                "export _a"
            ]
        );
        assert_eq!(custom.as_deref(), Some(&b"as it was"[..]));
    }

    #[test]
    fn a_key_named_anywhere_else_in_the_glue_is_an_error() {
        let glue = "const import0 = {\n        __wbg_x_1: function() {},\n};\n";
        assert_eq!(
            rename_key(glue, "__wbg_x_1", "a").as_deref(),
            Ok("const import0 = {\n        a: function() {},\n};\n")
        );
        let twice = format!("{glue}wasm.__wbg_x_1();\n");
        assert!(rename_key(&twice, "__wbg_x_1", "a").is_err());
    }

    #[test]
    fn an_export_is_renamed_where_the_glue_calls_it() {
        let glue = "function _ZN1aE(x) { wasm._ZN1aE(x); }\nwasm._ZN1aE_16(1);\n";
        assert_eq!(
            rename_call(glue, "_ZN1aE", "_a").as_deref(),
            Ok("function _ZN1aE(x) { wasm._a(x); }\nwasm._ZN1aE_16(1);\n")
        );
        assert!(rename_call(glue, "_ZN1bE", "_b").is_err());
    }

    #[test]
    fn the_loader_is_imported_once() {
        let glue = "import * as import1 from \"./l.js\"\n\
                    import * as import2 from \"./l.js\"\n\
                    const import0 = {};\n\
                    return {\n        \"./g.js\": import0,\n        \"./l.js\": import1,\n        \"./l.js\": import2,\n};\n";
        assert_eq!(
            one_loader_import(glue, "./l.js").as_deref(),
            Ok("import * as import1 from \"./l.js\"\n\
                const import0 = {};\n\
                return {\n        \"./g.js\": import0,\n        \"./l.js\": import1,\n};\n")
        );
        // An import used anywhere else, or no import of the loader at all.
        let used = glue.replace("const import0 = {};", "import2.x();");
        assert!(one_loader_import(&used, "./l.js").is_err());
        assert!(one_loader_import("const a = 1;\n", "./l.js").is_err());
    }
}

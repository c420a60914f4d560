//! The split loader, rewritten as a table.
//!
//! `wasm-split-cli` writes one load function per module (~240 of them), each the same dozen
//! lines with a file name, and every part names its chunks one by one: 42 KB before
//! compression and 2.2 KB brotli of the shell, which every page pays. The same loader is its
//! helpers (kept as they are), one function that makes a module's loader from its name, and
//! a line per part with its chunks as a bit mask: about half the bytes.
//!
//! The rewrite only takes what it recognises: every module's block must be exactly what this
//! step would write for it ([`block`]), or the build fails.

use std::collections::{BTreeMap, BTreeSet};

use crate::Result;

/// Put before the loader's own code: a module that came in the entry page's bundle
/// (`index.html`'s script holds it) isn't fetched again.
const FROM_BUNDLE: &str = "function hallpassFetch(url) {
    return self.hallpassBundle ? self.hallpassBundle(url.pathname) : fetch(url);
}
";

/// What the loader's helpers import from the glue.
const GLUE_IMPORT: &str = "\"./hallpass.js\"";

/// The loader `wasm-split-cli` wrote, read.
#[derive(Debug)]
pub struct Loader {
    /// Its helpers (`getSharedImports`, `wrapAsyncCb`, `makeLoad`) and the glue's import.
    prelude: String,
    /// The shared chunks, by number (`chunk_24.wasm`).
    pub chunks: BTreeSet<u32>,
    /// Each part (`split_devices.wasm` is `devices`) and the chunks it waits for.
    pub parts: BTreeMap<String, Vec<u32>>,
}

impl Loader {
    /// Reads the loader: the helpers up to the first module, then each module's block.
    pub fn parse(text: &str) -> Result<Loader> {
        let changed = |what: &str| format!("the split loader {what}: has wasm-split-cli changed?");
        // The first line at the top level that isn't a helper's.
        let start = text
            .match_indices('\n')
            .map(|(at, _)| at + 1)
            .find(|&at| {
                ["/*", "const ", "export "]
                    .iter()
                    .any(|s| text[at..].starts_with(s))
            })
            .ok_or_else(|| changed("defines no modules"))?;
        let prelude = text[..start].to_owned();
        if !prelude.contains(GLUE_IMPORT) || !prelude.contains("function makeLoad(") {
            return Err(changed("doesn't start with its helpers"));
        }
        let mut blocks: Vec<String> = Vec::new();
        for line in text[start..].lines() {
            if line.starts_with("/*") && line.ends_with("*/") {
                continue; // which parts share the chunk below
            }
            if line.starts_with("const ") || line.starts_with("export const ") {
                blocks.push(String::new());
            }
            let block = blocks
                .last_mut()
                .ok_or_else(|| changed("has code before its first module"))?;
            block.push_str(line);
            block.push('\n');
        }
        let (mut chunks, mut parts) = (BTreeSet::new(), BTreeMap::new());
        for text in &blocks {
            let name = text
                .split(" = ")
                .next()
                .unwrap_or_default()
                .trim_start_matches("export ")
                .trim_start_matches("const ");
            let deps: Vec<u32> = text
                .rsplit_once(", [")
                .and_then(|(_, list)| list.split(']').next())
                .unwrap_or_default()
                .split(", ")
                .filter(|c| !c.is_empty())
                .map(|c| c.strip_prefix("__chunk_").and_then(|n| n.parse().ok()))
                .collect::<Option<_>>()
                .ok_or_else(|| changed(&format!("has {name} wait for something not a chunk")))?;
            let module = if let Some(n) = name.strip_prefix("__chunk_") {
                let n: u32 = n.parse().map_err(|_| changed(&format!("names {name}")))?;
                chunks.insert(n);
                Module::Chunk(n)
            } else if let Some(part) = name.strip_prefix("__wasm_split_load_") {
                parts.insert(part.to_owned(), deps.clone());
                Module::Part(part)
            } else {
                return Err(changed(&format!("defines {name}")));
            };
            if *text != block(&module, &deps) {
                return Err(changed(&format!(
                    "loads {name} in a way this step doesn't know"
                )));
            }
            if matches!(module, Module::Chunk(_)) && !deps.is_empty() {
                return Err(changed(&format!("has chunk {name} wait for others")));
            }
        }
        let unknown = parts.values().flatten().find(|n| !chunks.contains(n));
        if let Some(n) = unknown {
            return Err(changed(&format!(
                "waits for chunk {n}, which it doesn't load"
            )));
        }
        if parts.is_empty() {
            return Err(changed("loads no part"));
        }
        Ok(Loader {
            prelude,
            chunks,
            parts,
        })
    }

    /// The file names of every module, without the build's hash (`chunk_24.wasm`).
    pub fn files(&self) -> impl Iterator<Item = String> + '_ {
        let chunks = self.chunks.iter().map(|n| format!("chunk_{n}.wasm"));
        chunks.chain(self.parts.keys().map(|p| format!("split_{p}.wasm")))
    }

    /// The loader as a table, importing `glue` and fetching modules named with `hash`.
    pub fn write(&self, glue: &str, hash: &str) -> String {
        let mut js = self.prelude.replace(GLUE_IMPORT, &format!("\"./{glue}\""));
        js.push_str(FROM_BUNDLE);
        js.push_str(&format!(
            "function hallpassModule(name, deps) {{
    return makeLoad(() => {{
        const src = hallpassFetch(new URL(\"./\" + name + \"-{hash}.wasm\", import.meta.url));
        src.catch(() => {{}});
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
    }}, deps);
}}
const hallpassChunks = [];
// `needs`: the chunks the part waits for, a bit mask in hexadecimal, chunk 0 the last bit.
function hallpassPart(name, needs) {{
    const deps = [];
    for (let i = 0; i < needs.length; i++) {{
        const digit = parseInt(needs[needs.length - 1 - i], 16);
        for (let bit = 0; bit < 4; bit++) {{
            if ((digit >> bit) & 1) {{
                const n = 4 * i + bit;
                deps.push(hallpassChunks[n] ||= hallpassModule(\"chunk_\" + n, []));
            }}
        }}
    }}
    return wrapAsyncCb(hallpassModule(\"split_\" + name, deps));
}}
"
        ));
        for (part, deps) in &self.parts {
            js.push_str(&format!(
                "export const __wasm_split_load_{part} = hallpassPart(\"{part}\", \"{}\");\n",
                mask(deps)
            ));
        }
        js
    }
}

enum Module<'a> {
    Chunk(u32),
    Part(&'a str),
}

/// A module's block as `wasm-split-cli` 0.2 writes it.
fn block(module: &Module, deps: &[u32]) -> String {
    let (head, file, close) = match module {
        Module::Chunk(n) => (
            format!("const __chunk_{n} = makeLoad("),
            format!("chunk_{n}"),
            ")",
        ),
        Module::Part(part) => (
            format!("export const __wasm_split_load_{part} = wrapAsyncCb(makeLoad("),
            format!("split_{part}"),
            "))",
        ),
    };
    let deps: Vec<String> = deps.iter().map(|n| format!("__chunk_{n}")).collect();
    format!(
        "{head}() => {{
    const src = fetch(new URL(\"./{file}.wasm\", import.meta.url));
    src.catch(() => {{}});
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}}
, [{}]{close};\n",
        deps.join(", ")
    )
}

/// `chunks` as a bit mask in hexadecimal, the lowest bit last: what `hallpassPart` reads.
fn mask(chunks: &[u32]) -> String {
    let Some(&top) = chunks.iter().max() else {
        return String::new();
    };
    let mut digits = vec![0u8; top as usize / 4 + 1];
    for &n in chunks {
        digits[n as usize / 4] |= 1 << (n % 4);
    }
    digits
        .iter()
        .rev()
        .map(|d| char::from_digit(u32::from(*d), 16).unwrap_or('0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRELUDE: &str = "import { initSync } from \"./hallpass.js\";\n\
        function makeLoad(fetcher, deps) { return () => {}; }\n";

    fn loader(modules: &[(Module, &[u32])]) -> String {
        let mut text = PRELUDE.to_owned();
        for (module, deps) in modules {
            text.push_str("/* a, b */\n");
            text.push_str(&block(module, deps));
        }
        text
    }

    #[test]
    fn reads_each_part_and_its_chunks() {
        let text = loader(&[
            (Module::Chunk(3), &[]),
            (Module::Chunk(7), &[]),
            (Module::Part("devices"), &[3, 7]),
            (Module::Part("home"), &[]),
        ]);
        let read = Loader::parse(&text).expect("parses");
        assert_eq!(read.chunks, BTreeSet::from([3, 7]));
        assert_eq!(read.parts["devices"], vec![3, 7]);
        assert_eq!(read.parts["home"], Vec::<u32>::new());
        let files: Vec<String> = read.files().collect();
        assert_eq!(
            files,
            [
                "chunk_3.wasm",
                "chunk_7.wasm",
                "split_devices.wasm",
                "split_home.wasm"
            ]
        );
        let js = read.write("hallpass-abc.js", "abc");
        assert!(js.starts_with("import { initSync } from \"./hallpass-abc.js\";"));
        assert!(js.contains("hallpassPart(\"devices\", \"88\");"), "{js}");
        assert!(js.contains("hallpassPart(\"home\", \"\");"), "{js}");
        assert!(js.contains("-abc.wasm"));
    }

    #[test]
    fn a_mask_has_one_bit_per_chunk_lowest_last() {
        assert_eq!(mask(&[0]), "1");
        assert_eq!(mask(&[3, 7]), "88");
        assert_eq!(mask(&[4, 5, 6, 7, 8]), "1f0");
        assert_eq!(mask(&[]), "");
    }

    #[test]
    fn a_block_it_does_not_know_fails_the_build() {
        let text = loader(&[(Module::Chunk(3), &[]), (Module::Part("home"), &[3])]).replace(
            "instantiateStreaming(src, imports)",
            "instantiate(src, imports)",
        );
        assert!(Loader::parse(&text).is_err());
        // A chunk that waits for another, which the table can't say.
        let text = loader(&[(Module::Chunk(3), &[]), (Module::Chunk(4), &[3])]);
        assert!(Loader::parse(&text).is_err());
        // A part waiting for a chunk no block loads.
        let text = loader(&[(Module::Part("home"), &[9])]);
        assert!(Loader::parse(&text).is_err());
    }
}

//! `cargo xtask split`: Trunk's `post_build` hook (Trunk.toml) that splits the app into one
//! part per page.
//!
//! Trunk builds the crate (linked with `--emit-relocs`, see [`RUSTFLAGS`]), its CSS, assets and
//! `index.html`; it has no step between cargo and wasm-bindgen, which is where splitting has
//! to happen (trunk-rs/trunk#1022). So this hook takes the linked module cargo left in
//! `target/` and does what cargo-leptos's `--split` does: `wasm-split-cli` → wasm-bindgen on
//! the main module → wasm-opt on every module. It then puts the result in Trunk's staging
//! folder in place of Trunk's own unsplit wasm and JS, with one content hash for the build,
//! writes each entry page's part and chunks once more as one bundle, and points `index.html` at
//! it all (the glue's integrity hash, and a script that fetches the entry page's bundle). Last,
//! it bundles Trunk's stylesheets into one file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::build::{files_in, target_dir};
use crate::install::{WASM_TARGET, find, tool_path};
use crate::proc::run as run_cmd;
use crate::{Result, step};

mod imports;
mod loader;
mod unused;

/// What Trunk's cargo build needs for the split: the split points (`hallpass_split`, see
/// src/parts.rs) and the relocations `wasm-split-cli` reads to know what each function refers
/// to. `cargo xtask dist` sets them. The variable takes the place of `.cargo/config.toml`'s
/// wasm32 `rustflags`, so it repeats them (`erase_components`).
pub const RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
    "--cfg erase_components --cfg hallpass_split -Clink-args=--emit-relocs",
);

/// The wasm features the modules use, for binaryen's tools.
const FEATURES: [&str; 4] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
];

/// The binary Trunk builds (`data-bin` in index.html).
const BIN: &str = "hallpass";
/// The split loader `wasm-split-cli` writes; the main module imports its load functions.
const LOADER: &str = "__wasm_split";

/// The localStorage key the app sets to "1" while someone is signed in (`SESSION_HINT` in
/// src/auth.rs). Without it, `index.html` opened at an account address fetches the sign-in
/// page's bundle: a signed-out visitor is sent there, and never sees the page asked for.
const SESSION_HINT: &str = "hallpass.session";
/// The Cache Storage cache that keeps the main module after a first visit. Signing out clears
/// it with every other cache (src/cleanup.rs, and the server's `Clear-Site-Data`); `/signed-out`
/// then keeps the module again: the app's own code, the same for everyone, as the HTTP cache
/// would (`APP_CODE_CACHE` in tests/e2e/steps.rs).
const APP_CODE_CACHE: &str = "hallpass-app";
/// The entry pages a signed-out visitor sees (src/auth.rs sends them from the others).
const SIGNED_OUT_PARTS: &[&str] = &["home", "sign_in", "forgot_password", "signed_out"];

/// The pages a visitor can open first, with their part (the module names in
/// `src/parts.rs`); `index.html` fetches the bundle of the address it was opened at.
pub const ENTRY_PAGES: &[(&str, &str)] = &[
    ("/", "home"),
    ("/signin", "sign_in"),
    ("/signin/forgot", "forgot_password"),
    ("/profiles", "profiles"),
    ("/profiles/manage", "manage_profiles"),
    ("/account", "account"),
    ("/account/password", "change_password"),
    ("/account/email", "change_email"),
    ("/account/phone", "change_phone"),
    ("/account/recovery", "recovery"),
    ("/security", "security"),
    ("/security/two-step", "two_step"),
    ("/security/devices", "devices"),
    ("/security/activity", "activity"),
    ("/signed-out", "signed_out"),
];

/// What a browser fetches for the shell and for each part, as `split` wrote it to `dist/`.
pub struct Manifest {
    /// The main module and its two scripts.
    pub shell: Vec<String>,
    /// Each part's own module first, then the chunks it shares with other parts.
    pub parts: BTreeMap<String, Vec<String>>,
}

pub fn run() -> Result {
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("`cargo xtask split` is Trunk's post_build hook: run `cargo xtask dist`")?;
    let profile = match std::env::var("TRUNK_PROFILE").as_deref() {
        Ok("debug") => "debug",
        _ => "release",
    };
    let linked = target_dir()
        .join(WASM_TARGET)
        .join(profile)
        .join(format!("{BIN}.wasm"));
    split(&linked, &staging)
}

fn split(linked: &Path, staging: &Path) -> Result {
    step("Splitting the app into one part per page (wasm-split-cli, wasm-bindgen, wasm-opt)");
    let work = target_dir().join("split");
    let _ = std::fs::remove_dir_all(&work);
    let (split_dir, bindgen_dir, out_dir) =
        (work.join("split"), work.join("bindgen"), work.join("out"));
    for dir in [&split_dir, &bindgen_dir, &out_dir] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let tool =
        |name: &str| find(name).ok_or(format!("{name} is not installed: run `cargo xtask dist`"));
    run_cmd(
        Command::new(tool("wasm-split-cli")?)
            .args(["--target", "web", "--out-name", BIN])
            .arg(linked)
            .arg(&split_dir),
    )
    .map_err(|e| {
        format!(
            "{e}\n(the module must be built with {}: `cargo xtask dist` does that)",
            RUSTFLAGS.1
        )
    })?;
    run_cmd(
        Command::new(tool("wasm-bindgen")?)
            .args(["--target", "web", "--keep-lld-exports", "--no-demangle"])
            .args(["--out-name", BIN])
            .arg("--out-dir")
            .arg(&bindgen_dir)
            .arg(split_dir.join(format!("{BIN}.wasm"))),
    )?;

    let main_module = bindgen_dir.join(format!("{BIN}_bg.wasm"));
    let glue_file = bindgen_dir.join(format!("{BIN}.js"));
    let glue = unused::remove(&read_text(&glue_file)?, &main_module)?;
    let glue = imports::shorten(
        &glue,
        &main_module,
        &format!("./{BIN}_bg.js"),
        &format!("./{LOADER}.js"),
    )?;
    write(&glue_file, glue.as_bytes())?;

    // Every module, optimised: the main one from wasm-bindgen, the parts as wasm-split wrote them.
    let mut modules = vec![main_module];
    for path in files_in(&split_dir)? {
        let name = file_name(&path);
        if name.ends_with(".wasm") && name != format!("{BIN}.wasm") {
            modules.push(path);
        }
    }
    optimise(&modules, &out_dir)?;

    // Content-hashed names: one hash, of everything, for every file of the build. A hash of
    // each module's own bytes would buy nothing: the parts call into the main module through
    // its function table, so nearly every change to the code moves their table offsets and
    // changes them all. One hash repeated compresses to nothing in `index.html` and the
    // loader, where ~130 hashes of their own cost every page about 1.4 KB. And it is Trunk's
    // 16 hex digits, which the server caches as `immutable`: the 10-digit ones it had were
    // served `no-cache`, so every visit revalidated the whole app.
    let mut all = Sha384::new();
    let mut names = Vec::new();
    for module in &modules {
        let name = file_name(module);
        all.update(read(&out_dir.join(&name))?);
        names.push(name);
    }
    let glue = read_text(&bindgen_dir.join(format!("{BIN}.js")))?;
    let source = read_text(&split_dir.join(format!("{LOADER}.js")))?;
    let table = loader::Loader::parse(&source)?;
    all.update(glue.as_bytes());
    all.update(source.as_bytes());
    let shared = hex(&all.finalize()[..8]);
    let renames: BTreeMap<String, String> = names
        .into_iter()
        .map(|name| {
            let stem = name.trim_end_matches(".wasm").to_owned();
            (name, format!("{stem}-{shared}.wasm"))
        })
        .collect();
    let glue_name = format!("{BIN}-{shared}.js");
    let loader_name = format!("{LOADER}-{shared}.js");
    let main_wasm = renames[&format!("{BIN}_bg.wasm")].clone();

    // Point the scripts at the new names: the loader fetches the parts and imports the glue;
    // the glue imports the loader's functions and names the main module.
    let loader = table.write(&glue_name, &shared);
    // Only the ES imports: the import *object* keeps the module name the main module was
    // linked with.
    let glue = glue
        .replace(
            &format!("from \"./{LOADER}.js\""),
            &format!("from \"./{loader_name}\""),
        )
        .replace(&format!("'{BIN}_bg.wasm'"), &format!("'{main_wasm}'"));
    if !glue.contains(&loader_name) {
        return Err(format!(
            "{BIN}.js doesn't import ./{LOADER}.js: has wasm-bindgen changed?"
        ));
    }

    // Trunk's own (unsplit) module and glue make way for these.
    let trunk_js = trunk_output(staging, ".js")?;
    let trunk_wasm = trunk_output(staging, "_bg.wasm")?;
    std::fs::remove_file(staging.join(&trunk_js)).map_err(|e| e.to_string())?;
    std::fs::remove_file(staging.join(&trunk_wasm)).map_err(|e| e.to_string())?;
    for (from, to) in &renames {
        std::fs::copy(out_dir.join(from), staging.join(to)).map_err(|e| e.to_string())?;
    }
    write(&staging.join(&glue_name), minify(&work, &glue)?.as_bytes())?;
    write(
        &staging.join(&loader_name),
        minify(&work, &loader)?.as_bytes(),
    )?;

    let manifest = manifest(
        &table,
        &renames,
        vec![glue_name.clone(), loader_name.clone(), main_wasm.clone()],
    )?;
    bundle_entry_parts(&manifest, staging, &shared, &main_wasm)?;
    let index = staging.join("index.html");
    let html = read_text(&index)?;
    let html = rewrite_index(
        &html,
        &trunk_js,
        &trunk_wasm,
        staging,
        &shared,
        [&glue_name, &loader_name, &main_wasm],
    )?;
    let html = bundle_stylesheets(&html, staging)?;
    write(&index, html.as_bytes())?;
    write(&staging.join("parts.txt"), manifest.to_text().as_bytes())?;
    println!(
        "{} parts and {} shared chunks",
        manifest.parts.len(),
        renames.len() - 1 - manifest.parts.len()
    );
    Ok(())
}

/// wasm-opt -Oz on every module, two at a time (the machines this runs on have two cores,
/// and most of each run is binaryen starting up).
fn optimise(modules: &[PathBuf], out_dir: &Path) -> Result {
    let wasm_opt = find("wasm-opt").ok_or("wasm-opt is not installed: run `cargo xtask dist`")?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(module) = modules.get(i) else { break };
                    let out = out_dir.join(file_name(module));
                    let status = Command::new(&wasm_opt)
                        .env("PATH", tool_path())
                        .arg("-Oz")
                        .args(FEATURES)
                        // Two custom sections no browser reads, in every one of ~130 files:
                        // 3 KB brotli off `/signin`, 7 KB off `/security/devices`.
                        .args(["--strip-producers", "--strip-target-features"])
                        .arg(module)
                        .arg("-o")
                        .arg(&out)
                        .stderr(std::process::Stdio::null())
                        .status();
                    if !status.is_ok_and(|s| s.success())
                        && let Ok(mut failures) = failures.lock()
                    {
                        failures.push(file_name(module));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_default();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("wasm-opt failed on {}", failures.join(", ")))
    }
}

/// `script` through terser (an ES module; compressed and mangled): 2.7 KB less brotli for
/// the two scripts every page loads.
fn minify(work: &Path, script: &str) -> Result<String> {
    let terser = find("terser").ok_or("terser is not installed: run `cargo xtask dist`")?;
    let (input, output) = (work.join("script.js"), work.join("script.min.js"));
    write(&input, script.as_bytes())?;
    run_cmd(
        Command::new(terser)
            .env("PATH", tool_path())
            .arg(&input)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(&output),
    )?;
    read_text(&output)
}

/// Which files each part needs, from the loader wasm-split wrote: its own module first, then
/// the chunks it waits for.
fn manifest(
    table: &loader::Loader,
    renames: &BTreeMap<String, String>,
    shell: Vec<String>,
) -> Result<Manifest> {
    let loaded: Vec<String> = table.files().collect();
    if loaded.len() + 1 != renames.len() || loaded.iter().any(|f| !renames.contains_key(f)) {
        return Err(format!(
            "{LOADER}.js loads {} modules, but wasm-split wrote {} besides the main one: has \
             wasm-split-cli changed?",
            loaded.len(),
            renames.len() - 1
        ));
    }
    let mut parts = BTreeMap::new();
    for (part, chunks) in &table.parts {
        let own = renames[&format!("split_{part}.wasm")].clone();
        let shared = chunks
            .iter()
            .rev()
            .map(|n| renames[&format!("chunk_{n}.wasm")].clone());
        parts.insert(part.clone(), std::iter::once(own).chain(shared).collect());
    }
    for (_, part) in ENTRY_PAGES {
        if !parts.contains_key(*part) {
            return Err(format!("no part `{part}` in the split app (src/parts.rs)"));
        }
    }
    Ok(Manifest { shell, parts })
}

impl Manifest {
    /// One line per part: its name, then the files it needs; the shell first.
    pub fn to_text(&self) -> String {
        let mut text = format!("shell {}\n", self.shell.join(" "));
        for (part, files) in &self.parts {
            text.push_str(&format!("{part} {}\n", files.join(" ")));
        }
        text
    }

    pub fn from_text(text: &str) -> Result<Manifest> {
        let mut shell = Vec::new();
        let mut parts = BTreeMap::new();
        for line in text.lines() {
            let mut words = line.split_whitespace().map(str::to_owned);
            match words.next().as_deref() {
                Some("shell") => shell = words.collect(),
                Some(part) => {
                    parts.insert(part.to_owned(), words.collect());
                }
                None => {}
            }
        }
        if shell.is_empty() || parts.is_empty() {
            return Err("parts.txt lists no shell or no part: run `cargo xtask dist`".to_owned());
        }
        Ok(Manifest { shell, parts })
    }
}

/// Trunk's `index.html`, pointed at the split app: the glue and main module in place of
/// Trunk's, the glue's integrity hash, the loader preloaded beside the glue, and a small
/// script that starts fetching the main module and the entry page's part at once.
fn rewrite_index(
    html: &str,
    trunk_js: &str,
    trunk_wasm: &str,
    staging: &Path,
    hash: &str,
    [glue, loader, main_wasm]: [&String; 3],
) -> Result<String> {
    let mut html = html.to_owned();
    if !html.contains(trunk_js) {
        return Err(format!("Trunk's index.html doesn't name {trunk_js}"));
    }
    let new = integrity(&read(&staging.join(glue))?);
    html = replace_integrity(&html, trunk_js, &new)?.replace(trunk_js, glue);
    // The main module: WebKit doesn't hand Trunk's `<link rel=preload as=fetch>` to the
    // glue's own fetch and downloads the module twice (113 KB). So the preload goes, the
    // inline script below gets the module (from Cache Storage or the page's bundle), and
    // `init` is given it.
    html = remove_tag(&html, &format!("href=/{trunk_wasm}"))?;
    let trunk_init = format!("module_or_path: '/{trunk_wasm}'");
    if !html.contains(&trunk_init) {
        return Err(format!("Trunk's start-up script doesn't have {trunk_init}"));
    }
    html = html.replace(
        &trunk_init,
        &format!("module_or_path: self.hallpassWasm || '/{main_wasm}'"),
    );
    // The entry page's bundle (see `bundle_entry_parts`), fetched at once and cut into its
    // modules, which the loader takes through `self.hallpassBundle` (`FROM_BUNDLE` in
    // split/loader.rs); a module the bundle lacks, or all of them if it can't be fetched, come
    // from the network. A page only a signed-in visitor sees is marked `*`.
    //
    // The main module comes from Cache Storage when an earlier visit kept it there, with the
    // page's `entry_` bundle; otherwise inside its `first_` bundle, and is then kept (the old
    // build's copy goes). Without Cache Storage (not a secure context, or a private window
    // that refuses it) every visit is a first one. A path that is no entry page takes the
    // main module from the cache or the network.
    let map: Vec<String> = ENTRY_PAGES
        .iter()
        .map(|(path, part)| {
            let signed_in = !SIGNED_OUT_PARTS.contains(part);
            format!("\"{path}\":\"{}{part}\"", if signed_in { "*" } else { "" })
        })
        .collect();
    let preload = format!(
        "<link rel=modulepreload crossorigin href=/{loader} integrity={}>\
         <script>{{const M=\"/{main_wasm}\",C=\"{APP_CODE_CACHE}\",t={{headers:{{\"content-type\":\"application/wasm\"}}}},\
         k=(async()=>{{try{{return await caches.match(M,{{cacheName:C}})}}catch{{}}}})();\
         let e={{{}}}[location.pathname.replace(/(.)\\/$/,\"$1\")],h;\
         if(e&&e[0]==\"*\"){{try{{h=localStorage.getItem(\"{SESSION_HINT}\")}}catch{{}}e=h?e.slice(1):\"sign_in\"}}\
         if(e){{const m=k.then(r=>fetch(\"/\"+(r?\"entry_\":\"first_\")+e+\"-{hash}.bin\")).then(r=>{{if(!r.ok)throw r.status;return r.arrayBuffer()}})\
         .then(b=>{{const n=new DataView(b).getUint32(0,!0),w=new TextDecoder().decode(new Uint8Array(b,4,n)).split(\" \"),s=new Map;\
         for(let i=0,o=4+n;i<w.length;i+=2)s.set(\"/\"+w[i]+\"-{hash}.wasm\",b.slice(o,o+=+w[i+1]));\
         const x=s.get(M);x&&self.caches&&caches.open(C).then(c=>c.keys().then(q=>Promise.all(q.map(r=>c.delete(r))))\
         .then(()=>c.put(M,new Response(x,t)))).catch(()=>{{}});return s}});\
         m.catch(()=>{{}});\
         self.hallpassBundle=u=>m.then(s=>{{const b=s.get(u);if(!b)throw 0;s.delete(u);\
         return new Response(b,t)}}).catch(()=>fetch(u))}}\
         self.hallpassWasm=k.then(r=>r||(e?self.hallpassBundle(M):fetch(M)))}}</script>",
        integrity(&read(&staging.join(loader))?),
        map.join(",")
    );
    let at = html
        .find("</head>")
        .ok_or("Trunk's index.html has no </head>")?;
    html.insert_str(at, &preload);
    Ok(html)
}

/// Each entry page's part with its chunks as one file, `entry_<part>-<hash>.bin`, which
/// `index.html`'s script fetches in their place; and the same with the main module first,
/// `first_<part>-<hash>.bin`, for a browser that doesn't have the main module yet.
/// Compressed together they are 15–25% smaller than one by one (`/signin` 21.5 → 18.2 KB,
/// `/account` 53.9 → 40.5 KB): brotli finds the code they share only within one file; and
/// the main module with them, another 2.8–6.0 KB (the page's code calls into it, and repeats
/// its instructions). The modules stay in `dist/` as well, for the pages opened later, whose
/// parts the loader fetches one module at a time.
///
/// The file: the length of its head (u32, little-endian), the head ("name length name length
/// …", the names without the build's hash), then the modules in that order.
fn bundle_entry_parts(manifest: &Manifest, staging: &Path, hash: &str, main: &str) -> Result {
    let parts: std::collections::BTreeSet<&str> =
        ENTRY_PAGES.iter().map(|(_, part)| *part).collect();
    for part in parts {
        let files = &manifest.parts[part];
        write(
            &staging.join(format!("entry_{part}-{hash}.bin")),
            &bundle(files.iter().map(String::as_str), staging, hash)?,
        )?;
        let with_main = std::iter::once(main).chain(files.iter().map(String::as_str));
        write(
            &staging.join(format!("first_{part}-{hash}.bin")),
            &bundle(with_main, staging, hash)?,
        )?;
    }
    Ok(())
}

/// `files` of `staging` as one bundle (see [`bundle_entry_parts`]).
fn bundle<'a>(files: impl Iterator<Item = &'a str>, staging: &Path, hash: &str) -> Result<Vec<u8>> {
    let (mut head, mut modules) = (Vec::new(), Vec::new());
    for file in files {
        let bytes = read(&staging.join(file))?;
        let name = file
            .strip_suffix(&format!("-{hash}.wasm"))
            .ok_or(format!("{file} isn't named with the build's hash"))?;
        head.push(format!("{name} {}", bytes.len()));
        modules.extend(bytes);
    }
    let head = head.join(" ");
    let length = u32::try_from(head.len()).map_err(|e| e.to_string())?;
    let mut bundle = length.to_le_bytes().to_vec();
    bundle.extend(head.as_bytes());
    bundle.extend(modules);
    Ok(bundle)
}

/// Trunk's stylesheets as one file, in their order in `index.html`. Every page loads all of
/// them, and apart they compress to 7.3 KB but together to 5.3 KB: brotli finds the custom
/// properties and selectors they share only within one file. The sources stay split by
/// page and component (`style/`), and the cascade is the same: the order is `index.html`'s.
fn bundle_stylesheets(html: &str, staging: &Path) -> Result<String> {
    const TAG_END: &str = " rel=stylesheet>";
    let mut html = html.to_owned();
    let mut css = String::new();
    let mut first = None;
    while let Some(end) = html.find(TAG_END) {
        let start = html[..end]
            .rfind('<')
            .ok_or("a stylesheet link without its tag")?;
        let name = html[start..end]
            .split("href=/")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .filter(|name| name.ends_with(".css"))
            .ok_or_else(|| {
                format!(
                    "a stylesheet link Trunk didn't write: {}",
                    &html[start..end]
                )
            })?
            .to_owned();
        let path = staging.join(&name);
        css.push_str(&read_text(&path)?);
        css.push('\n');
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        html.replace_range(start..end + TAG_END.len(), "");
        first.get_or_insert(start);
    }
    let at = first.ok_or("Trunk's index.html links no stylesheet")?;
    let name = format!("style-{}.css", hex(&Sha384::digest(css.as_bytes())[..8]));
    write(&staging.join(&name), css.as_bytes())?;
    html.insert_str(
        at,
        &format!(
            "<link href=/{name} integrity={}{TAG_END}",
            integrity(css.as_bytes())
        ),
    );
    Ok(html)
}

/// Removes the whole tag that contains `needle`.
fn remove_tag(html: &str, needle: &str) -> Result<String> {
    let at = html
        .find(needle)
        .ok_or(format!("no tag with {needle} in index.html"))?;
    let start = html[..at].rfind('<').unwrap_or(0);
    let end = at + html[at..].find('>').ok_or("unclosed tag")? + 1;
    Ok(format!("{}{}", &html[..start], &html[end..]))
}

/// Replaces the `integrity=` value of the tag naming `file` with `new`.
fn replace_integrity(html: &str, file: &str, new: &str) -> Result<String> {
    let at = html
        .find(&format!("href=/{file}"))
        .ok_or(format!("no link to {file} in index.html"))?;
    let tag_start = html[..at].rfind('<').unwrap_or(0);
    let tag_end = at + html[at..].find('>').ok_or("unclosed tag")?;
    let tag = &html[tag_start..tag_end];
    let Some(i) = tag.find("integrity=") else {
        return Ok(html.to_owned());
    };
    let value_start = tag_start + i + "integrity=".len();
    let value_end = value_start
        + html[value_start..tag_end]
            .find([' ', '>'])
            .unwrap_or(tag_end - value_start);
    Ok(format!(
        "{}{new}{}",
        &html[..value_start],
        &html[value_end..]
    ))
}

/// Trunk's output for the app: `hallpass-<hash>` + `suffix` in the staging folder.
fn trunk_output(staging: &Path, suffix: &str) -> Result<String> {
    let entries = std::fs::read_dir(staging).map_err(|e| e.to_string())?;
    entries
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .find(|name| {
            name.starts_with(&format!("{BIN}-"))
                && name.ends_with(suffix)
                && (suffix != ".js" || !name.ends_with("_bg.js"))
        })
        .ok_or(format!("Trunk wrote no {BIN}-*{suffix}"))
}

fn integrity(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

//! `cargo xtask screens`: a full-page screenshot of every page and dialog at 1280 and 360 px,
//! light and dark, signed out and signed in, and a contact sheet (`index.html`) that shows
//! them all at once.
//!
//! A report, not a test: nothing in `cargo xtask test` runs it. The release app (`dist/`) is
//! served over HTTPS (`--tls-self-signed`, as the end-to-end suite does) by `hallpass-server
//! --demo` on a fresh database; `xtask/report/screens.mjs` drives Debian's Chromium with
//! playwright-core through the list of shots (a table at its top: add a page or a dialog
//! there) and writes the PNGs and `manifest.json`, from which this writes the contact sheet.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::build::target_dir;
use crate::demo::DemoServer;
use crate::install::{CHROMIUM, render_tools, tools_dir};
use crate::proc::run;
use crate::{Result, root, step};

/// Where the shots go (inside `target/`, so git ignores them).
pub fn screens_dir() -> PathBuf {
    target_dir().join("screens")
}

pub fn run_screens() -> Result {
    render_tools()?;
    let dist = crate::build::dist()?;
    let binary = crate::build::server()?;
    let out = screens_dir();
    // Last run's shots would otherwise pass for this run's when a shot fails.
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|err| format!("{}: {err}", out.display()))?;
    }
    step("Serving dist/ with --demo over HTTPS on a fresh database");
    let server = DemoServer::start_https(&binary, "screens", &dist)?;
    step("Headless Chromium: every page and dialog at 1280 and 360 px, light and dark");
    let result = run(Command::new("node")
        .arg(root().join("xtask").join("report").join("screens.mjs"))
        .args(["--url", &server.url])
        .arg("--tools")
        .arg(tools_dir())
        .args(["--chromium", CHROMIUM])
        .arg("--out")
        .arg(&out));
    drop(server);
    result?;
    let summary = contact_sheet(&out)?;
    println!("\n{summary}");
    println!("Open {}", out.join("index.html").display());
    Ok(())
}

/// Writes `index.html` from `manifest.json`; returns a summary line.
fn contact_sheet(out: &Path) -> Result<String> {
    let path = out.join("manifest.json");
    let text =
        std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let manifest: Value =
        serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
    let shots = manifest["shots"].as_array().cloned().unwrap_or_default();
    let images: usize = shots.iter().map(|s| files(s).len()).sum();
    let trouble: Vec<String> = shots
        .iter()
        .filter(|s| s["status"] != "ok")
        .map(|s| format!("{} ({})", str_of(&s["name"]), str_of(&s["status"])))
        .collect();

    let mut html = String::from(HEAD);
    let _ = write!(
        html,
        "<h1>Hallpass, every page and dialog</h1>\n<p>{images} screenshots of {} states \
         from {} (Chromium {}, {} s).",
        shots.len(),
        escape(str_of(&manifest["base"])),
        escape(str_of(&manifest["chromium"])),
        manifest["seconds"],
    );
    if !trouble.is_empty() {
        let _ = write!(html, " Not shot: {}.", escape(&trouble.join(", ")));
    }
    html.push_str("</p>\n");
    for shot in &shots {
        section(&mut html, shot);
    }
    html.push_str("</body>\n</html>\n");
    let index = out.join("index.html");
    std::fs::write(&index, html).map_err(|err| format!("{}: {err}", index.display()))?;

    let mut summary = format!(
        "{images} screenshots of {} pages and dialogs in {}",
        shots.len(),
        out.display()
    );
    if !trouble.is_empty() {
        let _ = write!(summary, "; not shot: {}", trouble.join(", "));
    }
    Ok(summary)
}

/// One state: a heading with where it is and who is signed in, then its four shots side by
/// side (or why there are none).
fn section(html: &mut String, shot: &Value) {
    let who = match str_of(&shot["as"]) {
        "out" => "signed out",
        "demo" => "signed in (demo, Alex)",
        "kids" => "signed in (demo, Kids: a kids profile)",
        "chooser" => "signed in (demo), no profile chosen yet",
        "second" => "signed in (second, Riley)",
        other => other,
    };
    let place = shot["url"]
        .as_str()
        .or(shot["path"].as_str())
        .unwrap_or("(after the shot before)");
    let status = str_of(&shot["status"]);
    let _ = write!(
        html,
        "<section class=\"{}\">\n<h2 id=\"{name}\"><a href=\"#{name}\">{name}</a></h2>\n\
         <p class=\"where\"><code>{}</code>, {who}",
        escape(status),
        escape(place),
        name = escape(str_of(&shot["name"])),
    );
    if status != "ok" {
        let _ = write!(html, " — <strong>{}</strong>", escape(status));
    }
    if let Some(note) = shot["note"].as_str() {
        let _ = write!(html, ": {}", escape(note));
    }
    html.push_str("</p>\n<div class=\"grid\">\n");
    for file in files(shot) {
        let name = escape(str_of(&file["file"]));
        let _ = writeln!(
            html,
            "<figure><a href=\"{name}\"><img src=\"{name}\" alt=\"\" loading=\"lazy\"></a>\
             <figcaption>{} px, {}</figcaption></figure>",
            file["width"],
            escape(str_of(&file["theme"])),
        );
    }
    html.push_str("</div>\n</section>\n");
}

fn files(shot: &Value) -> Vec<Value> {
    shot["files"].as_array().cloned().unwrap_or_default()
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sheet's own style: four columns (1280 light, 1280 dark, 360 light, 360 dark), each
/// shot scaled to its column and cut off below a screen's height (click for the whole).
const HEAD: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hallpass screens</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; background: #f4f4f5; color: #18181b; }
section { margin: 2rem 0; }
h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
h2 a { color: inherit; text-decoration: none; }
.where { margin: 0 0 .5rem; color: #52525b; }
section:not(.ok) .where strong { color: #b91c1c; }
.grid { display: grid; grid-template-columns: 2fr 2fr 1fr 1fr; gap: .75rem; align-items: start; }
figure { margin: 0; background: #fff; border: 1px solid #d4d4d8; }
figure a { display: block; max-height: 36rem; overflow: hidden; }
img { display: block; width: 100%; height: auto; }
figcaption { padding: .25rem .5rem; color: #52525b; border-top: 1px solid #d4d4d8; }
</style>
</head>
<body>
"#;

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(escape(r#"<b a="1">&"#), "&lt;b a=&quot;1&quot;&gt;&amp;");
    }
}

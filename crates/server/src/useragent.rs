//! What the Devices page shows for a session, read from its `User-Agent` header.
//!
//! Browser, system and device families come from [`ua_parser`], the Rust implementation kept by
//! the ua-parser project itself, fed with the community-maintained uap-core rule set. uap-core
//! publishes it as `regexes.yaml`; we vendor it as JSON, `uap-core/regexes.json` beside this
//! crate's `Cargo.toml` (Apache-2.0, see `uap-core/LICENSE`), so it loads with the `serde_json`
//! the server already has instead of a YAML crate (`serde_yaml` is deprecated, its forks young).
//! It is uap-core v0.18.0, converted with the line below, which keeps one rule per line so an
//! update diffs readably:
//!
//! ```text
//! python3 -c 'import json,sys,yaml; d=yaml.safe_load(sys.stdin); print("{\n" + ",\n".join(" %s: [\n%s\n ]" % (json.dumps(k), ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in v)) for k, v in d.items()) + "\n}")' < regexes.yaml > regexes.json
//! ```
//!
//! uap-core names browsers, systems and device models but has no notion of a device *kind*,
//! misses some appliances (an Xbox reads as Edge on Windows) and uses names a person would not
//! (`Mobile Safari`, `Mac OS X`, `Web0S`). So on top of it this module has:
//! - token rules for TVs and consoles, checked first ([`APPLIANCES`]);
//! - the phone / tablet / computer split ([`classify`]);
//! - display names ([`browser_display`], [`os_display`]).
//!
//! The rule file is compiled in, and a test checks that it loads; should it ever not, devices
//! are "Unknown device" (TVs and consoles still by their tokens) and a warning is logged once.

use std::sync::LazyLock;

use hallpass_api::DeviceKind;

/// What the Devices page shows for a session, read from its User-Agent header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// A readable default such as "Chrome on Windows" or "Samsung TV".
    pub name: String,
    pub kind: DeviceKind,
    pub browser: String,
    pub os: String,
}

const UNKNOWN_BROWSER: &str = "Unknown browser";
const UNKNOWN_OS: &str = "Unknown system";
const UNKNOWN_DEVICE: &str = "Unknown device";

/// Only this many leading bytes of a header are parsed. The rule set is about 1,200 regexes,
/// and their cost grows with the input; real user agents stay well under 512 bytes, while a
/// client may send a header of many kilobytes. Cutting keeps every request cheap, and the tokens
/// that identify a device come early in the string anyway.
const MAX_UA_BYTES: usize = 512;

/// uap-core's rules, converted from its `regexes.yaml` (v0.18.0) to JSON.
const REGEXES_JSON: &str = include_str!("../uap-core/regexes.json");

/// Built on first use: loading and compiling the rules takes about 0.15 s in a release build and
/// 1.2 s in a dev build, which no request should pay twice. `None` if the file would not load.
static PARSER: LazyLock<Option<ua_parser::Extractor<'static>>> = LazyLock::new(load_parser);

fn load_parser() -> Option<ua_parser::Extractor<'static>> {
    let regexes: ua_parser::Regexes<'static> = match serde_json::from_str(REGEXES_JSON) {
        Ok(regexes) => regexes,
        Err(error) => {
            tracing::warn!(%error, "uap-core rules do not parse; naming devices by token rules only");
            return None;
        }
    };
    match ua_parser::Extractor::try_from(regexes) {
        Ok(extractor) => Some(extractor),
        Err(error) => {
            tracing::warn!(%error, "uap-core rules do not compile; naming devices by token rules only");
            None
        }
    }
}

/// Describes the device behind a `User-Agent` header. Never panics, whatever the input.
pub fn describe(user_agent: &str) -> DeviceInfo {
    let ua = truncate(user_agent.trim(), MAX_UA_BYTES);
    let parsed = match PARSER.as_ref() {
        Some(parser) => parse_with_rules(parser, ua),
        // Only if the bundled file were broken, which `the_bundled_rules_load` rules out.
        None => Parsed::default(),
    };
    finish(ua, parsed)
}

/// The families the parser (or the fallback tokens) found, as uap-core spells them;
/// `None` where nothing was found.
#[derive(Debug, Default)]
struct Parsed {
    browser: Option<String>,
    os: Option<String>,
    /// The device family: "iPhone", "iPad", "Pixel 8", "Samsung SMART-TV", ...
    device: Option<String>,
    /// The device brand; uap-core also uses `Generic_*` markers here.
    brand: Option<String>,
}

fn parse_with_rules(parser: &ua_parser::Extractor<'_>, ua: &str) -> Parsed {
    let (browser, os, device) = parser.extract(ua);
    // "Other" is how uap-core says it found nothing.
    let known = |s: &str| (!s.is_empty() && s != "Other").then(|| s.to_owned());
    Parsed {
        browser: browser.and_then(|b| known(&b.family)),
        os: os.and_then(|o| known(&o.os)),
        brand: device
            .as_ref()
            .and_then(|d| d.brand.as_deref().and_then(known)),
        device: device.and_then(|d| known(&d.device)),
    }
}

/// A TV or console, known by the tokens its maker puts in the user agent.
struct Appliance {
    /// All of these must occur (case-sensitive).
    tokens: &'static [&'static str],
    kind: DeviceKind,
    name: &'static str,
    /// Shown when the parser finds no system.
    os: Option<&'static str>,
}

/// The name a generic TV row gives, replaced by `"<brand> TV"` when uap-core knows the brand.
const GENERIC_TV: &str = "Smart TV";

/// TVs and consoles, checked before the parser's device answer: uap-core has no device kind,
/// and reads some of these as a desktop (Xbox: Edge on Windows) or a phone (Chromecast:
/// Android). First match wins, so specific models come before their families.
const APPLIANCES: &[Appliance] = &[
    console(&["PlayStation 5"], "PlayStation 5", Some("PlayStation")),
    console(&["PlayStation 4"], "PlayStation 4", Some("PlayStation")),
    console(
        &["PlayStation Vita"],
        "PlayStation Vita",
        Some("PlayStation"),
    ),
    console(&["PlayStation"], "PlayStation", Some("PlayStation")),
    console(&["Xbox Series X"], "Xbox Series X", None),
    console(&["Xbox Series S"], "Xbox Series S", None),
    console(&["Xbox One"], "Xbox One", None),
    console(&["Xbox"], "Xbox", None),
    console(&["Nintendo Switch"], "Nintendo Switch", None),
    console(&["Nintendo"], "Nintendo", None),
    // Tizen also ran on Samsung phones and watches, so it needs a TV token beside it.
    tv(&["Tizen", "TV"], "Samsung TV", Some("Tizen")),
    // "Web0S" (with a zero) is what LG's TVs send.
    tv(&["Web0S"], "LG TV", Some("webOS")),
    tv(&["NetCast"], "LG TV", None),
    tv(&["CrKey"], "Chromecast", Some("Android")),
    tv(&["Roku"], "Roku", Some("Roku")),
    tv(&["AppleTV"], "Apple TV", Some("tvOS")),
    tv(&["BRAVIA"], "Sony TV", None),
    tv(&["GoogleTV"], "Google TV", None),
    tv(&["AndroidTV"], "Android TV", Some("Android")),
    tv(&["Android TV"], "Android TV", Some("Android")),
    tv(&["SMART-TV"], GENERIC_TV, None),
    tv(&["SmartTV"], GENERIC_TV, None),
    tv(&["Smart TV"], GENERIC_TV, None),
    tv(&["HbbTV"], GENERIC_TV, None),
];

const fn console(
    tokens: &'static [&'static str],
    name: &'static str,
    os: Option<&'static str>,
) -> Appliance {
    let kind = DeviceKind::Console;
    Appliance {
        tokens,
        kind,
        name,
        os,
    }
}

const fn tv(
    tokens: &'static [&'static str],
    name: &'static str,
    os: Option<&'static str>,
) -> Appliance {
    let kind = DeviceKind::Tv;
    Appliance {
        tokens,
        kind,
        name,
        os,
    }
}

/// The first row of [`APPLIANCES`] whose tokens all occur in `ua`.
fn appliance(ua: &str) -> Option<&'static Appliance> {
    APPLIANCES
        .iter()
        .find(|a| a.tokens.iter().all(|t| ua.contains(t)))
}

/// The device's kind, and for TVs and consoles its name (the browser matters little there).
fn classify(ua: &str, parsed: &Parsed) -> (DeviceKind, Option<String>) {
    let device = parsed.device.as_deref().unwrap_or("");
    let brand = parsed.brand.as_deref().unwrap_or("");
    let os = parsed.os.as_deref().unwrap_or("");

    if let Some(a) = appliance(ua) {
        let name = match (a.name, brand) {
            (GENERIC_TV, b) if !b.is_empty() && !b.starts_with("Generic") => format!("{b} TV"),
            (name, _) => name.to_owned(),
        };
        return (a.kind, Some(name));
    }
    // uap-core's own marker for internet TVs and set-top boxes we have no token for.
    if brand == "Generic_Inettv" {
        let name = if device.is_empty() {
            GENERIC_TV
        } else {
            device
        };
        return (DeviceKind::Tv, Some(name.to_owned()));
    }
    let kind = match (device, os) {
        // A crawler is not a device anyone signed in on.
        ("Spider", _) => DeviceKind::Unknown,
        ("iPad", _) => DeviceKind::Tablet,
        ("iPhone" | "iPod", _) => DeviceKind::Phone,
        _ if brand == "Generic_Android_Tablet" || device.contains("Kindle") => DeviceKind::Tablet,
        // Android browsers put "Mobile" in the user agent on phones and leave it out on tablets
        // (Chrome), or say "Tablet" instead (Firefox): that is the platform's own convention.
        (_, "Android") => {
            if ua.contains("Mobile") {
                DeviceKind::Phone
            } else {
                DeviceKind::Tablet
            }
        }
        (_, "iOS" | "Windows Phone" | "KaiOS" | "BlackBerry OS") => DeviceKind::Phone,
        ("Generic Smartphone" | "Generic Feature Phone", _) => DeviceKind::Phone,
        (_, "Windows" | "Mac OS X" | "Chrome OS" | "Linux" | "Ubuntu" | "Debian" | "Fedora") => {
            DeviceKind::Computer
        }
        (_, "FreeBSD" | "OpenBSD" | "NetBSD" | "Linux Mint" | "Kubuntu" | "Red Hat") => {
            DeviceKind::Computer
        }
        _ => DeviceKind::Unknown,
    };
    (kind, None)
}

/// Browser families as a person knows them: uap-core tells the mobile builds apart, which
/// the Devices page need not, since the kind and system already say so.
fn browser_display(family: &str) -> &str {
    match family {
        "Mobile Safari" => "Safari",
        "Mobile Safari UI/WKWebView" => "In-app browser",
        "Chrome Mobile" | "Chrome Mobile iOS" => "Chrome",
        "Chrome Mobile WebView" => "Android WebView",
        "Firefox Mobile" | "Firefox iOS" => "Firefox",
        "Edge Mobile" => "Edge",
        "Opera Mobile" => "Opera",
        "HeadlessChrome" => "Headless Chrome",
        other => other,
    }
}

/// System families as their makers name them today.
fn os_display(family: &str) -> &str {
    match family {
        "Mac OS X" => "macOS",
        "Chrome OS" => "ChromeOS",
        "Web0S" => "webOS",
        "Chromecast Android" => "Android",
        other => other,
    }
}

fn finish(ua: &str, parsed: Parsed) -> DeviceInfo {
    let (kind, appliance_name) = classify(ua, &parsed);
    let device = parsed.device.as_deref().unwrap_or("");

    let mut os = parsed.os.as_deref().map(os_display);
    if device == "iPad" && os == Some("iOS") {
        // Apple has called the iPad's system iPadOS since version 13.
        os = Some("iPadOS");
    }
    if os.is_none() && appliance_name.is_some() {
        os = appliance(ua).and_then(|a| a.os);
    }

    let mut browser = parsed.browser.as_deref().map(browser_display);
    // uap-core falls back to Safari (or Apple Mail) for any WebKit engine that names no other
    // browser; off Apple's systems that is never really Safari.
    let apple = matches!(os, Some("iOS" | "iPadOS" | "macOS" | "tvOS"));
    let webkit_guess = matches!(browser, Some("Safari" | "Apple Mail")) && !apple;
    if appliance_name.is_some() {
        // A TV or console signs in through its maker's browser or app shell, whether the header
        // names nothing, WebKit (above), or the box's own HTTP client (Roku's "Roku/DVP-…",
        // which uap-core names like the system).
        if browser.is_none() || webkit_guess || browser == os {
            browser = Some("Built-in browser");
        }
    } else if webkit_guess {
        // GNOME Web, WebKitGTK's MiniBrowser and the like.
        browser = Some("WebKit browser");
    }

    let name = match appliance_name {
        Some(name) => name,
        None => {
            // Where Apple hardware is known, name it: "Safari on iPhone", "Safari on Mac".
            let place = match (device, os) {
                ("iPhone" | "iPad", _) => Some(device),
                ("iPod", _) => Some("iPod touch"),
                (_, Some("macOS")) => Some("Mac"),
                (_, os) => os,
            };
            match (browser, place) {
                (Some(b), Some(p)) => format!("{b} on {p}"),
                (Some(only), None) | (None, Some(only)) => only.to_owned(),
                (None, None) => UNKNOWN_DEVICE.to_owned(),
            }
        }
    };
    DeviceInfo {
        name,
        kind,
        browser: browser.unwrap_or(UNKNOWN_BROWSER).to_owned(),
        os: os.unwrap_or(UNKNOWN_OS).to_owned(),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    // A UTF-8 character is at most 4 bytes, so this steps back at most 3 times.
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
#[path = "useragent_tests.rs"]
mod tests;

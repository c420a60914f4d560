//! `describe` on the demo user agents, the browsers our tests drive, and garbage.

use super::*;
use DeviceKind::{Computer, Console, Phone, Tablet, Tv, Unknown};

/// (user agent, name, kind, browser, os)
const CASES: &[(&str, &str, DeviceKind, &str, &str)] = &[
    // The demo data.
    (
        "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) 94.0.4606.31/7.0 TV Safari/537.36",
        "Samsung TV",
        Tv,
        "Built-in browser",
        "Tizen",
    ),
    (
        "Mozilla/5.0 (PlayStation; PlayStation 5/6.50) AppleWebKit/605.1.15 (KHTML, like Gecko)",
        "PlayStation 5",
        Console,
        "Built-in browser",
        "PlayStation",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Safari on iPhone",
        Phone,
        "Safari",
        "iOS",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Chrome on Android",
        Phone,
        "Chrome",
        "Android",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Safari on iPad",
        Tablet,
        "Safari",
        "iPadOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome on Windows",
        Computer,
        "Chrome",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Safari on Mac",
        Computer,
        "Safari",
        "macOS",
    ),
    (
        "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36 WebAppManager",
        "LG TV",
        Tv,
        "Chrome",
        "webOS",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Firefox on Linux",
        Computer,
        "Firefox",
        "Linux",
    ),
    // The browsers the end-to-end tests drive.
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
        "Headless Chrome on Linux",
        Computer,
        "Headless Chrome",
        "Linux",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        "Firefox on Linux",
        Computer,
        "Firefox",
        "Linux",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
        "WebKit browser on Linux",
        Computer,
        "WebKit browser",
        "Linux",
    ),
    // More devices people sign in from.
    (
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome on Android",
        Tablet,
        "Chrome",
        "Android",
    ),
    (
        "Mozilla/5.0 (Android 14; Tablet; rv:132.0) Gecko/132.0 Firefox/132.0",
        "Firefox on Android",
        Tablet,
        "Firefox",
        "Android",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Edge on Windows",
        Computer,
        "Edge",
        "Windows",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
        "Chrome on iPhone",
        Phone,
        "Chrome",
        "iOS",
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome on ChromeOS",
        Computer,
        "Chrome",
        "ChromeOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox Series X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/48.0.2564.82 Safari/537.36 Edge/20.02",
        "Xbox Series X",
        Console,
        "Edge",
        "Windows",
    ),
    (
        "Mozilla/5.0 (Linux; Android 12.0; Build/STTL.240206.002) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.159 Safari/537.36 CrKey/1.56.500000 DeviceType/AndroidTV",
        "Chromecast",
        Tv,
        "Chrome",
        "Android",
    ),
    (
        "Roku/DVP-12.5 (12.5.0.4178-88)",
        "Roku",
        Tv,
        "Built-in browser",
        "Roku",
    ),
    // Not browsers at all.
    ("curl/8.5.0", "curl", Unknown, "curl", UNKNOWN_OS),
    ("", UNKNOWN_DEVICE, Unknown, UNKNOWN_BROWSER, UNKNOWN_OS),
    ("   ", UNKNOWN_DEVICE, Unknown, UNKNOWN_BROWSER, UNKNOWN_OS),
];

fn expected(&(_, name, kind, browser, os): &(&str, &str, DeviceKind, &str, &str)) -> DeviceInfo {
    DeviceInfo {
        name: name.to_owned(),
        kind,
        browser: browser.to_owned(),
        os: os.to_owned(),
    }
}

#[test]
fn the_bundled_rules_load() {
    // Otherwise every answer below would come from the fallback tokens, silently.
    assert!(PARSER.is_some(), "uap-core/regexes.json failed to load");
}

#[test]
fn describes_known_user_agents() {
    let mut wrong = Vec::new();
    for case in CASES {
        let got = describe(case.0);
        if got != expected(case) {
            wrong.push(format!(
                "{:?}\n   got {got:?}\n  want {:?}",
                case.0,
                expected(case)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The fallback, used only if the rule file does not load, still names the common
/// browsers and every TV and console in the table the same way.
#[test]
fn garbage_is_unknown() {
    // 2,000 pseudo-random bytes, as a header value could carry, made UTF-8 the lossy way.
    let mut x: u32 = 0x9E37_79B9;
    let bytes: Vec<u8> = (0..2000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    let garbage = String::from_utf8_lossy(&bytes);
    assert_eq!(describe(&garbage).kind, Unknown);
    assert_eq!(describe("\u{0}\u{7f}(;;;)//").kind, Unknown);
    assert_eq!(describe("Mozilla/5.0 ()").kind, Unknown);
}

#[test]
fn huge_headers_are_cut_on_a_character_boundary() {
    // The device tokens come first, so a padded header reads like the plain one.
    let ua = CASES[2].0;
    let padded = format!("{ua} {}", "x".repeat(100_000));
    assert_eq!(describe(&padded), describe(ua));

    // A multi-byte character straddling the cut must not panic.
    let wide = "é".repeat(1_000);
    let cut = truncate(&wide, MAX_UA_BYTES);
    assert!(cut.len() <= MAX_UA_BYTES && cut.len() >= MAX_UA_BYTES - 3);
    assert_eq!(describe(&wide).kind, Unknown);
    let odd = format!("a{wide}");
    assert_eq!(truncate(&odd, MAX_UA_BYTES).len(), MAX_UA_BYTES - 1);
    assert_eq!(describe(&"🦀".repeat(10_000)).name, UNKNOWN_DEVICE);
}

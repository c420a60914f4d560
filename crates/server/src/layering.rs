//! The server's layering (ARCHITECTURE.md, "Server layering"), checked on the source: which
//! module may name what, and which module owns each table. Every check also counts what it
//! looked at, so a moved folder or a broken pattern fails rather than passing on nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The owner of each table: the file, or the folder, that alone writes it and reads it
/// (reads by `JOIN` aside: see `domain/mod.rs`).
const OWNERS: &[(&str, &str)] = &[
    ("accounts", "domain/accounts.rs"),
    ("linked_accounts", "domain/accounts.rs"),
    ("profiles", "domain/profiles.rs"),
    ("sessions", "domain/sessions/"),
    ("two_factor_challenges", "domain/challenges.rs"),
    ("password_resets", "domain/password_resets.rs"),
    ("pending_contacts", "domain/contacts.rs"),
    ("recovery_codes", "domain/recovery_codes.rs"),
    ("attempts", "domain/ratelimit/"),
    ("activity", "domain/activity.rs"),
    ("outbox", "domain/outbox.rs"),
    ("health_probe", "db.rs"),
    ("dev_clock", "domain/dev_clock.rs"),
];

/// Every `.rs` file under `src/`, by its path relative to `src/`, with comment lines left out
/// (a doc comment may name what the code must not).
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|err| panic!("{dir:?}: {err}"));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let code: Vec<&str> = text
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .collect();
                let relative = path.strip_prefix(root).map(PathBuf::from).unwrap_or(path);
                out.insert(
                    relative.to_string_lossy().replace('\\', "/"),
                    code.join("\n"),
                );
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

fn under<'a>(
    sources: &'a BTreeMap<String, String>,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a String, &'a String)> {
    sources
        .iter()
        .filter(move |(path, _)| path.starts_with(prefix))
}

#[test]
fn routes_know_nothing_about_sql_and_nothing_of_each_other() {
    let sources = sources();
    let routes: Vec<_> = under(&sources, "routes/").collect();
    assert!(routes.len() >= 8, "routes/ has {} files", routes.len());
    for (path, code) in routes {
        assert!(!code.contains("sqlx"), "{path} names sqlx");
        if path != "routes/mod.rs" {
            assert!(!code.contains("crate::routes"), "{path} imports routes/");
            assert!(
                !code.contains("super::"),
                "{path} reaches a sibling through super::"
            );
        }
    }
}

#[test]
fn db_is_a_leaf() {
    let sources = sources();
    let db = sources.get("db.rs").expect("src/db.rs");
    assert!(
        db.contains("pub async fn write"),
        "db.rs lost its transaction helper"
    );
    assert!(!db.contains("crate::"), "db.rs imports from the crate");
    assert!(!db.contains("super::"), "db.rs imports from the crate");
}

#[test]
fn every_transaction_starts_in_db_rs() {
    let sources = sources();
    let mut starts = 0;
    for (path, code) in &sources {
        let here = code.matches(".begin(").count() + code.matches("begin_with(").count();
        if path == "db.rs" {
            starts += here;
        } else if path != "layering.rs" {
            assert_eq!(here, 0, "{path} starts a transaction of its own");
        }
    }
    assert_eq!(starts, 1, "db.rs should start transactions in one place");
}

#[test]
fn the_domain_knows_nothing_about_requests() {
    let sources = sources();
    let domain: Vec<_> = under(&sources, "domain/").collect();
    assert!(domain.len() >= 15, "domain/ has {} files", domain.len());
    for (path, code) in domain {
        for word in [
            "crate::routes",
            "crate::auth",
            "crate::demo",
            "axum::extract",
            "HeaderMap",
            "Response",
        ] {
            assert!(!code.contains(word), "{path} names {word}");
        }
    }
}

/// The tables `code`'s SQL writes (`INSERT INTO`, `UPDATE`, `DELETE FROM`) and reads
/// (`FROM`; a `JOIN` is the allowed exception).
fn statements(code: &str) -> Vec<(&'static str, String)> {
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(3)
        .filter_map(|w| match (w[0], w[1]) {
            ("INSERT", "INTO") | ("DELETE", "FROM") => Some(("write", w[2].to_owned())),
            (_, "UPDATE") => Some(("write", w[2].to_owned())),
            (_, "FROM") => Some(("read", w[2].to_owned())),
            _ => None,
        })
        .collect()
}

#[test]
fn every_table_is_written_and_read_only_by_its_owner() {
    let sources = sources();
    let mut writes = 0;
    for (path, code) in &sources {
        // These two test the rules themselves, with the SQL they forbid elsewhere.
        if path == "layering.rs" || path == "domain/schema_tests.rs" {
            continue;
        }
        for (kind, table) in statements(code) {
            let Some((_, owner)) = OWNERS.iter().find(|(t, _)| *t == table) else {
                continue;
            };
            writes += usize::from(kind == "write");
            assert!(
                path.starts_with(owner),
                "{path} {kind}s `{table}`, which {owner} owns"
            );
        }
    }
    assert!(
        writes >= 40,
        "only {writes} writes found: is the pattern broken?"
    );
}

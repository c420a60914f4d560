//! `docs/API.md` is the contract people read; the OpenAPI document is the one the router is
//! made from. These tests keep the two naming the same routes and the same error codes, so a
//! route or code added to the server without a word in the contract (or left in the contract
//! after the server dropped it) fails here, saying what is missing where.
//!
//! What is read from `docs/API.md` (its first section says so too):
//! - every heading `` ### `METHOD /path` `` (one per route);
//! - every row of the table under `## Routes` whose first cell is `` `METHOD /path` ``, and
//!   its second cell, who may call it (`public` or not);
//! - every row of the table under `### Error codes`: `` | `code` | 400, 415 | … ``;
//! - any other `` `METHOD /api/…` `` in the text, which must name a real route.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use hallpass_api::{ErrorCode, paths};
use serde_json::{Value, json};

use crate::support::TestServer;

/// Where the contract is, from the repository's root (for messages) and from this crate.
const DOC: &str = "docs/API.md";
const DOC_FROM_CRATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/API.md");

/// Routes the server has that the OpenAPI document leaves out on purpose: the document does
/// not list itself, and the `--demo` routes are not part of the product. The contract names
/// them all the same; `the_routes_outside_the_document_are_served` checks they exist.
const OFF_DOCUMENT: &[(&str, &str)] = &[
    ("GET", paths::OPENAPI),
    ("GET", paths::DEV_OUTBOX),
    ("POST", "/api/dev/clock"),
    ("GET", paths::DEV_STREAMS),
];

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `METHOD /path`.
type Route = String;

/// `GET /api/devices` from the text of a code span, if it is a route.
fn route(span: &str) -> Option<Route> {
    let (method, path) = span.split_once(' ')?;
    (METHODS.contains(&method) && path.starts_with("/api") && !path.contains(' '))
        .then(|| span.to_owned())
}

/// The text of every `` `code span` `` in `line`.
fn code_spans(line: &str) -> impl Iterator<Item = &str> {
    line.split('`').skip(1).step_by(2)
}

/// The lines of the section that starts with the heading `heading`, up to the next heading of
/// the same or a higher level.
fn section<'a>(doc: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.find(' ').unwrap_or(0);
    let mut lines = doc.lines().skip_while(|l| l.trim_end() != heading);
    assert!(
        lines.next().is_some(),
        "{DOC} has no heading `{heading}`, where the contract test reads from"
    );
    lines
        .take_while(|l| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            hashes == 0 || hashes > level || !l[hashes..].starts_with(' ')
        })
        .collect()
}

/// The first cell of a table row, and the rest, if `line` is a row whose first cell is code.
fn row(line: &str) -> Option<(&str, Vec<&str>)> {
    let cells: Vec<&str> = line.strip_prefix('|')?.split('|').map(str::trim).collect();
    let first = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
    Some((first, cells[1..].to_vec()))
}

struct Contract {
    headings: Vec<Route>,
    table: Vec<Route>,
    /// Route → the table's "who" cell.
    who: BTreeMap<Route, String>,
    /// Every route named anywhere in the text.
    mentioned: BTreeSet<Route>,
    /// Error code → the statuses its row gives.
    codes: BTreeMap<String, BTreeSet<u16>>,
}

fn contract() -> Contract {
    let doc = std::fs::read_to_string(DOC_FROM_CRATE)
        .unwrap_or_else(|err| panic!("{DOC} ({DOC_FROM_CRATE}): {err}"));
    let headings = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .filter_map(|l| code_spans(l).next().and_then(route))
        .collect();
    let rows: Vec<(Route, String)> = section(&doc, "## Routes")
        .into_iter()
        .filter_map(row)
        .map(|(first, rest)| {
            let route = route(first)
                .unwrap_or_else(|| panic!("{DOC}, ## Routes: `{first}` is not `METHOD /api/path`"));
            (route, rest.first().copied().unwrap_or_default().to_owned())
        })
        .collect();
    let table = rows.iter().map(|(route, _)| route.clone()).collect();
    let who = rows.into_iter().collect();
    let mentioned = doc.lines().flat_map(code_spans).filter_map(route).collect();
    let codes = section(&doc, "### Error codes")
        .into_iter()
        .filter_map(row)
        .map(|(code, rest)| {
            let statuses = rest
                .first()
                .map(|cell| {
                    cell.split(',')
                        .map(|s| {
                            s.trim().parse().unwrap_or_else(|_| {
                                panic!("{DOC}, ### Error codes, `{code}`: `{s}` is not a status")
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            (code.to_owned(), statuses)
        })
        .collect();
    Contract {
        headings,
        table,
        who,
        mentioned,
        codes,
    }
}

fn document() -> Value {
    serde_json::to_value(hallpass_server::openapi()).expect("serialises")
}

/// `METHOD /path` of every operation in the OpenAPI document.
fn documented_routes(doc: &Value) -> BTreeSet<Route> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            routes.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes
}

/// Problems with one list of routes from the contract against the routes the server has.
fn compare(what: &str, listed: &[Route], expected: &BTreeSet<Route>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for route in listed {
        if !seen.insert(route) {
            problems.push(format!("{DOC} has `{route}` twice among its {what}"));
        }
        if !expected.contains(route) {
            problems.push(format!(
                "{DOC} has `{route}` among its {what}, but the server has no such route \
                 (neither the OpenAPI document nor OFF_DOCUMENT in this test)"
            ));
        }
    }
    for route in expected.iter().filter(|r| !seen.contains(r)) {
        problems.push(format!(
            "{DOC} is missing `{route}` among its {what}; the server has it"
        ));
    }
    problems
}

fn fail_on(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "docs/API.md and the server disagree:\n- {}",
        problems.join("\n- ")
    );
}

#[test]
fn the_contract_and_the_document_name_the_same_routes() {
    let doc = document();
    let documented = documented_routes(&doc);
    let mut problems = Vec::new();
    let mut expected = documented.clone();
    for (method, path) in OFF_DOCUMENT {
        let route = format!("{method} {path}");
        if documented.contains(&route) {
            problems.push(format!(
                "`{route}` is in the OpenAPI document now: take it out of OFF_DOCUMENT in \
                 tests/api/contract.rs"
            ));
        }
        expected.insert(route);
    }
    let contract = contract();
    problems.extend(compare(
        "route headings (### `METHOD /path`)",
        &contract.headings,
        &expected,
    ));
    problems.extend(compare(
        "rows of the table under ## Routes",
        &contract.table,
        &expected,
    ));
    for route in contract.mentioned.difference(&expected) {
        if contract.headings.contains(route) || contract.table.contains(route) {
            continue; // Said above already.
        }
        problems.push(format!(
            "{DOC} mentions `{route}`, but the server has no such route"
        ));
    }
    fail_on(problems);
}

/// The routes table says `public` exactly for the operations the OpenAPI document lists
/// without the session cookie (and `openapi` checks the document against the server).
#[test]
fn the_routes_table_says_which_routes_are_public() {
    let doc = document();
    let contract = contract();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let route = format!("{} {path}", method.to_uppercase());
            let Some(who) = contract.who.get(&route) else {
                continue; // Missing from the table: the routes test says so.
            };
            let public = operation["security"].is_null();
            if public != (who == "public") {
                problems.push(format!(
                    "{DOC}, ## Routes: `{route}` is for \"{who}\", but the OpenAPI document \
                     says it {} the session cookie",
                    if public { "does not need" } else { "needs" }
                ));
            }
        }
    }
    fail_on(problems);
}

/// The error codes the server may send: the OpenAPI document's `ErrorCode` schema, which is
/// derived from `hallpass_api::ErrorCode`, less `unknown`, the app's catch-all for codes of
/// a newer server (`#[serde(other)]`), which the server never sends.
fn server_codes(doc: &Value) -> BTreeSet<String> {
    let codes: BTreeSet<String> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("the ErrorCode schema lists its values")
        .iter()
        .map(|v| v.as_str().expect("a code").to_owned())
        .collect();
    assert!(
        codes.contains("unknown"),
        "the catch-all is still `unknown`"
    );
    codes.into_iter().filter(|c| c != "unknown").collect()
}

/// (status, code) for every code an error answer's description in the document names:
/// descriptions say ``"`wrong_password` or `kids_profile`"``.
fn documented_statuses(doc: &Value) -> BTreeSet<(u16, String)> {
    let mut pairs = BTreeSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            for (status, answer) in operation["responses"].as_object().expect("responses") {
                // Success answers mention codes too ("its next request gets 401 …").
                let Some(status) = status.parse::<u16>().ok().filter(|s| *s >= 400) else {
                    continue;
                };
                let description = answer["description"].as_str().unwrap_or_default();
                for span in code_spans(description) {
                    let parsed = serde_json::from_value::<ErrorCode>(json!(span));
                    if parsed.is_ok_and(|code| code != ErrorCode::Unknown) {
                        pairs.insert((status, span.to_owned()));
                    }
                }
            }
        }
    }
    pairs
}

#[test]
fn the_contract_lists_every_error_code_with_its_statuses() {
    let doc = document();
    let server = server_codes(&doc);
    let contract = contract();
    let mut problems = Vec::new();
    for code in server.iter().filter(|c| !contract.codes.contains_key(*c)) {
        problems.push(format!(
            "{DOC} is missing a row for `{code}` in its table under ### Error codes; \
             hallpass_api::ErrorCode has it"
        ));
    }
    for code in contract.codes.keys().filter(|c| !server.contains(*c)) {
        problems.push(format!(
            "{DOC} has a row for `{code}` under ### Error codes, but hallpass_api::ErrorCode \
             has no such code"
        ));
    }
    for (status, code) in documented_statuses(&doc) {
        let listed = contract.codes.get(&code);
        if listed.is_some_and(|statuses| !statuses.contains(&status)) {
            problems.push(format!(
                "{DOC}, ### Error codes: the row for `{code}` does not give status {status}, \
                 which the OpenAPI document gives it"
            ));
        }
    }
    fail_on(problems);
}

/// The routes the document leaves out are real: a `--demo` server answers each with success.
#[tokio::test]
async fn the_routes_outside_the_document_are_served() {
    let server = TestServer::demo().await;
    let mut browser = server.browser();
    for (method, path) in OFF_DOCUMENT {
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let body = (method == Method::POST).then(|| json!({"advance_seconds": 0}));
        let reply = browser.call(method.clone(), path, body).await;
        assert!(
            reply.status.is_success(),
            "{method} {path}: {} (OFF_DOCUMENT in tests/api/contract.rs names it)",
            reply.status
        );
    }
}

//! `--trusted-proxy`: the address people see on the Devices page and in account activity,
//! and the one the per-network limits count, is the forwarded one only when a trusted proxy
//! forwarded it. (The rule itself, hop by hop, is unit-tested in `src/client.rs`.)

use axum::http::{Method, StatusCode};
use hallpass_api::{ActivityKind, ActivityPage, Device, ErrorCode};
use hallpass_server::TrustedProxies;
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::{Value, json};

use crate::support::{Browser, Reply, TestServer, advance};

/// The demo server, trusting the proxies in 10.0.0.0/8 and fd00::/8.
async fn behind_proxies() -> TestServer {
    let ranges = ["10.0.0.0/8", "fd00::/8"].map(|r| r.parse().expect("a range"));
    TestServer::demo()
        .await
        .with_state(|state| state.trusted_proxies = TrustedProxies::new(ranges))
}

/// A browser whose every request reaches the server from `peer` with these
/// `X-Forwarded-For` lines, as through a proxy that keeps one connection to the server.
struct Forwarded<'a> {
    browser: Browser<'a>,
    lines: Vec<&'static str>,
}

impl<'a> Forwarded<'a> {
    fn new(server: &'a TestServer, peer: &str, lines: &[&'static str]) -> Self {
        let mut browser = server.browser();
        browser.ip = peer.parse().expect("an address");
        Self {
            browser,
            lines: lines.to_vec(),
        }
    }

    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.browser.request(method, path);
        for line in &self.lines {
            request = request.header("x-forwarded-for", *line);
        }
        let request = match body {
            Some(json) => request
                .header("content-type", "application/json")
                .body(json.to_string().into()),
            None => request.body(axum::body::Body::empty()),
        };
        self.browser.send(request.expect("request")).await
    }

    async fn sign_in(&mut self, password: &str) -> Reply {
        let body = json!({"email": DEMO_EMAIL, "password": password});
        self.call(Method::POST, "/api/session", Some(body)).await
    }

    /// The ip hint of this device as GET /api/devices shows it.
    async fn shown_as(&mut self) -> String {
        let list: Vec<Device> = self
            .call(Method::GET, "/api/devices", None)
            .await
            .expect_status(StatusCode::OK)
            .json();
        list.into_iter()
            .find(|d| d.current)
            .expect("this device in the list")
            .ip_hint
    }

    /// The ip hint of the newest sign-in in account activity.
    async fn signed_in_from(&mut self) -> Option<String> {
        let page: ActivityPage = self
            .call(Method::GET, "/api/activity", None)
            .await
            .expect_status(StatusCode::OK)
            .json();
        page.events
            .into_iter()
            .find(|e| e.kind == ActivityKind::SignedIn)
            .and_then(|e| e.ip_hint)
    }
}

/// Signs in from `peer` with `lines` and returns the device's ip hint in the list.
async fn device_seen_as(server: &TestServer, peer: &str, lines: &[&'static str]) -> String {
    let mut device = Forwarded::new(server, peer, lines);
    device
        .sign_in(DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::OK);
    device.shown_as().await
}

#[tokio::test]
async fn the_forwarded_address_is_what_people_see_and_what_follows_the_device() {
    let server = behind_proxies().await;
    // The first entry is the client's own claim; the proxies appended the rest.
    let lines = ["192.0.2.66, 198.51.100.9, 10.0.0.3"];
    let mut device = Forwarded::new(&server, "10.0.0.2", &lines);
    device
        .sign_in(DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(device.shown_as().await, "198.51.100.x");
    assert_eq!(
        device.signed_in_from().await.as_deref(),
        Some("198.51.100.x")
    );
    // What is stored, not only its hint: no session holds the proxy's address.
    let stored = server
        .column("SELECT ip FROM sessions WHERE ip LIKE $1", "10.%")
        .await;
    assert_eq!(stored, Vec::<String>::new());

    // The same device, later on another network, through another proxy of the pool.
    advance(&server, 2 * 60); // past the interval at which a session notes a new address
    device.browser.ip = "10.0.0.7".parse().expect("an address");
    device.lines = vec!["203.0.113.50"];
    assert_eq!(device.shown_as().await, "203.0.113.x");
}

#[tokio::test]
async fn a_header_from_a_peer_that_is_not_a_trusted_proxy_is_ignored() {
    let server = behind_proxies().await;
    let seen = device_seen_as(&server, "203.0.113.7", &["198.51.100.9"]).await;
    assert_eq!(seen, "203.0.113.x");
    // Without --trusted-proxy, even a proxy's header is ignored, as before the option.
    let plain = TestServer::demo().await;
    let seen = device_seen_as(&plain, "10.0.0.2", &["198.51.100.9"]).await;
    assert_eq!(seen, "10.0.0.x");
}

#[tokio::test]
async fn chains_lines_ipv6_and_malformed_entries_through_the_api() {
    let server = behind_proxies().await;
    let cases: [(&str, &[&'static str], &str); 7] = [
        // Several trusted hops, over several header lines in order.
        (
            "10.0.0.2",
            &["198.51.100.9", "10.1.0.1, 10.2.0.1"],
            "198.51.100.x",
        ),
        // Every hop trusted: the left-most.
        ("10.0.0.2", &["10.9.9.9, 10.8.8.8"], "10.9.9.x"),
        // A port stops the walk at the last good address, here a trusted hop.
        ("10.0.0.2", &["198.51.100.9:5555, 10.4.4.4"], "10.4.4.x"),
        // Nothing good to the right of the bad entry: the peer.
        ("10.0.0.2", &["198.51.100.9, unknown"], "10.0.0.x"),
        // IPv6 proxies and an IPv6 client.
        (
            "fd00::2",
            &["2001:db8:85a3:8d3::7, fd00::3"],
            "2001:db8:85a3:8d3::x",
        ),
        // A dual-stack socket's view of an IPv4 proxy matches the IPv4 range.
        ("::ffff:10.0.0.2", &["198.51.100.9"], "198.51.100.x"),
        // An IPv4-mapped client is shown as IPv4.
        ("10.0.0.2", &["::ffff:192.0.2.44"], "192.0.2.x"),
    ];
    for (peer, lines, hint) in cases {
        assert_eq!(
            device_seen_as(&server, peer, lines).await,
            hint,
            "{lines:?}"
        );
    }
}

#[tokio::test]
async fn the_per_network_limit_counts_the_forwarded_address_not_the_proxys() {
    let server = behind_proxies().await;
    let mut guesser = Forwarded::new(&server, "10.0.0.2", &["198.51.100.9"]);
    for i in 0..20 {
        let body = json!({"email": format!("guess{i}@hallpass.test"), "password": "password123"});
        guesser
            .call(Method::POST, "/api/session", Some(body))
            .await
            .expect_error(StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials);
    }
    guesser
        .sign_in(DEMO_PASSWORD)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts);
    // Someone else, through the very same proxy, is not locked out with them.
    let mut neighbour = Forwarded::new(&server, "10.0.0.2", &["203.0.113.50"]);
    neighbour
        .sign_in(DEMO_PASSWORD)
        .await
        .expect_status(StatusCode::OK);
}

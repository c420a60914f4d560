//! `GET /api/events`: the live events of docs/API.md, read from the stream as it is written.
//! Every wait is bounded; "nothing came" is only checked after something did come on the same
//! stream, so such a check can't pass because nothing works.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use hallpass_api::events::{DeviceChange, DevicesChanged, EndedReason, NewSignIn, SessionEnded};
use hallpass_api::{ErrorCode, paths};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, SECOND_EMAIL, SECOND_PASSWORD};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{Browser, DAY, SAFARI_ON_IPHONE, TestServer};

/// Far above what a loaded machine needs to pass a notice along.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long "nothing else came" is watched, once something did.
const QUIET: Duration = Duration::from_millis(300);

pub const FIREFOX_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// An open stream and what of it has arrived but not been read.
pub struct Stream {
    body: Body,
    buffer: String,
}

/// One event: its `event:` name and its `data:`.
#[derive(Debug)]
pub struct Received {
    pub name: String,
    pub data: String,
}

impl Received {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|err| panic!("{}: {err}: {}", self.name, self.data))
    }
}

impl Stream {
    /// Opens `browser`'s stream; `Err` is the answer when it is not a stream.
    pub async fn open(browser: &Browser<'_>) -> Result<Self, (StatusCode, Value)> {
        let request = browser
            .request(Method::GET, paths::EVENTS)
            .header("accept-encoding", "br, gzip")
            .body(Body::empty())
            .expect("request");
        let response = browser
            .server
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        if status != StatusCode::OK {
            // Again without `Accept-Encoding`, for an error body that is plain JSON.
            let plain = browser
                .request(Method::GET, paths::EVENTS)
                .body(Body::empty());
            let reply = browser.server.send(plain.expect("request")).await;
            assert_eq!(reply.status, status);
            return Err((status, reply.json()));
        }
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/event-stream");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-accel-buffering"], "no");
        assert!(headers.get("content-encoding").is_none(), "compressed");
        Ok(Self {
            body: response.into_body(),
            buffer: String::new(),
        })
    }

    /// A stream whose response came some other way (a real connection to a process).
    pub fn from_body(body: Body) -> Self {
        Self {
            body,
            buffer: String::new(),
        }
    }

    /// The next event (comments are skipped), or `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Received> {
        tokio::time::timeout(PATIENCE, self.read())
            .await
            .expect("an event or the stream's end within 10 s")
    }

    /// The next event, which must be `name`.
    pub async fn expect<T: serde::de::DeserializeOwned>(&mut self, name: &str) -> T {
        match self.next().await {
            Some(event) if event.name == name => event.json(),
            other => panic!("expected `{name}`, got {other:?}"),
        }
    }

    /// Nothing but comments for a short while.
    pub async fn expect_quiet(&mut self) {
        if let Ok(event) = tokio::time::timeout(QUIET, self.read()).await {
            panic!("expected nothing, got {event:?}");
        }
    }

    async fn read(&mut self) -> Option<Received> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = Some(value.trim().to_owned());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                if let Some(name) = name {
                    return Some(Received { name, data });
                }
            }
            let frame = self.body.frame().await?.expect("the stream's body");
            if let Ok(bytes) = frame.into_data() {
                self.buffer
                    .push_str(std::str::from_utf8(&bytes).expect("UTF-8"));
            }
        }
    }
}

async fn open(browser: &Browser<'_>) -> Stream {
    Stream::open(browser)
        .await
        .unwrap_or_else(|(status, body)| panic!("no stream: {status} {body}"))
}

async fn open_streams(server: &TestServer) -> u64 {
    let (status, _, body) = server.get(paths::DEV_STREAMS).await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    body["open"].as_u64().expect("open")
}

fn code(body: &Value) -> ErrorCode {
    serde_json::from_value(body["error"]["code"].clone()).expect("an error code")
}

#[tokio::test]
async fn no_session_and_an_ended_one_get_401_with_the_reason() {
    let server = TestServer::demo().await;
    let (status, body) = Stream::open(&server.browser()).await.err().expect("401");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), ErrorCode::NotSignedIn);

    let mut here = server.demo_browser().await;
    let mut there = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 2]);
    let id = there.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;
    here.delete(&paths::with_param(paths::DEVICE, &id))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let (status, body) = Stream::open(&there).await.err().expect("401");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), ErrorCode::SignedOutRemotely);
}

#[tokio::test]
async fn a_device_signed_out_elsewhere_hears_who_did_it_and_no_other_account_hears_it() {
    let server = TestServer::demo().await;
    let mut a = server.demo_browser().await;
    let mut b = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 2]);
    let b_id = b.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;
    let mut c = server.browser().on(FIREFOX_ON_LINUX, [198, 51, 100, 3]);
    c.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let mut other = server.browser();
    other.sign_in(SECOND_EMAIL, SECOND_PASSWORD).await;

    let mut a_stream = open(&a).await;
    let mut b_stream = open(&b).await;
    let mut c_stream = open(&c).await;
    let mut other_stream = open(&other).await;

    a.delete(&paths::with_param(paths::DEVICE, &b_id))
        .await
        .expect_status(StatusCode::NO_CONTENT);

    let ended: SessionEnded = b_stream.expect("session_ended").await;
    assert_eq!(ended.reason, EndedReason::SignedOutRemotely);
    let by = ended.by.expect("who signed it out");
    assert_eq!(by.device_name, "Chrome on Windows");
    assert!(b_stream.next().await.is_none(), "the stream ends after it");

    let changed: DevicesChanged = c_stream.expect("devices_changed").await;
    assert_eq!(changed.change, DeviceChange::SignedOut);
    assert_eq!(changed.devices, ["Safari on iPhone"]);

    // A positive event on each remaining stream first, then silence about the sign-out.
    let mut d = server.browser().on(FIREFOX_ON_LINUX, [198, 51, 100, 4]);
    d.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let signed_in: DevicesChanged = a_stream.expect("devices_changed").await;
    assert_eq!(
        signed_in.change,
        DeviceChange::SignedIn,
        "not its own sign-out"
    );
    // The user agent the account knows, so no `new_sign_in` follows.
    let mut other_two = server.browser();
    other_two.sign_in(SECOND_EMAIL, SECOND_PASSWORD).await;
    let theirs: DevicesChanged = other_stream.expect("devices_changed").await;
    assert_eq!(
        theirs.change,
        DeviceChange::SignedIn,
        "nothing of the other account"
    );
    other_stream.expect_quiet().await;
}

#[tokio::test]
async fn a_new_device_is_announced_and_a_known_one_is_not() {
    let server = TestServer::demo().await;
    let here = server.demo_browser().await;
    let mut stream = open(&here).await;

    let new_agent = "Mozilla/5.0 (X11; Linux x86_64) NeverSeenBrowser/1.0";
    let mut new = server.browser().on(new_agent, [198, 51, 100, 9]);
    let id = new.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await.session.id;
    let _: DevicesChanged = stream.expect("devices_changed").await;
    let announced: NewSignIn = stream.expect("new_sign_in").await;
    assert_eq!(announced.device.id.as_deref(), Some(id.as_str()));
    let mut manager = server.demo_browser().await;
    let _: DevicesChanged = stream.expect("devices_changed").await;
    let activity: Value = manager.get(paths::ACTIVITY).await.json();
    assert!(
        activity.to_string().contains(&announced.activity_id),
        "activity {} lists the sign-in",
        announced.activity_id
    );

    // The same user agent again (the first session signed out meanwhile still counts).
    new.delete(paths::SESSION).await;
    let gone: DevicesChanged = stream.expect("devices_changed").await;
    assert_eq!(gone.change, DeviceChange::SignedOut);
    let mut again = server.browser().on(new_agent, [198, 51, 100, 10]);
    again.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let signed_in: DevicesChanged = stream.expect("devices_changed").await;
    assert_eq!(signed_in.change, DeviceChange::SignedIn);
    stream.expect_quiet().await;
}

#[tokio::test]
async fn the_acting_device_hears_nothing_of_its_own_change() {
    let server = TestServer::demo().await;
    let mut a = server.demo_browser().await;
    let mut b = server.browser().on(SAFARI_ON_IPHONE, [198, 51, 100, 2]);
    b.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let mut a_stream = open(&a).await;
    let mut b_stream = open(&b).await;

    a.post(paths::DEVICES_SIGN_OUT_ALL, json!({"keep_current": true}))
        .await
        .expect_status(StatusCode::OK);
    let _: SessionEnded = b_stream.expect("session_ended").await;
    // A later change by another device is the first thing A hears.
    let mut c = server.browser().on(FIREFOX_ON_LINUX, [198, 51, 100, 3]);
    c.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let heard: DevicesChanged = a_stream.expect("devices_changed").await;
    assert_eq!(heard.change, DeviceChange::SignedIn);
}

#[tokio::test]
async fn expiry_ends_the_stream_with_session_expired() {
    let server = TestServer::demo().await;
    let mut here = server.demo_browser().await;
    let mut stream = open(&here).await;
    here.post("/api/dev/clock", json!({"advance_seconds": 31 * DAY}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let ended: SessionEnded = stream.expect("session_ended").await;
    assert_eq!(ended.reason, EndedReason::SessionExpired);
    assert!(ended.by.is_none());
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn signing_out_here_ends_the_stream_without_an_event() {
    let server = TestServer::demo().await;
    let mut here = server.demo_browser().await;
    let mut stream = open(&here).await;
    here.delete(paths::SESSION).await;
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn the_dev_count_follows_streams_opening_and_going() {
    let server = TestServer::demo().await;
    let here = server.demo_browser().await;
    assert_eq!(open_streams(&server).await, 0);
    let first = open(&here).await;
    let second = open(&here).await;
    assert_eq!(open_streams(&server).await, 2);
    drop(first);
    assert_eq!(open_streams(&server).await, 1);
    drop(second);
    assert_eq!(open_streams(&server).await, 0);
}

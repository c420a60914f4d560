//! A test server and a test "browser" that keeps its cookie, as a real one would.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use hallpass_api::{ErrorBody, ErrorCode, ErrorDetail, SessionInfo, SignInOutcome};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use hallpass_server::{AppState, Database, WebApp, app};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tower::ServiceExt;

pub const INLINE_SCRIPT: &str = "import init from '/hallpass-0123456789abcdef.js';await init();";
pub const WASM_NAME: &str = "hallpass-0123456789abcdef_bg.wasm";
pub const CHROME_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
pub const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// The PostgreSQL server the tests run on, when set (`cargo xtask test` sets it, and
/// `cargo xtask postgres` prints it): a URL whose database the tests may create others from.
pub const POSTGRES_VAR: &str = "HALLPASS_TEST_POSTGRES";

/// Whether the tests run on PostgreSQL (see [`POSTGRES_VAR`]) rather than SQLite files.
pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_VAR).is_some_and(|v| !v.is_empty())
}

/// A database of the test's own: an SQLite file in `dir`, or, with [`POSTGRES_VAR`] set, a
/// new database on that server (`CREATE DATABASE` takes ~50 ms, and keeps the tests as
/// independent as separate files do). The databases are left for the server's cleanup:
/// xtask's throw-away cluster is deleted whole at the end.
pub async fn fresh_database(dir: &tempfile::TempDir) -> Database {
    let Some(server) = std::env::var(POSTGRES_VAR).ok().filter(|v| !v.is_empty()) else {
        return Database::Sqlite(dir.path().join("db.sqlite"));
    };
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("t{}_{n}", std::process::id());
    let mut admin = sqlx::postgres::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|err| panic!("{POSTGRES_VAR}={server}: {err}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create the test's database");
    let _ = admin.close().await;
    let base = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(base, _)| base);
    Database::Postgres(format!("{base}/{name}"))
}

/// A server on a fresh database, with a `dist/` shaped like Trunk's output.
pub struct TestServer {
    pub app: Router,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn new() -> Self {
        Self::build(true, false).await
    }

    /// A server whose `dist/` does not exist: the app was never built.
    pub async fn without_build() -> Self {
        Self::build(false, false).await
    }

    /// With `--demo`: both demo accounts seeded, the outbox served.
    pub async fn demo() -> Self {
        let server = Self::build(true, true).await;
        hallpass_server::demo::seed(&server.state)
            .await
            .expect("seed the demo data");
        server
    }

    /// The same server with its state changed (say, a smaller hashing pool).
    pub fn with_state(mut self, change: impl FnOnce(&mut AppState)) -> Self {
        change(&mut self.state);
        self.app = app(self.state.clone());
        self
    }

    /// With `--demo`, on a database file at `database` (say, on a small file system).
    pub async fn demo_on(database: &std::path::Path) -> Self {
        let server = Self::build_on(true, true, Some(database)).await;
        hallpass_server::demo::seed(&server.state)
            .await
            .expect("seed the demo data");
        server
    }

    async fn build(with_dist: bool, demo: bool) -> Self {
        Self::build_on(with_dist, demo, None).await
    }

    async fn build_on(with_dist: bool, demo: bool, database: Option<&std::path::Path>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let dist = dir.path().join("dist");
        if with_dist {
            std::fs::create_dir_all(&dist).expect("dist");
            let index = format!(
                "<!DOCTYPE html><html><head><script type=\"module\">{INLINE_SCRIPT}</script>\
                 </head><body></body></html>"
            );
            std::fs::write(dist.join("index.html"), &index).expect("index");
            std::fs::write(dist.join(WASM_NAME), b"\0asm\x01\0\0\0").expect("wasm");
            std::fs::write(dist.join(format!("{WASM_NAME}.br")), b"brotli bytes").expect("br");
            std::fs::write(dist.join("favicon.svg"), "<svg/>").expect("svg");
        }
        let web = WebApp::load(&dist).expect("load dist");
        let database = match database {
            Some(path) => Database::Sqlite(path.to_owned()),
            None => fresh_database(&dir).await,
        };
        let state = AppState::open(&database, web, demo)
            .await
            .expect("open database");
        Self {
            app: app(state.clone()),
            state,
            _dir: dir,
        }
    }

    /// Its `dist/`, read on each request: a test may add files to it.
    pub fn dist(&self) -> std::path::PathBuf {
        self._dir.path().join("dist")
    }

    /// Whether this server's database is SQLite (the tests about its file need that).
    pub fn on_sqlite(&self) -> bool {
        self.state.database.is_sqlite()
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let reply = self
            .send(Request::get(path).body(Body::empty()).expect("request"))
            .await;
        (reply.status, reply.headers, reply.body)
    }

    /// A browser on Windows at 203.0.113.7, not signed in.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            server: self,
            cookie: None,
            user_agent: CHROME_ON_WINDOWS.to_owned(),
            ip: IpAddr::from([203, 0, 113, 7]),
        }
    }

    /// A browser signed in to the demo account (no profile chosen yet).
    pub async fn demo_browser(&self) -> Browser<'_> {
        let mut browser = self.browser();
        browser.sign_in(DEMO_EMAIL, DEMO_PASSWORD).await;
        browser
    }

    /// Runs `sql` with one text parameter and returns the first column of every row.
    pub async fn column(&self, sql: &str, param: &str) -> Vec<String> {
        sqlx::query_scalar(sql)
            .bind(param)
            .fetch_all(&self.state.db)
            .await
            .expect("query")
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "{} is not the expected JSON ({err}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn error(&self) -> ErrorDetail {
        self.json::<ErrorBody>().error
    }

    /// Asserts the status and error code, and returns the error for more checks.
    #[track_caller]
    pub fn expect_error(&self, status: StatusCode, code: ErrorCode) -> ErrorDetail {
        assert_eq!(
            (self.status, self.error().code),
            (status, code),
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.error()
    }

    #[track_caller]
    pub fn expect_status(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Keeps the session cookie between requests and sends what a same-origin `fetch` sends.
pub struct Browser<'a> {
    pub server: &'a TestServer,
    pub cookie: Option<String>,
    pub user_agent: String,
    pub ip: IpAddr,
}

impl Browser<'_> {
    pub fn on(mut self, user_agent: &str, ip: [u8; 4]) -> Self {
        self.user_agent = user_agent.to_owned();
        self.ip = IpAddr::from(ip);
        self
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("user-agent", &self.user_agent)
            .header("sec-fetch-site", "same-origin")
            .extension(ConnectInfo(SocketAddr::new(self.ip, 50_000)));
        if let Some(token) = &self.cookie {
            request = request.header("cookie", format!("__Host-hallpass_session={token}"));
        }
        request
    }

    /// Sends the request and takes the cookie from `Set-Cookie`, as a browser would.
    pub async fn send(&mut self, request: Request<Body>) -> Reply {
        let reply = self.server.send(request).await;
        if let Some(set) = reply.header("set-cookie") {
            let value = set
                .strip_prefix("__Host-hallpass_session=")
                .and_then(|rest| rest.split(';').next())
                .unwrap_or_default();
            self.cookie = Some(value.to_owned()).filter(|v| !v.is_empty());
        }
        reply
    }

    pub async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let builder = self.request(method, path);
        let request = match body {
            Some(json) => builder
                .header("content-type", "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        self.send(request).await
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    /// A GET's status and headers, its body left unread: for a stream, which never ends.
    pub async fn get_head(&self, path: &str) -> (StatusCode, HeaderMap) {
        let request = self.request(Method::GET, path).body(Body::empty());
        let response = (self.server.app.clone())
            .oneshot(request.expect("request"))
            .await
            .expect("infallible");
        (response.status(), response.headers().clone())
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&mut self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&mut self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&mut self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> SessionInfo {
        let reply = self
            .post(
                "/api/session",
                serde_json::json!({"email": email, "password": password}),
            )
            .await;
        match reply.expect_status(StatusCode::OK).json::<SignInOutcome>() {
            SignInOutcome::SignedIn(info) => *info,
            SignInOutcome::TwoFactorRequired(_) => panic!("two-step verification is on"),
        }
    }

    /// Selects the profile called `name` (with its PIN if locked).
    pub async fn select(&mut self, name: &str, pin: Option<&str>) -> Reply {
        let id = self.profile_id(name).await;
        let body = match pin {
            Some(pin) => serde_json::json!({ "pin": pin }),
            None => serde_json::json!({}),
        };
        self.post(&format!("/api/profiles/{id}/select"), body).await
    }

    pub async fn profile_id(&mut self, name: &str) -> String {
        let profiles: Vec<hallpass_api::Profile> = self.get("/api/profiles").await.json();
        profiles
            .into_iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no profile {name}"))
            .id
    }

    pub async fn reauthenticate(&mut self, password: &str) -> Reply {
        self.post(
            "/api/session/reauthenticate",
            serde_json::json!({ "password": password }),
        )
        .await
    }
}

/// The 6-digit code of the newest outbox message to `to`.
pub async fn code_sent_to(server: &TestServer, to: &str) -> String {
    let mut reader = server.browser();
    let messages: Vec<hallpass_api::OutboxMessage> = reader.get("/api/dev/outbox").await.json();
    messages
        .iter()
        .find(|m| m.to == to)
        .and_then(|m| hallpass_server::demo::sent_code(&m.body))
        .unwrap_or_else(|| panic!("no code was sent to {to}: {messages:?}"))
}

/// Moves the server's clock.
pub fn advance(server: &TestServer, seconds: i64) {
    server.state.clock.advance(seconds);
}

pub const MINUTE: i64 = 60;
pub const DAY: i64 = 24 * 60 * MINUTE;

/// Sends every request at once, each as its own task (as separate connections would), and
/// returns the statuses in order.
pub async fn at_once(server: &TestServer, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let app = server.app.clone();
            tokio::spawn(async move { app.oneshot(request).await.expect("infallible").status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses
}

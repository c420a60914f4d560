//! Connection timeouts and the connection cap, on real sockets: the real server (`serve`) on
//! 127.0.0.1, driven with raw TCP (and TLS) streams. Timeouts are about a second; a close
//! may take up to ten before a test fails, so a loaded machine does not fail them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hallpass_server::{AppState, FileSends, ServeOptions, self_signed_tls, serve};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::support::TestServer;

const SHORT: Duration = Duration::from_secs(1);
/// Longer than any test: a timeout the test must not reach.
const LONG: Duration = Duration::from_secs(600);
/// How long a close or an answer may take before the test fails.
const GENEROUS: Duration = Duration::from_secs(10);

const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const HALF_A_HEAD: &[u8] = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";

/// A server on a free port; it stops when this is dropped.
struct Running {
    addr: SocketAddr,
    cert: Option<rustls::pki_types::CertificateDer<'static>>,
    stop: oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
    server: TestServer,
}

fn options(header_read: Duration, idle: Duration, max_connections: usize) -> ServeOptions {
    ServeOptions {
        header_read_timeout: header_read,
        idle_timeout: idle,
        send_timeout: LONG,
        max_connections,
        tls: None,
    }
}

async fn start(options: ServeOptions, tls: bool) -> Running {
    start_timed(options, tls, Duration::from_secs(30)).await
}

/// With this `--request-timeout`.
async fn start_timed(options: ServeOptions, tls: bool, request_timeout: Duration) -> Running {
    start_with(options, tls, |state| {
        state.request_timeout = request_timeout
    })
    .await
}

/// With `change` made to the server's state.
async fn start_with(
    mut options: ServeOptions,
    tls: bool,
    change: impl FnOnce(&mut AppState),
) -> Running {
    let server = TestServer::without_build().await;
    let mut state = server.state.clone();
    change(&mut state);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let mut cert = None;
    if tls {
        let (config, der) = self_signed_tls().expect("certificate");
        options.tls = Some(config);
        cert = Some(der);
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(serve(
        listener,
        hallpass_server::app(state),
        options,
        async {
            let _ = stopped.await;
        },
    ));
    Running {
        addr,
        cert,
        stop,
        serving,
        server,
    }
}

impl Running {
    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.expect("connect")
    }

    async fn connect_tls(&self) -> TlsStream<TcpStream> {
        self.connect_tls_offering(&[]).await
    }

    /// With these ALPN protocols offered.
    async fn connect_tls_offering(&self, protocols: &[&[u8]]) -> TlsStream<TcpStream> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.cert.clone().expect("a TLS server"))
            .expect("trust the certificate");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut config = config;
        config.alpn_protocols = protocols.iter().map(|p| p.to_vec()).collect();
        let name = ServerName::try_from("localhost").expect("name");
        tokio::time::timeout(
            GENEROUS,
            TlsConnector::from(Arc::new(config)).connect(name, self.connect().await),
        )
        .await
        .expect("a handshake within 10 s")
        .expect("handshake")
    }
}

/// Whether the server closed the connection (read gives 0 or an error) within 10 s. Anything
/// it sends before closing is read and dropped.
async fn closed_by_server(stream: &mut (impl AsyncRead + Unpin)) -> bool {
    let drain = async {
        let mut buf = [0_u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(GENEROUS, drain).await.is_ok()
}

/// One HTTP/1.1 response: the head, lowercased, and the body.
#[derive(Debug)]
struct Answer {
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn status_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }
}

/// Reads one HTTP/1.1 response (head and a `Content-Length` body).
async fn read_response(stream: &mut (impl AsyncRead + Unpin)) -> Answer {
    let mut got = Vec::new();
    let mut buf = [0_u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |n| n.trim().parse().expect("length"));
            if got.len() >= end + 4 + length {
                let body = got[end + 4..end + 4 + length].to_vec();
                return Answer { head, body };
            }
        }
        let n = stream.read(&mut buf).await.expect("read");
        assert_ne!(
            n,
            0,
            "closed mid-response: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
}

/// `GET /api/health`'s status line.
async fn health_on(stream: &mut (impl AsyncRead + AsyncWrite + Unpin)) -> String {
    stream.write_all(HEALTH).await.expect("write");
    tokio::time::timeout(GENEROUS, read_response(stream))
        .await
        .expect("an answer within 10 s")
        .status_line()
        .to_owned()
}

#[tokio::test]
async fn half_sent_headers_are_closed_after_the_header_read_timeout() {
    let server = start(options(SHORT, LONG, 16), false).await;
    let mut stream = server.connect().await;
    stream.write_all(HALF_A_HEAD).await.expect("write");
    assert!(closed_by_server(&mut stream).await, "still open after 10 s");
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let server = start(options(SHORT, LONG, 16), false).await;
    let mut stream = server.connect().await;
    assert!(closed_by_server(&mut stream).await, "still open after 10 s");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    // The header-read timeout is long, so only the idle timeout can close it.
    let server = start(options(LONG, SHORT, 16), false).await;
    let mut stream = server.connect().await;
    assert_eq!(health_on(&mut stream).await, "http/1.1 200 ok");
    assert!(closed_by_server(&mut stream).await, "still open after 10 s");
}

#[tokio::test]
async fn the_cap_holds_and_a_freed_place_is_used() {
    const CAP: usize = 4;
    let server = start(options(LONG, LONG, CAP), false).await;
    let mut held = Vec::new();
    for _ in 0..CAP {
        let mut stream = server.connect().await;
        // Answered, so accepted: each holds a place, idle and kept alive.
        assert_eq!(health_on(&mut stream).await, "http/1.1 200 ok");
        held.push(stream);
    }
    // The kernel completes the TCP handshake, but the server does not accept it.
    let mut waiting = server.connect().await;
    waiting.write_all(HEALTH).await.expect("write");
    let early = tokio::time::timeout(SHORT, read_response(&mut waiting)).await;
    assert!(early.is_err(), "served beyond the cap: {early:?}");
    drop(held.pop());
    let answer = tokio::time::timeout(GENEROUS, read_response(&mut waiting))
        .await
        .expect("an answer within 10 s once a place is free");
    assert_eq!(answer.status_line(), "http/1.1 200 ok");
}

#[tokio::test]
async fn connections_beyond_the_cap_that_stay_silent_time_out_and_health_answers() {
    const CAP: usize = 4;
    let server = start(options(SHORT, SHORT, CAP), false).await;
    let mut silent = Vec::new();
    for _ in 0..CAP + 2 {
        silent.push(server.connect().await);
    }
    let mut stream = server.connect().await;
    assert_eq!(health_on(&mut stream).await, "http/1.1 200 ok");
    for stream in &mut silent {
        assert!(
            closed_by_server(stream).await,
            "a silent connection stayed open"
        );
    }
}

#[tokio::test]
async fn tls_half_sent_headers_are_closed_after_the_header_read_timeout() {
    let server = start(options(SHORT, LONG, 16), true).await;
    let mut stream = server.connect_tls().await;
    assert_eq!(health_on(&mut stream).await, "http/1.1 200 ok");
    stream.write_all(HALF_A_HEAD).await.expect("write");
    stream.flush().await.expect("flush");
    assert!(closed_by_server(&mut stream).await, "still open after 10 s");
}

#[tokio::test]
async fn tls_without_a_client_hello_is_closed_after_the_handshake_timeout() {
    let server = start(options(SHORT, LONG, 16), true).await;
    let mut stream = server.connect().await;
    assert!(closed_by_server(&mut stream).await, "still open after 10 s");
}

#[tokio::test]
async fn an_api_request_stuck_behind_the_database_gets_503_after_the_request_timeout() {
    let server = start_timed(options(LONG, LONG, 16), false, SHORT).await;
    // Holding the write lock keeps the sign-in's first write waiting (SQLite: up to the
    // pool's 5-second busy timeout; PostgreSQL: a table lock the rate limit's insert waits
    // for): a handler slower than the 1-second request timeout.
    let mut lock = server.server.state.db.acquire().await.expect("connection");
    let begin = if server.server.on_sqlite() {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN; LOCK TABLE attempts IN EXCLUSIVE MODE"
    };
    sqlx::raw_sql(begin)
        .execute(&mut *lock)
        .await
        .expect("lock");
    let body = r#"{"email":"nobody@example.com","password":"not this one"}"#;
    let request = format!(
        "POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = server.connect().await;
    stream.write_all(request.as_bytes()).await.expect("write");
    let answer = tokio::time::timeout(GENEROUS, read_response(&mut stream))
        .await
        .expect("an answer within 10 s");
    sqlx::query("ROLLBACK")
        .execute(&mut *lock)
        .await
        .expect("unlock");
    assert_eq!(answer.status_line(), "http/1.1 503 service unavailable");
    assert!(
        answer.head.contains("\r\nretry-after: 5"),
        "{}",
        answer.head
    );
    let error: hallpass_api::ErrorBody = serde_json::from_slice(&answer.body).expect("JSON");
    assert_eq!(error.error.code, hallpass_api::ErrorCode::Unavailable);
    assert!(error.error.request_id.is_some(), "a 5xx names its request");
}

#[tokio::test]
async fn an_idle_http2_connection_over_tls_is_closed_after_the_idle_timeout() {
    // Browsers speak HTTP/2 over TLS; hyper's header-read timeout is HTTP/1's only.
    let server = start(options(LONG, SHORT, 16), true).await;
    let stream = server.connect_tls_offering(&[b"h2"]).await;
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("HTTP/2 handshake");
    let connection = tokio::spawn(connection);
    let request = axum::http::Request::get("https://localhost/api/health")
        .body(http_body_util::Empty::<axum::body::Bytes>::new())
        .expect("request");
    let response = tokio::time::timeout(GENEROUS, sender.send_request(request))
        .await
        .expect("an answer within 10 s")
        .expect("response");
    assert_eq!(response.status(), axum::http::StatusCode::OK);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body");
    assert!(!body.to_bytes().is_empty());
    // The client's connection task ends when the server closes the connection.
    let closed = tokio::time::timeout(GENEROUS, connection).await;
    assert!(closed.is_ok(), "still open after 10 s");
}

#[tokio::test]
async fn a_shutdown_closes_idle_connections_and_ends_serving() {
    let server = start(options(LONG, LONG, 16), false).await;
    let mut stream = server.connect().await;
    assert_eq!(health_on(&mut stream).await, "http/1.1 200 ok");
    let Running { stop, serving, .. } = server;
    drop(stop);
    assert!(closed_by_server(&mut stream).await, "still open after 10 s");
    let ended = tokio::time::timeout(GENEROUS, serving).await;
    assert!(
        matches!(ended, Ok(Ok(Ok(())))),
        "serve did not end: {ended:?}"
    );
}

/// A client that stops reading a file is dropped after the send timeout, and the file's
/// permit goes back with it. Over HTTP/2 it need not even stop reading the socket: it only
/// withholds `WINDOW_UPDATE` (here, a window of 0 from the start), and the socket stays
/// writable, so no write timeout would see it. A client that reads steadily, for longer in
/// all than the send timeout, gets its whole file.
#[tokio::test]
async fn a_client_that_stops_reading_a_file_is_dropped_after_the_send_timeout() {
    const SIZE: usize = 512 * 1024;
    let sends = FileSends::new(1);
    let mut opts = options(LONG, LONG, 16);
    opts.send_timeout = SHORT;
    let server = start_with(opts, false, |state| state.file_sends = sends.clone()).await;
    let dist = server.server.dist();
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(dist.join("big.bin"), vec![7u8; SIZE]).expect("big file");
    let get = || {
        axum::http::Request::get("http://127.0.0.1/big.bin")
            .body(http_body_util::Empty::<axum::body::Bytes>::new())
            .expect("request")
    };

    let mut stalled = hyper::client::conn::http2::Builder::new(TokioExecutor::new());
    stalled.initial_stream_window_size(0);
    let (mut sender, connection) = stalled
        .handshake(TokioIo::new(server.connect().await))
        .await
        .expect("HTTP/2 handshake");
    let connection = tokio::spawn(connection);
    let response = tokio::time::timeout(GENEROUS, sender.send_request(get()))
        .await
        .expect("an answer within 10 s")
        .expect("response");
    assert_eq!(response.status(), axum::http::StatusCode::OK);
    assert_eq!(
        sends.available(),
        0,
        "the file's permit is held while it is sent"
    );
    let closed = tokio::time::timeout(GENEROUS, connection).await;
    assert!(
        closed.is_ok(),
        "a client that reads nothing still connected after 10 s"
    );
    let given_back = async {
        while sends.available() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(
        tokio::time::timeout(GENEROUS, given_back).await.is_ok(),
        "the file's permit is still held"
    );
    drop(response);

    // 16 KiB frames a tenth of a second apart: about 3 s for the file, 1 s of send timeout.
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        TokioExecutor::new(),
        TokioIo::new(server.connect().await),
    )
    .await
    .expect("HTTP/2 handshake");
    tokio::spawn(connection);
    let response = tokio::time::timeout(GENEROUS, sender.send_request(get()))
        .await
        .expect("an answer within 10 s")
        .expect("response");
    let mut body = response.into_body();
    let mut read = 0;
    while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
        read += frame
            .expect("a frame")
            .into_data()
            .map_or(0, |data| data.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(read, SIZE, "a steady reader got only part of the file");
}

/// A browser leaving a page cancels every request still on its way (`RST_STREAM`), and a
/// page of this app fetches dozens of modules at once. h2 by default sends `GOAWAY
/// ENHANCE_YOUR_CALM` once a connection has 20 such streams it had not yet taken up, and the
/// browser's next page on that connection fails: seen in WebKit, signed out remotely while
/// its Account page was fetching its parts. A hundred cancelled at once leave the connection
/// working.
#[tokio::test]
async fn a_page_cancelling_a_hundred_requests_at_once_keeps_its_connection() {
    let server = start(options(LONG, LONG, 16), false).await;
    let (client, connection) = h2::client::handshake(server.connect().await)
        .await
        .expect("HTTP/2 handshake");
    let connection = tokio::spawn(connection);
    let mut client = client.ready().await.expect("ready");
    let get = |path: &str| {
        axum::http::Request::get(format!("http://127.0.0.1{path}"))
            .body(())
            .expect("request")
    };
    let mut cancelled = Vec::new();
    for _ in 0..100 {
        let (_, stream) = client.send_request(get("/api/health"), true).expect("sent");
        cancelled.push(stream);
    }
    for mut stream in cancelled {
        stream.send_reset(h2::Reason::CANCEL);
    }
    client = client
        .ready()
        .await
        .expect("the connection still takes requests");
    let (response, _) = client.send_request(get("/api/health"), true).expect("sent");
    let response = tokio::time::timeout(GENEROUS, response)
        .await
        .expect("an answer within 10 s");
    assert_eq!(
        response.map(|r| r.status()).map_err(|e| e.to_string()),
        Ok(axum::http::StatusCode::OK),
        "the request after the cancelled ones"
    );
    assert!(!connection.is_finished(), "the connection ended");
}

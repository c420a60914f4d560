//! One connection: the TLS handshake if any, then HTTP/1 or HTTP/2 until the peer leaves, a
//! timeout ends it, or the server shuts down.
//!
//! A client that stops reading is a slowloris too: each file being sent to it holds a
//! descriptor and a file-send permit (`web::FileSends`) for as long as its body lives. A socket
//! write timeout wouldn't see it over HTTP/2, where a client that withholds `WINDOW_UPDATE`
//! stalls its streams while the socket stays writable, and hyper then simply stops asking the
//! body for more. So every response body on a connection notes when it last gave hyper
//! something, and a connection with a body that has given nothing for the send timeout is
//! dropped, bodies and permits with it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// What every connection of one server shares.
pub struct Conn {
    pub app: Router,
    pub builder: auto::Builder<TokioExecutor>,
    pub tls: Option<TlsAcceptor>,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub send_timeout: Duration,
    /// Becomes `true` when the server shuts down.
    pub stopped: watch::Receiver<bool>,
}

/// Serves one accepted connection. The permit is the connection's place under the cap: it is
/// given back when this returns, whatever ended the connection.
pub async fn serve(
    shared: Arc<Conn>,
    stream: TcpStream,
    peer: SocketAddr,
    _permit: OwnedSemaphorePermit,
) {
    let Some(acceptor) = shared.tls.clone() else {
        return http(&shared, stream, peer).await;
    };
    // A handshake sent a byte at a time is the same slowloris as a request head sent so.
    match tokio::time::timeout(shared.header_read_timeout, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => http(&shared, stream, peer).await,
        Ok(Err(err)) => tracing::debug!(%peer, %err, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

async fn http<I>(shared: &Conn, io: I, peer: SocketAddr)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (load, watch_load) = watch::channel(Load::default());
    let load = Arc::new(load);
    let sending = Arc::new(Sending::new());
    let app = shared.app.clone();
    let bodies = sending.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // The peer address is each device's IP on the Devices page and in account activity.
        request.extensions_mut().insert(ConnectInfo(peer));
        let guard = InFlight::start(&load);
        let response = app.clone().oneshot(request);
        let bodies = bodies.clone();
        async move {
            let response = response.await?;
            let progress = bodies.start();
            // A request is in flight until its body has been sent (or the body is dropped):
            // a long response is not idleness.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _in_flight = &guard;
                    bodies.progressed(&progress);
                    frame
                }))
            }))
        }
    });
    // No upgrades (WebSocket): an upgraded connection would outlive this task and so escape
    // the cap and the timeouts. Nothing here needs one; Server-Sent Events are plain HTTP.
    let conn = shared.builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut stopped = shared.stopped.clone();
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(%peer, %err, "connection ended");
            }
            return;
        }
        () = idle(watch_load, shared.header_read_timeout, shared.idle_timeout) => {
            tracing::debug!(%peer, "closing an idle connection");
        }
        // No graceful close: it would wait for the very bodies that are stuck.
        () = stalled(&sending, shared.send_timeout) => {
            tracing::debug!(%peer, "closing a connection whose client stopped reading");
            return;
        }
        _ = stopped.wait_for(|stopped| *stopped) => {}
    }
    // Lets a request still in flight finish (the shutdown's grace period bounds that), and
    // says goodbye properly (HTTP/2 GOAWAY) to an idle connection.
    conn.as_mut().graceful_shutdown();
    // A peer that stops reading could keep even a graceful close waiting.
    let limit = shared.header_read_timeout.max(super::GRACE);
    if let Ok(Err(err)) = tokio::time::timeout(limit, conn).await {
        tracing::debug!(%peer, %err, "connection ended");
    }
}

/// Completes once the connection has had no request in flight for too long: `first` until
/// its first request arrives (a connection that never sends one, or never finishes choosing
/// between HTTP/1 and HTTP/2, is a slowloris too), then `between` after each request.
async fn idle(mut load: watch::Receiver<Load>, first: Duration, between: Duration) {
    loop {
        // Counts, not changes seen: a request may come and go before this is first polled.
        let Ok(now) = load
            .wait_for(|load| load.in_flight == 0)
            .await
            .map(|load| *load)
        else {
            // The service is gone, so the connection is ending anyway.
            return std::future::pending().await;
        };
        let wait = if now.started == 0 { first } else { between };
        if tokio::time::timeout(wait, load.changed()).await.is_err() {
            return;
        }
    }
}

/// Completes once a response body on the connection has given hyper nothing for `limit`:
/// hyper asks a body for more only when the client can take it, so its client has stopped
/// reading. (The live stream writes a keep-alive every 15 seconds, well inside the default.)
async fn stalled(sending: &Sending, limit: Duration) {
    loop {
        let quiet = sending.longest_quiet();
        if quiet >= limit {
            return;
        }
        tokio::time::sleep(limit - quiet).await;
    }
}

/// The response bodies of one connection still being sent, each with when it last gave
/// hyper a frame (milliseconds since `epoch`). A body's entry dies with the body.
struct Sending {
    epoch: Instant,
    bodies: Mutex<Vec<Weak<AtomicU64>>>,
}

impl Sending {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            bodies: Mutex::new(Vec::new()),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A body about to be sent; it counts as having just given something.
    fn start(&self) -> Arc<AtomicU64> {
        let progress = Arc::new(AtomicU64::new(self.now()));
        let mut bodies = self.bodies.lock().unwrap_or_else(PoisonError::into_inner);
        bodies.retain(|body| body.strong_count() > 0);
        bodies.push(Arc::downgrade(&progress));
        progress
    }

    fn progressed(&self, progress: &AtomicU64) {
        progress.store(self.now(), Ordering::Relaxed);
    }

    /// How long the quietest body still being sent has given nothing; zero when none is.
    fn longest_quiet(&self) -> Duration {
        let now = self.now();
        let mut bodies = self.bodies.lock().unwrap_or_else(PoisonError::into_inner);
        bodies.retain(|body| body.strong_count() > 0);
        let oldest = bodies
            .iter()
            .filter_map(Weak::upgrade)
            .map(|progress| progress.load(Ordering::Relaxed))
            .min()
            .unwrap_or(now);
        Duration::from_millis(now.saturating_sub(oldest))
    }
}

/// A connection's requests: how many are in flight, and how many ever started.
#[derive(Clone, Copy, Default)]
struct Load {
    in_flight: usize,
    started: u64,
}

/// Counts one request in flight for as long as it lives.
struct InFlight(Arc<watch::Sender<Load>>);

impl InFlight {
    fn start(load: &Arc<watch::Sender<Load>>) -> Self {
        load.send_modify(|load| {
            load.in_flight += 1;
            load.started += 1;
        });
        Self(load.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|load| load.in_flight -= 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(200);
    const LONG: Duration = Duration::from_secs(600);
    const GENEROUS: Duration = Duration::from_secs(10);

    #[tokio::test]
    async fn a_request_over_before_the_first_look_still_counts() {
        let (load, watch_load) = watch::channel(Load::default());
        let load = Arc::new(load);
        drop(InFlight::start(&load));
        let closed = tokio::time::timeout(GENEROUS, idle(watch_load, LONG, SHORT)).await;
        assert!(closed.is_ok(), "waited as for a first request");
    }

    #[tokio::test]
    async fn a_request_in_flight_is_not_idleness() {
        let (load, watch_load) = watch::channel(Load::default());
        let load = Arc::new(load);
        let request = InFlight::start(&load);
        let early = tokio::time::timeout(SHORT * 3, idle(watch_load.clone(), SHORT, SHORT)).await;
        assert!(early.is_err(), "idle with a request in flight");
        drop(request);
        let closed = tokio::time::timeout(GENEROUS, idle(watch_load, LONG, SHORT)).await;
        assert!(closed.is_ok(), "not idle after the request ended");
    }
}

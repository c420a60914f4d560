//! Our own accept loop, for plain HTTP and HTTPS alike: axum::serve has no timeouts and no
//! connection cap, and an attacker holding connections open ran the process out of file
//! descriptors (issue 10).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use super::connection::{self, Conn};

/// Connections still open this long after a shutdown signal are closed.
pub const GRACE: Duration = Duration::from_secs(5);

/// How connections are served and limited; `Cli` fills it from its options.
#[derive(Clone)]
pub struct ServeOptions {
    /// A TLS handshake, and every request head, must be complete within this. It also bounds
    /// the wait for a new connection's first request.
    pub header_read_timeout: Duration,
    /// A connection with no request in flight for this long is closed. (On HTTP/1 hyper's
    /// header-read timer also runs while a kept-alive connection waits for its next request,
    /// so there the shorter of the two applies.)
    pub idle_timeout: Duration,
    /// A connection with a response that has sent nothing for this long (its client stopped
    /// reading) is dropped, and the files it was sending with it. Keep it above the live
    /// stream's 15-second keep-alive.
    pub send_timeout: Duration,
    /// At most this many connections at once; when all are taken, the server stops accepting
    /// (new ones wait in the kernel's backlog) until one closes.
    pub max_connections: usize,
    /// Serve HTTPS with this configuration.
    pub tls: Option<Arc<ServerConfig>>,
}

/// Requests at once on one HTTP/2 connection (hyper's default, stated).
const MAX_STREAMS: u32 = 200;

/// Serves `app` on `listener` until `shutdown` completes, then closes connections gracefully,
/// giving them five seconds (`GRACE`) to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true);
    // A browser leaving a page cancels whatever it was still fetching, and a page of this app
    // fetches dozens of modules at once: h2's default of 20 cancelled streams not yet taken
    // up per connection (its guard against "rapid reset" floods) sent `GOAWAY` to WebKit
    // leaving its Account page, and its next page failed. As many as a connection may have
    // open at once (hyper's 200) still bounds what a flood can queue.
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS)
        .max_pending_accept_reset_streams(MAX_STREAMS as usize);
    let (stop, stopped) = watch::channel(false);
    let shared = Arc::new(Conn {
        app,
        builder,
        tls: options.tls.map(TlsAcceptor::from),
        header_read_timeout: options.header_read_timeout,
        idle_timeout: options.idle_timeout,
        send_timeout: options.send_timeout,
        stopped,
    });
    let permits = Arc::new(Semaphore::new(options.max_connections));
    let mut full = FullLog::default();
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            // Finished connections leave their results here until reaped.
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(err) = done {
                    tracing::error!(%err, "a connection task failed");
                }
            }
            (stream, peer, permit) = next_connection(&listener, &permits, &mut full) => {
                tasks.spawn(connection::serve(shared.clone(), stream, peer, permit));
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained =
        tokio::time::timeout(GRACE, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::info!(open = tasks.len(), "closing the connections still open");
        tasks.shutdown().await;
    }
    Ok(())
}

/// A permit first, then a connection: while every permit is taken, nothing is accepted.
async fn next_connection(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
    full: &mut FullLog,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    let permit = match permits.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            full.note();
            // The semaphore is never closed.
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return std::future::pending().await;
            };
            permit
        }
    };
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => return (stream, peer, permit),
            // The peer gave up before we accepted: nothing to do.
            Err(err) if is_connection_error(&err) => {}
            // Out of descriptors or memory: spinning would only burn the CPU the rest of the
            // server needs to finish requests and free some.
            Err(err) => {
                tracing::error!(%err, "can't accept connections; trying again in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// The cap being reached is worth one warning, not one per connection while it lasts.
#[derive(Default)]
struct FullLog {
    last: Option<Instant>,
}

impl FullLog {
    const EVERY: Duration = Duration::from_secs(60);

    fn note(&mut self) {
        let now = Instant::now();
        if self.last.is_none_or(|last| now - last >= Self::EVERY) {
            self.last = Some(now);
            tracing::warn!(
                "every connection permitted is open: not accepting new ones until one closes \
                 (see --max-connections; logged at most once a minute)"
            );
        }
    }
}

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::client::ProxyRange;
use crate::db::Database;

/// The Hallpass reference backend: the JSON API and the built app, from one process.
#[derive(Debug, Clone, Parser)]
#[command(name = "hallpass-server", version)]
pub struct Cli {
    /// Address to listen on. Port 0 picks a free port; the chosen address is printed.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// SQLite database file (created, with its folder, if it does not exist), or a
    /// PostgreSQL URL: `postgres://user:password@host:port/database`.
    #[arg(long, value_name = "FILE|URL", default_value = "data/hallpass.sqlite")]
    pub database: Database,

    /// Folder with the built app (`trunk build` output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,

    /// Seed demo accounts and expose the development outbox.
    #[arg(long)]
    pub demo: bool,

    /// With --demo: give the demo account at least this many signed-in devices, for measuring
    /// a large account.
    #[arg(long, value_name = "N", requires = "demo")]
    pub demo_devices: Option<usize>,

    /// A MaxMind-format City database (GeoLite2 or DB-IP) for the approximate location of
    /// devices. Without one, locations are unknown.
    #[arg(long, value_name = "FILE")]
    pub geoip: Option<PathBuf>,

    /// Serve HTTPS with a freshly generated self-signed certificate for localhost.
    /// For tests and local use only: WebKit keeps `Secure` cookies only over HTTPS.
    #[arg(long)]
    pub tls_self_signed: bool,

    /// Seconds a client has to complete the TLS handshake, and each request head; also how
    /// long a new connection may wait before sending its first request.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    pub header_read_timeout: Duration,

    /// Seconds a connection may stay open with no request in flight (on HTTP/1 the header-read
    /// timeout also bounds the wait for the next request, so the shorter applies there).
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds)]
    pub idle_timeout: Duration,

    /// Seconds a response may send nothing because its client stopped reading; then its
    /// connection is dropped, with any file it was sending. Above 15: a quiet live-events
    /// stream sends a keep-alive every 15 seconds.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds)]
    pub send_timeout: Duration,

    /// Seconds an `/api/` request may take until its response starts; then 503 `unavailable`.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub request_timeout: Duration,

    /// Connections served at once; more wait until one closes. Default: what the open-file
    /// limit (raised to its hard limit at start) allows after a reserve for the database, the
    /// logs and the server itself, and one for each of the app's files being sent at once (a
    /// quarter of what is left, at most 256). An open-file limit of 20,000 gives 19,680.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,

    /// A reverse proxy whose `X-Forwarded-For` names the client: a network (`10.0.0.0/8`) or
    /// one address (`127.0.0.1`). Repeatable. Without it the header is ignored and every
    /// device shows the address that connected, which behind a proxy is the proxy's.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    pub trusted_proxy: Vec<ProxyRange>,
}

/// A positive number of seconds, fractions allowed ("0.5").
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(format!("{text} must be more than 0 seconds")),
    }
}

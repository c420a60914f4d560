use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// The Hallpass reference backend: the JSON API and the built app, from one process.
#[derive(Debug, Clone, Parser)]
#[command(name = "hallpass-server", version)]
pub struct Cli {
    /// Address to listen on. Port 0 picks a free port; the chosen address is printed.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// SQLite database file; created, with its folder, if it does not exist.
    #[arg(long, default_value = "data/hallpass.sqlite")]
    pub database: PathBuf,

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
}

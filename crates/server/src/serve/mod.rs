//! Running the server: bind, print the address, serve until Ctrl-C or SIGTERM, with
//! timeouts, a connection cap and a cap on files being sent (`accept.rs`, `connection.rs`,
//! `limits.rs`).

mod accept;
mod connection;
mod limits;
mod tls;

use std::error::Error;
use std::sync::Arc;

use accept::GRACE;
pub use accept::{ServeOptions, serve};
pub use tls::self_signed_tls;

use crate::web::FileSends;
use crate::{AppState, Cli, Geo, WebApp, app, demo, domain};

pub async fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    // First, so the database opens its files under the raised limit.
    let caps = limits::caps(cli.max_connections)?;
    let web = WebApp::load(&cli.dist)?;
    let mut state = AppState::open(&cli.database, web, cli.demo)
        .await
        .map_err(|err| format!("can't open the database {}: {err}", cli.database))?;
    state.https = cli.tls_self_signed;
    state.request_timeout = cli.request_timeout;
    state.file_sends = FileSends::new(caps.file_sends);
    state.trusted_proxies = crate::TrustedProxies::new(cli.trusted_proxy.iter().copied());
    if let Some(path) = &cli.geoip {
        let geo = Geo::open(path)
            .map_err(|err| format!("can't read the GeoIP database {}: {err}", path.display()))?;
        state.geo = Arc::new(geo);
    }
    if cli.demo {
        demo::seed(&state)
            .await
            .map_err(|err| format!("can't seed the demo data: {err:?}"))?;
        if let Some(n) = cli.demo_devices {
            demo::seed_devices(&state, n)
                .await
                .map_err(|err| format!("can't seed {n} demo devices: {err:?}"))?;
        }
    }
    tokio::spawn(domain::purge_every_hour(state.clone()));
    let tls = if cli.tls_self_signed {
        let (config, _) = self_signed_tls()
            .map_err(|err| format!("can't make the self-signed certificate: {err}"))?;
        Some(config)
    } else {
        None
    };

    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .map_err(|err| format!("can't listen on {}: {err}", cli.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if cli.tls_self_signed { "https" } else { "http" };
    // Tests and xtask read this exact line to learn the address (the port may be 0).
    println!("Hallpass is listening on {scheme}://{addr}");
    tracing::info!(
        %addr,
        scheme,
        database = %cli.database,
        max_connections = caps.connections,
        file_sends = caps.file_sends,
        "serving"
    );
    if cli.demo {
        println!(
            "Demo sign-ins: {} / {}  and  {} / {}",
            demo::DEMO_EMAIL,
            demo::DEMO_PASSWORD,
            demo::SECOND_EMAIL,
            demo::SECOND_PASSWORD
        );
    }

    let options = ServeOptions {
        header_read_timeout: cli.header_read_timeout,
        idle_timeout: cli.idle_timeout,
        send_timeout: cli.send_timeout,
        max_connections: caps.connections,
        tls,
    };
    serve(listener, app(state), options, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

//! Running the server: bind, print the address, serve until Ctrl-C or SIGTERM.

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;

use crate::{AppState, Cli, Geo, WebApp, app, db, demo};

/// Connections still open this long after a shutdown signal are closed.
const GRACE: Duration = Duration::from_secs(5);

pub async fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    let web = WebApp::load(&cli.dist)?;
    let mut state = AppState::open(&cli.database, web, cli.demo)
        .await
        .map_err(|err| format!("can't open the database {}: {err}", cli.database.display()))?;
    state.https = cli.tls_self_signed;
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
    tokio::spawn(db::purge_every_hour(state.clone()));

    let listener = std::net::TcpListener::bind(cli.listen)
        .map_err(|err| format!("can't listen on {}: {err}", cli.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let scheme = if cli.tls_self_signed { "https" } else { "http" };
    // Tests and xtask read this exact line to learn the address (the port may be 0).
    println!("Hallpass is listening on {scheme}://{addr}");
    tracing::info!(%addr, scheme, database = %cli.database.display(), "serving");
    if cli.demo {
        println!(
            "Demo sign-ins: {} / {}  and  {} / {}",
            demo::DEMO_EMAIL,
            demo::DEMO_PASSWORD,
            demo::SECOND_EMAIL,
            demo::SECOND_PASSWORD
        );
    }

    // The peer address is each device's IP on the Devices page and in account activity.
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    if cli.tls_self_signed {
        let config = self_signed_tls().await?;
        let handle = axum_server::Handle::new();
        let on_signal = handle.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            on_signal.graceful_shutdown(Some(GRACE));
        });
        axum_server::from_tcp_rustls(listener, config)?
            .handle(handle)
            .serve(service)
            .await?;
    } else {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
    }
    Ok(())
}

/// A certificate for `localhost`, `127.0.0.1` and `::1`, made fresh at every start.
async fn self_signed_tls() -> Result<RustlsConfig, Box<dyn Error>> {
    // Only the ring provider is compiled in; installing it can only fail if one already is.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let certified = rcgen::generate_simple_self_signed(names)?;
    let config = RustlsConfig::from_pem(
        certified.cert.pem().into_bytes(),
        certified.signing_key.serialize_pem().into_bytes(),
    )
    .await?;
    Ok(config)
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

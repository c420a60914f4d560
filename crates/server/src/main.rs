//! `hallpass-server`: see `hallpass_server::Cli` for the options.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    hallpass_server::init_tracing();
    let cli = hallpass_server::Cli::parse();
    match hallpass_server::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hallpass-server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

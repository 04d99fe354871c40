//! `plaza`: parses the command line and hands over to the crates that do the work.

mod background;
mod cli;
mod commands;
mod serve;
mod sqlite_lock;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    plaza_federation::install_tls_provider();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match cli.global.log_format {
        cli::LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        cli::LogFormat::Json => {
            let subscriber = plaza_web::logging::json_subscriber(filter, std::io::stdout);
            if let Err(e) = tracing::subscriber::set_global_default(subscriber) {
                eprintln!("error: cannot start logging: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

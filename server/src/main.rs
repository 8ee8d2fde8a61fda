//! The `server` command: `--help`, `--print-schema`, or serve (configured by
//! the environment, see `--help`).

use server::config::{self, Config};
use server::{graphql, serve};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        print!("{}", config::HELP);
        return ExitCode::SUCCESS;
    }
    if std::env::args().skip(1).any(|a| a == "--print-schema") {
        print!("{}", graphql::schema().sdl());
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("laurel: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    match serve::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("laurel: {err}");
            ExitCode::FAILURE
        }
    }
}

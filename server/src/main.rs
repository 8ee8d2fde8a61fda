//! The `server` command: `--help`, `--print-schema`, `--forget-secrets`, or
//! serve (configured by the environment, see `--help`).

use server::config::{self, Config};
use server::{fds, graphql, serve};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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
    no_huge_pages();
    // Before the runtime's threads exist: see `fds`.
    let files = fds::prepare();
    tracing::info!(
        "open files: up to {}; descriptor table sized for {}; connections: up to {}",
        files.limit,
        files.table,
        fds::connections_allowed()
    );
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("laurel: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("laurel: start-up failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    let work = async {
        if std::env::args().skip(1).any(|a| a == "--forget-secrets") {
            serve::forget_secrets(config, std::env::args().skip(1).any(|a| a == "--yes")).await
        } else {
            serve::run(config).await
        }
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("laurel: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Transparent huge pages off for this process. The allocator asks for them
/// on its larger regions; the first touch of one then zeroes 2 MiB in one go,
/// which on a virtual machine stalled a reaction for 5 ms with 10,000 live
/// viewers connected (`make bench`, the live rows). Ordinary pages cost a
/// little more TLB and nothing at once. Best effort: where the call is not
/// available nothing changes.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        let (on, none): (libc::c_ulong, libc::c_ulong) = (1, 0);
        // SAFETY: PR_SET_THP_DISABLE takes plain integers (as the kernel reads
        // them: unsigned longs) and touches no memory of ours.
        if unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, on, none, none, none) } != 0 {
            tracing::warn!("transparent huge pages stay on: {}", std::io::Error::last_os_error());
        }
    }
}

//! Logs go to `<data dir>/logs/till.log` and to stderr. `RUST_LOG` sets the
//! level (default `info`). Secrets never reach a log: they live in types
//! whose `Debug` and `Display` are redacted.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::{DataDir, Error, Result};

/// Installs the global subscriber. Keep the guard alive for the whole process:
/// dropping it flushes and stops the file writer.
pub fn init(data_dir: &DataDir) -> Result<WorkerGuard> {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    init_with(data_dir, &directives, true)
}

/// [`init`] at a given level (`trace`, `till_core=debug`…), to the file only
/// unless `to_stderr`; for tests.
pub fn init_with(data_dir: &DataDir, directives: &str, to_stderr: bool) -> Result<WorkerGuard> {
    let appender = tracing_appender::rolling::never(data_dir.logs_dir(), "till.log");
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    // A malformed RUST_LOG is no reason not to start.
    let filter = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(to_stderr.then(|| fmt::layer().with_writer(std::io::stderr)))
        .with(fmt::layer().with_ansi(false).with_writer(file_writer))
        .try_init()
        .map_err(Error::internal)?;
    Ok(guard)
}

//! `till`, the command line: the app's accounts, cache, keychain and
//! journal, from a terminal or from cron. One call into `till-core` per
//! verb; errors become words and an exit code (`failure.rs`).
// A command line's answer is its standard output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod accounts;
mod cli;
mod failure;
mod money;
mod out;
mod reads;
mod sync;
mod words;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use till_core::{DataDir, Till};

use crate::cli::{Cli, Command};
use crate::failure::Failure;
use crate::out::Out;

fn main() -> ExitCode {
    // clap itself exits 2 on a usage error, and 0 for --help and --version.
    let cli = Cli::parse();
    let out = Out {
        json: cli.global.json,
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if out.json {
                out::line(&failure.json());
            }
            if failure.code == failure::OK {
                out::warn(&failure.words);
            } else {
                out::error(&failure.words);
            }
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let out = Out {
        json: cli.global.json,
    };
    // What needs no data directory.
    match &cli.command {
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(*shell, &mut command, "till", &mut std::io::stdout());
            return Ok(());
        }
        Command::Man => {
            return clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .map_err(|err| {
                    Failure::local(format!("the man page could not be written: {err}"))
                });
        }
        _ => {}
    }
    let data_dir = DataDir::resolve()?;
    // The log goes to the data directory's file (as the app's); to standard
    // error only when RUST_LOG asks for it.
    let to_stderr = std::env::var_os("RUST_LOG").is_some();
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let _log = till_core::logging::init_with(&data_dir, &directives, to_stderr).ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| Failure::local(format!("the runtime could not start: {err}")))?;
    let till = Arc::new(Till::open(data_dir)?);
    let account = cli.global.account.as_deref();
    runtime.block_on(async move {
        match cli.command {
            Command::Accounts(command) => accounts::run(&till, out, command).await,
            Command::Sync(args) => sync::run(&till, out, account, args).await,
            Command::Payments(command) => {
                let account = accounts::resolve(&till, account)?;
                reads::payments(&till, out, &account, command)
            }
            Command::Holds => reads::holds(&till, out, &accounts::resolve(&till, account)?),
            Command::Balance => reads::balance(&till, out, &accounts::resolve(&till, account)?),
            Command::Capture(args) => {
                let account = accounts::resolve(&till, account)?;
                money::capture(&till, out, &account, args).await
            }
            Command::Release(args) => {
                let account = accounts::resolve(&till, account)?;
                money::release(&till, out, &account, args).await
            }
            Command::Refund(args) => {
                let account = accounts::resolve(&till, account)?;
                money::refund(&till, out, &account, args).await
            }
            Command::Journal(args) => {
                let account = accounts::resolve(&till, account)?;
                money::journal(&till, out, &account, args).await
            }
            Command::Completions { .. } | Command::Man => Ok(()),
        }
    })
}

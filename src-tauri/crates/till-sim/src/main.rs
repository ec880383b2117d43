//! `till-sim --port N [--latency-ms L] [--rate-limit R] [--random-seed S]`:
//! serves Stripe's API on 127.0.0.1 until interrupted.

use std::process::ExitCode;
use std::time::Duration;

use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};

const USAGE: &str =
    "usage: till-sim [--port N] [--latency-ms L] [--rate-limit R] [--random-seed S]";

fn parse_args(args: &[String]) -> Result<SimConfig, String> {
    let mut config = SimConfig::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let value = || -> Result<u64, String> { Err(format!("{flag} needs a number\n{USAGE}")) };
        let mut number = || -> Result<u64, String> {
            match iter.next() {
                Some(text) => text
                    .parse::<u64>()
                    .map_err(|_| format!("{flag}: not a number: {text}\n{USAGE}")),
                None => value(),
            }
        };
        match flag.as_str() {
            "--port" => {
                config.port =
                    u16::try_from(number()?).map_err(|_| "--port must be below 65536".to_owned())?
            }
            "--latency-ms" => config.latency = Duration::from_millis(number()?),
            "--rate-limit" => {
                config.rate_limit =
                    u32::try_from(number()?).map_err(|_| "--rate-limit is too large".to_owned())?
            }
            "--random-seed" => {
                let seed = number()?;
                config.seed = seed;
                if let Some(spec) = config.history.as_mut() {
                    spec.seed = seed;
                }
            }
            "--seed-payments" => {
                let payments = usize::try_from(number()?)
                    .map_err(|_| "--seed-payments is too large".to_owned())?;
                config.history = Some(SeedSpec {
                    payments,
                    ..SeedSpec::new(payments, config.seed)
                });
            }
            "--history-days" => {
                let days = i64::try_from(number()?)
                    .map_err(|_| "--history-days is too large".to_owned())?;
                match config.history.as_mut() {
                    Some(spec) => spec.days = days.max(1),
                    None => {
                        return Err(format!(
                            "--history-days comes after --demo or --seed-payments\n{USAGE}"
                        ));
                    }
                }
            }
            "--demo" => config.history = Some(SeedSpec::demo()),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(config)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let sim = match Simulator::start(config) {
        Ok(sim) => sim,
        Err(err) => {
            eprintln!("till-sim: cannot listen: {err}");
            return ExitCode::FAILURE;
        }
    };
    #[allow(clippy::print_stdout)] // The base URL and demo key are this program's output.
    {
        println!("till-sim listening on {}", sim.base_url());
        println!("demo key: {}", sim.demo_key());
        let report = sim.seed_report();
        if report.payment_intents > 0 {
            println!(
                "seeded {} payments ({} objects: {} charges, {} refunds, {} sessions, {} balance transactions, {} payouts, {} events) in {:.2} s",
                report.payment_intents,
                report.objects(),
                report.charges,
                report.refunds,
                report.sessions,
                report.balance_transactions,
                report.payouts,
                report.events,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return ExitCode::FAILURE;
    };
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    drop(sim);
    ExitCode::SUCCESS
}

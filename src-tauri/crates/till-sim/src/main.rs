//! `till-sim`: serves Stripe's API on 127.0.0.1 until interrupted. Its
//! options are below; `till-sim --help` lists them.

use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Parser};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};

/// The options. Each help is one paragraph, so that `--help` gives each
/// option one line (a longer text would switch clap to its long layout).
#[derive(Debug, Parser)]
#[command(
    name = "till-sim",
    version,
    about = "A Stripe-compatible simulator on 127.0.0.1 (Stripe API 2023-08-16)",
    long_about = None,
    after_help = "Prints its base URL and the demo account's secret key, then serves until interrupted (Ctrl+C). \
        Its controls (/_sim/…: keys, faults, the clock) are described in the till-sim crate docs."
)]
#[command(group(ArgGroup::new("history").args(["demo", "seed_payments"])))]
struct Options {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,

    /// Milliseconds each Stripe request takes before it is answered, standing
    /// for Stripe's processing time
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,

    /// Requests a second each account may make before it is answered 429
    /// rate_limit; 0 switches the limit off
    #[arg(long, value_name = "R", default_value_t = SimConfig::default().rate_limit)]
    rate_limit: u32,

    /// Seeds ids, fault draws and the seeded history, so that a run can be
    /// repeated
    #[arg(long, value_name = "S")]
    random_seed: Option<u64>,

    /// Fills the demo account with a small café's last three months: 600
    /// payments, refunds, checkouts, payouts and holds about to lapse
    #[arg(long, conflicts_with = "seed_payments")]
    demo: bool,

    /// Fills the demo account with N payments over the last 180 days, for a
    /// business of any size
    #[arg(long, value_name = "N")]
    seed_payments: Option<usize>,

    /// Days the seeded history spans, ending now (with --demo or
    /// --seed-payments; 0 counts as 1)
    #[arg(long, value_name = "DAYS", requires = "history")]
    history_days: Option<u32>,
}

impl Options {
    fn config(&self) -> SimConfig {
        let defaults = SimConfig::default();
        let seed = self.random_seed.unwrap_or(defaults.seed);
        let mut history = match (self.demo, self.seed_payments) {
            (true, _) => Some(SeedSpec::demo()),
            (false, Some(payments)) => Some(SeedSpec::new(payments, seed)),
            (false, None) => None,
        };
        if let Some(spec) = history.as_mut() {
            if let Some(seed) = self.random_seed {
                spec.seed = seed;
            }
            if let Some(days) = self.history_days {
                spec.days = i64::from(days.max(1));
            }
        }
        SimConfig {
            port: self.port,
            latency: Duration::from_millis(self.latency_ms),
            rate_limit: self.rate_limit,
            seed,
            history,
            ..defaults
        }
    }
}

fn main() -> ExitCode {
    // Before anything else: --help, --version and a bad option end here
    // (exit code 2 for a bad option, with the usage).
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let started = std::time::Instant::now();
    let sim = match Simulator::start(options.config()) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use clap::{CommandFactory, Parser};

    use super::Options;

    fn parse(args: &[&str]) -> Result<Options, clap::Error> {
        Options::try_parse_from(std::iter::once("till-sim").chain(args.iter().copied()))
    }

    #[test]
    fn every_option_has_a_line_of_help_in_the_help() {
        let mut command = Options::command();
        command.clone().debug_assert();
        let help = command.render_help().to_string();
        for arg in command.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            let explained = arg
                .get_help()
                .is_some_and(|h| !h.to_string().trim().is_empty());
            assert!(explained, "--{long} has no help");
            let flag = format!("--{long}");
            let line = help
                .lines()
                .find(|line| {
                    line.trim_start().starts_with(&flag) || line.contains(&format!(", {flag}"))
                })
                .unwrap_or_else(|| panic!("--{long} is not in the help:\n{help}"));
            assert!(
                line.split_whitespace().count() > 3,
                "--{long} has no explanation on its line: {line:?}"
            );
        }
    }

    #[test]
    fn the_options_make_the_same_configuration_as_before() {
        let plain = parse(&[]).unwrap().config();
        assert_eq!(plain.port, 0);
        assert_eq!(plain.rate_limit, 25);
        assert!(plain.history.is_none());

        let config = parse(&[
            "--port",
            "12111",
            "--latency-ms",
            "5",
            "--rate-limit",
            "0",
            "--seed-payments",
            "300",
            "--history-days",
            "30",
            "--random-seed",
            "7",
        ])
        .unwrap()
        .config();
        assert_eq!(config.port, 12111);
        assert_eq!(config.latency.as_millis(), 5);
        assert_eq!(config.rate_limit, 0);
        assert_eq!(config.seed, 7);
        let history = config.history.unwrap();
        assert_eq!((history.payments, history.seed, history.days), (300, 7, 30));

        let demo = parse(&["--demo", "--history-days", "0"]).unwrap().config();
        let history = demo.history.unwrap();
        assert_eq!(history.payments, 600);
        assert_eq!(history.seed, 42, "the demo keeps its own seed");
        assert_eq!(history.days, 1);
    }

    #[test]
    fn contradictions_and_strays_are_refused() {
        for args in [
            &["--history-days", "30"][..],
            &["--demo", "--seed-payments", "10"],
            &["--port", "70000"],
            &["--rate-limit", "-1"],
            &["--frobnicate"],
            &["12111"],
        ] {
            assert!(parse(args).is_err(), "{args:?} should be refused");
        }
    }
}

//! The simulator's benchmark: seeding speed and peak memory, then requests
//! per second served on loopback for a list page of 100 PaymentIntents and
//! for a create. Run by its own command (see docs/BENCHMARKS.md):
//!
//!     cargo run --release -p till-sim --example bench -- [payments] [seconds]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};

fn peak_memory_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Runs `threads` clients for `seconds`, each doing `call` in a loop.
fn load(
    threads: usize,
    seconds: u64,
    call: impl Fn(&ureq::Agent, u64) -> bool + Sync,
) -> (f64, u64) {
    let done = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut n = 0;
                while Instant::now() < deadline {
                    if call(&agent, n) {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    n += 1;
                }
            });
        }
    });
    (
        done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        failed.load(Ordering::Relaxed),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let payments: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);

    let started = Instant::now();
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        history: Some(SeedSpec::new(payments, 7)),
        ..SimConfig::default()
    })
    .unwrap();
    let seeding = started.elapsed().as_secs_f64();
    let report = sim.seed_report();
    println!(
        "seed: {payments} payments, {} objects in {seeding:.2} s = {:.0} objects/s; peak memory {:.0} MiB",
        report.objects(),
        report.objects() as f64 / seeding,
        peak_memory_mib()
    );

    let base = sim.base_url();
    let auth = format!("Bearer {}", sim.demo_key());
    let threads = 4;
    let (pages, failed) = load(threads, seconds, |agent, _| {
        agent
            .get(format!("{base}/v1/payment_intents?limit=100"))
            .header("Authorization", &auth)
            .call()
            .map(|mut r| {
                r.status().as_u16() == 200
                    && r.body_mut()
                        .read_to_vec()
                        .map(|b| b.len() > 1000)
                        .unwrap_or(false)
            })
            .unwrap_or(false)
    });
    println!(
        "list: {pages:.0} pages of 100 PaymentIntents/s over {seconds} s, {threads} client threads ({failed} failed)"
    );
    let (creates, failed) = load(threads, seconds, |agent, n| {
        agent
            .post(format!("{base}/v1/payment_intents"))
            .header("Authorization", &auth)
            .header(
                "Idempotency-Key",
                &format!("bench-{n}-{:?}", std::thread::current().id()),
            )
            .content_type("application/x-www-form-urlencoded")
            .send("amount=1000&currency=usd&payment_method=pm_card_visa&confirm=true")
            .map(|r| r.status().as_u16() == 200)
            .unwrap_or(false)
    });
    println!(
        "create: {creates:.0} confirmed PaymentIntents/s over {seconds} s, {threads} client threads ({failed} failed)"
    );
}

//! The 30-day Overview at a million cached PaymentIntents (a year of them,
//! with their balance transactions and a refund for one in twenty): p50 and
//! p95 of the whole Overview as the UI asks for it, 30 local days. Run by its
//! own command:
//!
//!     cargo run --release -p till-core --example overview_bench -- [payments] [samples]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use till_store::Store;

#[path = "shared/fill.rs"]
mod till_core_bench_fill;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let payments: i64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let samples: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    let now = 1_800_000_000i64;
    let started = Instant::now();
    till_core_bench_fill::year_of_payments(&mut store, "acct", payments, now);
    println!(
        "filled {payments} PaymentIntents (+ balance transactions and refunds) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let midnights: Vec<i64> = (0..30).map(|d| now - (30 - d) * 86_400).collect();
    let mut times = Vec::with_capacity(samples);
    let mut counted = 0;
    for _ in 0..samples {
        let t = Instant::now();
        let overview = till_core::overview::overview(&store, "acct", &midnights, now).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        counted = overview
            .days
            .iter()
            .flat_map(|d| &d.gross)
            .map(|g| g.count)
            .sum::<i64>();
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "30-day Overview (30 local days: gross, refunds, net and fees per currency, balance, holds; {counted} succeeded payments in range): p50 {:.2} ms, p95 {:.2} ms",
        at(0.5),
        at(0.95)
    );
}

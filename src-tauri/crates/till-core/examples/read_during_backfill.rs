//! Reads while the sync writes: the Overview and a scan of 1,000,000 cached
//! PaymentIntents, measured while a real backfill (the simulator's history,
//! through the sync engine) writes into the same database. Twice: reading
//! through the one writer connection, as every screen did before, and
//! through the pool of read-only connections (`till_core::readers`), as
//! they do now. Run by its own command:
//!
//!     cargo run --release -p till-core --example read_during_backfill -- [cached] [history]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use till_core::readers::Readers;
use till_core::sync::{Controls, Quiet, SyncOptions, Syncer};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_stripe::{ApiKey, Endpoint, StripeClient};

#[path = "shared/fill.rs"]
mod till_core_bench_fill;

const NOW: i64 = 1_800_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Through {
    Writer,
    Readers,
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), at(1.0))
}

/// The Overview, then the scan, as a screen or an export asks for them:
/// each takes a connection (`with`) and is timed from asking for it, so
/// waiting for the writer counts.
/// Runs a read on a connection it takes.
type With<'a> = &'a dyn Fn(&dyn Fn(&Store));

fn read(with: With<'_>) -> (f64, f64) {
    let midnights: Vec<i64> = (0..30).map(|d| NOW - (30 - d) * 86_400).collect();
    let t = Instant::now();
    with(&|store| {
        till_core::overview::overview(store, "acct", &midnights, NOW).unwrap();
    });
    let overview = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    with(&|store| {
        let (rows, total): (i64, f64) = store
            .conn()
            .query_row(
                "SELECT count(*), total(amount_received) FROM payment_intents WHERE account_id = 'acct'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(rows > 0 && total > 0.0);
    });
    (overview, t.elapsed().as_secs_f64() * 1000.0)
}

async fn run(path: &std::path::Path, writer: Arc<Mutex<Store>>, history: usize, through: Through) {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 3,
        history: Some(SeedSpec {
            payments: history,
            days: 180,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let client = StripeClient::builder(ApiKey::parse(sim.demo_key()).unwrap())
        .endpoint(Endpoint::parse(&sim.base_url()).unwrap())
        .rate(10_000.0)
        .build()
        .unwrap();
    let account = match through {
        Through::Writer => "acct_backfill_1",
        Through::Readers => "acct_backfill_2",
    };
    let syncer = Syncer {
        client,
        store: Arc::clone(&writer),
        account_id: account.to_owned(),
        listener: Arc::new(Quiet),
        options: SyncOptions::default(),
        controls: Arc::new(Controls::default()),
    };
    let done = Arc::new(AtomicBool::new(false));
    let readers = Readers::new(path.to_path_buf());
    let reading = {
        let done = Arc::clone(&done);
        let writer = Arc::clone(&writer);
        std::thread::spawn(move || {
            let mut overview = Vec::new();
            let mut scan = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let (o, s) = match through {
                    Through::Writer => read(&|f| f(&writer.lock().unwrap())),
                    Through::Readers => read(&|f| f(&readers.get().unwrap())),
                };
                overview.push(o);
                scan.push(s);
                // A person clicks now and then, not in a loop.
                std::thread::sleep(Duration::from_millis(50));
            }
            (overview, scan)
        })
    };
    let started = Instant::now();
    let stored = syncer.sync_once().await.unwrap();
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (overview, scan) = reading.join().unwrap();
    let (o50, o95, omax) = percentiles(overview.clone());
    let (s50, s95, smax) = percentiles(scan);
    println!(
        "{}: a backfill of {stored} objects in {:.1} s; {} reads during it. Overview p50 {o50:.1} ms, p95 {o95:.1} ms, max {omax:.1} ms; 1,000,000-row scan p50 {s50:.1} ms, p95 {s95:.1} ms, max {smax:.1} ms",
        match through {
            Through::Writer => "through the writer connection (before)",
            Through::Readers => "through read-only connections (after)",
        },
        took.as_secs_f64(),
        overview.len()
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cached: i64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let history: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let started = Instant::now();
    till_core_bench_fill::year_of_payments(&mut store, "acct", cached, NOW);
    println!(
        "filled {cached} PaymentIntents in {:.1} s; the backfill brings a history of {history} payments",
        started.elapsed().as_secs_f64()
    );
    let writer = Arc::new(Mutex::new(store));
    for through in [Through::Writer, Through::Readers] {
        run(&path, Arc::clone(&writer), history, through).await;
    }
}

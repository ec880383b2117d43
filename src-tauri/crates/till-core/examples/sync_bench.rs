//! The sync engine's figures, by their own command (not in the test suite):
//!
//!     cargo run --release -p till-core --example sync_bench -- ingest [payments]
//!     cargo run --release -p till-core --example sync_bench -- backfill [payments]
//!     cargo run --release -p till-core --example sync_bench -- reads
//!
//! - `ingest`: objects per second parsed and stored (with the text index),
//!   from pages already received (HTTP excluded), through the sync's writer;
//!   beside it every page committed alone, and a whole sync from the
//!   simulator at zero latency.
//! - `backfill`: PaymentIntents at 100 ms a request with the simulator's limit
//!   and the client's budget both at 25 requests/s; the bound is
//!   payments / (25 × 100) seconds. A naive one-page-at-a-time paginator runs
//!   in the same process, next to it.
//! - `reads`: read requests an idle app makes per hour, focused and in the
//!   background, with every interval scaled down 1,000 times.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use till_core::sync::kinds::{self, Batch, Kind};
use till_core::sync::windows::Plan;
use till_core::sync::writer::{Commits, PageWriter};
use till_core::sync::{Controls, Quiet, SyncOptions, Syncer};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_stripe::models::{List, Raw};
use till_stripe::requests::ListPaymentIntents;
use till_stripe::{ApiKey, Endpoint, StripeClient};

fn client(sim: &Simulator, rate: f64) -> StripeClient {
    StripeClient::builder(ApiKey::parse(sim.demo_key()).unwrap())
        .endpoint(Endpoint::parse(&sim.base_url()).unwrap())
        .rate(rate)
        .build()
        .unwrap()
}

fn syncer(client: StripeClient, store: Store, options: SyncOptions) -> Syncer {
    Syncer {
        client,
        store: Arc::new(Mutex::new(store)),
        account_id: "acct_bench".to_owned(),
        listener: Arc::new(Quiet),
        options,
        controls: Arc::new(Controls::default()),
    }
}

fn sim(payments: usize, latency: Duration, rate_limit: u32) -> Simulator {
    let started = Instant::now();
    let sim = Simulator::start(SimConfig {
        latency,
        rate_limit,
        seed: 3,
        history: Some(SeedSpec {
            payments,
            days: 180,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    println!(
        "simulator seeded with {payments} payments in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    sim
}

/// A received page's body again, as Stripe sent it.
fn body(batch: &Batch, has_more: bool) -> String {
    let items: Vec<String> = kinds::raw_of(batch).into_iter().map(|(_, j)| j).collect();
    format!(
        "{{\"object\":\"list\",\"data\":[{}],\"has_more\":{has_more},\"url\":\"/v1/x\"}}",
        items.join(",")
    )
}

fn parse(kind: Kind, body: &str) -> Batch {
    fn list<T: serde::de::DeserializeOwned>(body: &str) -> Vec<Raw<T>> {
        serde_json::from_str::<List<Raw<T>>>(body).unwrap().data
    }
    match kind {
        Kind::PaymentIntents => Batch::PaymentIntents(list(body)),
        Kind::Charges => Batch::Charges(list(body)),
        Kind::Refunds => Batch::Refunds(list(body)),
        Kind::CheckoutSessions => Batch::CheckoutSessions(list(body)),
        Kind::BalanceTransactions => Batch::BalanceTransactions(list(body)),
        Kind::Payouts => Batch::Payouts(list(body)),
        Kind::Customers => Batch::Customers(list(body)),
        Kind::Disputes => Batch::Disputes(list(body)),
    }
}

/// Per type: objects, seconds parsing, seconds storing.
type ByKind = std::collections::BTreeMap<&'static str, (usize, f64, f64)>;

async fn ingest(payments: usize) {
    let sim = sim(payments, Duration::ZERO, 0);
    let client = client(&sim, 10_000.0);
    // Every page of every type, received first (not timed).
    let mut pages: Vec<(Kind, String)> = Vec::new();
    for kind in Kind::ALL {
        let mut after: Option<String> = None;
        loop {
            let page = kinds::fetch(&client, kind, None, after.as_deref(), 100)
                .await
                .unwrap();
            pages.push((kind, body(&page.batch, page.has_more)));
            match page.last {
                Some((id, _)) if page.has_more => after = Some(id),
                _ => break,
            }
        }
    }
    // As the backfill stores them: parsed on this thread (as the workers
    // parse what they fetch) and handed to the sync's writer thread, which
    // commits each page alone when it is free and the pages that piled up
    // meanwhile together. A fresh database each run; the median of five, as
    // a single run varies by ±10 %.
    let mut runs: Vec<(f64, Commits)> = Vec::new();
    let mut objects = 0usize;
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Mutex::new(
            Store::open(&dir.path().join("bench.sqlite3")).unwrap(),
        ));
        let plan = Plan::default();
        let started = Instant::now();
        let writer = PageWriter::start(store, "acct_bench".to_owned(), |_| {}).unwrap();
        objects = 0;
        for (kind, body) in &pages {
            let room = writer.room().await.unwrap();
            let batch = parse(*kind, body);
            let n = kinds::raw_of(&batch).len();
            objects += n;
            assert!(writer.send(room, batch, n, &plan));
        }
        let commits = writer.finish().await.unwrap();
        runs.push((started.elapsed().as_secs_f64(), commits));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (seconds, commits) = runs.swap_remove(2);
    println!(
        "ingest, pages already received, as the sync stores them (parse + store with the text index; median of 5): {:.0} objects/s ({objects} objects of 7 types in {seconds:.2} s; {} pages in {} transactions, {} of them a single page)",
        objects as f64 / seconds,
        commits.pages,
        commits.transactions,
        commits.alone
    );

    // Beside it: every page in a transaction of its own, on one thread,
    // with where the time goes by type.
    let mut runs: Vec<(f64, ByKind)> = Vec::new();
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
        let mut by_kind: ByKind = Default::default();
        let started = Instant::now();
        for (kind, body) in &pages {
            let t = Instant::now();
            let batch = parse(*kind, body);
            let parsed = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let tx = store.conn_mut().transaction().unwrap();
            kinds::store(&tx, "acct_bench", &batch).unwrap();
            tx.commit().unwrap();
            let entry = by_kind.entry(kind.name()).or_default();
            entry.0 += kinds::raw_of(&batch).len();
            entry.1 += parsed;
            entry.2 += t.elapsed().as_secs_f64();
        }
        runs.push((started.elapsed().as_secs_f64(), by_kind));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (seconds, by_kind) = runs.swap_remove(2);
    println!(
        "  beside it, every page committed alone on one thread (median of 5): {:.0} objects/s ({objects} objects in {seconds:.2} s)",
        objects as f64 / seconds
    );
    for (kind, (n, parse, store)) in &by_kind {
        println!(
            "    {kind}: {n} objects, {:.0}/s (parse {:.0}/s, store and commit {:.0}/s)",
            *n as f64 / (parse + store),
            *n as f64 / parse,
            *n as f64 / store
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let syncer = syncer(
        client,
        Store::open(&dir.path().join("e2e.sqlite3")).unwrap(),
        SyncOptions::default(),
    );
    let started = Instant::now();
    let stored = syncer.sync_once().await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "end to end from the simulator at zero latency (a whole first sync): {:.0} objects/s ({stored} objects in {seconds:.2} s, {} requests)",
        stored as f64 / seconds,
        sim.reads()
    );
}

async fn backfill(payments: usize) {
    let sim = sim(payments, Duration::from_millis(100), 25);
    let bound = payments as f64 / (25.0 * 100.0);
    let dir = tempfile::tempdir().unwrap();
    let syncer = syncer(
        client(&sim, 25.0),
        Store::open(&dir.path().join("bench.sqlite3")).unwrap(),
        SyncOptions {
            kinds: vec![Kind::PaymentIntents],
            parallel: 6,
            ..SyncOptions::default()
        },
    );
    let reads_before = sim.reads();
    let started = Instant::now();
    syncer.newest().await.unwrap();
    let (stored, commits) = syncer.backfill_counted().await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let cached = till_store::table::counts(syncer.store.lock().unwrap().conn(), "acct_bench")
        .unwrap()["payment_intents"];
    println!(
        "windowed backfill: {cached} PaymentIntents cached ({stored} in windows) in {seconds:.1} s with {} requests; bound {bound:.1} s; ratio to the bound {:.2}",
        sim.reads() - reads_before,
        bound / seconds
    );
    println!(
        "  its pages: {} in {} transactions, {} of them a single page",
        commits.pages, commits.transactions, commits.alone
    );
    let naive = client(&sim, 25.0);
    let started = Instant::now();
    let mut stream = Box::pin(naive.all_payment_intents(&ListPaymentIntents::default()));
    let mut count = 0;
    while let Some(pi) = stream.next().await {
        pi.unwrap();
        count += 1;
    }
    let naive_seconds = started.elapsed().as_secs_f64();
    println!(
        "naive paginator (one page after another): {count} in {naive_seconds:.1} s; ratio to the bound {:.2}",
        bound / naive_seconds
    );
}

async fn reads() {
    const SCALE: u32 = 1_000;
    let sim = sim(200, Duration::ZERO, 0);
    let dir = tempfile::tempdir().unwrap();
    let defaults = SyncOptions::default();
    let options = SyncOptions {
        poll_active: defaults.poll_active / SCALE,
        poll_idle: defaults.poll_idle / SCALE,
        poll_background: defaults.poll_background / SCALE,
        active_for: defaults.active_for / SCALE,
        reconcile_every: defaults.reconcile_every / SCALE,
        ..defaults
    };
    let hour = Duration::from_secs(3600) / SCALE;
    let mut per_hour = Vec::new();
    for focused in [true, false] {
        let syncer = syncer(
            client(&sim, 10_000.0),
            Store::open(&dir.path().join(format!("reads-{focused}.sqlite3"))).unwrap(),
            options.clone(),
        );
        let controls = Arc::clone(&syncer.controls);
        controls.set_focused(focused);
        // The first sync and the first minute of "after activity" pass first.
        syncer.sync_once().await.unwrap();
        let task = tokio::spawn(syncer.run());
        tokio::time::sleep(options.active_for * 2).await;
        let before = sim.reads();
        // Twelve hours: two reconciliation sweeps fall inside.
        tokio::time::sleep(hour * 12).await;
        let reads = (sim.reads() - before) as f64 / 12.0;
        controls.cancel();
        task.await.unwrap();
        per_hour.push(reads);
    }
    let month = per_hour[0] * 8.0 * 30.0;
    println!(
        "idle reads per hour: {:.0} focused, {:.0} in the background; a month at 8 focused hours a day: {month:.0} (target ≤ 5,000)",
        per_hour[0], per_hour[1]
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |default: usize| args.get(1).and_then(|a| a.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("ingest") => ingest(n(20_000)).await,
        Some("backfill") => backfill(n(100_000)).await,
        Some("reads") => reads().await,
        _ => println!("usage: sync_bench ingest [payments] | backfill [payments] | reads"),
    }
}

//! Ingest speed, then query latency at 1,000,000 cached PaymentIntents: a
//! filtered, sorted page (keyset), a full-text search and the refunded
//! amounts the Payments list reads for a page, p50 and p95. Run by its own
//! command:
//!
//!     cargo run --release -p till-store --example query_bench -- [rows] [samples]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use till_store::Store;
use till_store::table::charges::{self, ChargeRow};
use till_store::table::payment_intents::{self, Cursor, Filter, PaymentRow, Sort};

const STATUSES: [&str; 5] = [
    "succeeded",
    "succeeded",
    "succeeded",
    "requires_capture",
    "canceled",
];
const CURRENCIES: [&str; 4] = ["usd", "usd", "eur", "jpy"];
/// Rows per transaction: one Stripe list page.
const PAGE: i64 = 100;

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: i64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let samples: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    let mut rng = fastrand::Rng::with_seed(1);
    let start = 1_700_000_000i64;
    let mut filled = Vec::with_capacity(usize::try_from(rows).unwrap());
    let started = Instant::now();
    // One transaction per 100 rows, as the sync engine commits a Stripe page.
    for chunk in 0..(rows + PAGE - 1) / PAGE {
        let tx = store.conn_mut().transaction().unwrap();
        for n in chunk * PAGE..((chunk + 1) * PAGE).min(rows) {
            let id = format!("pi_{n:08}{}", rng.u32(..));
            let row = PaymentRow {
                raw: format!("{{\"id\":\"{id}\",\"object\":\"payment_intent\",\"amount\":{n}}}"),
                id,
                // Newest first, as the sync writes pages (the search index's
                // keys then rise, which FTS5 writes fastest).
                created: start + (rows - 1 - n) * 15,
                amount: rng.i64(100..100_000),
                currency: CURRENCIES[rng.usize(..CURRENCIES.len())].to_owned(),
                status: STATUSES[rng.usize(..STATUSES.len())].to_owned(),
                customer_email: Some(format!("customer{}@example.com", rng.u32(..50_000))),
                description: Some(format!("Order #{n}")),
                card_last4: Some(format!("{:04}", rng.u32(..10_000))),
                latest_charge: Some(format!("ch_{n:08}")),
                ..PaymentRow::default()
            };
            payment_intents::upsert(&tx, "acct_bench", &row).unwrap();
            filled.push(row);
        }
        tx.commit().unwrap();
    }
    let fill = started.elapsed().as_secs_f64();
    println!(
        "ingest (upsert + FTS), rows/s: {:.0} ({rows} PaymentIntents into a fresh database in {fill:.1} s, one transaction per {PAGE} rows)",
        rows as f64 / fill
    );

    // Events: rows already cached change status, in no particular order.
    let refreshed = (rows / 10).max(1);
    let started = Instant::now();
    for _ in 0..(refreshed + PAGE - 1) / PAGE {
        let tx = store.conn_mut().transaction().unwrap();
        for _ in 0..PAGE {
            let mut row = filled[rng.usize(..filled.len())].clone();
            row.status = "canceled".into();
            payment_intents::upsert(&tx, "acct_bench", &row).unwrap();
        }
        tx.commit().unwrap();
    }
    let refresh = started.elapsed().as_secs_f64();
    println!(
        "refresh (upsert of cached rows in random order, same search words), rows/s: {:.0}",
        ((refreshed + PAGE - 1) / PAGE * PAGE) as f64 / refresh
    );

    let conn = store.conn();
    let mut page_times = Vec::new();
    for _ in 0..samples {
        let filter = Filter {
            statuses: vec!["succeeded".into()],
            currency: Some("usd".into()),
            amount_min: Some(rng.i64(100..5_000)),
            ..Filter::default()
        };
        // Somewhere deep in the list: keyset pages cost the same at any depth.
        let cursor = Cursor {
            value: start + rng.i64(0..rows) * 15,
            id: "pi_~".into(),
        };
        let t = Instant::now();
        let page = payment_intents::page(
            conn,
            "acct_bench",
            &filter,
            Sort::NewestFirst,
            Some(&cursor),
            50,
        )
        .unwrap();
        page_times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(page.rows.len() <= 50);
    }
    let (p50, p95) = percentiles(page_times);
    println!(
        "filtered, sorted page of 50 (status + currency + amount ≥, newest first, keyset at a random depth): p50 {p50:.2} ms, p95 {p95:.2} ms"
    );

    let mut search_times = Vec::new();
    for _ in 0..samples {
        let query = format!("customer{}", rng.u32(..50_000));
        let t = Instant::now();
        let hits = payment_intents::search(conn, "acct_bench", &query, 50).unwrap();
        search_times.push(t.elapsed().as_secs_f64() * 1000.0);
        let _ = hits;
    }
    let (p50, p95) = percentiles(search_times);
    println!(
        "full-text search (an email prefix, 50 newest hits): p50 {p50:.2} ms, p95 {p95:.2} ms"
    );

    // The Payments list shows each row refunded or not, from its charge:
    // one lookup a row, for the UI's page of 500.
    let charged = rows.min(200_000);
    for chunk in 0..(charged + PAGE - 1) / PAGE {
        let tx = store.conn_mut().transaction().unwrap();
        for n in chunk * PAGE..((chunk + 1) * PAGE).min(charged) {
            // The oldest payments are the charged ones (filled newest first).
            let payment = &filled[usize::try_from(rows - charged + n).unwrap()];
            let row = ChargeRow {
                id: format!("ch_{n:08}"),
                created: payment.created,
                amount: payment.amount,
                amount_captured: payment.amount,
                amount_refunded: if n % 10 == 0 { payment.amount / 2 } else { 0 },
                currency: payment.currency.clone(),
                status: "succeeded".into(),
                captured: true,
                payment_intent: Some(payment.id.clone()),
                raw: format!("{{\"id\":\"ch_{n:08}\"}}"),
                ..ChargeRow::default()
            };
            charges::upsert(&tx, "acct_bench", &row).unwrap();
        }
        tx.commit().unwrap();
    }
    let conn = store.conn();
    let mut refunded_times = Vec::new();
    for _ in 0..samples {
        let first = rng.i64(0..(charged - 500).max(1));
        let ids: Vec<String> = (first..first + 500).map(|n| format!("ch_{n:08}")).collect();
        let t = Instant::now();
        let found = charges::refunded(conn, "acct_bench", ids.iter().map(String::as_str)).unwrap();
        refunded_times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!found.is_empty());
    }
    let (p50, p95) = percentiles(refunded_times);
    println!(
        "refunded amounts for a page of 500 (one charge lookup a row, {charged} charges cached): p50 {p50:.2} ms, p95 {p95:.2} ms"
    );

    // The Refunded chip: a page and its count, over every payment.
    let refunded = Filter {
        refunded: true,
        ..Filter::default()
    };
    let mut chip_times = Vec::new();
    let mut count_times = Vec::new();
    for _ in 0..samples.min(20) {
        let t = Instant::now();
        let page =
            payment_intents::page(conn, "acct_bench", &refunded, Sort::NewestFirst, None, 500)
                .unwrap();
        chip_times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!page.rows.is_empty());
        let t = Instant::now();
        let count = payment_intents::count(conn, "acct_bench", &refunded).unwrap();
        count_times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(count > 0);
    }
    let (p50, p95) = percentiles(chip_times);
    let (c50, c95) = percentiles(count_times);
    println!(
        "Refunded chip, first page of 500 (1 in 10 of the {charged} charged payments refunded, the newest {} payments never charged): p50 {p50:.2} ms, p95 {p95:.2} ms; its count: p50 {c50:.2} ms, p95 {c95:.2} ms",
        rows - charged
    );
}

//! The 30-day Overview at a million cached PaymentIntents (a year of them,
//! with their balance transactions and a refund for one in twenty): p50 and
//! p95 of the whole Overview as the UI asks for it, 30 local days. Run by its
//! own command:
//!
//!     cargo run --release -p till-core --example overview_bench -- [payments] [samples]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use till_store::Store;
use till_store::table::balance_transactions::{self, BalanceTransactionRow};
use till_store::table::payment_intents::{self, PaymentRow};
use till_store::table::refunds::{self, RefundRow};

const CURRENCIES: [&str; 4] = ["usd", "usd", "eur", "jpy"];
const STATUSES: [&str; 5] = [
    "succeeded",
    "succeeded",
    "succeeded",
    "requires_capture",
    "canceled",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let payments: i64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let samples: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let now = 1_800_000_000i64;
    let year = 365 * 86_400;
    let step = year / payments;
    let started = Instant::now();
    for chunk in 0..(payments + 99) / 100 {
        let tx = store.conn_mut().transaction().unwrap();
        for n in chunk * 100..((chunk + 1) * 100).min(payments) {
            let created = now - year + n * step;
            let amount = rng.i64(100..100_000);
            let currency = CURRENCIES[rng.usize(..CURRENCIES.len())];
            let status = STATUSES[rng.usize(..STATUSES.len())];
            let id = format!("pi_{n:09}");
            let received = if status == "succeeded" { amount } else { 0 };
            payment_intents::upsert(
                &tx,
                "acct",
                &PaymentRow {
                    raw: format!("{{\"id\":\"{id}\"}}"),
                    id: id.clone(),
                    created,
                    amount,
                    amount_received: received,
                    currency: currency.to_owned(),
                    status: status.to_owned(),
                    customer_email: Some(format!("c{}@example.com", rng.u32(..50_000))),
                    ..PaymentRow::default()
                },
            )
            .unwrap();
            if status == "succeeded" {
                let fee = amount * 29 / 1000 + 30;
                balance_transactions::upsert(
                    &tx,
                    "acct",
                    &BalanceTransactionRow {
                        id: format!("txn_{n:09}"),
                        created,
                        available_on: created + 2 * 86_400,
                        amount,
                        fee,
                        net: amount - fee,
                        currency: "usd".to_owned(),
                        kind: "charge".to_owned(),
                        reporting_category: "charge".to_owned(),
                        status: "available".to_owned(),
                        source_id: Some(format!("ch_{n:09}")),
                        raw: "{}".to_owned(),
                        ..BalanceTransactionRow::default()
                    },
                )
                .unwrap();
                if n % 20 == 0 {
                    refunds::upsert(
                        &tx,
                        "acct",
                        &RefundRow {
                            id: format!("re_{n:09}"),
                            created: created + 3600,
                            amount: amount / 2,
                            currency: currency.to_owned(),
                            status: "succeeded".to_owned(),
                            payment_intent: Some(id),
                            raw: "{}".to_owned(),
                            ..RefundRow::default()
                        },
                    )
                    .unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
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

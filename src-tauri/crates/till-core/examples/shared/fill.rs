//! A year of cached PaymentIntents for the benchmarks: their balance
//! transactions and a refund for one in twenty, written 100 to a
//! transaction as a sync's pages are.

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

/// Fills `account` with `payments` PaymentIntents created over the year
/// before `now`, newest first.
pub fn year_of_payments(store: &mut Store, account: &str, payments: i64, now: i64) {
    let mut rng = fastrand::Rng::with_seed(7);
    let year = 365 * 86_400;
    let step = year / payments;
    for chunk in 0..(payments + 99) / 100 {
        let tx = store.conn_mut().transaction().unwrap();
        for n in chunk * 100..((chunk + 1) * 100).min(payments) {
            // Newest first, as the sync writes them (the search index's keys
            // then rise, which FTS5 writes fastest).
            let created = now - n * step;
            let amount = rng.i64(100..100_000);
            let currency = CURRENCIES[rng.usize(..CURRENCIES.len())];
            let status = STATUSES[rng.usize(..STATUSES.len())];
            let id = format!("pi_{n:09}");
            let received = if status == "succeeded" { amount } else { 0 };
            payment_intents::upsert(
                &tx,
                account,
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
                    account,
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
                        account,
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
}

//! The Payments search at 1,000,000 cached PaymentIntents: p50 and p95 of a
//! rare and of a very common three-letter substring, one and two characters
//! (the start of a word), a surname found in a few percent of payments, and
//! a word with a clause in Stripe's syntax, each asking for the page the UI
//! asks for (the newest 200). Also how fast the index is written and how
//! big it is. Run by its own command:
//!
//!     cargo run --release -p till-store --example search_bench -- [rows] [samples]
//!
//! The business: 50,000 customers (first.last<n>@example.com), a card's
//! last four, a description from a menu where a few items are rare
//! (kumquat, yuzu, jackfruit: one payment in 2,000 each), an order id in
//! metadata, and one payment in ten from a checkout whose lines and
//! reference are stored after the payment, in a page of their own, as a
//! sync lists them (`BENCH_CHECKOUTS=before` stores them first, in the
//! payments' page, `none` leaves them out). Pages of 100 newest first, one
//! transaction each, as the sync writes them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use till_store::Store;
use till_store::table::checkout_sessions::{self, LineItemRow, SessionRow};
use till_store::table::payment_intents::{self, PaymentRow};
use till_store::table::payment_search::{self, Clause, Field, Query, Test};

const FIRST: [&str; 16] = [
    "ines", "zoe", "noah", "maria", "liam", "emma", "yusuf", "chloe", "mateo", "ana", "leo",
    "sofia", "omar", "lea", "hugo", "mila",
];
const LAST: [&str; 24] = [
    "haddad", "martin", "garcia", "muller", "rossi", "dubois", "novak", "silva", "kowalski",
    "nielsen", "schmidt", "lopez", "bernard", "moreau", "costa", "fischer", "weber", "romano",
    "petit", "ferreira", "laurent", "meyer", "bauer", "marino",
];
const MENU: [&str; 12] = [
    "Flat white",
    "Oat latte",
    "Croissant",
    "Pain au chocolat",
    "Espresso",
    "Cappuccino",
    "Sourdough loaf",
    "Cinnamon bun",
    "Table booking deposit",
    "Gift card",
    "Catering order",
    "Brunch for two",
];
/// One payment in 2,000 each.
const RARE: [&str; 3] = ["Kumquat jam", "Yuzu tart", "Jackfruit curry"];
const STATUSES: [&str; 5] = [
    "succeeded",
    "succeeded",
    "succeeded",
    "requires_capture",
    "canceled",
];
const PAGE: i64 = 100;
/// What the Payments list asks for.
const LIMIT: usize = 200;

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn description(n: i64, rng: &mut fastrand::Rng) -> String {
    if n % 2_000 == 7 {
        RARE[usize::try_from(n / 2_000).unwrap() % RARE.len()].to_owned()
    } else {
        MENU[rng.usize(..MENU.len())].to_owned()
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: i64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let samples: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    // When a page's checkouts are stored: after their payments (as a sync
    // may), before them, or none at all, to see what each costs.
    let checkouts_when = std::env::var("BENCH_CHECKOUTS").unwrap_or_else(|_| "after".into());
    let checkouts_when = match checkouts_when.as_str() {
        "before" | "none" => checkouts_when,
        _ => "after".to_owned(),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite3");
    let mut store = Store::open(&path).unwrap();
    let mut rng = fastrand::Rng::with_seed(18);
    let account = "acct_bench";
    // A year, newest first: payment 0 is the newest.
    let newest = 1_790_000_000i64;
    let step = (365 * 86_400 / rows).max(1);

    let started = Instant::now();
    let mut sessions = 0;
    for chunk in 0..(rows + PAGE - 1) / PAGE {
        let tx = store.conn_mut().transaction().unwrap();
        let mut checkouts = Vec::new();
        let mut payments = Vec::new();
        for n in chunk * PAGE..((chunk + 1) * PAGE).min(rows) {
            let customer = rng.u32(..50_000);
            let first = FIRST[customer as usize % FIRST.len()];
            let last = LAST[(customer as usize / FIRST.len()) % LAST.len()];
            let id = format!("pi_{n:09}{}", rng.u32(..));
            let row = PaymentRow {
                raw: format!(
                    "{{\"id\":\"{id}\",\"object\":\"payment_intent\",\"metadata\":{{\"order_id\":\"ORD-{n:07}\"}}}}"
                ),
                id: id.clone(),
                created: newest - n * step,
                amount: rng.i64(100..100_000),
                amount_received: 0,
                currency: ["usd", "usd", "eur", "gbp"][rng.usize(..4)].to_owned(),
                status: STATUSES[rng.usize(..STATUSES.len())].to_owned(),
                customer_id: Some(format!("cus_{customer:08}")),
                customer_email: Some(format!("{first}.{last}{customer}@example.com")),
                description: Some(description(n, &mut rng)),
                card_last4: Some(format!("{:04}", rng.u32(..10_000))),
                latest_charge: Some(format!("ch_{n:09}")),
                order_id: Some(format!("ORD-{n:07}")),
                extra_words: vec![format!("ORD-{n:07}")],
                ..PaymentRow::default()
            };
            if n % 10 == 3 && checkouts_when != "none" {
                checkouts.push((n, id, row.created));
            }
            payments.push(row);
        }
        let tx = if checkouts_when == "after" {
            // The payments' page, then their checkouts in a page of their
            // own, as the sync lists each kind: each checkout rewrites its
            // payment's documents once, with its lines and reference.
            for row in &payments {
                payment_intents::upsert(&tx, account, row).unwrap();
            }
            tx.commit().unwrap();
            store.conn_mut().transaction().unwrap()
        } else {
            tx
        };
        for (n, payment, created) in checkouts {
            let session = format!("cs_test_{n:09}");
            checkout_sessions::upsert(
                &tx,
                account,
                &SessionRow {
                    id: session.clone(),
                    created,
                    expires_at: created + 3_600,
                    status: "complete".into(),
                    payment_status: "paid".into(),
                    mode: "payment".into(),
                    client_reference_id: Some(format!("cart-{n}")),
                    payment_intent: Some(payment),
                    raw: "{}".into(),
                    // Listed with its lines, as the sync stores it.
                    lines_follow: true,
                    ..SessionRow::default()
                },
            )
            .unwrap();
            let lines: Vec<LineItemRow> = (0..2)
                .map(|i| LineItemRow {
                    id: format!("li_{n}_{i}"),
                    description: Some(MENU[rng.usize(..MENU.len())].to_owned()),
                    quantity: Some(1),
                    amount_subtotal: 450,
                    amount_total: 450,
                    currency: "eur".into(),
                    raw: "{}".into(),
                    ..LineItemRow::default()
                })
                .collect();
            checkout_sessions::replace_line_items(&tx, account, &session, &lines).unwrap();
            sessions += 1;
        }
        if checkouts_when != "after" {
            for row in &payments {
                payment_intents::upsert(&tx, account, row).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let fill = started.elapsed().as_secs_f64();
    println!(
        "ingest: {rows} PaymentIntents and {sessions} checkouts (2 lines each, stored {checkouts_when} their payments) in {fill:.1} s: {:.0} payments/s, one transaction per page (of {PAGE} payments), newest first",
        rows as f64 / fill
    );
    let conn = store.conn();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let pages = |table: &str| -> f64 {
        let bytes: i64 = conn
            .query_row(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?1",
                [format!("{table}%")],
                |r| r.get(0),
            )
            .unwrap_or(0);
        bytes as f64 / 1_048_576.0
    };
    let file = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0;
    println!(
        "size: database {file:.0} MiB, of which the trigram index (payment_search*) {:.0} MiB and the word starts (payment_starts*) {:.0} MiB",
        pages("payment_search"),
        pages("payment_starts")
    );

    let hits = |text: &str| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM payment_search WHERE payment_search MATCH ?1",
            [format!("\"{text}\"")],
            |r| r.get(0),
        )
        .unwrap()
    };
    let rare = ["kum", "yuz", "jac"];
    let common = ["exa", "ple", "com"];
    let surname = ["hadd", "kowal", "ferrei"];
    println!(
        "hits: rare {} / {} / {}, common {} / {} / {}, surname {} / {} / {} (of {rows})",
        hits(rare[0]),
        hits(rare[1]),
        hits(rare[2]),
        hits(common[0]),
        hits(common[1]),
        hits(common[2]),
        hits(surname[0]),
        hits(surname[1]),
        hits(surname[2]),
    );

    let letters: Vec<String> = ('a'..='z').map(String::from).collect();
    let pairs: Vec<String> = FIRST
        .iter()
        .chain(LAST.iter())
        .map(|w| w[..2].to_owned())
        .collect();
    let succeeded = |word: &str| Query {
        words: vec![word.to_owned()],
        clauses: vec![Clause {
            field: Field::Status,
            test: Test::Is("succeeded".into()),
            negated: false,
        }],
        ..Query::default()
    };
    let cases: Vec<(&str, Vec<Query>)> = vec![
        (
            "rare three letters (kum, yuz, jac)",
            rare.iter().map(|w| Query::words(w)).collect(),
        ),
        (
            "very common three letters (exa, ple, com: every payment)",
            common.iter().map(|w| Query::words(w)).collect(),
        ),
        (
            "one character (a word's start, a–z)",
            letters.iter().map(|w| Query::words(w)).collect(),
        ),
        (
            "two characters (a word's start: in, ha, ko…)",
            pairs.iter().map(|w| Query::words(w)).collect(),
        ),
        (
            "a surname (hadd, kowal, ferrei: ~1/24 of payments)",
            surname.iter().map(|w| Query::words(w)).collect(),
        ),
        (
            "a word and status:'succeeded' (exa, kum)",
            vec![succeeded("exa"), succeeded("kum")],
        ),
    ];
    println!("search, newest {LIMIT} matches, {samples} samples each:");
    for (name, queries) in cases {
        let mut times = Vec::with_capacity(samples);
        let mut found = 0;
        for i in 0..samples {
            let query = &queries[(i + rng.usize(..queries.len())) % queries.len()];
            let t = Instant::now();
            let result = payment_search::find(conn, account, query, LIMIT).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            found += result.rows.len();
        }
        let (p50, p95) = percentiles(times);
        println!(
            "  {name}: p50 {p50:.2} ms, p95 {p95:.2} ms ({:.0} rows a search)",
            found as f64 / samples as f64
        );
    }
}

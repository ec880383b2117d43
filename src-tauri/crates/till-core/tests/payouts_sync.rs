//! Payouts and disputes in the cache (issue 19): a payout is itemized only
//! once Stripe has reconciled it, never a manual one, and what Till matched
//! always sums to the payout; a failed payout's reversal and a dispute with
//! its withdrawal reach the cache with their payment, through their events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use serde_json::json;
use till_core::sync::Syncer;
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_store::table::payouts::{Itemization, PayoutRow};
use till_store::table::{balance_transactions, disputes, payouts};

mod common;

use common::{ACCOUNT, control, syncer};

fn shop() -> Simulator {
    Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 19,
        history: Some(SeedSpec {
            payments: 240,
            days: 21,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap()
}

fn all_payouts(store: &Arc<Mutex<Store>>) -> Vec<PayoutRow> {
    let store = store.lock().unwrap();
    let (rows, _) = payouts::page(store.conn(), ACCOUNT, None, 10_000).unwrap();
    rows
}

/// The net of the transactions Till matched to a payout, and how many.
fn matched(store: &Arc<Mutex<Store>>, payout: &str) -> (i64, usize) {
    let store = store.lock().unwrap();
    store
        .conn()
        .query_row(
            "SELECT coalesce(sum(net), 0), count(*) FROM balance_transactions
             WHERE account_id = ?1 AND payout_id = ?2",
            [ACCOUNT, payout],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)),
        )
        .unwrap()
}

/// Matches what may be matched, as the running sync does between polls.
async fn match_all(sync: &Syncer) {
    while sync.match_payouts(50).await.unwrap() > 0 {}
}

/// Every payout Till itemized sums to its amount; one waiting or manual has
/// nothing matched.
fn assert_matches_are_right(store: &Arc<Mutex<Store>>) -> (usize, usize) {
    let (mut ready, mut waiting) = (0, 0);
    for payout in all_payouts(store) {
        let (net, lines) = matched(store, &payout.id);
        match payout.itemization() {
            Itemization::Ready if payout.status != "failed" => {
                assert_eq!(
                    net, payout.amount,
                    "{} sums to its amount ({lines} lines)",
                    payout.id
                );
                ready += 1;
            }
            Itemization::Ready => {}
            Itemization::Waiting | Itemization::NotByStripe => {
                assert_eq!(
                    lines, 0,
                    "{} is not itemized yet, or not by Stripe",
                    payout.id
                );
                waiting += 1;
            }
        }
    }
    (ready, waiting)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_is_matched_only_once_reconciled_and_always_to_its_amount() {
    let sim = shop();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    sync.sync_once().await.unwrap();
    let (ready, waiting) = assert_matches_are_right(&store);
    assert!(
        ready > 5,
        "older payouts are reconciled and matched: {ready}"
    );
    assert!(
        waiting > 0,
        "the newest are still being reconciled: {waiting}"
    );
    let waiting_ids: Vec<String> = all_payouts(&store)
        .into_iter()
        .filter(|p| p.itemization() == Itemization::Waiting)
        .map(|p| p.id)
        .collect();

    // Three days on: their reconciliation completes (an event says so).
    control(&sim, "clock/advance", json!({ "seconds": 3 * 86_400 }));
    sync.catch_up().await.unwrap();
    match_all(&sync).await;
    assert_matches_are_right(&store);
    for id in &waiting_ids {
        let row = payouts::get(store.lock().unwrap().conn(), ACCOUNT, id)
            .unwrap()
            .unwrap();
        assert_eq!(row.itemization(), Itemization::Ready, "{id} reconciled");
        assert!(
            matched(&store, id).1 > 0 || row.amount == 0,
            "{id} itemized"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_payout_is_never_itemized_by_payout_and_a_failed_one_shows_its_reversal() {
    let sim = shop();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    sync.sync_once().await.unwrap();

    // A manual, instant payout from the pending funds.
    let stripe = common::client(&sim);
    let manual: serde_json::Value = {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut reply = agent
            .post(format!("{}/v1/payouts", sim.base_url()))
            .header("Authorization", &format!("Bearer {}", sim.demo_key()))
            .send_form([
                ("amount", "1000"),
                ("currency", "usd"),
                ("method", "instant"),
            ])
            .unwrap();
        assert_eq!(
            reply.status().as_u16(),
            200,
            "{:?}",
            reply.body_mut().read_to_string()
        );
        reply.body_mut().read_json().unwrap()
    };
    let manual_id = manual["id"].as_str().unwrap().to_owned();

    // A paid automatic payout fails.
    let paid = all_payouts(&store)
        .into_iter()
        .find(|p| p.automatic && p.status == "paid")
        .expect("a paid payout");
    control(
        &sim,
        &format!("payouts/{}/fail", paid.id),
        json!({ "failure_code": "account_closed", "days_after_paid": 0 }),
    );

    sync.catch_up().await.unwrap();
    match_all(&sync).await;
    let conn_store = store.lock().unwrap();
    let conn = conn_store.conn();
    let cached = payouts::get(conn, ACCOUNT, &manual_id)
        .unwrap()
        .expect("cached");
    assert!(!cached.automatic);
    assert_eq!(cached.itemization(), Itemization::NotByStripe);
    assert!(
        payouts::unmatched(conn, ACCOUNT, 1_000)
            .unwrap()
            .iter()
            .all(|p| p.id != manual_id),
        "never asked by payout="
    );

    let failed = payouts::get(conn, ACCOUNT, &paid.id).unwrap().unwrap();
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.failure_code.as_deref(), Some("account_closed"));
    let reversal: (String, i64) = conn
        .query_row(
            "SELECT reporting_category, net FROM balance_transactions
             WHERE account_id = ?1 AND source_id = ?2 AND kind = 'payout_failure'",
            [ACCOUNT, paid.id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the reversal is cached");
    assert_eq!(reversal.0, "payout_reversal");
    assert_eq!(reversal.1, paid.amount, "the money comes back");
    drop(conn_store);
    let _ = stripe;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_and_its_withdrawal_are_cached_with_their_payment() {
    let sim = shop();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    sync.sync_once().await.unwrap();
    let (charge, payment): (String, String) = store
        .lock()
        .unwrap()
        .conn()
        .query_row(
            "SELECT id, payment_intent FROM charges WHERE account_id = ?1 AND captured = 1
               AND amount_refunded = 0 AND payment_intent IS NOT NULL
               AND id NOT IN (SELECT charge FROM disputes)
             ORDER BY created DESC LIMIT 1",
            [ACCOUNT],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let opened = control(
        &sim,
        "disputes",
        json!({ "charge": charge, "reason": "product_not_received" }),
    );
    let dispute_id = opened["id"].as_str().expect("a dispute id").to_owned();

    sync.catch_up().await.unwrap();
    let store = store.lock().unwrap();
    let conn = store.conn();
    let dispute = disputes::get(conn, ACCOUNT, &dispute_id)
        .unwrap()
        .expect("the dispute is cached from its event");
    assert_eq!(dispute.charge, charge);
    assert_eq!(dispute.payment_intent.as_deref(), Some(payment.as_str()));
    assert_eq!(dispute.reason, "product_not_received");
    assert!(dispute.due_by.is_some(), "its evidence deadline");
    assert!(
        disputes::needing_response(conn, ACCOUNT)
            .unwrap()
            .iter()
            .any(|d| d.id == dispute_id)
    );
    let withdrawal = balance_transactions::for_source(conn, ACCOUNT, &dispute_id).unwrap();
    let [adjustment] = withdrawal.as_slice() else {
        panic!("one adjustment: {withdrawal:?}");
    };
    assert_eq!(adjustment.reporting_category, "dispute");
    assert_eq!(adjustment.amount, -dispute.amount);
    assert_eq!(adjustment.fee, 1_500, "Stripe's dispute fee");
    assert_eq!(
        adjustment.payment_intent_id.as_deref(),
        Some(payment.as_str())
    );
}

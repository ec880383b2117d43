//! The sync engine against the simulator: under 429s, 5xx, latency, late
//! fees and delayed, reordered and missing events, it ends with a cache equal
//! to the simulator, object by object, field by field. And when its event
//! cursor is older than Stripe keeps events, it lists everything again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use till_core::sync::Kind;
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_stripe::requests::{
    CancelPaymentIntent, CapturePaymentIntent, CreatePaymentIntent, CreateRefund, RefundTarget,
};
use till_stripe::{Idempotency, StripeClient};

mod common;

use common::{cached_state, client, control, differences, simulator_state, syncer};

/// Money moves on the simulator, as a busy till would make them.
async fn activity(client: &StripeClient, rng: &mut fastrand::Rng) {
    let mut holds = Vec::new();
    let mut paid = Vec::new();
    for n in 0..40 {
        let manual = n % 3 == 0;
        let currency = till_stripe::Currency::new(if n % 4 == 0 { "eur" } else { "usd" });
        let mut request =
            CreatePaymentIntent::new(till_stripe::Money::new(rng.i64(500..20_000), currency));
        request.confirm = true;
        request.payment_method = Some("pm_card_visa".into());
        request.manual_capture = manual;
        request.description = Some(format!("Activity #{n}"));
        let pi = client
            .create_payment_intent(&request, Idempotency::Auto)
            .await
            .unwrap();
        if manual {
            holds.push(pi);
        } else {
            paid.push(pi);
        }
    }
    for (i, hold) in holds.iter().enumerate() {
        if i % 2 == 0 {
            client
                .capture_payment_intent(
                    &hold.id,
                    &CapturePaymentIntent {
                        amount_to_capture: Some(hold.amount / 2),
                        ..CapturePaymentIntent::default()
                    },
                    Idempotency::Auto,
                )
                .await
                .unwrap();
        } else if i % 3 == 0 {
            client
                .cancel_payment_intent(&hold.id, &CancelPaymentIntent::default(), Idempotency::Auto)
                .await
                .unwrap();
        }
    }
    for pi in paid.iter().step_by(4) {
        client
            .create_refund(
                &CreateRefund {
                    target: RefundTarget::PaymentIntent(pi.id.clone()),
                    amount: Some(pi.amount / 3),
                    reason: None,
                    metadata: Default::default(),
                },
                Idempotency::Auto,
            )
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_converges_to_the_simulator_under_faults() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 11,
        history: Some(SeedSpec {
            payments: 300,
            days: 25,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    // Every fault but lost events: the events alone must bring the cache level.
    let faults = json!({
        "latency_ms": 2, "jitter_ms": 4,
        "error_429_rate": 0.05, "error_500_rate": 0.03, "error_503_rate": 0.03,
        "late_fee_seconds": 120,
        "event_delay_rate": 0.25, "event_delay_seconds": 90
    });
    control(&sim, "faults", faults.clone());
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let syncer = syncer(&sim, &store);
    syncer.sync_once().await.unwrap();
    let mut rng = fastrand::Rng::with_seed(5);
    // The till keeps working while the app follows it.
    control(&sim, "faults", json!({}));
    activity(&client(&sim), &mut rng).await;
    // A dispute opens and a payout fails: their objects and the rows they
    // book reach the cache too (issue 19).
    let disputed = common::make_payment(&client(&sim), "usd", 8_800, false).await;
    let charge = client(&sim)
        .retrieve_payment_intent(&disputed, &[])
        .await
        .unwrap()
        .latest_charge
        .clone()
        .unwrap();
    control(&sim, "disputes", json!({ "charge": charge.id() }));
    let paid = client(&sim)
        .list_payouts(&till_stripe::Page::first(100))
        .await
        .unwrap()
        .data
        .into_iter()
        .find(|p| p.automatic && p.status == "paid")
        .expect("a paid payout");
    control(
        &sim,
        &format!("payouts/{}/fail", paid.id),
        json!({ "days_after_paid": 0 }),
    );
    control(&sim, "faults", faults);
    // What a running app does between polls: events, then late fees.
    let follow = async || {
        syncer.catch_up().await.unwrap();
        syncer.late_fees(500).await.unwrap();
    };
    follow().await;
    // Time passes: delayed events show up, late fees are booked.
    control(&sim, "clock/advance", json!({ "seconds": 180 }));
    follow().await;
    control(&sim, "faults", json!({}));
    let stripe_side = simulator_state(&client(&sim)).await;
    assert!(
        stripe_side.keys().any(|(kind, _)| *kind == Kind::Disputes),
        "the comparison covers disputes"
    );
    let diff = differences(&stripe_side, &cached_state(&store.lock().unwrap()));
    assert!(
        diff.is_empty(),
        "by events alone: {} differences, first: {:?}",
        diff.len(),
        &diff[..diff.len().min(5)]
    );

    // Now one event in ten is never sent: the sweep catches what they missed.
    control(
        &sim,
        "faults",
        json!({ "error_500_rate": 0.03, "event_drop_rate": 0.1, "event_delay_rate": 0.2, "event_delay_seconds": 60 }),
    );
    activity(&client(&sim), &mut rng).await;
    syncer.sync_once().await.unwrap();
    control(&sim, "clock/advance", json!({ "seconds": 120 }));
    syncer.sync_once().await.unwrap();
    syncer.reconcile().await.unwrap();
    syncer.sync_once().await.unwrap();

    control(&sim, "faults", json!({}));
    let expected = simulator_state(&client(&sim)).await;
    let cached = cached_state(&store.lock().unwrap());
    let diff = differences(&expected, &cached);
    let per_kind = |state: &BTreeMap<(Kind, String), Value>| {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (kind, _) in state.keys() {
            *counts.entry(kind.name()).or_default() += 1;
        }
        counts
    };
    println!("simulator: {:?}", per_kind(&expected));
    assert!(
        diff.is_empty(),
        "{} differences, first: {:?}",
        diff.len(),
        &diff[..diff.len().min(5)]
    );
    assert!(expected.len() > 1000, "a real history: {}", expected.len());

    // A single changed field is caught.
    store
        .lock()
        .unwrap()
        .conn()
        .execute(
            "UPDATE charges SET raw = json_set(raw, '$.amount_refunded', json_extract(raw, '$.amount_refunded') + 1) WHERE rowid = (SELECT min(rowid) FROM charges)",
            [],
        )
        .unwrap();
    let tampered = cached_state(&store.lock().unwrap());
    assert_eq!(differences(&expected, &tampered).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_cursor_older_than_thirty_days_lists_everything_again() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 12,
        history: Some(SeedSpec {
            payments: 60,
            days: 10,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let syncer = syncer(&sim, &store);
    syncer.sync_once().await.unwrap();
    // A change, then 31 days without the app: its event is gone by then.
    let mut rng = fastrand::Rng::with_seed(9);
    activity(&client(&sim), &mut rng).await;
    control(&sim, "clock/advance", json!({ "seconds": 31 * 86_400 }));
    let relisted = syncer.catch_up().await.unwrap();
    assert!(relisted > 0, "everything was listed again");
    let expected = simulator_state(&client(&sim)).await;
    let cached = cached_state(&store.lock().unwrap());
    let diff = differences(&expected, &cached);
    assert!(diff.is_empty(), "{:?}", &diff[..diff.len().min(5)]);
}

/// Records what a sync reports.
#[derive(Default)]
struct Recorder(Mutex<Vec<till_core::sync::SyncProgress>>);

impl till_core::sync::SyncListener for Recorder {
    fn progress(&self, progress: &till_core::sync::SyncProgress) {
        self.0.lock().unwrap().push(progress.clone());
    }
    fn changed(&self, _: &str, _: u32) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_sync_says_since_when_and_the_user_can_cancel() {
    // Nothing listens on this port: Stripe cannot be reached.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client =
        StripeClient::builder(till_stripe::ApiKey::parse("sk_test_offlineOffline0001").unwrap())
            .endpoint(till_stripe::Endpoint::parse(&url).unwrap())
            .retry_policy(till_stripe::retry::RetryPolicy {
                max_retries: 0,
                ..Default::default()
            })
            .build()
            .unwrap();
    let recorder = Arc::new(Recorder::default());
    let controls = Arc::new(till_core::sync::Controls::default());
    let syncer = till_core::sync::Syncer {
        client,
        store: Arc::new(Mutex::new(Store::in_memory().unwrap())),
        account_id: "acct_offline".to_owned(),
        listener: recorder.clone(),
        options: till_core::sync::SyncOptions::default(),
        controls: Arc::clone(&controls),
    };
    let task = tokio::spawn(syncer.run());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let offline = recorder
            .0
            .lock()
            .unwrap()
            .iter()
            .find(|p| p.phase == till_core::sync::SyncPhase::Offline)
            .cloned();
        if let Some(offline) = offline {
            // Nothing answers: offline, since when, and why.
            assert!(
                matches!(
                    offline.problem,
                    Some(till_core::sync::SyncProblem::Offline { since, .. }) if since > 0
                ),
                "{offline:?}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never reported offline"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    controls.cancel();
    tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .expect("a canceled sync stops")
        .unwrap();
    let last = recorder.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.phase, till_core::sync::SyncPhase::Canceled);
}

/// A front desk's restricted key that may read and write PaymentIntents
/// only: the sync keeps the payments it can read, skips the rest, and
/// without events follows the account by its newest pages — never "offline".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_cannot_read_events_is_followed_by_lists() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 5,
        history: Some(SeedSpec {
            payments: 150,
            days: 10,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let staff = "rk_test_frontdesksynctest1";
    control(
        &sim,
        "keys",
        json!({ "key": staff, "same_account_as": sim.demo_key(), "permissions": { "payment_intent": "write" } }),
    );
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let mut sync = syncer(&sim, &store);
    sync.client = common::client_at(&sim.base_url(), staff);
    sync.sync_once().await.unwrap();

    let owner = client(&sim);
    let at_stripe = simulator_state(&owner).await;
    let cached = cached_state(&store.lock().unwrap());
    let payments = |state: &BTreeMap<(Kind, String), Value>| {
        state
            .iter()
            .filter(|((kind, _), _)| *kind == Kind::PaymentIntents)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(
        payments(&cached),
        payments(&at_stripe),
        "every payment, as Stripe has it"
    );
    assert!(
        cached.keys().all(|(kind, _)| *kind == Kind::PaymentIntents),
        "nothing the key cannot read"
    );

    // A new hold at the till: the next poll brings it, and says so.
    let hold = owner
        .create_payment_intent(
            &CreatePaymentIntent {
                manual_capture: true,
                payment_method: Some("pm_card_visa".into()),
                confirm: true,
                ..CreatePaymentIntent::new(till_stripe::Money::new(
                    4200,
                    till_stripe::Currency::new("usd"),
                ))
            },
            Idempotency::Auto,
        )
        .await
        .unwrap();
    let reads = sim.reads();
    assert_eq!(sync.catch_up().await.unwrap(), 1, "one object changed");
    assert_eq!(
        sim.reads() - reads,
        1,
        "one request a poll: the payments' newest page, nothing the key was refused"
    );
    let cached = till_store::table::payment_intents::get(
        store.lock().unwrap().conn(),
        common::ACCOUNT,
        &hold.id,
    )
    .unwrap()
    .unwrap();
    assert_eq!(cached.status, "requires_capture");
    assert_eq!(
        sync.catch_up().await.unwrap(),
        0,
        "nothing new: nothing stored"
    );
}

/// An account opened long before it sold (the simulator's opened in 2023;
/// its 4,000 payments are of the last 120 days): the backfill's "of about"
/// is not stretched over the empty years, from the first estimate to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_estimate_is_near_the_truth_from_the_first() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 21,
        history: Some(SeedSpec {
            payments: 4_000,
            days: 120,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let recorder = Arc::new(Recorder::default());
    let mut sync = syncer(&sim, &store);
    sync.listener = recorder.clone();
    sync.options = till_core::sync::SyncOptions::default();
    let total = sync.backfill().await.unwrap();
    let reports = recorder.0.lock().unwrap().clone();
    let estimates: Vec<(u32, u32)> = reports
        .iter()
        .filter_map(|p| Some((p.done, p.done + p.remaining?)))
        .collect();
    let (first_done, _) = *estimates.first().expect("an estimate was reported");
    println!(
        "{total} objects; first estimate at {first_done}: {:?}; then {:?}",
        estimates.first(),
        &estimates[estimates.len() / 2]
    );
    // The edge of each type's history is found by halving, one request
    // after another: on a history this small that is a third of the way
    // or so (32-44 % measured); two thirds is the bound.
    assert!(
        i64::from(first_done) * 3 < total * 2,
        "the first estimate came late, at {first_done} of {total}"
    );
    for (done, estimate) in estimates {
        let ratio = f64::from(estimate) / total as f64;
        assert!(
            (0.6..=1.6).contains(&ratio),
            "at {done} objects the estimate was {estimate} of {total}"
        );
    }
}

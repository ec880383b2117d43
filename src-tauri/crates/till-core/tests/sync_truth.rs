//! A sync that tells the truth when a server misbehaves (issue 17): a list
//! that refuses its date filter is read without it; a kind refused or
//! missing carries its reason while the others are complete; an object
//! missing a field Till needs for money is counted, never stored as zero;
//! "offline" is said only when nothing answers; a clock that is off is
//! measured. Each against the simulator with one of its faults switched on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use till_core::sync::{Controls, Kind, KindNote, SyncPhase, SyncProblem, SyncProgress};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;

mod common;

use common::{cached_state, client, control, differences, simulator_state, syncer};

/// A simulator with a few days of a shop's history: payments, holds,
/// refunds, checkouts, payouts, customers.
fn shop() -> Simulator {
    Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 17,
        history: Some(SeedSpec {
            payments: 120,
            days: 12,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap()
}

fn faults(sim: &Simulator, faults: Value) {
    control(sim, "faults", faults);
}

/// Records what the sync reports, and wakes whoever waits for a report.
#[derive(Default)]
struct Recorder(Mutex<Vec<SyncProgress>>, tokio::sync::Notify);

impl till_core::sync::SyncListener for Recorder {
    fn progress(&self, progress: &SyncProgress) {
        self.0.lock().unwrap().push(progress.clone());
        self.1.notify_waiters();
    }
    fn changed(&self, _: &str, _: u32) {}
}

/// Both sides, without the kinds named.
fn without(
    state: BTreeMap<(Kind, String), Value>,
    kinds: &[Kind],
) -> BTreeMap<(Kind, String), Value> {
    state
        .into_iter()
        .filter(|((kind, _), _)| !kinds.contains(kind))
        .collect()
}

/// What the sync knows is wrong with one kind (what its progress carries).
fn notes(controls: &Controls, kind: Kind) -> Vec<KindNote> {
    controls_statuses(controls)
        .into_iter()
        .filter(|s| s.kind == kind)
        .map(|s| s.note)
        .collect()
}

fn controls_statuses(controls: &Controls) -> Vec<till_core::sync::KindStatus> {
    controls.kind_statuses()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_that_refuses_its_date_filter_is_read_without_it_and_the_rest_carries_on() {
    let sim = shop();
    faults(
        &sim,
        json!({ "refuse_params": [{ "path": "/v1/checkout/sessions", "param": "created" }] }),
    );
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    let controls = Arc::clone(&sync.controls);
    sync.sync_once().await.unwrap();

    // Every kind is complete, checkouts included, read without the filter.
    let expected = simulator_state(&client(&sim)).await;
    let sessions = expected
        .keys()
        .filter(|(k, _)| *k == Kind::CheckoutSessions)
        .count();
    assert!(sessions > 0, "the seed has checkouts");
    let cached = cached_state(&store.lock().unwrap());
    assert_eq!(differences(&expected, &cached), Vec::<String>::new());

    // The reason is kept for Settings and the status line.
    let notes = notes(&controls, Kind::CheckoutSessions);
    let [
        KindNote::FilterRefused {
            filter,
            request,
            message,
        },
    ] = notes.as_slice()
    else {
        panic!("{notes:?}");
    };
    assert_eq!(filter, "created");
    assert_eq!(request.as_deref(), Some("GET /v1/checkout/sessions"));
    assert!(message.contains("created"), "{message}");
    assert!(
        controls_statuses(&controls)
            .iter()
            .all(|s| s.kind == Kind::CheckoutSessions),
        "no other kind is touched"
    );

    // Later, a new checkout is found by reading newest first down to what
    // is cached, still without the filter.
    let stripe = client(&sim);
    let created = stripe
        .create_checkout_session(
            &till_stripe::requests::CreateCheckoutSession {
                line_items: vec![till_stripe::requests::LineItemInput::Adhoc {
                    name: "Later".to_owned(),
                    unit_amount: 2_500,
                    currency: till_stripe::Currency::new("usd"),
                    quantity: 1,
                }],
                success_url: "https://example.com/thanks".to_owned(),
                ..Default::default()
            },
            till_stripe::Idempotency::Auto,
        )
        .await
        .unwrap();
    let sync = till_core::sync::Syncer {
        controls: Arc::clone(&controls),
        ..syncer(&sim, &store)
    };
    sync.reconcile().await.unwrap();
    let cached = cached_state(&store.lock().unwrap());
    assert!(cached.contains_key(&(Kind::CheckoutSessions, created.id.clone())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_whose_path_is_missing_is_refused_with_its_request_and_the_others_are_complete() {
    let sim = shop();
    faults(&sim, json!({ "not_found_paths": ["/v1/refunds"] }));
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    let controls = Arc::clone(&sync.controls);
    sync.sync_once().await.unwrap();

    // Stripe's side, read with the fault off.
    faults(&sim, json!({}));
    let stripe = client(&sim);
    let expected = without(simulator_state(&stripe).await, &[Kind::Refunds]);
    let cached = without(cached_state(&store.lock().unwrap()), &[Kind::Refunds]);
    assert_eq!(differences(&expected, &cached), Vec::<String>::new());

    let notes = notes(&controls, Kind::Refunds);
    let [
        KindNote::Refused {
            request,
            status,
            retry_at,
            ..
        },
    ] = notes.as_slice()
    else {
        panic!("{notes:?}");
    };
    assert_eq!(request.as_deref(), Some("GET /v1/refunds"));
    assert_eq!(*status, Some(404));
    assert!(
        *retry_at >= till_core::sync::unix_now() + 29 * 60,
        "asked again in 30 minutes"
    );

    // The server is fixed, and the person presses Retry: refunds fill.
    controls.retry();
    let sync = till_core::sync::Syncer {
        controls: Arc::clone(&controls),
        ..syncer(&sim, &store)
    };
    sync.sync_once().await.unwrap();
    let expected = simulator_state(&stripe).await;
    let cached = cached_state(&store.lock().unwrap());
    assert_eq!(differences(&expected, &cached), Vec::<String>::new());
    assert!(controls_statuses(&controls).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_missing_an_amount_is_counted_and_never_stored_as_zero() {
    let sim = shop();
    faults(
        &sim,
        json!({ "omit_fields": [{ "object": "payment_intent", "field": "amount_received" }] }),
    );
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    let controls = Arc::clone(&sync.controls);
    sync.sync_once().await.unwrap();

    // Stripe's side, read with the fault off (the cache is not touched).
    faults(&sim, json!({}));
    let stripe = client(&sim);
    let everything = simulator_state(&stripe).await;
    let payments = everything
        .keys()
        .filter(|(k, _)| *k == Kind::PaymentIntents)
        .count();
    assert!(payments > 0);
    let cached_payments: i64 = store
        .lock()
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM payment_intents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cached_payments, 0, "nothing stored without its amount");

    let notes = notes(&controls, Kind::PaymentIntents);
    let [
        KindNote::Unreadable {
            count,
            missing,
            example_id,
        },
    ] = notes.as_slice()
    else {
        panic!("{notes:?}");
    };
    assert_eq!(*count as usize, payments);
    assert_eq!(missing.as_deref(), Some("amount_received"));
    assert!(
        example_id
            .as_deref()
            .is_some_and(|id| id.starts_with("pi_"))
    );

    // The other kinds are complete.
    let expected = without(everything, &[Kind::PaymentIntents]);
    let cached = without(
        cached_state(&store.lock().unwrap()),
        &[Kind::PaymentIntents],
    );
    assert_eq!(differences(&expected, &cached), Vec::<String>::new());

    // The server mends: the payments are read, and no longer counted.
    let sync = till_core::sync::Syncer {
        controls: Arc::clone(&controls),
        ..syncer(&sim, &store)
    };
    sync.reconcile().await.unwrap();
    assert!(notes_of_kind_empty(&controls, Kind::PaymentIntents));
}

fn notes_of_kind_empty(controls: &Controls, kind: Kind) -> bool {
    controls_statuses(controls).iter().all(|s| s.kind != kind)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charge_missing_its_captured_amount_is_not_stored() {
    let sim = shop();
    faults(
        &sim,
        json!({ "omit_fields": [{ "object": "charge", "field": "amount_captured" }] }),
    );
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    let controls = Arc::clone(&sync.controls);
    sync.sync_once().await.unwrap();
    let charges: i64 = store
        .lock()
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM charges", [], |r| r.get(0))
        .unwrap();
    assert_eq!(charges, 0);
    let notes = notes(&controls, Kind::Charges);
    assert!(
        matches!(notes.as_slice(), [KindNote::Unreadable { missing: Some(m), .. }] if m == "amount_captured"),
        "{notes:?}"
    );
}

/// Runs a sync until it reports a pause, and returns the pause.
async fn first_pause(
    sim: &Simulator,
    client: till_stripe::StripeClient,
) -> (
    SyncProgress,
    Arc<Controls>,
    Arc<Recorder>,
    tokio::task::JoinHandle<()>,
) {
    let recorder = Arc::new(Recorder::default());
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = till_core::sync::Syncer {
        client,
        listener: recorder.clone(),
        ..syncer(sim, &store)
    };
    let controls = Arc::clone(&sync.controls);
    let task = tokio::spawn(sync.run());
    let paused = wait_for(&recorder, |p| p.phase == SyncPhase::Offline, 1).await;
    (paused, controls, recorder, task)
}

/// The `nth` report that matches, waiting for it on the sync's own events.
async fn wait_for(
    recorder: &Recorder,
    matches: impl Fn(&SyncProgress) -> bool,
    nth: usize,
) -> SyncProgress {
    let found = async {
        loop {
            // Registered before looking, so a report in between is not missed.
            let next = recorder.1.notified();
            if let Some(found) = recorder
                .0
                .lock()
                .unwrap()
                .iter()
                .filter(|p| matches(p))
                .nth(nth - 1)
                .cloned()
            {
                return found;
            }
            next.await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), found)
        .await
        .expect("the sync never reported it")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_answers_is_never_called_offline() {
    // A revoked key: Stripe answers 401 to everything. Refused, with the
    // request; asked again only on Retry (or in 30 minutes).
    let sim = shop();
    let revoked = "sk_test_revokedbeforesync000001";
    control(
        &sim,
        "keys",
        json!({ "key": revoked, "same_account_as": sim.demo_key() }),
    );
    control(&sim, "keys/revoke", json!({ "key": revoked }));
    let (paused, controls, recorder, task) =
        first_pause(&sim, common::client_at(&sim.base_url(), revoked)).await;
    let Some(SyncProblem::Refused {
        request,
        status,
        retry_at,
        ..
    }) = &paused.problem
    else {
        panic!("{paused:?}");
    };
    assert!(
        request
            .as_deref()
            .is_some_and(|r| r.starts_with("GET /v1/")),
        "{request:?}"
    );
    assert_eq!(*status, Some(401));
    assert!(*retry_at > till_core::sync::unix_now() + 29 * 60);
    // Retry asks again at once.
    controls.retry();
    wait_for(&recorder, |p| p.phase == SyncPhase::Offline, 2).await;
    controls.cancel();
    task.await.unwrap();

    // Stripe's own trouble: 5xx, backing off, never "offline".
    let sim = shop();
    faults(&sim, json!({ "error_503_rate": 1.0 }));
    let (paused, controls, _, task) = first_pause(&sim, client(&sim)).await;
    assert!(
        matches!(
            paused.problem,
            Some(SyncProblem::StripeTrouble { status: 503, .. })
        ),
        "{paused:?}"
    );
    controls.cancel();
    task.await.unwrap();

    // Asked to slow down: 429 still after waiting.
    let sim = shop();
    faults(&sim, json!({ "error_429_rate": 1.0 }));
    let quick =
        till_stripe::StripeClient::builder(till_stripe::ApiKey::parse(sim.demo_key()).unwrap())
            .endpoint(till_stripe::Endpoint::parse(&sim.base_url()).unwrap())
            .rate(500.0)
            .retry_policy(till_stripe::retry::RetryPolicy {
                max_retries: 1,
                initial_delay: std::time::Duration::from_millis(5),
                max_delay: std::time::Duration::from_millis(10),
                max_rate_limited_waits: 1,
            })
            .build()
            .unwrap();
    let (paused, controls, _, task) = first_pause(&sim, quick).await;
    assert!(
        matches!(paused.problem, Some(SyncProblem::SlowDown { .. })),
        "{paused:?}"
    );
    controls.cancel();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_two_hours_behind_stripes_is_measured() {
    let sim = shop();
    faults(&sim, json!({ "clock_skew_seconds": 7_200 }));
    let stripe = client(&sim);
    stripe.balance().await.unwrap();
    let skew = stripe.clock_skew().unwrap();
    assert!((7_190..=7_210).contains(&skew), "{skew}");

    // Reported with the sync's progress, where the screens read it.
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let recorder = Arc::new(Recorder::default());
    let sync = till_core::sync::Syncer {
        listener: recorder.clone(),
        ..syncer(&sim, &store)
    };
    sync.newest().await.unwrap();
    let last = recorder.0.lock().unwrap().last().cloned().unwrap();
    assert!(
        last.clock_skew
            .is_some_and(|s| (7_190..=7_210).contains(&s)),
        "{last:?}"
    );

    // Within five minutes, nothing is said.
    faults(&sim, json!({ "clock_skew_seconds": 60 }));
    let recorder = Arc::new(Recorder::default());
    let sync = till_core::sync::Syncer {
        listener: recorder.clone(),
        ..syncer(&sim, &store)
    };
    sync.newest().await.unwrap();
    let last = recorder.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.clock_skew, None);
}

/// Adding a key against a server without `/v1/account`: the error names the
/// request and carries Stripe's words and request id, never the key (5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_request_is_named_in_the_error() {
    let sim = shop();
    faults(&sim, json!({ "not_found_paths": ["/v1/account"] }));
    let key = till_stripe::ApiKey::parse(sim.demo_key()).unwrap();
    let endpoint = till_stripe::Endpoint::parse(&sim.base_url()).unwrap();
    let err = till_core::accounts::validate(key, endpoint)
        .await
        .unwrap_err();
    let till_core::Error::StripeRefused { refusal } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(refusal.request.as_deref(), Some("GET /v1/account"));
    assert_eq!(refusal.status, Some(404));
    assert!(
        refusal.message.contains("Unrecognized request URL"),
        "{refusal:?}"
    );
    assert!(refusal.request_id.is_some());
    let shown = serde_json::to_string(&err).unwrap();
    assert!(
        !shown.contains(sim.demo_key()),
        "the key is never in an error"
    );
}

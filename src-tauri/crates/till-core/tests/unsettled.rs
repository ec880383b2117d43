//! Money movements whose answer is lost, as the app sees them through
//! `Till`: Stripe commits a capture or a refund and answers a stored 500.
//! The movement is listed as unsettled (with its kind, object, amount,
//! currency and time) while Till does not know, never while it is still
//! being sent; Till asks Stripe again by itself, or at once when told, and
//! tells the listener what happened and when; Stripe's side shows it once.
//!
//! Runs inside the test keyring (`scripts/with-test-keyring.sh`): the key
//! is added the way the app adds it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, control, make_payment};
use serde_json::json;
use till_core::journal::{
    MovementKind, MovementListener, MovementOutcome, SettledMovement, Unsettled,
};
use till_core::operations::{Actor, Amount};
use till_core::{DataDir, Error, Till};
use till_sim::{SimConfig, Simulator};
use till_stripe::requests::ListRefunds;
use till_stripe::{Endpoint, Page};

struct Told(Mutex<Sender<SettledMovement>>);

impl MovementListener for Told {
    fn settled(&self, settled: &SettledMovement) {
        let _ = self.0.lock().unwrap().send(settled.clone());
    }
}

struct Setup {
    sim: Simulator,
    till: Arc<Till>,
    account: String,
    told: Receiver<SettledMovement>,
    _dir: tempfile::TempDir,
}

/// A simulator with a paid payment and a hold, and a `Till` whose cache
/// holds both, with a listener.
async fn setup() -> (Setup, String, String) {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        ..SimConfig::default()
    })
    .unwrap();
    let maker = client(&sim);
    let paid = make_payment(&maker, "usd", 5_000, false).await;
    let hold = make_payment(&maker, "usd", 12_000, true).await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = DataDir::at(dir.path().join("data")).unwrap();
    let till =
        Arc::new(Till::open_with(data_dir, Endpoint::parse(&sim.base_url()).unwrap()).unwrap());
    let account = till.add_account(sim.demo_key()).await.unwrap().id;
    till.sync_once(&account).await.unwrap();
    let (tell, told) = channel();
    till.set_movement_listener(Arc::new(Told(Mutex::new(tell))));
    let setup = Setup {
        sim,
        till,
        account,
        told,
        _dir: dir,
    };
    (setup, paid, hold)
}

fn lost(err: Error) -> String {
    match err {
        Error::OutcomeUnknown { operation_id, .. } => operation_id,
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_whose_answer_is_lost_is_listed_then_settled_by_itself_and_told() {
    let (s, _, hold) = setup().await;
    // Asked again 100 ms after the lost answer (the app waits longer).
    s.till.set_recheck_delays(vec![Duration::from_millis(100)]);
    // While Stripe commits the capture, Till is still waiting for its
    // answer: not unsettled yet.
    let (seen, while_sent) = channel::<Vec<Unsettled>>();
    let till = Arc::clone(&s.till);
    let account = s.account.clone();
    let seen = Mutex::new(seen);
    s.sim.set_after_commit(move |_| {
        let _ = seen
            .lock()
            .unwrap()
            .send(till.unsettled_movements(&account).unwrap());
        false
    });
    control(&s.sim, "faults", json!({ "stored_500_next": 1 }));
    let before = till_core::sync::unix_now();
    let operation_id = lost(
        s.till
            .capture(
                &s.account,
                &hold,
                Some(Amount::new(6_000, "usd")),
                Actor::default(),
            )
            .await
            .unwrap_err(),
    );
    s.sim.clear_after_commit();
    assert_eq!(
        while_sent.recv_timeout(Duration::from_secs(5)).unwrap(),
        vec![],
        "a movement being sent is not unsettled"
    );

    // Listed, unless the recheck came first (then it was told below).
    let listed = s.till.unsettled_movements(&s.account).unwrap();
    if let Some(one) = listed.first() {
        assert_eq!(
            (
                one.operation_id.as_str(),
                one.kind,
                one.target.as_str(),
                one.amount,
                one.currency.as_deref()
            ),
            (
                operation_id.as_str(),
                MovementKind::Capture,
                hold.as_str(),
                Some(6_000),
                Some("usd")
            )
        );
        assert!(one.asked_at >= before, "{one:?}");
        assert!(
            one.detail.as_deref().is_some_and(|d| d.contains("500")),
            "{one:?}"
        );
    }

    // Till asks again by itself and tells what happened.
    let settled = s.told.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(settled.operation_id, operation_id);
    assert_eq!(settled.account_id, s.account);
    assert_eq!(settled.kind, MovementKind::Capture);
    assert_eq!(settled.outcome, MovementOutcome::Succeeded);
    assert_eq!(
        (
            settled.target.as_str(),
            settled.amount,
            settled.currency.as_deref()
        ),
        (hold.as_str(), Some(6_000), Some("usd"))
    );
    assert!(settled.settled_at >= before);
    assert_eq!(settled.result_id.as_deref(), Some(hold.as_str()));
    assert!(s.till.unsettled_movements(&s.account).unwrap().is_empty());
    // Captured once, the rest released.
    let pi = client(&s.sim)
        .retrieve_payment_intent(&hold, &[])
        .await
        .unwrap();
    assert_eq!(
        (pi.status.as_str(), pi.amount_received),
        ("succeeded", 6_000)
    );
    assert!(
        s.told.try_recv().is_err(),
        "told once: {:?}",
        s.told.try_recv()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_whose_answer_is_lost_is_settled_when_the_user_asks() {
    let (s, paid, _) = setup().await;
    // The scheduled check is far off: only the user's "check now" settles it.
    s.till.set_recheck_delays(vec![Duration::from_secs(3600)]);
    control(&s.sim, "faults", json!({ "stored_500_next": 1 }));
    let operation_id = lost(
        s.till
            .refund(
                &s.account,
                &paid,
                Some(Amount::new(1_250, "usd")),
                None,
                Actor::default(),
            )
            .await
            .unwrap_err(),
    );
    let listed = s.till.unsettled_movements(&s.account).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (
            listed[0].operation_id.as_str(),
            listed[0].kind,
            listed[0].target.as_str(),
            listed[0].amount
        ),
        (
            operation_id.as_str(),
            MovementKind::Refund,
            paid.as_str(),
            Some(1_250)
        )
    );

    let settled = s.till.check_movements(&s.account).await.unwrap();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].operation_id, operation_id);
    assert_eq!(settled[0].outcome, MovementOutcome::Succeeded);
    assert!(
        settled[0]
            .result_id
            .as_deref()
            .is_some_and(|id| id.starts_with("re_")),
        "{settled:?}"
    );
    assert_eq!(
        s.told.recv_timeout(Duration::from_secs(5)).unwrap(),
        settled[0]
    );
    assert!(s.till.unsettled_movements(&s.account).unwrap().is_empty());
    // Nothing left: asking again settles nothing.
    assert!(s.till.check_movements(&s.account).await.unwrap().is_empty());
    // One refund at Stripe.
    let list = ListRefunds {
        payment_intent: Some(paid.clone()),
        ..ListRefunds::default()
    };
    let refunds = client(&s.sim)
        .list_refunds(&list, &Page::first(100))
        .await
        .unwrap();
    let amounts: Vec<i64> = refunds.data.iter().map(|r| r.amount).collect();
    assert_eq!(amounts, vec![1_250]);
}

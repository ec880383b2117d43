//! Captures, releases and refunds through the journal, against the
//! simulator: bad input is refused before anything is written or sent; a
//! connection dropped after Stripe committed leaves the operation unknown,
//! and resolving it with the same key finishes it once, never twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::{ACCOUNT, client, control, syncer};
use serde_json::json;
use till_core::Error;
use till_core::error::{ActionProblem, AmountProblem};
use till_core::operations::{self, Actor, RefundWhy, ReleaseReason};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_store::table::operations as journal;
use till_store::table::payment_intents;

fn now() -> i64 {
    till_core::sync::unix_now()
}

fn who() -> Actor {
    Actor {
        operator: Some("Ada".into()),
        note: Some("table 4".into()),
    }
}

fn journal_len(store: &Mutex<Store>) -> usize {
    journal::list(store.lock().unwrap().conn(), ACCOUNT, 1000)
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_moves_once_through_the_journal() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 31,
        history: Some(SeedSpec {
            payments: 120,
            days: 5,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    syncer(&sim, &store).sync_once().await.unwrap();
    let c = client(&sim);
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let rows = |status: &str| {
        let store = store.lock().unwrap();
        payment_intents::page(
            store.conn(),
            ACCOUNT,
            &payment_intents::Filter {
                statuses: vec![status.into()],
                ..Default::default()
            },
            payment_intents::Sort::NewestFirst,
            None,
            100,
        )
        .unwrap()
        .rows
    };
    let holds: Vec<_> = rows("requires_capture")
        .into_iter()
        .filter(|h| h.capture_before.is_some_and(|t| t > now() + 3600))
        .collect();
    assert!(holds.len() >= 3, "the history has holds: {}", holds.len());
    let paid = rows("succeeded");

    // Bad input: refused with a reason, nothing journaled, nothing sent.
    let writes = sim.writes();
    let hold = &holds[0];
    let too_much = format!("{}", hold.amount_capturable / 100 + 1);
    for (amount, reason) in [
        ("0", AmountProblem::NotPositive),
        ("-5", AmountProblem::NotANumber),
        ("1.234", AmountProblem::TooManyDecimals),
        ("abc", AmountProblem::NotANumber),
        ("999999999", AmountProblem::AboveMaximum),
        (too_much.as_str(), AmountProblem::AboveCapturable),
    ] {
        let err = operations::capture(on, &hold.id, Some(amount), who(), now())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::AmountRefused { reason: r, .. } if *r == reason),
            "{amount}: {err:?}"
        );
    }
    let err = operations::refund(on, &hold.id, None, None, who(), now())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::ActionRefused {
            reason: ActionProblem::UncapturedUseRelease,
            ..
        }
    ));
    let err = operations::capture(on, &paid[0].id, None, who(), now())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::ActionRefused {
            reason: ActionProblem::NotAHold,
            ..
        }
    ));
    let err = operations::capture(on, "pi_nope", None, who(), now())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
    assert_eq!(journal_len(&store), 0, "nothing journaled");
    assert_eq!(sim.writes(), writes, "nothing sent");

    // A partial capture: the rest is released, as Stripe does.
    let half = hold.amount_capturable / 2 / 100;
    let done = operations::capture(on, &hold.id, Some(&half.to_string()), who(), now())
        .await
        .unwrap();
    assert_eq!(done.payment.status, "succeeded");
    assert_eq!(done.payment.amount_received, half * 100);
    let row = journal::get(store.lock().unwrap().conn(), &done.operation_id)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            row.state.as_str(),
            row.operator.as_deref(),
            row.note.as_deref()
        ),
        ("succeeded", Some("Ada"), Some("table 4"))
    );
    // The released rest is not a refund: not listed, not refundable to
    // refund, a release on the timeline.
    {
        let store = store.lock().unwrap();
        let detail = till_core::payment_detail::detail(
            &store,
            ACCOUNT,
            &hold.id,
            till_core::payment_detail::Dashboard::None,
        )
        .unwrap();
        assert_eq!(detail.refunded, 0);
        assert!(detail.refunds.is_empty(), "{:?}", detail.refunds);
        assert_eq!(detail.refundable, half * 100, "all that was captured");
        assert!(
            detail
                .timeline
                .iter()
                .any(|e| e.step == till_core::payment_detail::Step::Released
                    && e.amount == Some(hold.amount_capturable - half * 100))
        );
        let listed = till_core::refund_list::page(&store, ACCOUNT, Vec::new(), None, 200).unwrap();
        assert!(
            listed
                .rows
                .iter()
                .all(|r| r.payment_intent.as_deref() != Some(hold.id.as_str()))
        );
    }
    // Captured already: a second capture is refused before sending.
    let err = operations::capture(on, &hold.id, None, who(), now())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::ActionRefused {
            reason: ActionProblem::NotAHold,
            ..
        }
    ));

    // A release.
    let done = operations::release(
        on,
        &holds[1].id,
        Some(ReleaseReason::RequestedByCustomer),
        who(),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(done.payment.status, "canceled");

    // A dropped answer is retried with the same key by the client itself:
    // Stripe answers as the first time, and the refund is made once.
    control(&sim, "faults", json!({ "drop_after_commit_next": 1 }));
    let done = operations::refund(on, &paid[2].id, Some("1.00"), None, who(), now())
        .await
        .unwrap();
    let refund_id = done.refund_id.unwrap();
    let made = c
        .list_refunds(
            &till_stripe::requests::ListRefunds {
                payment_intent: Some(paid[2].id.clone()),
                ..Default::default()
            },
            &till_stripe::Page::first(100),
        )
        .await
        .unwrap();
    assert_eq!(
        made.data.iter().filter(|r| r.created >= now() - 60).count(),
        1,
        "{refund_id} once"
    );

    // Stripe commits, then answers (and keeps answering that key) with a
    // 500: unknown. Resolving it finds the refund by its operation id.
    // Stripe holds one refund, not two.
    let target = &paid[0];
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let err = operations::refund(
        on,
        &target.id,
        Some("1.00"),
        Some(RefundWhy::RequestedByCustomer),
        who(),
        now(),
    )
    .await
    .unwrap_err();
    let Error::OutcomeUnknown { operation_id, .. } = err else {
        panic!("expected an unknown outcome, got {err:?}");
    };
    assert_eq!(
        journal::get(store.lock().unwrap().conn(), &operation_id)
            .unwrap()
            .unwrap()
            .state,
        "unknown"
    );
    let settled = operations::resolve_open(&c, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled.len(), 1);
    assert_eq!(
        settled[0].state,
        "succeeded",
        "{:?}",
        journal::get(store.lock().unwrap().conn(), &operation_id).unwrap()
    );
    let refunds = c
        .list_refunds(
            &till_stripe::requests::ListRefunds {
                payment_intent: Some(target.id.clone()),
                ..Default::default()
            },
            &till_stripe::Page::first(100),
        )
        .await
        .unwrap();
    let ours: Vec<_> = refunds
        .data
        .iter()
        .filter(|r| r.metadata.get("till_operation_id") == Some(&operation_id))
        .collect();
    assert_eq!(ours.len(), 1, "refunded once");
    assert_eq!(ours[0].amount, 100);

    // After the idempotency window, an operation whose answer was lost is
    // settled by finding what it made.
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let err = operations::refund(on, &paid[1].id, Some("1.00"), None, who(), now())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }));
    control(&sim, "faults", json!({}));
    let settled = operations::resolve_open(&c, &store, ACCOUNT, now() + 25 * 3600)
        .await
        .unwrap();
    assert_eq!(settled[0].state, "succeeded", "{settled:?}");
    assert!(
        journal::open(store.lock().unwrap().conn(), ACCOUNT)
            .unwrap()
            .is_empty()
    );
}

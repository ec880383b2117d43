//! Captures, releases and refunds through the journal, against the
//! simulator: bad input is refused before anything is written or sent; a
//! connection dropped after Stripe committed leaves the operation unknown,
//! and resolving it with the same key finishes it once, never twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Mutex;

use std::time::Duration;

use common::{ACCOUNT, client, client_at, control, make_payment, synced_store};
use serde_json::json;
use till_core::Error;
use till_core::error::{ActionProblem, AmountProblem};
use till_core::operations::{self, Actor, Amount, On, RefundWhy, ReleaseReason, Settled};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_store::table::operations::{self as journal, OperationRow};
use till_store::table::{charges, payment_intents};
use till_stripe::requests::{CreateRefund, ListRefunds, RefundTarget};
use till_stripe::retry::RetryPolicy;
use till_stripe::{ApiKey, Currency, Endpoint, Idempotency, Money, Page, StripeClient};

fn now() -> i64 {
    till_core::sync::unix_now()
}

fn who() -> Actor {
    Actor {
        operator: Some("Ada".into()),
        note: Some("table 4".into()),
    }
}

/// What a person typed for a payment, as the UI sends it: minor units of
/// the payment's currency, parsed at the edge (here).
fn typed(on: On<'_>, payment_id: &str, text: &str) -> Option<Amount> {
    let row = payment_intents::get(on.store.lock().unwrap().conn(), on.account_id, payment_id)
        .unwrap()?;
    let money = Money::parse_major(text, &Currency::new(&row.currency)).unwrap();
    Some(Amount::new(money.amount, &row.currency))
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
    let store = synced_store(&sim).await;
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
    // What was typed is parsed where it was typed (the UI's tests cover
    // "abc", "1.234" and "12,50"); the core checks the minor units it gets.
    let other = if hold.currency == "eur" { "usd" } else { "eur" };
    for (amount, reason) in [
        (Amount::new(0, &hold.currency), AmountProblem::NotPositive),
        (
            Amount::new(-500, &hold.currency),
            AmountProblem::NotPositive,
        ),
        (
            Amount::new(99_999_999_900, &hold.currency),
            AmountProblem::AboveMaximum,
        ),
        (
            Amount::new(hold.amount_capturable + 1, &hold.currency),
            AmountProblem::AboveCapturable,
        ),
        (Amount::new(100, other), AmountProblem::WrongCurrency),
    ] {
        let err = operations::capture(on, &hold.id, Some(amount.clone()), who(), now())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::AmountRefused { reason: r, .. } if *r == reason),
            "{amount:?}: {err:?}"
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
    let done = operations::capture(
        on,
        &hold.id,
        Some(Amount::new(half * 100, &hold.currency)),
        who(),
        now(),
    )
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
        let listed =
            till_core::refund_list::page(&store, ACCOUNT, Default::default(), None, 200).unwrap();
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
    let done = operations::refund(
        on,
        &paid[2].id,
        typed(on, &paid[2].id, "1.00"),
        None,
        who(),
        now(),
    )
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
        typed(on, &target.id, "1.00"),
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
    let err = operations::refund(
        on,
        &paid[1].id,
        typed(on, &paid[1].id, "1.00"),
        None,
        who(),
        now(),
    )
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

// ------------------------------------------------- settling what was left

/// An empty account with rate limiting off.
fn quiet_sim() -> Simulator {
    Simulator::start(SimConfig {
        rate_limit: 0,
        ..SimConfig::default()
    })
    .unwrap()
}

/// A client that gives up at the first failure: one fault, one error.
fn client_without_retries(sim: &Simulator, key: &str) -> StripeClient {
    StripeClient::builder(ApiKey::parse(key).unwrap())
        .endpoint(Endpoint::parse(&sim.base_url()).unwrap())
        .rate(200.0)
        .retry_policy(RetryPolicy {
            max_retries: 0,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_rate_limited_waits: 20,
        })
        .build()
        .unwrap()
}

/// A restricted key on the demo account with these permissions.
fn restricted_key(sim: &Simulator, key: &str, permissions: serde_json::Value) -> StripeClient {
    control(
        sim,
        "keys",
        json!({ "key": key, "same_account_as": sim.demo_key(), "permissions": permissions }),
    );
    client_at(&sim.base_url(), key)
}

fn row(store: &Mutex<Store>, operation_id: &str) -> OperationRow {
    journal::get(store.lock().unwrap().conn(), operation_id)
        .unwrap()
        .unwrap()
}

fn settled_state<'a>(settled: &'a [Settled], operation_id: &str) -> &'a str {
    &settled
        .iter()
        .find(|s| s.operation_id == operation_id)
        .unwrap_or_else(|| panic!("{operation_id} not reported: {settled:?}"))
        .state
}

/// The operation an unknown outcome is about.
fn unknown_id(result: Result<operations::Done, Error>) -> String {
    match result {
        Err(Error::OutcomeUnknown { operation_id, .. }) => operation_id,
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
}

/// The refunds Stripe holds for a payment, all pages.
async fn refunds_at_stripe(client: &StripeClient, payment: &str) -> Vec<String> {
    let list = ListRefunds {
        payment_intent: Some(payment.to_owned()),
        ..ListRefunds::default()
    };
    let mut all = Vec::new();
    let mut page = Page::first(100);
    loop {
        let refunds = client.list_refunds(&list, &page).await.unwrap();
        all.extend(refunds.data.iter().map(|r| r.id.clone()));
        match (refunds.has_more, refunds.data.last()) {
            (true, Some(last)) => page = Page::after(100, last.id.clone()),
            _ => return all,
        }
    }
}

/// A refund Stripe made is the operation's success, even when the payment
/// cannot be read again afterwards (a restricted key without PaymentIntent
/// read answers 403): recorded failed, it would be done again, twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_made_is_recorded_succeeded_when_its_payment_cannot_be_read_again() {
    let sim = quiet_sim();
    let c = client(&sim);
    let pi = make_payment(&c, "usd", 5_000, false).await;
    let store = synced_store(&sim).await;
    let charge_id = payment_intents::get(store.lock().unwrap().conn(), ACCOUNT, &pi)
        .unwrap()
        .unwrap()
        .latest_charge
        .unwrap();

    // Refunds only: neither the payment nor the charge can be read.
    let refunds_only = restricted_key(
        &sim,
        "rk_test_refunds_only_0000000000",
        json!({ "refund": "write" }),
    );
    let on = operations::On {
        client: &refunds_only,
        store: &store,
        account_id: ACCOUNT,
    };
    let done = operations::refund(on, &pi, typed(on, &pi, "10.00"), None, who(), now())
        .await
        .unwrap();
    let refund_id = done.refund_id.clone().unwrap();
    assert_eq!(done.payment.id, pi, "the cached payment");
    let entry = row(&store, &done.operation_id);
    assert_eq!(
        (entry.state.as_str(), entry.result_id.as_deref()),
        ("succeeded", Some(refund_id.as_str())),
        "{entry:?}"
    );
    assert_eq!(refunds_at_stripe(&c, &pi).await, vec![refund_id.clone()]);

    // Refunds and charges: the charge is refreshed from the refund's.
    let with_charges = restricted_key(
        &sim,
        "rk_test_refunds_charges_000000",
        json!({ "refund": "write", "charge": "read" }),
    );
    let on = operations::On {
        client: &with_charges,
        ..on
    };
    // Everything left: the first refund counts against it.
    let done = operations::refund(on, &pi, None, None, who(), now())
        .await
        .unwrap();
    let rest = done.refund_id.clone().unwrap();
    assert_eq!(row(&store, &done.operation_id).state, "succeeded");
    assert_eq!(
        c.retrieve_refund(&rest).await.unwrap().amount,
        4_000,
        "50.00 less the 10.00 refunded"
    );
    let charge = charges::get(store.lock().unwrap().conn(), ACCOUNT, &charge_id)
        .unwrap()
        .unwrap();
    assert_eq!(
        charge.amount_refunded, 5_000,
        "the charge as Stripe left it"
    );
    assert_eq!(refunds_at_stripe(&c, &pi).await.len(), 2, "each once");

    // Fully refunded, as far as the cache knows: nothing more is sent.
    let err = operations::refund(on, &pi, typed(on, &pi, "1.00"), None, who(), now())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ActionRefused {
                reason: ActionProblem::NothingToRefund,
                ..
            }
        ),
        "{err:?}"
    );
}

/// `resolve_open` reports what the journal holds after each attempt: a
/// database error is not a failure at Stripe, and a success followed by
/// an error of Till's own is still a success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolving_reports_the_journals_state_after_the_attempt() {
    let sim = quiet_sim();
    let c = client(&sim);
    let paid = [
        make_payment(&c, "usd", 5_000, false).await,
        make_payment(&c, "usd", 5_000, false).await,
    ];
    let store = synced_store(&sim).await;
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };

    // The database refuses to mark the operation sent: it stays unknown, and
    // is reported so, not failed.
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let first = unknown_id(
        operations::refund(
            on,
            &paid[0],
            typed(on, &paid[0], "1.00"),
            None,
            who(),
            now(),
        )
        .await,
    );
    control(&sim, "faults", json!({}));
    store
        .lock()
        .unwrap()
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER refuse_sent BEFORE UPDATE OF state ON main.operations
             WHEN NEW.state = 'sent' BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
        )
        .unwrap();
    let settled = operations::resolve_open(&c, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled_state(&settled, &first), "unknown", "{settled:?}");
    assert_eq!(row(&store, &first).state, "unknown");
    store
        .lock()
        .unwrap()
        .conn()
        .execute_batch("DROP TRIGGER temp.refuse_sent;")
        .unwrap();
    let settled = operations::resolve_open(&c, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled_state(&settled, &first), "succeeded", "{settled:?}");
    assert_eq!(refunds_at_stripe(&c, &paid[0]).await.len(), 1);

    // Never reached Stripe; sent again at start-up with a key that cannot
    // read payments, for a payment no longer cached: the refund is made and
    // recorded, though no payment can be shown. Succeeded, not failed.
    let no_retries = client_without_retries(&sim, sim.demo_key());
    let on = operations::On {
        client: &no_retries,
        ..on
    };
    control(&sim, "faults", json!({ "drop_before_commit_next": 1 }));
    let second = unknown_id(
        operations::refund(
            on,
            &paid[1],
            typed(on, &paid[1], "1.00"),
            None,
            who(),
            now(),
        )
        .await,
    );
    control(&sim, "faults", json!({}));
    assert!(
        refunds_at_stripe(&c, &paid[1]).await.is_empty(),
        "not made yet"
    );
    store
        .lock()
        .unwrap()
        .conn()
        .execute("DELETE FROM payment_intents WHERE id = ?1", [&paid[1]])
        .unwrap();
    let refunds_only = restricted_key(
        &sim,
        "rk_test_refunds_only_1111111111",
        json!({ "refund": "write" }),
    );
    let settled = operations::resolve_open(&refunds_only, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled_state(&settled, &second), "succeeded", "{settled:?}");
    assert_eq!(row(&store, &second).state, "succeeded");
    assert_eq!(refunds_at_stripe(&c, &paid[1]).await.len(), 1);
}

/// Past the window, a release is found by the hold being canceled for its
/// reason. A hold that lapsed on its own (Stripe cancels it `automatic`)
/// was not released by Till: that operation did not happen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_that_lapsed_is_not_a_release() {
    let sim = quiet_sim();
    let c = client(&sim);
    let holds = [
        make_payment(&c, "usd", 3_000, true).await,
        make_payment(&c, "usd", 3_000, true).await,
        make_payment(&c, "usd", 3_000, true).await,
    ];
    let store = synced_store(&sim).await;
    let no_retries = client_without_retries(&sim, sim.demo_key());
    let on = operations::On {
        client: &no_retries,
        store: &store,
        account_id: ACCOUNT,
    };

    // Lost on the way: never released. The hold lapses later.
    control(&sim, "faults", json!({ "drop_before_commit_next": 1 }));
    let lapsed = unknown_id(
        operations::release(
            on,
            &holds[0],
            Some(ReleaseReason::RequestedByCustomer),
            who(),
            now(),
        )
        .await,
    );
    // Released, answers lost: with a reason, and without one.
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let duplicate = unknown_id(
        operations::release(on, &holds[1], Some(ReleaseReason::Duplicate), who(), now()).await,
    );
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let plain = unknown_id(operations::release(on, &holds[2], None, who(), now()).await);
    control(&sim, "faults", json!({}));

    let deadline = payment_intents::get(store.lock().unwrap().conn(), ACCOUNT, &holds[0])
        .unwrap()
        .unwrap()
        .capture_before
        .unwrap();
    let later = (deadline - now() + 3600).max(25 * 3600);
    control(&sim, "clock/advance", json!({ "seconds": later }));
    let pi = c.retrieve_payment_intent(&holds[0], &[]).await.unwrap();
    assert_eq!(
        (pi.status.as_str(), pi.cancellation_reason.as_deref()),
        ("canceled", Some("automatic")),
        "the hold lapsed"
    );

    let settled = operations::resolve_open(&c, &store, ACCOUNT, now() + later)
        .await
        .unwrap();
    assert_eq!(settled_state(&settled, &lapsed), "failed", "{settled:?}");
    let entry = row(&store, &lapsed);
    assert_eq!(entry.state, "failed");
    assert!(
        entry.error.as_deref().is_some_and(|e| e.contains("lapsed")),
        "{entry:?}"
    );
    assert_eq!(
        settled_state(&settled, &duplicate),
        "succeeded",
        "{settled:?}"
    );
    assert_eq!(settled_state(&settled, &plain), "succeeded", "{settled:?}");
    assert_eq!(row(&store, &duplicate).state, "succeeded");
    assert_eq!(row(&store, &plain).state, "succeeded");
}

/// A lookup that fails (Stripe unreachable for a moment) leaves that one
/// operation open and the others are settled all the same; each is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_lookup_leaves_its_operation_open_and_settles_the_rest() {
    let sim = quiet_sim();
    let c = client(&sim);
    let paid = [
        make_payment(&c, "usd", 5_000, false).await,
        make_payment(&c, "usd", 5_000, false).await,
    ];
    let store = synced_store(&sim).await;
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let start = now();
    let mut ids = Vec::new();
    for (i, pi) in paid.iter().enumerate() {
        control(&sim, "faults", json!({ "stored_500_next": 1 }));
        // One second apart: settled in this order.
        let at = start + i64::try_from(i).unwrap();
        ids.push(unknown_id(
            operations::refund(on, pi, typed(on, pi, "2.00"), None, who(), at).await,
        ));
    }
    control(&sim, "faults", json!({}));
    let before = row(&store, &ids[0]);

    // Past the window: the first lookup meets a 500 and gives up.
    let no_retries = client_without_retries(&sim, sim.demo_key());
    control(&sim, "faults", json!({ "error_500_next": 1 }));
    let settled = operations::resolve_open(&no_retries, &store, ACCOUNT, start + 25 * 3600)
        .await
        .unwrap();
    control(&sim, "faults", json!({}));
    assert_eq!(settled.len(), 2, "{settled:?}");
    assert_eq!(settled_state(&settled, &ids[0]), "unknown", "{settled:?}");
    assert_eq!(row(&store, &ids[0]), before, "left as it was");
    assert_eq!(settled_state(&settled, &ids[1]), "succeeded", "{settled:?}");
    assert_eq!(row(&store, &ids[1]).state, "succeeded");

    // The next start settles it.
    let settled = operations::resolve_open(&no_retries, &store, ACCOUNT, start + 25 * 3600)
        .await
        .unwrap();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled_state(&settled, &ids[0]), "succeeded", "{settled:?}");
}

/// The refund an operation made is found past the first page of the
/// payment's refunds (Stripe lists 100 at most, newest first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_is_found_past_the_first_hundred() {
    let sim = quiet_sim();
    let c = client(&sim);
    let pi = make_payment(&c, "usd", 5_000, false).await;
    let store = synced_store(&sim).await;
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let ours =
        unknown_id(operations::refund(on, &pi, typed(on, &pi, "10.00"), None, who(), now()).await);
    control(&sim, "faults", json!({}));
    // 100 newer refunds, made elsewhere (the Dashboard, another till).
    for _ in 0..100 {
        c.create_refund(
            &CreateRefund {
                target: RefundTarget::PaymentIntent(pi.clone()),
                amount: Some(1),
                reason: None,
                metadata: Default::default(),
            },
            Idempotency::Auto,
        )
        .await
        .unwrap();
    }
    assert_eq!(refunds_at_stripe(&c, &pi).await.len(), 101);

    let settled = operations::resolve_open(&c, &store, ACCOUNT, now() + 25 * 3600)
        .await
        .unwrap();
    assert_eq!(settled_state(&settled, &ours), "succeeded", "{settled:?}");
    let entry = row(&store, &ours);
    let found = entry.result_id.clone().unwrap();
    assert_eq!(
        c.retrieve_refund(&found)
            .await
            .unwrap()
            .metadata
            .get("till_operation_id"),
        Some(&ours),
        "{entry:?}"
    );
}

/// A refund whose answer was lost, then the key revoked: sent again, Stripe
/// refuses the key before it would replay, which says nothing of the first
/// request. It stays unknown (it did happen), and a working key settles it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_after_a_lost_answer_leaves_the_operation_unknown() {
    let sim = quiet_sim();
    let owner = client(&sim);
    let paid = make_payment(&owner, "usd", 5000, false).await;
    let store = synced_store(&sim).await;
    let key = "sk_test_revokedafteralostanswer1";
    control(
        &sim,
        "keys",
        json!({ "key": key, "same_account_as": sim.demo_key() }),
    );
    let c = client_without_retries(&sim, key);
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let id = unknown_id(
        operations::refund(on, &paid, typed(on, &paid, "10.00"), None, who(), now()).await,
    );
    control(&sim, "keys/revoke", json!({ "key": key }));

    let settled = operations::resolve_open(&c, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_ne!(
        settled_state(&settled, &id),
        "failed",
        "a refused key proves nothing"
    );
    assert_eq!(row(&store, &id).state, "unknown");
    assert_eq!(
        refunds_at_stripe(&owner, &paid).await.len(),
        1,
        "it did happen"
    );

    let settled = operations::resolve_open(&owner, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled_state(&settled, &id), "succeeded");
    assert_eq!(
        refunds_at_stripe(&owner, &paid).await.len(),
        1,
        "and only once"
    );
}

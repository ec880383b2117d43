//! The journal's settling paths, each driven deterministically (the fault
//! campaign reaches them only by chance):
//!
//! - a resend while the first request is still running at Stripe (409
//!   `idempotency_key_in_use`) stays unknown, and the refund is made once:
//!   the double refund the campaign once found;
//! - a movement found not to have happened, past the 24-hour window, is
//!   failed for good, and doing it again makes it once;
//! - a stored 500 resent inside the window is settled by finding what it
//!   made (see also `operations.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::{ACCOUNT, control};
use serde_json::json;
use till_core::Error;
use till_core::operations::{self, Actor, Amount, On};
use till_sim::Simulator;
use till_store::table::operations as journal;
use till_stripe::config::Timeouts;
use till_stripe::requests::ListRefunds;
use till_stripe::retry::RetryPolicy;
use till_stripe::{ApiKey, Endpoint, Page, StripeClient};

const DAY: i64 = 24 * 3600;

fn now() -> i64 {
    till_core::sync::unix_now()
}

/// A client that gives up on a request after `total`, retrying briefly.
fn impatient(sim: &Simulator, total: Duration) -> StripeClient {
    StripeClient::builder(ApiKey::parse(sim.demo_key()).unwrap())
        .endpoint(Endpoint::parse(&sim.base_url()).unwrap())
        .rate(200.0)
        .retry_policy(RetryPolicy {
            max_retries: 3,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
            max_rate_limited_waits: 3,
        })
        .timeouts(Timeouts {
            connect: Duration::from_secs(2),
            total,
        })
        .build()
        .unwrap()
}

async fn refunds_of(stripe: &StripeClient, pi: &str) -> Vec<i64> {
    let list = ListRefunds {
        payment_intent: Some(pi.to_owned()),
        ..ListRefunds::default()
    };
    stripe
        .list_refunds(&list, &Page::first(100))
        .await
        .unwrap()
        .data
        .iter()
        .map(|r| r.amount)
        .collect()
}

fn state(store: &std::sync::Mutex<till_store::Store>, id: &str) -> journal::State {
    journal::get(store.lock().unwrap().conn(), id)
        .unwrap()
        .unwrap()
        .state
}

/// A refund of $10.00 whose answer is lost: the operation's id.
async fn lost_refund(on: On<'_>, pi: &str) -> String {
    let err = operations::refund(
        on,
        pi,
        Some(Amount::new(1_000, "usd")),
        None,
        Actor::default(),
        now(),
    )
    .await
    .unwrap_err();
    let Error::OutcomeUnknown { operation_id, .. } = err else {
        panic!("{err:?}")
    };
    operation_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_while_the_first_request_runs_stays_unknown_and_refunds_once() {
    let (sim, stripe, pi, store) = common::paid().await;
    let quick = impatient(&sim, Duration::from_millis(300));
    let on = On {
        client: &quick,
        store: &store,
        account_id: ACCOUNT,
    };
    // The refund's first request is held at Stripe for 8 s; the client
    // gives up after 300 ms, and its retries with the same key are told the
    // key is in use.
    let (committed, first_done) = mpsc::channel();
    sim.set_after_commit(move |commit| {
        if commit.slow {
            let _ = committed.send(commit.status);
        }
        false
    });
    control(&sim, "faults", json!({ "slow_next": 1, "slow_ms": 8_000 }));
    let operation_id = lost_refund(on, &pi).await;
    // Start-up, while the first request still runs: the resend is refused
    // as in use and nothing is found yet. It must stay unknown, not failed.
    let settled = operations::resolve_open(&quick, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled[0].state, "unknown", "{settled:?}");
    assert_eq!(state(&store, &operation_id), journal::State::Unknown);
    assert!(
        first_done.try_recv().is_err(),
        "the first request was still running when the resend was refused"
    );
    // The first request finishes at Stripe (the test waits for its commit).
    let status = first_done.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(status, 200);
    sim.clear_after_commit();
    let settled = operations::resolve_open(&stripe, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled[0].state, "succeeded", "{settled:?}");
    assert_eq!(
        refunds_of(&stripe, &pi).await,
        vec![1_000],
        "one refund at Stripe"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_past_the_window_is_failed_and_done_again_once() {
    let (sim, stripe, pi, store) = common::paid().await;
    let on = On {
        client: &stripe,
        store: &store,
        account_id: ACCOUNT,
    };
    // Every attempt is refused 503 before anything is done: unknown.
    control(&sim, "faults", json!({ "error_503_next": 50 }));
    let operation_id = lost_refund(on, &pi).await;
    control(&sim, "faults", json!({}));
    // A day and an hour later: the key is forgotten, so the lookup decides,
    // and it finds nothing.
    let later = now() + DAY + 3600;
    let settled = operations::resolve_open(&stripe, &store, ACCOUNT, later)
        .await
        .unwrap();
    assert_eq!(settled[0].state, "failed", "{settled:?}");
    assert_eq!(state(&store, &operation_id), journal::State::Failed);
    assert!(
        refunds_of(&stripe, &pi).await.is_empty(),
        "nothing at Stripe"
    );
    // The user does it again: once.
    let done = operations::refund(
        on,
        &pi,
        Some(Amount::new(1_000, "usd")),
        None,
        Actor::default(),
        later,
    )
    .await
    .unwrap();
    assert!(done.refund_id.is_some());
    assert_eq!(refunds_of(&stripe, &pi).await, vec![1_000]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_500_resent_inside_the_window_is_found_and_succeeds() {
    let (sim, stripe, pi, store) = common::paid().await;
    let on = On {
        client: &stripe,
        store: &store,
        account_id: ACCOUNT,
    };
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let operation_id = lost_refund(on, &pi).await;
    // Inside the window: the resend gets the same stored 500, and the
    // refund is found by its operation id.
    let settled = operations::resolve_open(&stripe, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled[0].state, "succeeded", "{settled:?}");
    let row = journal::get(store.lock().unwrap().conn(), &operation_id)
        .unwrap()
        .unwrap();
    assert!(
        row.result_id
            .as_deref()
            .is_some_and(|id| id.starts_with("re_"))
    );
    assert_eq!(refunds_of(&stripe, &pi).await, vec![1_000]);
}

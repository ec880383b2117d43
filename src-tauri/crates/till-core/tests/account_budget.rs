//! One Stripe client per account: the sync and the money actions share its
//! rate limit, as Stripe counts requests per account. A backfill runs while
//! 50 captures and refunds are made on the same account, and the simulator,
//! which counts when every request arrived, never sees more than the
//! account's budget in any two seconds.
//!
//! Runs inside the test keyring (`scripts/with-test-keyring.sh`): the key
//! is added the way the app adds it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{client, make_payment};
use till_core::operations::{Actor, Amount};
use till_core::sync::{SyncListener, SyncProgress};
use till_core::{DataDir, Till};
use till_sim::{SimConfig, Simulator};
use till_stripe::limiter::RateLimiter;
use till_stripe::{Endpoint, KeyMode};
use tokio::sync::Notify;

/// Wakes the test whenever the sync stored something.
#[derive(Default)]
struct Stored(Notify);

impl SyncListener for Stored {
    fn progress(&self, _: &SyncProgress) {}
    fn changed(&self, _: &str, _: u32) {
        self.0.notify_one();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_and_the_actions_share_the_accounts_budget() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 15,
        // Enough history that the backfill outlasts the actions.
        history: Some(till_sim::seed::SeedSpec::new(6_000, 15)),
        ..SimConfig::default()
    })
    .unwrap();
    // The newest payments, which the sync's first pages bring: half held,
    // half paid.
    let maker = client(&sim);
    let mut holds = Vec::new();
    let mut paid = Vec::new();
    for i in 0..50 {
        let id = make_payment(&maker, "usd", 2_000 + i, i % 2 == 0).await;
        if i % 2 == 0 {
            holds.push(id)
        } else {
            paid.push(id)
        }
    }

    // From here on, every request is the account's own: the sync's and the
    // actions'.
    let since = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = DataDir::at(dir.path().join("data")).unwrap();
    let till = Till::open_with(data_dir, Endpoint::parse(&sim.base_url()).unwrap()).unwrap();
    let account = till.add_account(sim.demo_key()).await.unwrap();
    let stored = Arc::new(Stored::default());
    till.start_sync(&account.id, stored.clone()).unwrap();
    // Until the newest pages are cached (woken by the sync, never by a timer).
    let cached = |id: &str| till.payment_detail(&account.id, id).is_ok();
    while !holds.iter().chain(&paid).all(|id| cached(id)) {
        stored.0.notified().await;
    }

    let before = till.cache_counts(&account.id).unwrap();
    for (hold, payment) in holds.iter().zip(&paid) {
        till.capture(
            &account.id,
            hold,
            Some(Amount::new(1_000, "usd")),
            Actor::default(),
        )
        .await
        .unwrap();
        till.refund(
            &account.id,
            payment,
            Some(Amount::new(500, "usd")),
            None,
            Actor::default(),
        )
        .await
        .unwrap();
    }
    let after = till.cache_counts(&account.id).unwrap();
    till.cancel_sync(&account.id);
    let grown =
        |kind: &str| after.get(kind).copied().unwrap_or(0) - before.get(kind).copied().unwrap_or(0);
    assert!(
        grown("charges") + grown("balance_transactions") > 1_000,
        "the backfill ran while the actions were made: {before:?} -> {after:?}"
    );

    // A limiter lets one second's worth through at once, then its rate: in
    // any two seconds, at most three seconds' worth.
    let rate = RateLimiter::default_rate(KeyMode::Test);
    // Arrival times carry a little network jitter: three requests of slack.
    let budget = (3.0 * rate).ceil() as usize + 3;
    let (busiest, requests) = sim.busiest(since, Duration::from_secs(2));
    println!("{requests} requests; the busiest two seconds had {busiest} (budget {budget})");
    assert!(requests > 250, "enough traffic to tell: {requests}");
    assert!(
        busiest <= budget,
        "{busiest} requests in two seconds, over the account's {budget}"
    );
}

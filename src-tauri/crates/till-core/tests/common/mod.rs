//! What the sync tests share: the simulator's controls, a client with quick
//! retries, and both sides' state as JSON, object by object.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use till_core::sync::{Controls, Kind, Quiet, SyncOptions, Syncer, kinds};
use till_sim::Simulator;
use till_store::Store;
use till_stripe::requests::CreatePaymentIntent;
use till_stripe::retry::RetryPolicy;
use till_stripe::{ApiKey, Currency, Endpoint, Idempotency, Money, StripeClient};

pub const ACCOUNT: &str = "acct_test";

pub fn control(sim: &Simulator, path: &str, body: Value) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut reply = agent
        .post(format!("{}/_sim/{path}", sim.base_url()))
        .send_json(&body)
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200, "{path}");
    reply.body_mut().read_json().unwrap_or(Value::Null)
}

pub fn client(sim: &Simulator) -> StripeClient {
    client_at(&sim.base_url(), sim.demo_key())
}

/// A client with quick retries, for a simulator at `url`.
pub fn client_at(url: &str, key: &str) -> StripeClient {
    StripeClient::builder(ApiKey::parse(key).unwrap())
        .endpoint(Endpoint::parse(url).unwrap())
        .rate(200.0)
        .retry_policy(RetryPolicy {
            max_retries: 8,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_rate_limited_waits: 20,
        })
        .build()
        .unwrap()
}

/// A card payment of `amount` minor units, paid or (`hold`) only held.
pub async fn make_payment(
    client: &StripeClient,
    currency: &str,
    amount: i64,
    hold: bool,
) -> String {
    let mut request = CreatePaymentIntent::new(Money::new(amount, Currency::new(currency)));
    request.manual_capture = hold;
    request.payment_method = Some("pm_card_visa".to_owned());
    request.confirm = true;
    client
        .create_payment_intent(&request, Idempotency::Auto)
        .await
        .unwrap()
        .id
        .clone()
}

/// A database holding the simulator's account after a first whole sync.
pub async fn synced_store(sim: &Simulator) -> Arc<Mutex<Store>> {
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    syncer(sim, &store).sync_once().await.unwrap();
    store
}

pub fn syncer(sim: &Simulator, store: &Arc<Mutex<Store>>) -> Syncer {
    Syncer {
        client: client(sim),
        store: Arc::clone(store),
        account_id: ACCOUNT.to_owned(),
        listener: Arc::new(Quiet),
        options: SyncOptions {
            parallel: 4,
            ..SyncOptions::default()
        },
        controls: Arc::new(Controls::default()),
    }
}

/// Every object of every type, as the simulator serves it now: id → JSON.
pub async fn simulator_state(client: &StripeClient) -> BTreeMap<(Kind, String), Value> {
    let mut all = BTreeMap::new();
    for kind in Kind::ALL {
        let mut after: Option<String> = None;
        loop {
            let page = kinds::fetch(client, kind, None, after.as_deref(), 100)
                .await
                .unwrap();
            for (id, json) in kinds::raw_of(&page.batch) {
                all.insert((kind, id), serde_json::from_str(&json).unwrap());
            }
            match page.last {
                Some((id, _)) if page.has_more => after = Some(id),
                _ => break,
            }
        }
    }
    all
}

/// Every cached object: id → JSON.
pub fn cached_state(store: &Store) -> BTreeMap<(Kind, String), Value> {
    let mut all = BTreeMap::new();
    for kind in Kind::ALL {
        let sql = format!("SELECT id, raw FROM {} WHERE account_id = ?1", kind.name());
        let mut statement = store.conn().prepare(&sql).unwrap();
        let rows = statement
            .query_map([ACCOUNT], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .unwrap();
        for row in rows {
            let (id, raw) = row.unwrap();
            all.insert((kind, id), serde_json::from_str(&raw).unwrap());
        }
    }
    all
}

/// The differences between two states, described.
pub fn differences(
    expected: &BTreeMap<(Kind, String), Value>,
    cached: &BTreeMap<(Kind, String), Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in expected {
        match cached.get(key) {
            None => out.push(format!("missing {key:?}")),
            Some(c) if c != value => {
                let cached: String = c.to_string().chars().take(200).collect();
                out.push(format!("differs {key:?}: cached {cached}…"));
            }
            Some(_) => {}
        }
    }
    for key in cached.keys() {
        if !expected.contains_key(key) {
            out.push(format!("extra {key:?}"));
        }
    }
    out
}

/// A simulator with a paid payment of $50.00, and a cache synced with it.
pub async fn paid() -> (
    Simulator,
    StripeClient,
    String,
    std::sync::Arc<std::sync::Mutex<till_store::Store>>,
) {
    let sim = Simulator::start(till_sim::SimConfig {
        rate_limit: 0,
        ..till_sim::SimConfig::default()
    })
    .unwrap();
    let stripe = client(&sim);
    let pi = make_payment(&stripe, "usd", 5_000, false).await;
    let store = synced_store(&sim).await;
    (sim, stripe, pi, store)
}

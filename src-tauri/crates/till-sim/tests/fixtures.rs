//! Stripe's own fixtures (both files), stored in the simulator and served
//! back by the retrieve endpoints unchanged: a client that parses them from
//! the simulator parses them from Stripe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::start;

const SERVED: [(&str, &str); 7] = [
    ("payment_intent", "/v1/payment_intents"),
    ("charge", "/v1/charges"),
    ("refund", "/v1/refunds"),
    ("checkout.session", "/v1/checkout/sessions"),
    ("customer", "/v1/customers"),
    ("price", "/v1/prices"),
    ("event", "/v1/events"),
];

fn fixtures(file: &str) -> Value {
    let path = till_stripe_spec::shared_dir().join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn both_fixture_files_are_served_back_with_their_shape() {
    for file in ["fixtures3.json", "fixtures3.2023-08-16.json"] {
        let api = start();
        let resources = fixtures(file)["resources"].clone();
        let objects: Vec<Value> = SERVED
            .iter()
            .map(|(name, _)| resources[name].clone())
            .collect();
        assert!(
            objects.iter().all(|o| o["id"].is_string()),
            "{file}: every served kind has a fixture"
        );
        let stored = api.control("fixtures", json!({ "key": api.key, "objects": objects }));
        assert_eq!(stored["stored"], SERVED.len());
        for ((name, base), original) in SERVED.iter().zip(&objects) {
            let id = original["id"].as_str().unwrap();
            let served = api.get(&format!("{base}/{id}"), "").ok();
            assert_eq!(&served, original, "{file}: {name} came back changed");
        }
        // A kind mismatch is still a 404: a charge id is not a refund.
        let charge_id = resources["charge"]["id"].as_str().unwrap();
        assert_eq!(api.get(&format!("/v1/refunds/{charge_id}"), "").status, 404);
    }
}

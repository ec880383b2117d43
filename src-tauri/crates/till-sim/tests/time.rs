//! Part 2: the simulated clock, money flow and imperfections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Api, start};

const DAY: i64 = 86_400;

fn advance(api: &Api, seconds: i64) {
    api.control("clock/advance", json!({ "seconds": seconds }));
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_hold_lapses_at_capture_before_and_can_no_longer_be_captured() {
    let api = start();
    let visa = api.hold(1000);
    let mit = api
        .post("/v1/payment_intents", "amount=2000&currency=usd&capture_method=manual&payment_method=pm_card_visa&confirm=true&off_session=true")
        .ok();
    advance(&api, (4 * 24 + 18) * 3600 + 1);
    let mit = api
        .get(
            &format!("/v1/payment_intents/{}", mit["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(
        mit["status"], "canceled",
        "a merchant-initiated Visa hold lasts 4 d 18 h"
    );
    assert_eq!(mit["cancellation_reason"], "automatic");
    let still = api
        .get(
            &format!("/v1/payment_intents/{}", visa["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(
        still["status"], "requires_capture",
        "an ordinary hold lasts 7 days"
    );

    advance(&api, 3 * DAY);
    let id = visa["id"].as_str().unwrap();
    let capture = api.post(&format!("/v1/payment_intents/{id}/capture"), "");
    assert_eq!(capture.status, 400);
    assert_eq!(
        capture.error_code(),
        Some("charge_expired_for_capture"),
        "{}",
        capture.body
    );
    let charge = api.charge_of(&api.get(&format!("/v1/payment_intents/{id}"), "").ok());
    assert_eq!(charge["refunded"], true);
    assert_eq!(
        charge["refunds"]["data"][0]["reason"],
        "expired_uncaptured_charge"
    );
    let events = api.get("/v1/events", "types[]=charge.expired").ok();
    assert_eq!(events["data"].as_array().unwrap().len(), 2);
}

#[test]
fn an_open_session_expires_at_expires_at() {
    let api = start();
    let now = api.control("clock/advance", json!({ "seconds": 0 }))["now"]
        .as_i64()
        .unwrap();
    let session = api
        .post(
            "/v1/checkout/sessions",
            &format!("mode=payment&success_url=https://a.example/ok&expires_at={}&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=900&line_items[0][price_data][product_data][name]=Tea", now + 1810),
        )
        .ok();
    // Ten seconds of slack: the wall clock moves on while the test runs.
    advance(&api, 1800);
    let id = session["id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/v1/checkout/sessions/{id}"), "").ok()["status"],
        "open"
    );
    advance(&api, 11);
    assert_eq!(
        api.get(&format!("/v1/checkout/sessions/{id}"), "").ok()["status"],
        "expired"
    );
    assert_eq!(
        api.get("/v1/events", "types[]=checkout.session.expired")
            .ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn every_charge_pays_its_fee_and_a_payout_sweeps_exactly_the_available_transactions() {
    let api = start();
    api.control(
        "fees",
        json!({ "key": api.key, "percent_bps": 290, "fixed": 30 }),
    );
    for amount in [1000, 2500, 9999] {
        api.payment(amount);
    }
    api.post(
        "/v1/payment_intents",
        "amount=5000&currency=jpy&payment_method=pm_card_visa&confirm=true",
    )
    .ok();
    let txns = api.get("/v1/balance_transactions", "limit=100").ok();
    for bt in txns["data"].as_array().unwrap() {
        assert_eq!(
            bt["amount"].as_i64().unwrap() - bt["fee"].as_i64().unwrap(),
            bt["net"].as_i64().unwrap()
        );
        let details: i64 = bt["fee_details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(details, bt["fee"].as_i64().unwrap());
        assert_eq!(bt["status"], "pending");
    }
    let jpy = txns["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|bt| bt["exchange_rate"].is_number())
        .expect("a converted charge");
    assert_eq!(jpy["currency"], "usd");
    let balance = api.get("/v1/balance", "").ok();
    assert_eq!(balance["available"][0]["amount"], 0);
    let pending: i64 = txns["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bt| bt["net"].as_i64().unwrap())
        .sum();
    assert_eq!(balance["pending"][0]["amount"], pending);

    // Two midnights later the funds are available, and that midnight's sweep
    // pays them out. Its transactions are listed once it is reconciled.
    advance(&api, 3 * DAY);
    let payouts = api.get("/v1/payouts", "").ok();
    assert_eq!(payouts["data"].as_array().unwrap().len(), 1);
    let payout = payouts["data"][0].clone();
    assert_eq!(payout["status"], "in_transit");
    assert_eq!(payout["reconciliation_status"], "in_progress");
    let listed = |api: &Api| {
        api.get(
            "/v1/balance_transactions",
            &format!("payout={}&limit=100", payout["id"].as_str().unwrap()),
        )
        .ok()
    };
    assert!(
        ids(&listed(&api)).is_empty(),
        "nothing is listed while its reconciliation runs"
    );
    assert_eq!(
        api.get("/v1/balance", "").ok()["available"][0]["amount"],
        0,
        "all paid out"
    );
    // An hour after it arrives: paid, its reconciliation still running.
    let now = api.control("clock/advance", json!({ "seconds": 0 }))["now"]
        .as_i64()
        .unwrap();
    advance(&api, payout["arrival_date"].as_i64().unwrap() + 3600 - now);
    let paid = api
        .get(
            &format!("/v1/payouts/{}", payout["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["reconciliation_status"], "in_progress");
    advance(&api, 6 * 3600);
    let reconciled = api
        .get(
            &format!("/v1/payouts/{}", payout["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(reconciled["reconciliation_status"], "completed");
    let swept = api
        .get(
            "/v1/balance_transactions",
            &format!("payout={}&limit=100", payout["id"].as_str().unwrap()),
        )
        .ok();
    assert_eq!(swept, listed(&api));
    let mut swept_ids = ids(&swept);
    let mut charge_ids = ids(&txns);
    swept_ids.sort();
    charge_ids.sort();
    assert_eq!(
        swept_ids, charge_ids,
        "exactly the transactions that were available"
    );
    let net: i64 = swept["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bt| bt["net"].as_i64().unwrap())
        .sum();
    assert_eq!(net, payout["amount"].as_i64().unwrap());
    let kinds: Vec<String> = api
        .get("/v1/events", "types[]=payout.*&types[]=balance.available")
        .ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "payout.reconciliation_completed",
            "payout.paid",
            "payout.created",
            "balance.available"
        ]
    );
}

#[test]
fn a_refund_waits_when_everything_was_paid_out_and_succeeds_when_funds_arrive() {
    let api = start();
    let first = api.payment(5000);
    advance(&api, 3 * DAY);
    let refund = api
        .post(
            "/v1/refunds",
            &format!(
                "payment_intent={}&amount=1000",
                first["id"].as_str().unwrap()
            ),
        )
        .ok();
    assert_eq!(refund["status"], "pending", "the balance was paid out");
    assert!(refund["balance_transaction"].is_null());
    api.payment(3000);
    advance(&api, 3 * DAY);
    let refund = api
        .get(
            &format!("/v1/refunds/{}", refund["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(refund["status"], "succeeded");
    assert!(refund["balance_transaction"].is_string());
    assert_eq!(
        api.get("/v1/events", "types[]=charge.refund.updated").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn idempotency_keys_are_forgotten_after_a_day_and_events_after_thirty() {
    let api = start();
    assert_eq!(
        api.post_idem("/v1/customers", "email=a%40b.c", "k")
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        api.post_idem("/v1/customers", "email=x%40y.z", "k")
            .unwrap()
            .status,
        400
    );
    advance(&api, 25 * 3600);
    assert_eq!(
        api.post_idem("/v1/customers", "email=x%40y.z", "k")
            .unwrap()
            .status,
        200,
        "the key was pruned"
    );
    let before = api.get("/v1/events", "limit=100").ok()["data"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, 2);
    advance(&api, 30 * DAY);
    assert_eq!(
        api.get("/v1/events", "types[]=customer.created").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn imperfections_late_fees_delayed_dropped_events_and_search_lag() {
    let api = start();
    api.control(
        "faults",
        json!({ "late_fee_seconds": 600, "search_lag_seconds": 60 }),
    );
    let pi = api.payment(1000);
    let charge = api.charge_of(&pi);
    assert!(
        charge["balance_transaction"].is_null(),
        "the fee is not known yet"
    );
    let search = api
        .get("/v1/payment_intents/search", "query=amount%3A1000")
        .ok();
    assert_eq!(
        search["data"].as_array().unwrap().len(),
        0,
        "search lags behind the write"
    );
    advance(&api, 601);
    assert!(api.charge_of(&pi)["balance_transaction"].is_string());
    assert_eq!(
        api.get("/v1/payment_intents/search", "query=amount%3A1000")
            .ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    api.control(
        "faults",
        json!({ "event_delay_rate": 1.0, "event_delay_seconds": 120 }),
    );
    let late = api.post("/v1/customers", "email=late%40example.com").ok();
    let listed = |api: &Api| {
        api.get("/v1/events", "types[]=customer.created").ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["data"]["object"]["id"] == late["id"])
    };
    assert!(!listed(&api), "a delayed event is not listed yet");
    api.control("faults", json!({}));
    let newer = api
        .post("/v1/customers", "email=on-time%40example.com")
        .ok();
    advance(&api, 121);
    assert!(listed(&api), "it arrives later");
    let order: Vec<Value> = api.get("/v1/events", "types[]=customer.created").ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["data"]["object"]["id"].clone())
        .collect();
    assert_eq!(
        order,
        [newer["id"].clone(), late["id"].clone()],
        "listed by creation, so the late one sits behind a newer one"
    );

    api.control("faults", json!({ "event_drop_rate": 1.0 }));
    api.post("/v1/customers", "email=lost%40example.com").ok();
    api.control("faults", json!({}));
    assert_eq!(
        api.get("/v1/events", "types[]=customer.created").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "a dropped event never comes"
    );
}

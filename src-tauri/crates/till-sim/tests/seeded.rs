//! Seeded history obeys the same rules as live traffic: every object passes
//! the contract checks, every charge pays its fee, and every payout is
//! exactly the transactions it swept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Api, start};
use till_stripe_spec::{Extensions, Spec};

/// Every object of a list endpoint, page by page.
fn all(api: &Api, path: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = format!("limit=100{query}");
        if let Some(after) = &cursor {
            q.push_str(&format!("&starting_after={after}"));
        }
        let page = api.get(path, &q).ok();
        let data = page["data"].as_array().unwrap().clone();
        cursor = data.last().map(|o| o["id"].as_str().unwrap().to_owned());
        out.extend(data);
        if !page["has_more"].as_bool().unwrap() {
            return out;
        }
    }
}

fn seeded() -> Api {
    let api = start();
    let report = api.control(
        "seed",
        json!({ "key": api.key, "payments": 400, "random_seed": 3, "days": 60 }),
    );
    assert_eq!(report["payment_intents"], 400);
    api
}

#[test]
fn seeded_objects_pass_the_contract_checks() {
    let api = seeded();
    let spec = Spec::load_default().unwrap();
    let ext = Extensions::new().response_field(
        "payment_method_details_card",
        "capture_before",
        json!({ "type": "integer", "nullable": true }),
    );
    let mut problems = Vec::new();
    for path in [
        "/v1/payment_intents",
        "/v1/charges",
        "/v1/refunds",
        "/v1/checkout/sessions",
        "/v1/customers",
        "/v1/balance_transactions",
        "/v1/payouts",
        "/v1/events",
        "/v1/prices",
        "/v1/products",
        "/v1/disputes",
    ] {
        let page = api.get(path, "limit=100").ok();
        assert!(
            !page["data"].as_array().unwrap().is_empty(),
            "{path} is empty"
        );
        for problem in spec.check_response("GET", path, 200, &page, &ext) {
            problems.push(format!("{path}: {problem}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_seeded_business_has_what_each_user_needs() {
    let api = seeded();
    let intents = all(&api, "/v1/payment_intents", "");
    let status = |s: &str| intents.iter().filter(|pi| pi["status"] == s).count();
    assert!(status("succeeded") > 300, "mostly paid");
    assert!(status("requires_capture") > 0, "open holds for staff");
    assert!(status("canceled") > 0, "released or lapsed holds");
    assert!(status("requires_payment_method") > 0, "declines");
    for currency in ["usd", "eur", "jpy", "bhd"] {
        assert!(
            intents.iter().any(|pi| pi["currency"] == currency),
            "a {currency} payment"
        );
    }
    let refunds = all(&api, "/v1/refunds", "");
    assert!(
        refunds
            .iter()
            .any(|r| r["reason"] == "requested_by_customer"),
        "refunds"
    );
    let sessions = all(&api, "/v1/checkout/sessions", "");
    for s in ["open", "complete", "expired"] {
        assert!(sessions.iter().any(|x| x["status"] == s), "a {s} session");
    }
    assert!(
        all(&api, "/v1/payouts", "").len() > 30,
        "two months of daily payouts"
    );
}

#[test]
fn every_seeded_charge_pays_its_fee_and_every_payout_is_exactly_its_transactions() {
    let api = seeded();
    let transactions = all(&api, "/v1/balance_transactions", "");
    for bt in &transactions {
        let (amount, fee, net) = (
            bt["amount"].as_i64().unwrap(),
            bt["fee"].as_i64().unwrap(),
            bt["net"].as_i64().unwrap(),
        );
        assert_eq!(amount - fee, net, "{bt}");
        let details: i64 = bt["fee_details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(details, fee, "{bt}");
        if bt["type"] == "charge" {
            assert!(fee > 0, "card payments pay a fee");
        }
    }
    let mut reconciled = 0;
    for payout in all(&api, "/v1/payouts", "") {
        let id = payout["id"].as_str().unwrap();
        if payout["automatic"] == false {
            let refused = api.get("/v1/balance_transactions", &format!("payout={id}"));
            assert_eq!(refused.status, 400, "a manual payout is not itemized");
            continue;
        }
        let swept = all(&api, "/v1/balance_transactions", &format!("&payout={id}"));
        if payout["reconciliation_status"] == "in_progress" {
            assert!(swept.is_empty(), "listed once reconciled");
            continue;
        }
        assert_eq!(payout["reconciliation_status"], "completed");
        reconciled += 1;
        assert!(!swept.is_empty());
        let net: i64 = swept.iter().map(|bt| bt["net"].as_i64().unwrap()).sum();
        assert_eq!(
            net,
            payout["amount"].as_i64().unwrap(),
            "payout {}",
            payout["id"]
        );
        for bt in &swept {
            assert!(
                bt["available_on"].as_i64().unwrap() <= payout["created"].as_i64().unwrap(),
                "only available transactions are paid out"
            );
            assert_eq!(bt["currency"], payout["currency"]);
        }
    }
    assert!(reconciled > 30, "{reconciled} payouts reconciled");
}

#[test]
fn seeding_is_deterministic_for_a_seed() {
    let counts = |api: &Api| {
        let intents = all(api, "/v1/payment_intents", "");
        let amounts: Vec<i64> = intents
            .iter()
            .map(|pi| pi["amount"].as_i64().unwrap())
            .collect();
        let statuses: Vec<String> = intents
            .iter()
            .map(|pi| pi["status"].as_str().unwrap().to_owned())
            .collect();
        (amounts, statuses)
    };
    let (a, b) = (seeded(), seeded());
    let (amounts_a, statuses_a) = counts(&a);
    let (amounts_b, _) = counts(&b);
    assert_eq!(
        amounts_a, amounts_b,
        "the same seed makes the same business"
    );
    assert_eq!(statuses_a.len(), 400);
}

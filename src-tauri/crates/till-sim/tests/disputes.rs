//! Disputes on the simulated clock: what opening one withdraws, the
//! deadline, evidence, the verdict and what a won one gives back, the
//! refund it refuses, the list's filters, and the guarded control.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Api, start, start_with};
use till_sim::SimConfig;

const DAY: i64 = 86_400;

fn advance(api: &Api, seconds: i64) {
    api.control("clock/advance", json!({ "seconds": seconds }));
}

fn pay(api: &Api, amount: i64, currency: &str) -> Value {
    api.post(
        "/v1/payment_intents",
        &format!("amount={amount}&currency={currency}&payment_method=pm_card_visa&confirm=true"),
    )
    .ok()
}

fn dispute(api: &Api, id: &str) -> Value {
    api.get(&format!("/v1/disputes/{id}"), "").ok()
}

/// The types of the events about `object`, oldest first.
fn kinds_about(api: &Api, object: &str) -> Vec<String> {
    let mut kinds: Vec<String> = api
        .get("/v1/events", "types[]=charge.dispute.*&limit=100")
        .ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data"]["object"]["id"] == object)
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    kinds.reverse();
    kinds
}

#[test]
fn a_won_chargeback_withdraws_amount_and_fee_then_gives_the_amount_back() {
    let api = start();
    pay(&api, 50_000, "usd"); // funds, so the refund below is not waiting
    let pi = pay(&api, 10_000, "usd");
    let charge = pi["latest_charge"].as_str().unwrap().to_owned();
    let opened = api.control(
        "disputes",
        json!({ "charge": charge, "reason": "product_not_received", "outcome": "won", "decide_after_days": 10 }),
    );
    let id = opened["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("dp_"));
    assert_eq!(opened["object"], "dispute");
    assert_eq!(opened["amount"], 10_000);
    assert_eq!(opened["currency"], "usd");
    assert_eq!(opened["charge"], charge.as_str());
    assert_eq!(opened["payment_intent"], pi["id"]);
    assert_eq!(opened["reason"], "product_not_received");
    assert_eq!(opened["status"], "needs_response");
    assert_eq!(opened["is_charge_refundable"], false);
    let created = opened["created"].as_i64().unwrap();
    let due_by = opened["evidence_details"]["due_by"].as_i64().unwrap();
    assert_eq!((due_by + 1) % DAY, 0, "the end of a day");
    assert_eq!(due_by + 1 - (created / DAY + 1) * DAY, 7 * DAY);
    assert_eq!(opened["evidence_details"]["has_evidence"], false);
    let withdrawal = &opened["balance_transactions"][0];
    assert_eq!(opened["balance_transactions"].as_array().unwrap().len(), 1);
    assert_eq!(withdrawal["type"], "adjustment");
    assert_eq!(withdrawal["reporting_category"], "dispute");
    assert_eq!(withdrawal["amount"], -10_000);
    assert_eq!(withdrawal["fee"], 1_500);
    assert_eq!(withdrawal["net"], -11_500);
    assert_eq!(withdrawal["fee_details"][0]["description"], "Dispute fee");
    assert_eq!(withdrawal["source"], id.as_str());
    assert_eq!(withdrawal["status"], "available");
    assert_eq!(api.charge_of(&pi)["disputed"], true);

    let refused = api.post("/v1/refunds", &format!("charge={charge}"));
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error_code(), Some("charge_disputed"));
    let refused = api.post(
        "/v1/refunds",
        &format!("payment_intent={}&amount=100", pi["id"].as_str().unwrap()),
    );
    assert_eq!(refused.error_code(), Some("charge_disputed"));

    // Two days later the evidence is in; ten days after opening, won.
    advance(&api, 2 * DAY + 1);
    let reviewed = dispute(&api, &id);
    assert_eq!(reviewed["status"], "under_review");
    assert_eq!(reviewed["evidence_details"]["has_evidence"], true);
    assert_eq!(reviewed["evidence_details"]["submission_count"], 1);
    advance(&api, 8 * DAY);
    let won = dispute(&api, &id);
    assert_eq!(won["status"], "won");
    let rows = won["balance_transactions"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let reversal = &rows[1];
    assert_eq!(reversal["type"], "adjustment");
    assert_eq!(reversal["reporting_category"], "dispute_reversal");
    assert_eq!(reversal["amount"], 10_000);
    assert_eq!(reversal["fee"], 0, "the dispute fee is not returned");
    assert_eq!(reversal["net"], 10_000);
    assert_eq!(
        kinds_about(&api, &id),
        [
            "charge.dispute.created",
            "charge.dispute.funds_withdrawn",
            "charge.dispute.updated",
            "charge.dispute.funds_reinstated",
            "charge.dispute.closed"
        ]
    );
    let closed = api.get("/v1/events", "types[]=charge.dispute.closed").ok();
    assert_eq!(
        closed["data"][0]["data"]["previous_attributes"]["status"],
        "under_review"
    );
}

#[test]
fn an_unanswered_dispute_is_lost_past_its_deadline_and_gives_nothing_back() {
    let api = start();
    let pi = pay(&api, 4_000, "usd");
    let opened = api.control("disputes", json!({ "charge": pi["latest_charge"] }));
    let id = opened["id"].as_str().unwrap();
    assert_eq!(opened["reason"], "fraudulent");
    let due_by = opened["evidence_details"]["due_by"].as_i64().unwrap();
    let now = api.control("clock/advance", json!({ "seconds": 0 }))["now"]
        .as_i64()
        .unwrap();
    advance(&api, due_by - now - 60);
    assert_eq!(dispute(&api, id)["status"], "needs_response");
    advance(&api, 120);
    let lost = dispute(&api, id);
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["balance_transactions"].as_array().unwrap().len(), 1);
    assert_eq!(
        kinds_about(&api, id),
        [
            "charge.dispute.created",
            "charge.dispute.funds_withdrawn",
            "charge.dispute.closed"
        ]
    );
    // The control decides one that is still open; a closed one stays closed.
    let again = pay(&api, 2_000, "usd");
    let other = api.control("disputes", json!({ "charge": again["latest_charge"] }));
    let decided = api.control(
        &format!("disputes/{}/close", other["id"].as_str().unwrap()),
        json!({ "outcome": "won" }),
    );
    assert_eq!(decided["status"], "won");
    assert_eq!(decided["balance_transactions"][1]["amount"], 2_000);
    let twice = api
        .request(
            "POST",
            &format!("/_sim/disputes/{}/close", other["id"].as_str().unwrap()),
            "{\"outcome\":\"lost\"}",
            None,
            None,
        )
        .unwrap();
    assert_eq!(twice.status, 400);
}

#[test]
fn an_inquiry_moves_no_money_and_its_charge_can_still_be_refunded() {
    let api = start();
    pay(&api, 50_000, "usd");
    let pi = pay(&api, 6_000, "usd");
    let opened = api.control(
        "disputes",
        json!({ "charge": pi["latest_charge"], "inquiry": true, "reason": "general" }),
    );
    assert_eq!(opened["status"], "warning_needs_response");
    assert_eq!(opened["is_charge_refundable"], true);
    assert!(
        opened["balance_transactions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let refund = api
        .post(
            "/v1/refunds",
            &format!("payment_intent={}&amount=1000", pi["id"].as_str().unwrap()),
        )
        .ok();
    assert_eq!(refund["status"], "succeeded");
    let closed = api.control(
        &format!("disputes/{}/close", opened["id"].as_str().unwrap()),
        json!({ "outcome": "won" }),
    );
    assert_eq!(closed["status"], "warning_closed");
    assert!(
        closed["balance_transactions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_dispute_of_a_converted_charge_is_in_its_currency_and_withdraws_usd() {
    let api = start();
    let pi = pay(&api, 5_000, "jpy");
    let opened = api.control("disputes", json!({ "charge": pi["latest_charge"] }));
    assert_eq!(opened["amount"], 5_000);
    assert_eq!(opened["currency"], "jpy");
    let row = &opened["balance_transactions"][0];
    assert_eq!(row["currency"], "usd");
    assert_eq!(row["amount"], -3_350);
    assert_eq!(row["exchange_rate"], 0.0067);
    assert_eq!(row["fee"], 1_500);
}

#[test]
fn disputes_are_listed_newest_first_with_their_filters() {
    let api = start();
    let first = pay(&api, 3_000, "usd");
    let second = pay(&api, 7_000, "usd");
    let a = api.control("disputes", json!({ "charge": first["latest_charge"] }));
    advance(&api, 10);
    let b = api.control("disputes", json!({ "charge": second["latest_charge"] }));
    let ids = |query: &str| -> Vec<String> {
        api.get("/v1/disputes", query).ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (a_id, b_id) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );
    assert_eq!(ids(""), [b_id.clone(), a_id.clone()]);
    assert_eq!(
        ids(&format!(
            "charge={}",
            first["latest_charge"].as_str().unwrap()
        )),
        vec![a_id.clone()]
    );
    assert_eq!(
        ids(&format!(
            "payment_intent={}",
            second["id"].as_str().unwrap()
        )),
        vec![b_id.clone()]
    );
    assert_eq!(
        ids(&format!("created[gt]={}", a["created"].as_i64().unwrap())),
        vec![b_id.clone()]
    );
    assert_eq!(ids("limit=1"), vec![b_id.clone()]);
    assert_eq!(ids(&format!("starting_after={b_id}")), [a_id]);
    let missing = api.get("/v1/disputes/dp_nope", "");
    assert_eq!(missing.status, 404);
    // One dispute per charge; an uncaptured hold cannot be disputed.
    let twice = api
        .request(
            "POST",
            "/_sim/disputes",
            &json!({ "charge": first["latest_charge"] }).to_string(),
            None,
            None,
        )
        .unwrap();
    assert_eq!(twice.status, 400);
    let hold = api.hold(2_000);
    let held = api
        .request(
            "POST",
            "/_sim/disputes",
            &json!({ "charge": hold["latest_charge"] }).to_string(),
            None,
            None,
        )
        .unwrap();
    assert_eq!(held.status, 400);
}

#[test]
fn the_money_controls_need_the_simulators_token() {
    let api = start_with(SimConfig {
        rate_limit: 0,
        control_token: Some("secret-token".to_owned()),
        ..SimConfig::default()
    });
    let pi = pay(&api, 3_000, "usd");
    for (path, body) in [
        ("/_sim/disputes", json!({ "charge": pi["latest_charge"] })),
        ("/_sim/disputes/dp_x/close", json!({ "outcome": "won" })),
        ("/_sim/payouts/po_x/fail", json!({})),
        (
            "/_sim/stripe_fees",
            json!({ "key": api.key, "amount": 100 }),
        ),
    ] {
        let reply = api
            .request("POST", path, &body.to_string(), None, None)
            .unwrap();
        assert_eq!(reply.status, 401, "{path}");
    }
    assert!(
        api.get("/v1/disputes", "").ok()["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(api.charge_of(&pi)["disputed"], false);
}

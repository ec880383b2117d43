//! Payouts' hard cases and the other rows Stripe books, each with its
//! events, its balance transactions and their reporting categories.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Api, start};

const DAY: i64 = 86_400;

fn advance(api: &Api, seconds: i64) {
    api.control("clock/advance", json!({ "seconds": seconds }));
}

fn now(api: &Api) -> i64 {
    api.control("clock/advance", json!({ "seconds": 0 }))["now"]
        .as_i64()
        .unwrap()
}

/// Moves the clock to `at` (or leaves it if it is past).
fn advance_to(api: &Api, at: i64) {
    let delta = at - now(api);
    if delta > 0 {
        advance(api, delta);
    }
}

fn data(list: &Value) -> Vec<Value> {
    list["data"].as_array().unwrap().clone()
}

fn pay(api: &Api, amount: i64, currency: &str, card: &str) -> Value {
    api.post(
        "/v1/payment_intents",
        &format!("amount={amount}&currency={currency}&payment_method={card}&confirm=true"),
    )
    .ok()
}

fn bt(api: &Api, id: &str) -> Value {
    api.get(&format!("/v1/balance_transactions/{id}"), "").ok()
}

fn payouts(api: &Api) -> Vec<Value> {
    data(&api.get("/v1/payouts", "limit=100").ok())
}

/// A payout's transactions, once it is reconciled.
fn swept(api: &Api, payout: &Value) -> Vec<Value> {
    let id = payout["id"].as_str().unwrap();
    data(
        &api.get(
            "/v1/balance_transactions",
            &format!("payout={id}&limit=100"),
        )
        .ok(),
    )
}

fn net(transactions: &[Value]) -> i64 {
    transactions
        .iter()
        .map(|bt| bt["net"].as_i64().unwrap())
        .sum()
}

fn events(api: &Api, kind: &str) -> Vec<Value> {
    data(
        &api.get("/v1/events", &format!("types[]={kind}&limit=100"))
            .ok(),
    )
}

/// Brings the clock past the reconciliation of every payout made so far.
fn reconcile_all(api: &Api) {
    let latest = payouts(api)
        .iter()
        .map(|p| p["arrival_date"].as_i64().unwrap())
        .max()
        .unwrap_or(0);
    advance_to(api, latest + 6 * 3600 + 60);
}

#[test]
fn a_payout_is_listed_by_payout_only_once_reconciled_and_says_so_by_event() {
    let api = start();
    pay(&api, 10_000, "usd", "pm_card_visa");
    advance(&api, 3 * DAY);
    let payout = payouts(&api)[0].clone();
    assert_eq!(payout["reconciliation_status"], "in_progress");
    assert!(swept(&api, &payout).is_empty());
    reconcile_all(&api);
    let events = events(&api, "payout.reconciliation_completed");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["data"]["object"]["id"], payout["id"]);
    assert_eq!(
        event["data"]["object"]["reconciliation_status"],
        "completed"
    );
    assert_eq!(event["data"]["object"]["status"], "paid");
    assert_eq!(
        event["data"]["previous_attributes"]["reconciliation_status"],
        "in_progress"
    );
    assert_eq!(
        event["created"].as_i64().unwrap(),
        payout["arrival_date"].as_i64().unwrap() + 6 * 3600
    );
    let listed = swept(&api, &payout);
    assert_eq!(listed.len(), 1);
    assert_eq!(net(&listed), payout["amount"].as_i64().unwrap());
}

#[test]
fn a_manual_payout_is_not_itemized_and_the_next_automatic_one_pays_that_much_less() {
    let api = start();
    pay(&api, 20_000, "usd", "pm_card_visa"); // net 19_390
    // Nothing is available yet: a standard payout is refused…
    let standard = api.post("/v1/payouts", "amount=1000&currency=usd");
    assert_eq!(standard.status, 400);
    assert_eq!(standard.error_code(), Some("balance_insufficient"));
    assert!(events(&api, "payout.created").is_empty());
    // …an instant one may take the pending funds, for its fee.
    let instant = api
        .post(
            "/v1/payouts",
            "amount=10000&currency=usd&method=instant&description=Float",
        )
        .ok();
    assert_eq!(instant["automatic"], false);
    assert_eq!(instant["method"], "instant");
    assert_eq!(instant["status"], "in_transit");
    assert_eq!(instant["reconciliation_status"], "not_applicable");
    let row = bt(&api, instant["balance_transaction"].as_str().unwrap());
    assert_eq!(row["type"], "payout");
    assert_eq!(row["reporting_category"], "payout");
    assert_eq!(row["amount"], -10_000);
    assert_eq!(row["fee"], 150, "1.5% for an instant payout");
    assert_eq!(row["net"], -10_150);
    assert_eq!(row["fee_details"][0]["description"], "Instant Payouts fee");
    assert_eq!(row["source"], instant["id"]);
    let refused = api.get(
        "/v1/balance_transactions",
        &format!("payout={}", instant["id"].as_str().unwrap()),
    );
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"]["type"], "invalid_request_error");
    assert_eq!(refused.body["error"]["param"], "payout");
    assert_eq!(
        refused.body["error"]["message"],
        "Balance transaction history can only be filtered on automatic transfers, not manual."
    );
    advance(&api, 1800);
    let arrived = api
        .get(
            &format!("/v1/payouts/{}", instant["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(arrived["status"], "paid");
    // What is left of the payment is the next automatic payout, which
    // lists the instant payout's row.
    advance(&api, 3 * DAY);
    reconcile_all(&api);
    let automatic: Vec<Value> = payouts(&api)
        .into_iter()
        .filter(|p| p["automatic"] == true)
        .collect();
    assert_eq!(automatic.len(), 1);
    assert_eq!(automatic[0]["amount"], 19_390 - 10_150);
    let listed = swept(&api, &automatic[0]);
    assert_eq!(net(&listed), 19_390 - 10_150);
    assert!(listed.iter().any(|bt| bt["id"] == row["id"]));
    let kinds: Vec<String> = events(&api, "payout.*")
        .iter()
        .filter(|e| e["data"]["object"]["id"] == instant["id"])
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["payout.paid", "payout.created"]);
}

#[test]
fn a_failed_payout_shows_paid_then_failed_and_the_next_payout_carries_the_money() {
    let api = start();
    pay(&api, 10_000, "usd", "pm_card_visa"); // net 9_680
    advance(&api, 3 * DAY);
    let payout = payouts(&api)[0].clone();
    let id = payout["id"].as_str().unwrap().to_owned();
    let scheduled = api.control(
        &format!("payouts/{id}/fail"),
        json!({ "failure_code": "account_closed", "days_after_paid": 2 }),
    );
    let fails_at = scheduled["fails_at"].as_i64().unwrap();
    assert_eq!(fails_at, payout["arrival_date"].as_i64().unwrap() + 2 * DAY);
    advance_to(&api, fails_at - 60);
    let before = api.get(&format!("/v1/payouts/{id}"), "").ok();
    assert_eq!(before["status"], "paid", "it first shows paid");
    assert!(before["failure_code"].is_null());
    advance(&api, 120);
    let failed = api.get(&format!("/v1/payouts/{id}"), "").ok();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure_code"], "account_closed");
    assert_eq!(
        failed["failure_message"],
        "The bank account has been closed."
    );
    let reversal = bt(
        &api,
        failed["failure_balance_transaction"].as_str().unwrap(),
    );
    assert_eq!(reversal["type"], "payout_failure");
    assert_eq!(reversal["reporting_category"], "payout_reversal");
    assert_eq!(reversal["amount"], 9_680);
    assert_eq!(reversal["net"], 9_680);
    assert_eq!(reversal["source"], id.as_str());
    let event = &events(&api, "payout.failed")[0];
    assert_eq!(event["data"]["object"]["status"], "failed");
    assert_eq!(event["data"]["previous_attributes"]["status"], "paid");
    // The money is back, and a later automatic payout carries it again.
    let balance = api.get("/v1/balance", "").ok();
    assert_eq!(balance["available"][0]["amount"], 9_680);
    advance(&api, DAY);
    reconcile_all(&api);
    let again: Vec<Value> = payouts(&api)
        .into_iter()
        .filter(|p| p["id"] != id.as_str())
        .collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["amount"], 9_680);
    assert_eq!(again[0]["automatic"], true);
    let listed = swept(&api, &again[0]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], reversal["id"]);
    // The failed payout still lists what it paid out.
    assert_eq!(net(&swept(&api, &failed)), 9_680);
}

#[test]
fn a_deficit_the_pending_sales_cover_waits_and_one_they_cannot_is_debited() {
    let api = start();
    let first = pay(&api, 10_000, "usd", "pm_card_visa"); // net 9_680
    advance(&api, 3 * DAY);
    assert_eq!(payouts(&api).len(), 1);
    // Pending sales of 19_390 cover a dispute of 11_500: carried over.
    pay(&api, 20_000, "usd", "pm_card_visa");
    api.control(
        "disputes",
        json!({ "charge": first["latest_charge"], "outcome": "lost" }),
    );
    advance(&api, DAY);
    assert_eq!(payouts(&api).len(), 1, "no payout while the sales cover it");
    advance(&api, DAY);
    reconcile_all(&api);
    let netted = payouts(&api)[0].clone();
    assert_eq!(netted["amount"], 19_390 - 11_500);
    assert_eq!(net(&swept(&api, &netted)), 19_390 - 11_500);

    // Nothing pending: the next dispute is debited from the bank.
    let second = pay(&api, 5_000, "usd", "pm_card_visa"); // net 4_825
    advance(&api, 3 * DAY);
    api.control(
        "disputes",
        json!({ "charge": second["latest_charge"], "outcome": "lost" }),
    );
    advance(&api, DAY);
    reconcile_all(&api);
    let debit = payouts(&api)[0].clone();
    assert_eq!(debit["amount"], -6_500, "the dispute and its fee");
    assert_eq!(debit["automatic"], true);
    let row = bt(&api, debit["balance_transaction"].as_str().unwrap());
    assert_eq!(row["type"], "payout");
    assert_eq!(row["amount"], 6_500, "money comes in from the bank");
    let listed = swept(&api, &debit);
    assert_eq!(net(&listed), -6_500);
    assert_eq!(listed[0]["reporting_category"], "dispute");
    assert_eq!(api.get("/v1/balance", "").ok()["available"][0]["amount"], 0);
}

#[test]
fn eur_and_gbp_settle_and_pay_out_apart_and_other_currencies_convert_to_usd() {
    let api = start();
    let eur = pay(&api, 4_000, "eur", "pm_card_visa");
    let gbp = pay(&api, 3_000, "gbp", "pm_card_mastercard");
    let jpy = pay(&api, 5_000, "jpy", "pm_card_visa");
    let usd = pay(&api, 2_000, "usd", "pm_card_visa");
    let row_of = |pi: &Value| {
        let charge = api.charge_of(pi);
        bt(&api, charge["balance_transaction"].as_str().unwrap())
    };
    for (pi, currency) in [(&eur, "eur"), (&gbp, "gbp"), (&usd, "usd")] {
        let row = row_of(pi);
        assert_eq!(row["currency"], currency);
        assert_eq!(row["amount"], pi["amount"]);
        assert!(row["exchange_rate"].is_null());
    }
    let converted = row_of(&jpy);
    assert_eq!(converted["currency"], "usd");
    assert_eq!(converted["amount"], 3_350, "¥5,000 at 0.0067");
    assert_ne!(converted["amount"], jpy["amount"]);
    assert_eq!(converted["exchange_rate"], 0.0067);
    advance(&api, 3 * DAY);
    reconcile_all(&api);
    let mut currencies: Vec<String> = payouts(&api)
        .iter()
        .map(|p| p["currency"].as_str().unwrap().to_owned())
        .collect();
    currencies.sort();
    assert_eq!(currencies, ["eur", "gbp", "usd"], "one payout per currency");
    for payout in payouts(&api) {
        let listed = swept(&api, &payout);
        assert_eq!(net(&listed), payout["amount"].as_i64().unwrap());
        assert!(listed.iter().all(|bt| bt["currency"] == payout["currency"]));
    }
}

#[test]
fn a_partial_capture_books_the_whole_authorization_and_reverses_the_rest() {
    let api = start();
    let hold = api.hold(10_000);
    let id = hold["id"].as_str().unwrap();
    api.post(
        &format!("/v1/payment_intents/{id}/capture"),
        "amount_to_capture=6000",
    )
    .ok();
    let charge = api.charge_of(&hold);
    let row = bt(&api, charge["balance_transaction"].as_str().unwrap());
    assert_eq!(row["type"], "charge");
    assert_eq!(row["reporting_category"], "charge");
    assert_eq!(row["amount"], 10_000, "the whole authorization");
    assert_eq!(row["fee"], 204, "the fee is on what was captured");
    let released = &charge["refunds"]["data"][0];
    assert_eq!(released["amount"], 4_000);
    let reversal = bt(&api, released["balance_transaction"].as_str().unwrap());
    assert_eq!(reversal["type"], "refund");
    assert_eq!(reversal["reporting_category"], "partial_capture_reversal");
    assert_eq!(reversal["amount"], -4_000);
    assert_eq!(reversal["source"], released["id"]);
    assert_eq!(reversal["available_on"], row["available_on"]);
    // A hold released whole books nothing.
    let let_go = api.hold(3_000);
    api.post(
        &format!(
            "/v1/payment_intents/{}/cancel",
            let_go["id"].as_str().unwrap()
        ),
        "",
    )
    .ok();
    let charge = api.charge_of(&let_go);
    assert!(charge["balance_transaction"].is_null());
    assert!(charge["refunds"]["data"][0]["balance_transaction"].is_null());
    advance(&api, 3 * DAY);
    reconcile_all(&api);
    let payout = payouts(&api)[0].clone();
    assert_eq!(payout["amount"], 6_000 - 204);
    assert_eq!(net(&swept(&api, &payout)), 6_000 - 204);
}

#[test]
fn a_refund_to_a_closed_card_fails_a_day_later_and_the_money_comes_back() {
    let api = start();
    pay(&api, 10_000, "usd", "pm_card_visa"); // funds for the refund
    let pi = pay(&api, 3_000, "usd", "pm_card_refundFail");
    let refund = api
        .post(
            "/v1/refunds",
            &format!("payment_intent={}", pi["id"].as_str().unwrap()),
        )
        .ok();
    assert_eq!(refund["status"], "succeeded");
    assert!(refund.get("failure_reason").is_none());
    let taken = bt(&api, refund["balance_transaction"].as_str().unwrap());
    assert_eq!(taken["reporting_category"], "refund");
    assert_eq!(taken["amount"], -3_000);
    advance(&api, DAY + 1);
    let refund = api
        .get(
            &format!("/v1/refunds/{}", refund["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(refund["status"], "failed");
    assert_eq!(refund["failure_reason"], "expired_or_canceled_card");
    let back = bt(
        &api,
        refund["failure_balance_transaction"].as_str().unwrap(),
    );
    assert_eq!(back["type"], "refund_failure");
    assert_eq!(back["reporting_category"], "refund_failure");
    assert_eq!(back["amount"], 3_000);
    assert_eq!(back["source"], refund["id"]);
    let charge = api.charge_of(&pi);
    assert_eq!(charge["amount_refunded"], 0);
    assert_eq!(charge["refunded"], false);
    let event = &events(&api, "charge.refund.updated")[0];
    assert_eq!(event["data"]["object"]["status"], "failed");
    assert_eq!(event["data"]["previous_attributes"]["status"], "succeeded");
}

#[test]
fn stripe_fees_stand_alone_monthly_for_radar_and_on_request() {
    let api = start();
    for _ in 0..3 {
        pay(&api, 1_000, "usd", "pm_card_visa");
    }
    let declined = api.post(
        "/v1/payment_intents",
        "amount=1000&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true",
    );
    assert_eq!(declined.status, 402);
    let fee = api.control(
        "stripe_fees",
        json!({ "key": api.key, "amount": 500, "description": "Billing" }),
    );
    assert_eq!(fee["type"], "stripe_fee");
    assert_eq!(fee["reporting_category"], "fee");
    assert_eq!(fee["amount"], -500);
    assert_eq!(fee["fee"], 0);
    assert_eq!(fee["net"], -500);
    assert!(fee["source"].is_null());
    // Past the first of next month: Radar's fee for this one, 2 cents for
    // each of the 4 payments screened (the declined one too).
    let today = now(&api).div_euclid(DAY);
    let next_month = (1..=31)
        .map(|d| today + d)
        .find(|day| {
            let secs = day * DAY;
            // The first of a month: the day before is in another month.
            month_of(secs) != month_of(secs - DAY)
        })
        .unwrap();
    advance_to(&api, next_month * DAY + 60);
    let fees = data(
        &api.get("/v1/balance_transactions", "type=stripe_fee&limit=10")
            .ok(),
    );
    assert_eq!(fees.len(), 2);
    let radar = &fees[0];
    assert_eq!(radar["reporting_category"], "fee");
    assert_eq!(radar["amount"], -8);
    assert_eq!(radar["created"], next_month * DAY);
    assert!(
        radar["description"]
            .as_str()
            .unwrap()
            .starts_with("Radar for Fraud Teams")
    );
}

/// The month (1–12) of a unix time, by Howard Hinnant's civil-from-days.
fn month_of(secs: i64) -> i64 {
    let z = secs.div_euclid(DAY) + 719_468;
    let doe = z - z.div_euclid(146_097) * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    if mp < 10 { mp + 3 } else { mp - 9 }
}

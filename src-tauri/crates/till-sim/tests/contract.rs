//! The simulator against Stripe's OpenAPI spec: a scenario drives every route
//! in the simulator's own table; each request is checked with the port of
//! `check_params.py`, each answer (errors included) against the operation's
//! response schema, and each event's object against its resource's schema.
//! The test fails on any problem, and on any route no case reached.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::{Api, Reply, start};
use till_stripe_spec::{Extensions, Spec};

/// Exactly the extensions the crate documents (till_sim::EXTENSIONS).
fn extensions() -> Extensions {
    let range = json!({ "anyOf": [
        { "type": "integer" },
        { "type": "object", "properties": {
            "gt": { "type": "integer" }, "gte": { "type": "integer" },
            "lt": { "type": "integer" }, "lte": { "type": "integer" } } }
    ] });
    Extensions::new()
        .request_param(
            "GET",
            "/v1/checkout/sessions",
            "status",
            json!({ "type": "string", "enum": ["open", "complete", "expired"] }),
        )
        .request_param("GET", "/v1/checkout/sessions", "created", range)
        .response_field(
            "payment_method_details_card",
            "capture_before",
            json!({ "type": "integer", "nullable": true }),
        )
}

struct Contract {
    api: Api,
    spec: Spec,
    ext: Extensions,
    covered: BTreeSet<(String, String)>,
    problems: Vec<String>,
    extended: BTreeSet<String>,
}

impl Contract {
    fn call(&mut self, method: &str, path: &str, body: &str) -> Reply {
        let reply = match method {
            "GET" => self.api.get(path, body),
            _ => self.api.post(path, body),
        };
        let with_query = if method == "GET" && !body.is_empty() {
            format!("{path}?{body}")
        } else {
            path.to_owned()
        };
        let form = if method == "GET" { "" } else { body };
        let route = till_sim::api::routes()
            .into_iter()
            .find(|r| r.matches(method, path).is_some());
        let extension_route = route.is_some_and(|r| {
            till_sim::EXTENSIONS.contains(&format!("route: {} {}", r.method, r.path).as_str())
        });
        if extension_route {
            // An operation newer than the spec: its answer is still checked
            // against the object's schema.
            if reply.status == 200 {
                let schema = reply.body["object"].as_str().unwrap_or_default().to_owned();
                for problem in self.spec.check_object(&schema, &reply.body, &self.ext) {
                    self.problems
                        .push(format!("response to {method} {path}: {problem}"));
                }
            }
            if let Some(route) = route {
                self.covered
                    .insert((route.method.to_owned(), route.path.to_owned()));
            }
            return reply;
        }
        let checked = self
            .spec
            .check_request(method, &with_query, form, &self.ext);
        for problem in &checked.problems {
            self.problems
                .push(format!("request {method} {path} {body}: {problem}"));
        }
        self.extended.extend(checked.extended.iter().map(|key| {
            format!(
                "request: {method} {} {}",
                checked.template.clone().unwrap_or_default(),
                key.split('[').next().unwrap_or_default()
            )
        }));
        for problem in self
            .spec
            .check_response(method, path, reply.status, &reply.body, &self.ext)
        {
            self.problems.push(format!(
                "response {} to {method} {path}: {problem}",
                reply.status
            ));
        }
        if let Some(route) = route {
            self.covered
                .insert((route.method.to_owned(), route.path.to_owned()));
        }
        reply
    }

    fn ok(&mut self, method: &str, path: &str, body: &str) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path} {body}: {}", reply.body);
        reply.body
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

#[test]
fn every_route_answers_in_the_shape_stripes_spec_describes() {
    let mut c = Contract {
        api: start(),
        spec: Spec::load_default().unwrap(),
        ext: extensions(),
        covered: BTreeSet::new(),
        problems: Vec::new(),
        extended: BTreeSet::new(),
    };

    c.ok("GET", "/v1/account", "");
    let customer = c.ok(
        "POST",
        "/v1/customers",
        "email=ada%40example.com&name=Ada&metadata[tier]=gold",
    );
    c.ok("GET", &format!("/v1/customers/{}", id(&customer)), "");
    c.ok("GET", "/v1/customers", "limit=5&email=ada%40example.com");
    let product = c.ok("POST", "/v1/products", "name=Espresso&description=Double");
    c.ok("GET", "/v1/products", "active=true");
    let price = c.ok(
        "POST",
        "/v1/prices",
        &format!("product={}&currency=usd&unit_amount=350", id(&product)),
    );
    c.ok(
        "POST",
        "/v1/prices",
        "currency=usd&unit_amount=900&recurring[interval]=month&product_data[name]=Beans",
    );
    c.ok("GET", &format!("/v1/prices/{}", id(&price)), "");
    c.ok("GET", "/v1/prices", "type=one_time&limit=3");

    let hold = c.ok(
        "POST",
        "/v1/payment_intents",
        &format!("amount=5000&currency=usd&capture_method=manual&customer={}&payment_method=pm_card_visa&confirm=true&metadata[order]=A1", id(&customer)),
    );
    c.ok(
        "GET",
        &format!("/v1/payment_intents/{}", id(&hold)),
        "expand[]=latest_charge&expand[]=customer",
    );
    c.ok(
        "POST",
        &format!("/v1/payment_intents/{}", id(&hold)),
        "metadata[note]=window+seat&description=Table+4",
    );
    c.ok(
        "POST",
        &format!("/v1/payment_intents/{}/capture", id(&hold)),
        "amount_to_capture=4000&metadata[captured_by]=sam",
    );
    let later = c.ok(
        "POST",
        "/v1/payment_intents",
        "amount=1200&currency=eur&payment_method=pm_card_mastercard",
    );
    c.ok(
        "POST",
        &format!("/v1/payment_intents/{}/confirm", id(&later)),
        "",
    );
    let released = c.ok(
        "POST",
        "/v1/payment_intents",
        "amount=700&currency=jpy&capture_method=manual&payment_method=pm_card_amex&confirm=true",
    );
    c.ok(
        "POST",
        &format!("/v1/payment_intents/{}/cancel", id(&released)),
        "cancellation_reason=abandoned",
    );
    let declined = c.call(
        "POST",
        "/v1/payment_intents",
        "amount=1000&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true",
    );
    assert_eq!(declined.status, 402);
    c.ok(
        "GET",
        "/v1/payment_intents",
        &format!("limit=2&customer={}&created[gte]=0", id(&customer)),
    );
    let found = c.ok(
        "GET",
        "/v1/payment_intents/search",
        "query=status%3A%27succeeded%27+AND+amount%3E%3D100&limit=1",
    );
    assert_eq!(found["object"], "search_result");
    let charges = c.ok("GET", "/v1/charges", "limit=10");
    let charge_id = charges["data"][0]["id"].as_str().unwrap().to_owned();
    c.ok("GET", &format!("/v1/charges/{charge_id}"), "");

    let paid = c.ok("GET", &format!("/v1/payment_intents/{}", id(&later)), "");
    let refund = c.ok(
        "POST",
        "/v1/refunds",
        &format!(
            "payment_intent={}&amount=200&reason=duplicate&metadata[why]=double",
            id(&paid)
        ),
    );
    c.ok(
        "GET",
        &format!("/v1/refunds/{}", id(&refund)),
        "expand[]=charge",
    );
    c.ok(
        "GET",
        "/v1/refunds",
        &format!("payment_intent={}", id(&paid)),
    );
    let over = c.call(
        "POST",
        "/v1/refunds",
        &format!("payment_intent={}&amount=99999", id(&paid)),
    );
    assert_eq!(over.status, 400);
    assert_eq!(c.call("GET", "/v1/refunds/re_missing", "").status, 404);

    let session_body = format!(
        "mode=payment&success_url=https://shop.example/ok&cancel_url=https://shop.example/no&customer={}\
         &line_items[0][price]={}&line_items[0][quantity]=2\
         &line_items[1][price_data][currency]=usd&line_items[1][price_data][unit_amount]=450\
         &line_items[1][price_data][product_data][name]=Croissant&line_items[1][quantity]=1\
         &client_reference_id=order-7&metadata[table]=4&allow_promotion_codes=true\
         &billing_address_collection=required&phone_number_collection[enabled]=true\
         &payment_intent_data[capture_method]=manual",
        id(&customer),
        id(&price)
    );
    let session = c.ok("POST", "/v1/checkout/sessions", &session_body);
    c.ok(
        "GET",
        &format!("/v1/checkout/sessions/{}", id(&session)),
        "expand[]=line_items&expand[]=customer&expand[]=payment_intent",
    );
    c.ok(
        "POST",
        &format!("/v1/checkout/sessions/{}", id(&session)),
        "metadata[table]=5",
    );
    c.ok(
        "GET",
        &format!("/v1/checkout/sessions/{}/line_items", id(&session)),
        "limit=1",
    );
    c.api.control(
        &format!("checkout/sessions/{}/complete", id(&session)),
        json!({}),
    );
    c.ok(
        "GET",
        &format!("/v1/checkout/sessions/{}", id(&session)),
        "expand[]=payment_intent",
    );
    let other = c.ok("POST", "/v1/checkout/sessions", &format!("mode=payment&success_url=https://shop.example/ok&line_items[0][price]={}&line_items[0][quantity]=1&customer_email=bo%40example.com&expires_at={}", id(&price), now() + 3600));
    c.ok(
        "POST",
        &format!("/v1/checkout/sessions/{}/expire", id(&other)),
        "",
    );
    c.ok(
        "GET",
        "/v1/checkout/sessions",
        "status=complete&created[gte]=0",
    );
    c.ok(
        "GET",
        "/v1/checkout/sessions",
        &format!("customer={}", id(&customer)),
    );
    c.ok("GET", "/v1/balance", "");

    money(&mut c, &customer);

    let events = c.ok("GET", "/v1/events", "limit=100");
    let first_event = id(&events["data"][0]);
    c.ok("GET", &format!("/v1/events/{first_event}"), "");
    c.ok(
        "GET",
        "/v1/events",
        "types[]=payment_intent.succeeded&types[]=charge.refunded",
    );
    // Every event, page by page: each object in its resource's shape.
    let mut kinds = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let query = match &after {
            Some(last) => format!("limit=100&starting_after={last}"),
            None => "limit=100".to_owned(),
        };
        let page = c.api.get("/v1/events", &query).ok();
        for event in page["data"].as_array().unwrap() {
            let object = &event["data"]["object"];
            let schema = object["object"].as_str().unwrap();
            kinds.insert(event["type"].as_str().unwrap().to_owned());
            for problem in c.spec.check_object(schema, object, &c.ext) {
                c.problems
                    .push(format!("event {} ({schema}): {problem}", event["type"]));
            }
        }
        after = page["data"].as_array().unwrap().last().map(id);
        if page["has_more"] != true {
            break;
        }
    }
    for kind in [
        "payment_intent.created",
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.canceled",
        "payment_intent.payment_failed",
        "charge.succeeded",
        "charge.failed",
        "charge.captured",
        "charge.refunded",
        "checkout.session.completed",
        "checkout.session.expired",
        "charge.refund.updated",
        "payout.created",
        "payout.paid",
        "payout.failed",
        "payout.reconciliation_completed",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.updated",
        "charge.dispute.funds_reinstated",
        "charge.dispute.closed",
    ] {
        assert!(
            kinds.contains(kind),
            "no {kind} event was emitted: {kinds:?}"
        );
    }

    assert!(
        c.problems.is_empty(),
        "{} problems:\n{}",
        c.problems.len(),
        c.problems.join("\n")
    );
    let all: BTreeSet<(String, String)> = till_sim::api::routes()
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = all.difference(&c.covered).collect();
    assert!(missing.is_empty(), "routes no case reached: {missing:?}");
    // Every route is an operation of the spec or a documented extension.
    for (method, path) in &all {
        let documented = till_sim::EXTENSIONS.contains(&format!("route: {method} {path}").as_str());
        assert!(
            documented || c.spec.operations().any(|(m, t)| m == method && t == path),
            "{method} {path} is not in the spec"
        );
    }
    // The extensions relied on are exactly the documented ones.
    let documented: BTreeSet<String> = till_sim::EXTENSIONS
        .iter()
        .filter(|e| e.starts_with("request:"))
        .map(|e| (*e).to_owned())
        .collect();
    assert!(
        c.extended.is_subset(&documented),
        "undocumented extensions used: {:?}",
        c.extended.difference(&documented).collect::<Vec<_>>()
    );
}

/// Money that moves by itself: payouts (their reconciliation, a manual
/// one, a failed one), disputes, a refund that fails, a Stripe fee.
fn money(c: &mut Contract, customer: &Value) {
    // Three days on: funds mature, a midnight pays them out.
    c.api
        .control("clock/advance", json!({ "seconds": 3 * 86_400 }));
    let payouts = c.ok("GET", "/v1/payouts", "limit=5&status=in_transit");
    let payout = id(&payouts["data"][0]);
    let listed = c.ok("GET", &format!("/v1/payouts/{payout}"), "");
    assert_eq!(listed["reconciliation_status"], "in_progress");
    let early = c.ok(
        "GET",
        "/v1/balance_transactions",
        &format!("payout={payout}&limit=100"),
    );
    assert_eq!(
        early["data"].as_array().unwrap().len(),
        0,
        "not reconciled yet"
    );
    // Paid two days after, reconciled six hours later.
    c.api
        .control("clock/advance", json!({ "seconds": 3 * 86_400 }));
    let paid = c.ok("GET", &format!("/v1/payouts/{payout}"), "");
    assert_eq!(paid["reconciliation_status"], "completed");
    let swept = c.ok(
        "GET",
        "/v1/balance_transactions",
        &format!("payout={payout}&limit=100"),
    );
    c.ok(
        "GET",
        &format!("/v1/balance_transactions/{}", id(&swept["data"][0])),
        "",
    );
    c.ok(
        "GET",
        "/v1/balance_transactions",
        "type=charge&currency=usd&created[gte]=0",
    );
    c.ok("GET", "/v1/balance", "");

    // An instant payout of pending funds; standard ones take only what is available.
    c.ok(
        "POST",
        "/v1/payment_intents",
        "amount=20000&currency=usd&payment_method=pm_card_visa&confirm=true",
    );
    let manual = c.ok(
        "POST",
        "/v1/payouts",
        "amount=5000&currency=usd&method=instant&description=Cash+for+the+float&statement_descriptor=TILL+FLOAT&metadata[by]=owner",
    );
    assert_eq!(manual["automatic"], false);
    assert_eq!(manual["reconciliation_status"], "not_applicable");
    let refused = c.call(
        "GET",
        "/v1/balance_transactions",
        &format!("payout={}", id(&manual)),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    let short = c.call("POST", "/v1/payouts", "amount=99999999&currency=usd");
    assert_eq!(short.status, 400);
    assert_eq!(short.body["error"]["code"], "balance_insufficient");

    // A payout that bounces two days after it was paid.
    c.api.control(
        &format!("payouts/{payout}/fail"),
        json!({ "failure_code": "account_closed", "days_after_paid": 0 }),
    );
    let failed = c.ok("GET", &format!("/v1/payouts/{payout}"), "");
    assert_eq!(failed["status"], "failed");
    c.ok("GET", "/v1/payouts", "status=failed");

    // A dispute, answered and won three days later; a refund it refuses.
    let disputed = c.ok(
        "POST",
        "/v1/payment_intents",
        &format!(
            "amount=8000&currency=usd&payment_method=pm_card_visa&confirm=true&customer={}",
            id(customer)
        ),
    );
    let charge = disputed["latest_charge"].as_str().unwrap().to_owned();
    let dispute = c.api.control(
        "disputes",
        json!({ "charge": charge, "reason": "product_not_received", "outcome": "won", "decide_after_days": 3 }),
    );
    c.ok("GET", &format!("/v1/disputes/{}", id(&dispute)), "");
    c.ok("GET", "/v1/disputes", &format!("charge={charge}&limit=3"));
    c.ok(
        "GET",
        "/v1/disputes",
        &format!("payment_intent={}&created[gte]=0", id(&disputed)),
    );
    assert_eq!(c.call("GET", "/v1/disputes/dp_missing", "").status, 404);
    let refund = c.call("POST", "/v1/refunds", &format!("charge={charge}"));
    assert_eq!(refund.status, 400);
    assert_eq!(refund.body["error"]["code"], "charge_disputed");

    // A refund to a closed card, which fails a day later; a Stripe fee.
    let closed = c.ok(
        "POST",
        "/v1/payment_intents",
        "amount=3000&currency=usd&payment_method=pm_card_refundFail&confirm=true",
    );
    let bounced = c.ok(
        "POST",
        "/v1/refunds",
        &format!("payment_intent={}", id(&closed)),
    );
    c.api.control(
        "stripe_fees",
        json!({ "key": c.api.key, "amount": 500, "description": "Radar for Fraud Teams" }),
    );
    c.api
        .control("clock/advance", json!({ "seconds": 4 * 86_400 }));
    let bounced = c.ok("GET", &format!("/v1/refunds/{}", id(&bounced)), "");
    assert_eq!(bounced["status"], "failed");
    let dispute = c.ok("GET", &format!("/v1/disputes/{}", id(&dispute)), "");
    assert_eq!(dispute["status"], "won");
    c.ok("GET", "/v1/balance_transactions", "type=adjustment");
    c.ok(
        "GET",
        "/v1/balance_transactions",
        "type=stripe_fee&limit=100",
    );
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

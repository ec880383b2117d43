//! The faults that make the simulator unlike Stripe, as another
//! Stripe-compatible server or Stripe on a bad day may be: a refused filter,
//! a missing field, a missing path, a wrong clock. Each is checked on its
//! own, and switched off again to show the simulator as before.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::{Api, Reply, start};

const SESSION: &str = "mode=payment&success_url=https://shop.example/ok\
    &line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=500\
    &line_items[0][price_data][product_data][name]=Tea&line_items[0][quantity]=1";

fn wall() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// The answer's `Date` header, in seconds; there must be exactly one.
fn date(reply: &Reply) -> i64 {
    let dates: Vec<&str> = reply
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("date"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(dates.len(), 1, "one Date header: {dates:?}");
    let at = httpdate::parse_http_date(dates[0]).expect(dates[0]);
    i64::try_from(at.duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

fn assert_near(actual: i64, expected: i64, what: &str) {
    assert!(
        (actual - expected).abs() <= 5,
        "{what}: {actual}, expected about {expected}"
    );
}

fn refused(reply: &Reply, param: &str) {
    assert_eq!(reply.status, 400, "{}", reply.body);
    let error = &reply.body["error"];
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "parameter_unknown");
    assert_eq!(error["param"], param);
    assert_eq!(
        error["message"],
        format!("Received unknown parameter: {param}")
    );
}

#[test]
fn a_refused_filter_is_refused_on_its_list_only_in_every_form() {
    let api = start();
    api.post("/v1/checkout/sessions", SESSION).ok();
    let list = "/v1/checkout/sessions";
    assert_eq!(
        api.get(list, "created[gte]=0&created[lt]=9999999999")
            .status,
        200
    );

    api.control(
        "faults",
        json!({ "refuse_params": [{ "path": list, "param": "created" }] }),
    );
    refused(
        &api.get(list, "created[gte]=0&created[lt]=9999999999"),
        "created[gte]",
    );
    refused(
        &api.get(list, "limit=3&created[lt]=9999999999"),
        "created[lt]",
    );
    refused(&api.get(list, "created=0"), "created");
    refused(&api.get(list, "created%5Bgte%5D=0"), "created[gte]");
    // The same list without it, and the filter elsewhere, are answered.
    let page = api.get(list, "limit=3&status=open").ok();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/v1/payment_intents", "created[gte]=0").status, 200);
    assert_eq!(api.get("/v1/charges", "created[gte]=0").status, 200);

    api.control("faults", json!({}));
    let page = api.get(list, "created[gte]=0&created[lt]=9999999999").ok();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[test]
fn an_omitted_field_is_missing_from_every_object_of_its_type_everywhere() {
    let api = start();
    let before = api.payment(5000);
    let id = before["id"].as_str().unwrap().to_owned();
    let refund = api
        .post("/v1/refunds", &format!("payment_intent={id}&amount=100"))
        .ok();
    let refund_path = format!("/v1/refunds/{}", refund["id"].as_str().unwrap());
    let stored = api
        .post_idem(
            "/v1/payment_intents",
            "amount=700&currency=usd&payment_method=pm_card_visa&confirm=true",
            "omit-replay",
        )
        .unwrap()
        .ok();
    assert_eq!(stored["amount_received"], 700);
    let pi_path = format!("/v1/payment_intents/{id}");
    assert_eq!(api.get(&pi_path, "").ok()["amount_received"], 5000);

    api.control(
        "faults",
        json!({ "omit_fields": [
            { "object": "payment_intent", "field": "amount_received" },
            { "object": "charge", "field": "amount_captured" },
        ] }),
    );
    let gone = |object: &Value, field: &str, what: &str| {
        assert!(object.is_object(), "{what}: {object}");
        assert!(
            object.get(field).is_none(),
            "{what} still has {field}: {object}"
        );
    };
    let pi = api.get(&pi_path, "expand[]=latest_charge").ok();
    gone(&pi, "amount_received", "a retrieve");
    assert_eq!(pi["amount"], 5000, "other fields stay");
    gone(
        &pi["latest_charge"],
        "amount_captured",
        "an expanded charge",
    );
    assert_eq!(pi["latest_charge"]["amount"], 5000);
    for item in api.get("/v1/payment_intents", "").ok()["data"]
        .as_array()
        .unwrap()
    {
        gone(item, "amount_received", "a list's item");
    }
    for item in api.get("/v1/charges", "").ok()["data"].as_array().unwrap() {
        gone(item, "amount_captured", "a charge list's item");
    }
    let found = api
        .get(
            "/v1/payment_intents/search",
            "query=status%3A%27succeeded%27",
        )
        .ok();
    assert!(!found["data"].as_array().unwrap().is_empty());
    for item in found["data"].as_array().unwrap() {
        gone(item, "amount_received", "a search hit");
    }
    let created = api.payment(900);
    gone(&created, "amount_received", "a POST's answer");
    let replayed = api
        .post_idem(
            "/v1/payment_intents",
            "amount=700&currency=usd&payment_method=pm_card_visa&confirm=true",
            "omit-replay",
        )
        .unwrap();
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    gone(&replayed.body, "amount_received", "a replayed answer");
    let refund = api.get(&refund_path, "expand[]=payment_intent").ok();
    assert_eq!(refund["amount"], 100, "other types keep their fields");
    gone(
        &refund["payment_intent"],
        "amount_received",
        "an expanded intent",
    );
    let events = api.get("/v1/events", "limit=100").ok();
    let mut seen = 0;
    for event in events["data"].as_array().unwrap() {
        let object = &event["data"]["object"];
        match object["object"].as_str() {
            Some("payment_intent") => gone(object, "amount_received", "an event's intent"),
            Some("charge") => gone(object, "amount_captured", "an event's charge"),
            _ => continue,
        }
        seen += 1;
    }
    assert!(seen > 3, "events of both types were checked");

    api.control("faults", json!({}));
    assert_eq!(api.get(&pi_path, "").ok()["amount_received"], 5000);
    let replayed = api
        .post_idem(
            "/v1/payment_intents",
            "amount=700&currency=usd&payment_method=pm_card_visa&confirm=true",
            "omit-replay",
        )
        .unwrap()
        .ok();
    assert_eq!(
        replayed["amount_received"], 700,
        "the stored answer was kept whole"
    );
    let pi = api.get(&pi_path, "expand[]=latest_charge").ok();
    assert_eq!(pi["latest_charge"]["amount_captured"], 5000);
}

fn unrecognized(api: &Api, path: &str) {
    let reply = api.get(path, "");
    assert_eq!(reply.status, 404, "{path}: {}", reply.body);
    assert_eq!(reply.body["error"]["type"], "invalid_request_error");
    assert_eq!(
        reply.body["error"]["message"],
        format!(
            "Unrecognized request URL (GET: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
        )
    );
}

#[test]
fn a_missing_path_answers_stripes_unrecognized_url_for_it_and_below_only() {
    let api = start();
    assert_eq!(api.get("/v1/account", "").status, 200);

    api.control(
        "faults",
        json!({ "not_found_paths": ["/v1/account", "/v1/payment_intents/search/", "/v1/refund"] }),
    );
    unrecognized(&api, "/v1/account");
    unrecognized(&api, "/v1/account/persons");
    unrecognized(&api, "/v1/payment_intents/search");
    // Beside or above a missing path, and a path it only begins: answered.
    assert_eq!(api.get("/v1/payment_intents", "").status, 200);
    assert_eq!(api.get("/v1/refunds", "").status, 200);
    assert_eq!(api.get("/v1/balance", "").status, 200);
    let pi = api.payment(1200);
    assert_eq!(pi["status"], "succeeded");

    api.control("faults", json!({}));
    assert_eq!(
        api.get("/v1/account", "").ok()["business_profile"]["name"],
        "Demo"
    );
    assert_eq!(
        api.get("/v1/payment_intents/search", "query=amount%3E0")
            .status,
        200
    );
}

#[test]
fn every_answer_carries_the_simulators_date_and_a_skew_moves_its_clock() {
    let api = start();
    let created = api.post("/v1/checkout/sessions", SESSION);
    assert_near(date(&created), wall(), "Date without a skew");
    let session = created.ok();
    assert_near(session["created"].as_i64().unwrap(), wall(), "created");
    let not_found = api.get("/v1/nothing_here", "");
    assert_eq!(not_found.status, 404);
    assert_near(date(&not_found), wall(), "an error's Date");

    let skew = -2 * 3600;
    api.control("faults", json!({ "clock_skew_seconds": skew }));
    let created = api.post("/v1/checkout/sessions", SESSION);
    assert_near(date(&created), wall() + skew, "Date two hours behind");
    let session = created.ok();
    let at = session["created"].as_i64().unwrap();
    assert_near(at, wall() + skew, "created two hours behind");
    assert_eq!(session["expires_at"].as_i64().unwrap(), at + 24 * 3600);
    let pi = api.payment(800);
    assert_near(
        pi["created"].as_i64().unwrap(),
        wall() + skew,
        "a payment's created",
    );
    for reply in [
        api.get("/v1/nothing_here", ""),
        api.request("GET", "/v1/account", "", None, None).unwrap(),
        api.request("GET", "/_sim/clock", "", None, None).unwrap(),
    ] {
        assert_near(date(&reply), wall() + skew, "every answer's Date");
    }
    let clock = api.request("GET", "/_sim/clock", "", None, None).unwrap();
    assert_near(
        clock.body["now"].as_i64().unwrap(),
        wall() + skew,
        "the clock",
    );

    api.control("faults", json!({ "clock_skew_seconds": 3600 }));
    assert_near(
        date(&api.get("/v1/balance", "")),
        wall() + 3600,
        "Date ahead",
    );

    api.control("faults", json!({}));
    let created = api.post("/v1/checkout/sessions", SESSION);
    assert_near(date(&created), wall(), "Date with the skew off");
    assert_near(
        created.ok()["created"].as_i64().unwrap(),
        wall(),
        "created again",
    );
}

#[test]
fn the_new_faults_are_off_by_default_and_read_back_as_set() {
    let api = start();
    let faults = api
        .request("GET", "/_sim/faults", "", None, None)
        .unwrap()
        .body;
    assert_eq!(faults["refuse_params"], json!([]));
    assert_eq!(faults["omit_fields"], json!([]));
    assert_eq!(faults["not_found_paths"], json!([]));
    assert_eq!(faults["clock_skew_seconds"], 0);
    let set = json!({
        "refuse_params": [{ "path": "/v1/checkout/sessions", "param": "status" }],
        "omit_fields": [{ "object": "charge", "field": "amount_refunded" }],
        "not_found_paths": ["/v1/account"],
        "clock_skew_seconds": -60,
    });
    let echoed = api.control("faults", set.clone());
    for key in [
        "refuse_params",
        "omit_fields",
        "not_found_paths",
        "clock_skew_seconds",
    ] {
        assert_eq!(echoed[key], set[key], "{key}");
    }
}

//! One scenario per rule the simulator enforces (STRIPE-RULES.md and the
//! issue's list), each against a real simulator over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{start, start_with};
use till_sim::SimConfig;

#[test]
fn capture_cannot_exceed_what_is_capturable_and_a_partial_capture_releases_the_rest() {
    let api = start();
    let pi = api.hold(1000);
    assert_eq!(pi["status"], "requires_capture");
    assert_eq!(pi["amount_capturable"], 1000);
    let charge = api.charge_of(&pi);
    let capture_before = charge["payment_method_details"]["card"]["capture_before"]
        .as_i64()
        .unwrap();
    assert_eq!(
        capture_before - charge["created"].as_i64().unwrap(),
        7 * 24 * 3600
    );

    let id = pi["id"].as_str().unwrap();
    let over = api.post(
        &format!("/v1/payment_intents/{id}/capture"),
        "amount_to_capture=1001",
    );
    assert_eq!(over.status, 400);
    assert_eq!(over.error_code(), Some("amount_too_large"));
    assert_eq!(over.body["error"]["param"], "amount_to_capture");

    let captured = api
        .post(
            &format!("/v1/payment_intents/{id}/capture"),
            "amount_to_capture=600",
        )
        .ok();
    assert_eq!(captured["status"], "succeeded");
    assert_eq!(captured["amount_received"], 600);
    assert_eq!(captured["amount_capturable"], 0);
    let charge = api.charge_of(&captured);
    assert_eq!(charge["amount_captured"], 600);
    assert_eq!(
        charge["amount_refunded"], 400,
        "the released remainder is recorded on the charge"
    );
    assert_eq!(charge["captured"], true);

    let again = api.post(&format!("/v1/payment_intents/{id}/capture"), "");
    assert_eq!(again.status, 400);
    assert_eq!(again.error_code(), Some("payment_intent_unexpected_state"));
}

#[test]
fn a_partially_captured_payment_can_be_refunded_up_to_what_was_captured() {
    let api = start();
    let pi = api.hold(1000);
    let id = pi["id"].as_str().unwrap();
    api.post(
        &format!("/v1/payment_intents/{id}/capture"),
        "amount_to_capture=600",
    )
    .ok();
    // The released 400 sits in amount_refunded, yet the captured 600 is
    // still the merchant's to refund.
    let over = api.post("/v1/refunds", &format!("payment_intent={id}&amount=601"));
    assert_eq!(over.status, 400);
    assert_eq!(over.error_code(), Some("amount_too_large"));
    let part = api
        .post("/v1/refunds", &format!("payment_intent={id}&amount=250"))
        .ok();
    assert_eq!(part["amount"], 250);
    let rest = api
        .post("/v1/refunds", &format!("payment_intent={id}"))
        .ok();
    assert_eq!(
        rest["amount"], 350,
        "the default is what is left of the capture"
    );
    let done = api.post("/v1/refunds", &format!("payment_intent={id}&amount=1"));
    assert_eq!(done.error_code(), Some("charge_already_refunded"));
    let charge = api.charge_of(&pi);
    assert_eq!(charge["amount_refunded"], 1000);
    assert_eq!(charge["refunded"], true);
}

#[test]
fn a_merchant_initiated_visa_hold_lasts_four_days_eighteen_hours() {
    let api = start();
    let pi = api
        .post("/v1/payment_intents", "amount=1000&currency=usd&capture_method=manual&payment_method=pm_card_visa&confirm=true&off_session=true")
        .ok();
    let charge = api.charge_of(&pi);
    let window = charge["payment_method_details"]["card"]["capture_before"]
        .as_i64()
        .unwrap()
        - charge["created"].as_i64().unwrap();
    assert_eq!(window, (4 * 24 + 18) * 3600);
}

#[test]
fn refunds_never_exceed_what_was_captured() {
    let api = start();
    let pi = api.payment(1000);
    let id = pi["id"].as_str().unwrap();
    let first = api
        .post(
            "/v1/refunds",
            &format!("payment_intent={id}&amount=600&reason=requested_by_customer"),
        )
        .ok();
    assert_eq!(first["amount"], 600);
    assert_eq!(first["status"], "succeeded");
    let over = api.post("/v1/refunds", &format!("payment_intent={id}&amount=500"));
    assert_eq!(over.status, 400);
    assert_eq!(over.error_code(), Some("amount_too_large"));
    let rest = api
        .post("/v1/refunds", &format!("payment_intent={id}"))
        .ok();
    assert_eq!(rest["amount"], 400, "the default is what is left");
    let done = api.post("/v1/refunds", &format!("payment_intent={id}&amount=1"));
    assert_eq!(done.error_code(), Some("charge_already_refunded"));
    let charge = api.charge_of(&pi);
    assert_eq!(charge["amount_refunded"], 1000);
    assert_eq!(charge["refunded"], true);
    assert_eq!(charge["refunds"]["data"].as_array().unwrap().len(), 2);
    for bad in ["amount=0", "amount=-5"] {
        let reply = api.post(
            "/v1/refunds",
            &format!("charge={}&{bad}", charge["id"].as_str().unwrap()),
        );
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[test]
fn a_refund_request_on_an_uncaptured_payment_releases_the_whole_hold() {
    let api = start();
    let pi = api.hold(1000);
    let refund = api
        .post(
            "/v1/refunds",
            &format!("payment_intent={}&amount=300", pi["id"].as_str().unwrap()),
        )
        .ok();
    assert_eq!(
        refund["amount"], 1000,
        "the whole hold goes, whatever was asked"
    );
    let pi = api
        .get(
            &format!("/v1/payment_intents/{}", pi["id"].as_str().unwrap()),
            "",
        )
        .ok();
    assert_eq!(pi["status"], "canceled");
}

#[test]
fn cancel_is_refused_from_a_wrong_state_and_a_release_refunds_the_hold_on_the_charge() {
    let api = start();
    let paid = api.payment(1000);
    let wrong = api.post(
        &format!(
            "/v1/payment_intents/{}/cancel",
            paid["id"].as_str().unwrap()
        ),
        "",
    );
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.error_code(), Some("payment_intent_unexpected_state"));

    let hold = api.hold(2500);
    let released = api
        .post(
            &format!(
                "/v1/payment_intents/{}/cancel",
                hold["id"].as_str().unwrap()
            ),
            "cancellation_reason=requested_by_customer",
        )
        .ok();
    assert_eq!(released["status"], "canceled");
    assert_eq!(released["cancellation_reason"], "requested_by_customer");
    let charge = api.charge_of(&released);
    assert_eq!(charge["amount_refunded"], 2500);
    assert_eq!(charge["refunded"], true);
    assert_eq!(charge["amount_captured"], 0);

    let bad_reason = api.post(
        &format!(
            "/v1/payment_intents/{}/cancel",
            api.hold(900)["id"].as_str().unwrap()
        ),
        "cancellation_reason=bored",
    );
    assert_eq!(bad_reason.status, 400);
}

#[test]
fn declines_and_authentication_follow_the_test_cards() {
    let api = start();
    let declined = api.post(
        "/v1/payment_intents",
        "amount=1000&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true",
    );
    assert_eq!(declined.status, 402);
    assert_eq!(declined.body["error"]["type"], "card_error");
    assert_eq!(declined.body["error"]["decline_code"], "generic_decline");
    assert_eq!(
        declined.body["error"]["payment_intent"]["status"],
        "requires_payment_method"
    );
    let sca = api
        .post(
            "/v1/payment_intents",
            "amount=1000&currency=usd&payment_method=pm_card_authenticationRequired&confirm=true",
        )
        .ok();
    assert_eq!(sca["status"], "requires_action");
}

#[test]
fn each_declining_test_card_answers_its_code_and_decline_code() {
    let api = start();
    for (card, code, decline_code, last4) in [
        (
            "pm_card_chargeDeclined",
            "card_declined",
            "generic_decline",
            "0002",
        ),
        (
            "pm_card_visa_chargeDeclined",
            "card_declined",
            "generic_decline",
            "0002",
        ),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "card_declined",
            "insufficient_funds",
            "9995",
        ),
        (
            "pm_card_chargeDeclinedLostCard",
            "card_declined",
            "lost_card",
            "9987",
        ),
        (
            "pm_card_chargeDeclinedStolenCard",
            "card_declined",
            "stolen_card",
            "9979",
        ),
        (
            "pm_card_visa_chargeDeclinedVelocityLimitExceeded",
            "card_declined",
            "card_velocity_exceeded",
            "6975",
        ),
        ("pm_card_radarBlock", "card_declined", "fraudulent", "0019"),
        (
            "pm_card_chargeDeclinedExpiredCard",
            "expired_card",
            "expired_card",
            "0069",
        ),
        (
            "pm_card_chargeDeclinedIncorrectCvc",
            "incorrect_cvc",
            "incorrect_cvc",
            "0127",
        ),
        (
            "pm_card_chargeDeclinedProcessingError",
            "processing_error",
            "processing_error",
            "0119",
        ),
    ] {
        let declined = api.post(
            "/v1/payment_intents",
            &format!("amount=1000&currency=usd&payment_method={card}&confirm=true"),
        );
        assert_eq!(declined.status, 402, "{card}");
        let error = &declined.body["error"];
        assert_eq!(error["type"], "card_error", "{card}");
        assert_eq!(error["code"], code, "{card}");
        assert_eq!(error["decline_code"], decline_code, "{card}");
        let pi = &error["payment_intent"];
        assert_eq!(pi["status"], "requires_payment_method", "{card}");
        assert_eq!(pi["last_payment_error"]["code"], code, "{card}");
        assert_eq!(
            pi["last_payment_error"]["decline_code"], decline_code,
            "{card}"
        );
        let charge = api
            .get(
                &format!("/v1/charges/{}", error["charge"].as_str().unwrap()),
                "",
            )
            .ok();
        assert_eq!(charge["status"], "failed", "{card}");
        assert_eq!(charge["failure_code"], code, "{card}");
        assert_eq!(charge["outcome"]["reason"], decline_code, "{card}");
        assert_eq!(
            charge["payment_method_details"]["card"]["last4"], last4,
            "{card}"
        );
    }
}

#[test]
fn a_card_that_needs_authentication_is_declined_off_session() {
    let api = start();
    let declined = api.post(
        "/v1/payment_intents",
        "amount=1000&currency=usd&payment_method=pm_card_authenticationRequired&confirm=true&off_session=true",
    );
    assert_eq!(declined.status, 402);
    let error = &declined.body["error"];
    assert_eq!(error["type"], "card_error");
    assert_eq!(error["code"], "authentication_required");
    assert_eq!(error["decline_code"], "authentication_required");
    assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
}

#[test]
fn a_capture_below_the_currencys_minimum_is_too_small() {
    let api = start();
    let pi = api.hold(1000);
    let id = pi["id"].as_str().unwrap();
    let small = api.post(
        &format!("/v1/payment_intents/{id}/capture"),
        "amount_to_capture=49",
    );
    assert_eq!(small.status, 400);
    assert_eq!(small.error_code(), Some("amount_too_small"));
    assert_eq!(small.body["error"]["param"], "amount_to_capture");
    let held = api.get(&format!("/v1/payment_intents/{id}"), "").ok();
    assert_eq!(held["status"], "requires_capture", "nothing was captured");
    api.post(
        &format!("/v1/payment_intents/{id}/capture"),
        "amount_to_capture=50",
    )
    .ok();
}

#[test]
fn amounts_follow_stripes_limits_and_currency_rules() {
    let api = start();
    for (body, code) in [
        ("amount=99999999&currency=usd", None),
        ("amount=100000000&currency=usd", Some("amount_too_large")),
        ("amount=10&currency=usd", Some("amount_too_small")),
        ("amount=-100&currency=usd", Some("amount_too_small")),
        ("amount=1005&currency=bhd", Some("invalid_amount")),
        ("amount=1000&currency=xyz", Some("parameter_invalid")),
        (
            "amount=12.50&currency=usd",
            Some("parameter_invalid_integer"),
        ),
        ("currency=usd", Some("parameter_missing")),
    ] {
        let reply = api.post("/v1/payment_intents", body);
        match code {
            None => assert_eq!(reply.status, 200, "{body}: {}", reply.body),
            Some(code) => {
                assert_eq!(reply.status, 400, "{body}");
                assert_eq!(reply.error_code(), Some(code), "{body}: {}", reply.body);
            }
        }
    }
}

#[test]
fn unknown_parameters_are_rejected_as_stripe_rejects_them() {
    let api = start();
    let reply = api.post(
        "/v1/payment_intents",
        "amount=1000&currency=usd&colour=blue",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_code(), Some("parameter_unknown"));
    assert_eq!(reply.body["error"]["param"], "colour");
    let nested = api.post(
        "/v1/payment_intents",
        "amount=1000&currency=usd&metadata[a][b]=c",
    );
    assert_eq!(nested.status, 400);
}

#[test]
fn checkout_sessions_expire_only_while_open() {
    let api = start();
    let body = "mode=payment&success_url=https://shop.example/ok&line_items[0][quantity]=2\
                &line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=1250\
                &line_items[0][price_data][product_data][name]=Mug";
    let open = api.post("/v1/checkout/sessions", body).ok();
    assert_eq!(open["status"], "open");
    assert_eq!(open["amount_total"], 2500);
    let id = open["id"].as_str().unwrap();
    let expired = api
        .post(&format!("/v1/checkout/sessions/{id}/expire"), "")
        .ok();
    assert_eq!(expired["status"], "expired");
    let again = api.post(&format!("/v1/checkout/sessions/{id}/expire"), "");
    assert_eq!(again.status, 400);

    let paid = api.post("/v1/checkout/sessions", body).ok();
    let paid_id = paid["id"].as_str().unwrap();
    let done = api.control(
        &format!("checkout/sessions/{paid_id}/complete"),
        json!({ "payment_method": "pm_card_visa" }),
    );
    assert_eq!(done["status"], "complete");
    assert_eq!(done["payment_status"], "paid");
    let completed = api.post(&format!("/v1/checkout/sessions/{paid_id}/expire"), "");
    assert_eq!(
        completed.status, 400,
        "a completed session cannot be expired"
    );
    let expanded = api
        .get(
            &format!("/v1/checkout/sessions/{paid_id}"),
            "expand[]=payment_intent&expand[]=line_items",
        )
        .ok();
    assert_eq!(expanded["payment_intent"]["status"], "succeeded");
    assert_eq!(expanded["payment_intent"]["amount"], 2500);
    assert_eq!(expanded["line_items"]["data"][0]["quantity"], 2);
    let events = api.get("/v1/events", "types[]=checkout.session.*").ok();
    let kinds: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["checkout.session.completed", "checkout.session.expired"]
    );
}

#[test]
fn checkout_sessions_refuse_bad_input() {
    let api = start();
    let base = "mode=payment&success_url=https://shop.example/ok";
    let item = "&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][product_data][name]=Mug";
    for body in [
        base.to_owned(),
        format!("{base}{item}&line_items[0][price_data][unit_amount]=0"),
        format!(
            "{base}{item}&line_items[0][price_data][unit_amount]=100&line_items[1][quantity]=1&line_items[1][price_data][currency]=eur&line_items[1][price_data][unit_amount]=100&line_items[1][price_data][product_data][name]=Cup"
        ),
        format!("{base}{item}&line_items[0][price_data][unit_amount]=100&expires_at=1"),
        format!(
            "mode=payment&success_url=not-a-url{item}&line_items[0][price_data][unit_amount]=100"
        ),
        format!("{base}&line_items[0][quantity]=1&line_items[0][price]=price_missing"),
        format!("{base}{item}&line_items[0][price_data][unit_amount]=100&customer=cus_missing"),
    ] {
        let reply = api.post("/v1/checkout/sessions", &body);
        assert!(
            matches!(reply.status, 400 | 404),
            "{body} gave {}",
            reply.status
        );
    }
    let sessions = api.get("/v1/checkout/sessions", "").ok();
    assert_eq!(
        sessions["data"].as_array().unwrap().len(),
        0,
        "nothing was created"
    );
}

#[test]
fn idempotency_replays_refuses_other_parameters_and_reports_a_key_in_use() {
    let api = start();
    let first = api
        .post_idem("/v1/payment_intents", "amount=1000&currency=usd", "key-1")
        .unwrap();
    let replay = api
        .post_idem("/v1/payment_intents", "amount=1000&currency=usd", "key-1")
        .unwrap();
    assert_eq!(first.body, replay.body);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        api.get("/v1/payment_intents", "").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let other = api
        .post_idem("/v1/payment_intents", "amount=2000&currency=usd", "key-1")
        .unwrap();
    assert_eq!(other.status, 400);
    assert_eq!(other.body["error"]["type"], "idempotency_error");

    // A validation failure is not stored: the key can be used again.
    let invalid = api
        .post_idem("/v1/payment_intents", "amount=abc&currency=usd", "key-2")
        .unwrap();
    assert_eq!(invalid.status, 400);
    let valid = api
        .post_idem("/v1/payment_intents", "amount=1500&currency=usd", "key-2")
        .unwrap();
    assert_eq!(valid.status, 200);

    // While a first request runs (400 ms of processing here), a second with
    // the same key is told so: of two concurrent requests, one answers 409.
    api.control("faults", json!({ "latency_ms": 400 }));
    let barrier = std::sync::Barrier::new(2);
    let mut replies = std::thread::scope(|scope| {
        let both: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    api.post_idem("/v1/payment_intents", "amount=3000&currency=usd", "key-3")
                        .unwrap()
                })
            })
            .collect();
        both.into_iter()
            .map(|handle| handle.join().unwrap())
            .collect::<Vec<_>>()
    });
    replies.sort_by_key(|reply| reply.status);
    assert_eq!(
        replies.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 409]
    );
    assert_eq!(replies[1].error_code(), Some("idempotency_key_in_use"));
    assert_eq!(replies[1].header("stripe-should-retry"), Some("true"));
}

#[test]
fn pagination_walks_every_object_once_in_both_directions() {
    let api = start();
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(
            api.post(
                "/v1/payment_intents",
                &format!("amount={}&currency=usd", 100 + i),
            )
            .ok()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    let mut seen = Vec::new();
    let mut query = "limit=10".to_owned();
    loop {
        let page = api.get("/v1/payment_intents", &query).ok();
        let ids: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        seen.extend(ids.clone());
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
        query = format!("limit=10&starting_after={}", ids.last().unwrap());
    }
    assert_eq!(seen, newest_first);
    let back = api
        .get(
            "/v1/payment_intents",
            &format!("limit=3&ending_before={}", newest_first[10]),
        )
        .ok();
    let ids: Vec<&str> = back["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            newest_first[7].as_str(),
            newest_first[8].as_str(),
            newest_first[9].as_str()
        ]
    );
    assert_eq!(back["has_more"], true);
    assert_eq!(
        api.get("/v1/payment_intents", "limit=100").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        25
    );
    for bad in [
        "limit=0",
        "limit=101",
        "starting_after=pi_nope",
        &format!("starting_after={0}&ending_before={0}", newest_first[1]),
    ] {
        let reply = api.get("/v1/payment_intents", bad);
        assert!(
            matches!(reply.status, 400 | 404),
            "{bad} gave {}",
            reply.status
        );
    }
}

#[test]
fn a_missing_malformed_or_revoked_key_gets_401() {
    let api = start();
    let none = api.request("GET", "/v1/balance", "", None, None).unwrap();
    assert_eq!(none.status, 401);
    assert!(
        none.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not provide an API key")
    );
    for key in [
        "nonsense",
        "pk_test_abcdefghijk",
        "sk_test_x",
        "sk_live_unregistered123",
    ] {
        assert_eq!(
            api.request("GET", "/v1/balance", "", Some(key), None)
                .unwrap()
                .status,
            401,
            "{key}"
        );
    }
    let own = "sk_test_revokemesoon123";
    assert_eq!(
        api.request("GET", "/v1/balance", "", Some(own), None)
            .unwrap()
            .status,
        200,
        "a new test key opens an account"
    );
    api.control("keys/revoke", json!({ "key": own }));
    let revoked = api
        .request("GET", "/v1/balance", "", Some(own), None)
        .unwrap();
    assert_eq!(revoked.status, 401);
    assert!(
        revoked.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sk_test_***n123"),
        "the key is redacted"
    );
}

#[test]
fn basic_auth_with_the_key_as_user_name_is_accepted() {
    let api = start();
    let encoded = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:", api.key),
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let reply = agent
        .get(format!("{}/v1/balance", api.base))
        .header("Authorization", format!("Basic {encoded}"))
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
}

#[test]
fn a_restricted_key_is_checked_before_the_object_is_looked_up() {
    let api = start();
    let staff = "rk_test_staffkey0000001";
    api.control("keys", json!({ "key": staff, "same_account_as": api.key, "permissions": { "payment_intent": "write" } }));
    let refund = api
        .request(
            "POST",
            "/v1/refunds",
            "payment_intent=pi_doesnotexist",
            Some(staff),
            None,
        )
        .unwrap();
    assert_eq!(refund.status, 403);
    assert!(
        refund.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("rak_refund_write")
    );
    let capture = api
        .request(
            "POST",
            "/v1/payment_intents/pi_doesnotexist/capture",
            "",
            Some(staff),
            None,
        )
        .unwrap();
    assert_eq!(
        capture.status, 404,
        "the permission is granted, so the look-up happens"
    );
    let read_only = "rk_test_readonly0000001";
    api.control("keys", json!({ "key": read_only, "same_account_as": api.key, "permissions": { "payment_intent": "read" } }));
    assert_eq!(
        api.request("GET", "/v1/payment_intents", "", Some(read_only), None)
            .unwrap()
            .status,
        200
    );
    let write = api
        .request(
            "POST",
            "/v1/payment_intents/pi_doesnotexist/capture",
            "",
            Some(read_only),
            None,
        )
        .unwrap();
    assert_eq!(write.status, 403);
    assert!(
        write.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("rak_payment_intent_write")
    );
}

#[test]
fn the_rate_limit_answers_429_with_stripes_header() {
    let api = start_with(SimConfig {
        rate_limit: 5,
        ..SimConfig::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let reply = api.get("/v1/balance", "");
        if reply.status == 429 {
            assert_eq!(
                reply.header("stripe-rate-limited-reason"),
                Some("global-rate")
            );
            assert_eq!(reply.error_code(), Some("rate_limit"));
        }
        statuses.push(reply.status);
    }
    let ok = statuses.iter().filter(|s| **s == 200).count();
    assert!(
        (5..=6).contains(&ok),
        "a burst of one second's worth: {statuses:?}"
    );
    assert!(statuses.contains(&429));
}

#[test]
fn every_answer_carries_a_request_id_and_the_stripe_version() {
    let api = start();
    let reply = api.get("/v1/account", "");
    assert!(reply.header("request-id").unwrap().starts_with("req_"));
    assert_eq!(reply.header("stripe-version"), Some("2023-08-16"));
    assert_eq!(api.get("/v1/nowhere", "").status, 404);
}

#[test]
fn a_connection_dropped_after_commit_replays_on_retry_and_refunds_once() {
    let api = start();
    let pi = api.payment(1000);
    let body = format!("payment_intent={}&amount=250", pi["id"].as_str().unwrap());
    api.control("faults", json!({ "drop_after_commit_next": 1 }));
    assert!(
        api.post_idem("/v1/refunds", &body, "refund-1").is_err(),
        "the connection drops"
    );
    let retry = api.post_idem("/v1/refunds", &body, "refund-1").unwrap();
    assert_eq!(retry.status, 200);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    let refunds = api
        .get(
            "/v1/refunds",
            &format!("payment_intent={}", pi["id"].as_str().unwrap()),
        )
        .ok();
    assert_eq!(
        refunds["data"].as_array().unwrap().len(),
        1,
        "exactly one refund"
    );

    api.control("faults", json!({ "drop_before_commit_next": 1 }));
    assert!(api.post_idem("/v1/refunds", &body, "refund-2").is_err());
    assert_eq!(
        api.get("/v1/refunds", "").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing committed"
    );
    assert_eq!(
        api.post_idem("/v1/refunds", &body, "refund-2")
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        api.get("/v1/refunds", "").ok()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_stored_500_is_replayed_while_injected_faults_are_not_stored() {
    let api = start();
    api.control("faults", json!({ "stored_500_next": 1 }));
    let first = api
        .post_idem("/v1/customers", "email=a%40example.com", "cus-1")
        .unwrap();
    assert_eq!(first.status, 500);
    let replay = api
        .post_idem("/v1/customers", "email=a%40example.com", "cus-1")
        .unwrap();
    assert_eq!(replay.status, 500, "the stored answer is replayed");
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));

    api.control("faults", json!({ "error_503_next": 1 }));
    let transient = api
        .post_idem("/v1/customers", "email=b%40example.com", "cus-2")
        .unwrap();
    assert_eq!(transient.status, 503);
    let retry = api
        .post_idem("/v1/customers", "email=b%40example.com", "cus-2")
        .unwrap();
    assert_eq!(
        retry.status, 200,
        "a transport fault is not stored under the key"
    );
}

#[test]
fn search_finds_payment_intents_by_the_clauses_a_dashboard_needs() {
    let api = start();
    let held = api
        .post("/v1/payment_intents", "amount=5000&currency=usd&capture_method=manual&payment_method=pm_card_visa&confirm=true&metadata[order]=A-17")
        .ok();
    api.payment(800);
    api.post(
        "/v1/payment_intents",
        "amount=700&currency=jpy&payment_method=pm_card_visa&confirm=true",
    )
    .ok();
    let search = |query: &str| {
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .finish();
        api.get("/v1/payment_intents/search", &encoded)
    };
    let holds = search("status:'requires_capture'").ok();
    assert_eq!(holds["data"].as_array().unwrap().len(), 1);
    assert_eq!(holds["data"][0]["id"], held["id"]);
    assert_eq!(search("metadata['order']:'A-17'").ok()["total_count"], 1);
    assert_eq!(
        search("amount>=800 AND -currency:'jpy'").ok()["total_count"],
        2
    );
    assert_eq!(
        search("currency:'jpy' OR amount<1000").ok()["total_count"],
        2
    );
    let paged = api
        .get("/v1/payment_intents/search", "query=amount%3E0&limit=2")
        .ok();
    assert_eq!(paged["has_more"], true);
    let next = paged["next_page"].as_str().unwrap();
    let rest = api
        .get(
            "/v1/payment_intents/search",
            &format!("query=amount%3E0&limit=2&page={next}"),
        )
        .ok();
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest["has_more"], false);
    let mixed = search("status:'succeeded' AND amount>1 OR currency:'usd'");
    assert_eq!(mixed.status, 400);
    assert_eq!(mixed.body["error"]["param"], "query");
}

//! The models parse Stripe's own example objects in both API versions the
//! shared folder holds: the pinned one (2023-08-16) and a current one
//! (2026-07-29), as events rendered in either can arrive.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::de::DeserializeOwned;
use serde_json::Value;
use till_stripe::models::*;

fn parse<T: DeserializeOwned>(resources: &Value, name: &str, file: &str) -> Raw<T> {
    let text = resources[name].to_string();
    serde_json::from_str::<Raw<T>>(&text)
        .unwrap_or_else(|err| panic!("{file}: {name} does not parse: {err}"))
}

#[test]
fn both_fixture_files_parse_into_the_models_and_keep_their_raw_json() {
    for file in ["fixtures3.json", "fixtures3.2023-08-16.json"] {
        let path = till_stripe_spec::shared_dir().join(file);
        let all: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let r = &all["resources"];
        let pi: Raw<PaymentIntent> = parse(r, "payment_intent", file);
        assert_eq!(pi.id, r["payment_intent"]["id"].as_str().unwrap());
        let raw: Value = serde_json::from_str(pi.json.get()).unwrap();
        assert_eq!(
            raw, r["payment_intent"],
            "{file}: the raw JSON is kept whole, unknown fields included"
        );
        let charge: Raw<Charge> = parse(r, "charge", file);
        assert_eq!(charge.amount, r["charge"]["amount"].as_i64().unwrap());
        parse::<Refund>(r, "refund", file);
        let session: Raw<CheckoutSession> = parse(r, "checkout.session", file);
        assert_eq!(
            session.mode,
            r["checkout.session"]["mode"].as_str().unwrap()
        );
        parse::<Customer>(r, "customer", file);
        parse::<Product>(r, "product", file);
        parse::<Price>(r, "price", file);
        let event: Raw<Event> = parse(r, "event", file);
        assert_eq!(event.kind, r["event"]["type"].as_str().unwrap());
        parse::<Balance>(r, "balance", file);
        parse::<BalanceTransaction>(r, "balance_transaction", file);
        parse::<Payout>(r, "payout", file);
        parse::<Account>(r, "account", file);
        parse::<LineItem>(r, "item", file);
    }
}

#[test]
fn unknown_enum_values_and_missing_optional_fields_are_tolerated() {
    let json = r#"{"id":"pi_1","amount":100,"amount_capturable":0,"amount_received":0,"currency":"usd","status":"requires_teleportation","capture_method":"manual_someday","created":1,"brand_new_field":{"a":1}}"#;
    let pi: Raw<PaymentIntent> = serde_json::from_str(json).unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::Unknown);
    assert_eq!(pi.capture_method, CaptureMethod::Unknown);
    assert!(pi.json.get().contains("brand_new_field"));
    assert!(pi.latest_charge.is_none());
}

#[test]
fn expandable_fields_are_an_id_or_an_object() {
    let id: Raw<Refund> = serde_json::from_str(
        r#"{"id":"re_1","amount":5,"currency":"usd","created":1,"charge":"ch_1"}"#,
    )
    .unwrap();
    assert_eq!(id.charge.as_ref().unwrap().id(), "ch_1");
    assert!(id.charge.as_ref().unwrap().object().is_none());
    let object: Raw<Refund> = serde_json::from_str(
        r#"{"id":"re_1","amount":5,"currency":"usd","created":1,"charge":{"id":"ch_2","amount":5,"amount_captured":5,"amount_refunded":5,"currency":"usd","created":1,"status":"succeeded"}}"#,
    )
    .unwrap();
    assert_eq!(object.charge.as_ref().unwrap().id(), "ch_2");
    assert_eq!(
        object.charge.as_ref().unwrap().object().unwrap().status,
        "succeeded"
    );
}

/// A field Till needs for money, missing, is a parse error for its object
/// (never a zero); in a list, that object is reported by its id and the
/// field while the rest of the page is read (issue 17, 4).
#[test]
fn a_missing_money_field_is_an_error_for_its_object_only() {
    for field in [
        "amount",
        "amount_received",
        "amount_capturable",
        "currency",
        "status",
    ] {
        let mut pi = serde_json::json!({"id":"pi_1","amount":100,"amount_capturable":0,"amount_received":100,"currency":"usd","status":"succeeded","capture_method":"automatic","created":1});
        pi.as_object_mut().unwrap().remove(field);
        let err = serde_json::from_value::<PaymentIntent>(pi).unwrap_err();
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
    for field in ["amount", "amount_captured", "amount_refunded"] {
        let mut charge = serde_json::json!({"id":"ch_1","amount":5,"amount_captured":5,"amount_refunded":0,"currency":"usd","created":1,"status":"succeeded"});
        charge.as_object_mut().unwrap().remove(field);
        assert!(
            serde_json::from_value::<till_stripe::models::Charge>(charge).is_err(),
            "{field}"
        );
    }
    let page = r#"{"object":"list","has_more":true,"data":[
        {"id":"pi_1","amount":100,"amount_capturable":0,"amount_received":100,"currency":"usd","status":"succeeded","capture_method":"automatic","created":3},
        {"id":"pi_2","amount":100,"amount_capturable":0,"currency":"usd","status":"succeeded","capture_method":"automatic","created":2}
    ]}"#;
    let list: till_stripe::models::List<till_stripe::models::Item<PaymentIntent>> =
        serde_json::from_str(page).unwrap();
    let (read, unreadable) = list.split();
    assert_eq!(read.data.len(), 1);
    assert_eq!(read.data[0].id, "pi_1");
    assert!(read.has_more);
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0].id.as_deref(), Some("pi_2"));
    assert_eq!(unreadable[0].created, Some(2));
    assert_eq!(unreadable[0].missing.as_deref(), Some("amount_received"));
}

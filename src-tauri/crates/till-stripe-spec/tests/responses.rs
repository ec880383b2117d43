//! Response checking: bodies against the operation's schema, and proof
//! that the checker fails when it should.

// cfg(test) tells clippy these helpers are test code, where expect and
// panic are allowed.
#[cfg(test)]
mod common;

use common::{fixture, spec};
use serde_json::{Value, json};
use till_stripe_spec::{Extensions, Problem, ProblemKind, Spec};

/// (kind, location) pairs, for comparing without the wording.
fn found(problems: &[Problem]) -> Vec<(ProblemKind, &str)> {
    problems
        .iter()
        .map(|p| (p.kind, p.location.as_str()))
        .collect()
}

#[test]
fn a_fixture_is_a_valid_response_of_its_operation() {
    let spec = spec();
    let none = Extensions::new();
    let intent = fixture("payment_intent");
    let capture = "/v1/payment_intents/pi_1/capture";
    assert_eq!(
        spec.check_response("POST", capture, 200, &intent, &none),
        []
    );

    let session = fixture("checkout.session");
    let list = json!({
        "object": "list", "data": [session], "has_more": false, "url": "/v1/checkout/sessions",
    });
    let url = "/v1/checkout/sessions?limit=1";
    assert_eq!(spec.check_response("GET", url, 200, &list, &none), []);

    // Errors take the `default` response: Stripe's error object.
    let declined = json!({"error": {
        "type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
        "message": "Your card was declined.", "param": "", "charge": "ch_1",
    }});
    assert_eq!(
        spec.check_response("POST", capture, 402, &declined, &none),
        []
    );
}

#[test]
fn mutated_fixtures_are_caught() {
    let spec = spec();
    let none = Extensions::new();
    let original = fixture("payment_intent");
    let check = |v: &Value| spec.check_object("payment_intent", v, &none);
    assert_eq!(check(&original), []);

    let mut v = original.clone();
    v.as_object_mut().map(|o| o.remove("amount"));
    assert_eq!(found(&check(&v)), [(ProblemKind::Missing, "/amount")]);

    let mut v = original.clone();
    v["amount"] = json!("1099");
    let problems = check(&v);
    assert_eq!(found(&problems), [(ProblemKind::WrongType, "/amount")]);
    assert_eq!(problems[0].detail, "expected integer, got string");

    let mut v = original.clone();
    v["amount"] = json!(10.5);
    assert_eq!(found(&check(&v)), [(ProblemKind::WrongType, "/amount")]);

    let mut v = original.clone();
    v["currency"] = Value::Null; // not nullable
    assert_eq!(found(&check(&v)), [(ProblemKind::WrongType, "/currency")]);

    let mut v = original.clone();
    v["status"] = json!("sometimes");
    let problems = check(&v);
    assert_eq!(found(&problems), [(ProblemKind::BadValue, "/status")]);
    assert!(
        problems[0]
            .detail
            .starts_with(r#""sometimes" is not one of ["canceled", "#)
    );

    let mut v = original.clone();
    v["colour"] = json!("red");
    let problems = check(&v);
    assert_eq!(found(&problems), [(ProblemKind::Undocumented, "/colour")]);
    assert_eq!(
        problems[0].detail,
        "not a property of payment_intent in the spec"
    );

    // metadata's values are strings (additionalProperties).
    let mut v = original.clone();
    v["metadata"] = json!({"order": 42});
    assert_eq!(
        found(&check(&v)),
        [(ProblemKind::WrongType, "/metadata/order")]
    );

    // An array's items are checked.
    let mut v = original.clone();
    v["payment_method_types"] = json!(["card", 7]);
    assert_eq!(
        found(&check(&v)),
        [(ProblemKind::WrongType, "/payment_method_types/1")]
    );

    // Several at once, each reported.
    let mut v = original.clone();
    v["livemode"] = json!("false");
    v["object"] = json!("charge");
    v["created"] = Value::Null;
    assert_eq!(check(&v).len(), 3, "{:?}", check(&v));
}

#[test]
fn expandable_fields_are_an_id_or_the_object() {
    let spec = spec();
    let none = Extensions::new();
    let mut intent = fixture("payment_intent");
    let check = |v: &Value| spec.check_object("payment_intent", v, &none);

    intent["latest_charge"] = json!("ch_1");
    assert_eq!(check(&intent), []);
    intent["latest_charge"] = Value::Null; // nullable
    assert_eq!(check(&intent), []);
    intent["latest_charge"] = fixture("charge"); // expanded
    assert_eq!(check(&intent), []);

    intent["latest_charge"] = json!(42);
    let problems = check(&intent);
    assert_eq!(
        found(&problems),
        [(ProblemKind::WrongType, "/latest_charge")]
    );
    assert_eq!(
        problems[0].detail,
        "expected string or object (charge), got integer"
    );

    // An expanded object is checked through: its problems are reported at
    // their place inside it.
    let mut charge = fixture("charge");
    charge["paid"] = json!("yes");
    charge.as_object_mut().map(|o| o.remove("currency"));
    intent["latest_charge"] = charge;
    assert_eq!(
        found(&check(&intent)),
        [
            (ProblemKind::Missing, "/latest_charge/currency"),
            (ProblemKind::WrongType, "/latest_charge/paid"),
        ]
    );
}

#[test]
fn a_response_field_extension_is_accepted_only_where_listed() {
    let spec = spec();
    let mut charge = fixture("charge");
    charge["payment_method_details"]["card"]["capture_before"] = json!(1_700_000_000);
    let plain = spec.check_object("charge", &charge, &Extensions::new());
    assert_eq!(
        found(&plain),
        [(
            ProblemKind::Undocumented,
            "/payment_method_details/card/capture_before"
        )]
    );

    // Stripe added capture_before to card payment details after 2023-08-16.
    let ext = Extensions::new().response_field(
        "payment_method_details_card",
        "capture_before",
        json!({"type": "integer", "nullable": true}),
    );
    assert_eq!(spec.check_object("charge", &charge, &ext), []);
    charge["payment_method_details"]["card"]["capture_before"] = Value::Null;
    assert_eq!(spec.check_object("charge", &charge, &ext), []);
    // The extension's schema still judges the value.
    charge["payment_method_details"]["card"]["capture_before"] = json!("soon");
    assert_eq!(
        found(&spec.check_object("charge", &charge, &ext)),
        [(
            ProblemKind::WrongType,
            "/payment_method_details/card/capture_before"
        )]
    );
    // Listed for payment_method_details_card only.
    let mut intent = fixture("payment_intent");
    intent["capture_before"] = json!(1);
    assert_eq!(
        found(&spec.check_object("payment_intent", &intent, &ext)),
        [(ProblemKind::Undocumented, "/capture_before")]
    );

    // Inline list objects are named by their title; an extension may also
    // widen a documented field's enum.
    let list = json!({"object": "list", "data": [], "has_more": false, "url": "/v1/checkout/sessions", "total_count": 0});
    let url = "/v1/checkout/sessions";
    let got = spec.check_response("GET", url, 200, &list, &Extensions::new());
    assert_eq!(found(&got), [(ProblemKind::Undocumented, "/total_count")]);
    let ext = Extensions::new().response_field(
        "PaymentPagesCheckoutSessionList",
        "total_count",
        json!({"type": "integer"}),
    );
    assert_eq!(spec.check_response("GET", url, 200, &list, &ext), []);

    let mut intent = fixture("payment_intent");
    intent["status"] = json!("requires_review");
    let widened = Extensions::new().response_field(
        "payment_intent",
        "status",
        json!({"type": "string", "enum": ["requires_review"]}),
    );
    assert_eq!(spec.check_object("payment_intent", &intent, &widened), []);
}

#[test]
fn responses_without_a_json_schema_or_operation_are_reported() {
    let spec = spec();
    let none = Extensions::new();
    let body = json!({});
    let one = |method, path| {
        let problems = spec.check_response(method, path, 200, &body, &none);
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].kind
    };
    assert_eq!(one("GET", "/v1/nowhere"), ProblemKind::NoPath);
    assert_eq!(
        one("DELETE", "/v1/payment_intents/pi_1"),
        ProblemKind::NoMethod
    );
    assert_eq!(one("GET", "/v1/quotes/qt_1/pdf"), ProblemKind::NoSchema);
    let unknown = spec.check_object("no_such_object", &body, &none);
    assert_eq!(found(&unknown), [(ProblemKind::NoSchema, "")]);

    // The error schema wants `error`; its `type` is an enum.
    let not_an_error = spec.check_response(
        "POST",
        "/v1/refunds",
        400,
        &json!({"error": {"type": "oops"}}),
        &none,
    );
    assert_eq!(
        found(&not_an_error),
        [(ProblemKind::BadValue, "/error/type")]
    );
    let bare = spec.check_response("POST", "/v1/refunds", 500, &json!("boom"), &none);
    assert_eq!(found(&bare), [(ProblemKind::WrongType, "")]);
}

#[test]
fn recursion_is_capped_and_locations_are_json_pointers() {
    let tiny = json!({
        "paths": {},
        "components": {"schemas": {"node": {
            "type": "object",
            "properties": {"child": {"$ref": "#/components/schemas/node"}, "n": {"type": "integer"}},
        }}},
    });
    let spec = Spec::from_value(tiny).expect("tiny spec");
    let mut deep = json!({"n": 0});
    for _ in 0..100 {
        deep = json!({"child": deep});
    }
    let problems = spec.check_object("node", &deep, &Extensions::new());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, ProblemKind::TooDeep);

    // `/` and `~` in keys are escaped as RFC 6901 says.
    let odd = json!({"a/b~c": 1});
    let problems = spec.check_object("node", &odd, &Extensions::new());
    assert_eq!(found(&problems), [(ProblemKind::Undocumented, "/a~1b~0c")]);
}

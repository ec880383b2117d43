//! Every request the client can build, checked against Stripe's spec
//! (spec3.json, 2023-08-16) with the port of check_params.py. Only the
//! documented extensions are allowed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::json;
use till_stripe::Page;
use till_stripe::form::Form;
use till_stripe::models::Metadata;
use till_stripe::requests::*;
use till_stripe::{Currency, Money};
use till_stripe_spec::{Extensions, Spec};

fn metadata() -> Metadata {
    [
        ("order".to_owned(), "A-17".to_owned()),
        ("till_operation_id".to_owned(), "op_1".to_owned()),
    ]
    .into_iter()
    .collect()
}

fn range() -> Option<CreatedRange> {
    Some(CreatedRange::between(1_700_000_000, 1_800_000_000))
}

/// Exactly the extensions the crate docs name.
fn extensions() -> Extensions {
    let created = json!({ "anyOf": [{ "type": "integer" }, { "type": "object", "properties": {
        "gt": { "type": "integer" }, "gte": { "type": "integer" }, "lt": { "type": "integer" }, "lte": { "type": "integer" } } }] });
    Extensions::new()
        .request_param(
            "GET",
            "/v1/checkout/sessions",
            "status",
            json!({ "type": "string", "enum": ["open", "complete", "expired"] }),
        )
        .request_param("GET", "/v1/checkout/sessions", "created", created)
}

#[test]
fn every_request_the_client_builds_is_one_stripes_spec_accepts() {
    let spec = Spec::load_default().unwrap();
    let page = Page {
        limit: Some(100),
        starting_after: Some("obj_1".into()),
        ending_before: None,
    };
    let usd = Currency::new("usd");
    let full_intent = CreatePaymentIntent {
        manual_capture: true,
        customer: Some("cus_1".into()),
        description: Some("Table 4".into()),
        receipt_email: Some("ada@example.com".into()),
        payment_method: Some("pm_card_visa".into()),
        confirm: true,
        off_session: true,
        metadata: metadata(),
        ..CreatePaymentIntent::new(Money::new(5000, usd.clone()))
    };
    let session = CreateCheckoutSession {
        line_items: vec![
            LineItemInput::Price {
                price: "price_1".into(),
                quantity: 2,
            },
            LineItemInput::Adhoc {
                name: "Croissant".into(),
                unit_amount: 450,
                currency: usd.clone(),
                quantity: 1,
            },
        ],
        customer: Some("cus_1".into()),
        customer_email: None,
        client_reference_id: Some("order-7".into()),
        metadata: metadata(),
        success_url: "https://shop.example/ok".into(),
        cancel_url: Some("https://shop.example/no".into()),
        expires_at: Some(1_800_000_000),
        allow_promotion_codes: true,
        require_billing_address: true,
        collect_phone: true,
        manual_capture: true,
    };
    let cases: Vec<(&str, &str, Form)> = vec![
        ("POST", "/v1/payment_intents", full_intent.form()),
        (
            "POST",
            "/v1/payment_intents/pi_1",
            UpdatePaymentIntent {
                description: Some("x".into()),
                metadata: metadata(),
            }
            .form(),
        ),
        (
            "POST",
            "/v1/payment_intents/pi_1/confirm",
            Form::new().set("payment_method", "pm_card_visa"),
        ),
        (
            "POST",
            "/v1/payment_intents/pi_1/capture",
            CapturePaymentIntent {
                amount_to_capture: Some(4000),
                metadata: metadata(),
            }
            .form(),
        ),
        (
            "POST",
            "/v1/payment_intents/pi_1/cancel",
            CancelPaymentIntent {
                reason: Some(CancellationReason::Abandoned),
            }
            .form(),
        ),
        (
            "GET",
            "/v1/payment_intents",
            page.apply(
                ListPaymentIntents {
                    created: range(),
                    customer: Some("cus_1".into()),
                }
                .form(),
            ),
        ),
        (
            "GET",
            "/v1/payment_intents/search",
            SearchPaymentIntents {
                query: "status:'requires_capture'".into(),
                limit: Some(50),
                page: Some("p".into()),
            }
            .form(),
        ),
        (
            "GET",
            "/v1/payment_intents/pi_1",
            Form::new().expand(&["latest_charge", "customer"]),
        ),
        (
            "GET",
            "/v1/charges",
            page.apply(
                ListCharges {
                    created: range(),
                    customer: Some("cus_1".into()),
                    payment_intent: Some("pi_1".into()),
                }
                .form(),
            ),
        ),
        (
            "GET",
            "/v1/charges/ch_1",
            Form::new().expand(&["balance_transaction"]),
        ),
        (
            "POST",
            "/v1/refunds",
            CreateRefund {
                target: RefundTarget::PaymentIntent("pi_1".into()),
                amount: Some(100),
                reason: Some(RefundReason::RequestedByCustomer),
                metadata: metadata(),
            }
            .form(),
        ),
        (
            "POST",
            "/v1/refunds",
            CreateRefund {
                target: RefundTarget::Charge("ch_1".into()),
                amount: None,
                reason: None,
                metadata: Metadata::new(),
            }
            .form(),
        ),
        (
            "GET",
            "/v1/refunds",
            page.apply(
                ListRefunds {
                    created: range(),
                    charge: Some("ch_1".into()),
                    payment_intent: Some("pi_1".into()),
                }
                .form(),
            ),
        ),
        ("POST", "/v1/checkout/sessions", session.form()),
        (
            "GET",
            "/v1/checkout/sessions/cs_1",
            Form::new().expand(&["line_items", "payment_intent", "customer"]),
        ),
        ("POST", "/v1/checkout/sessions/cs_1/expire", Form::new()),
        (
            "GET",
            "/v1/checkout/sessions",
            page.apply(
                ListCheckoutSessions {
                    payment_intent: Some("pi_1".into()),
                    customer: Some("cus_1".into()),
                    status: Some("open".into()),
                    created: range(),
                    expand: vec!["data.line_items".into()],
                }
                .form(),
            ),
        ),
        (
            "GET",
            "/v1/checkout/sessions/cs_1/line_items",
            page.apply(Form::new()),
        ),
        (
            "POST",
            "/v1/customers",
            CreateCustomer {
                email: Some("a@b.c".into()),
                name: Some("A".into()),
                phone: Some("+1".into()),
                description: Some("d".into()),
                metadata: metadata(),
            }
            .form(),
        ),
        (
            "GET",
            "/v1/customers",
            page.apply(
                ListCustomers {
                    email: Some("a@b.c".into()),
                    created: range(),
                }
                .form(),
            ),
        ),
        (
            "POST",
            "/v1/products",
            CreateProduct {
                name: "Beans".into(),
                description: Some("Dark".into()),
                metadata: metadata(),
            }
            .form(),
        ),
        (
            "GET",
            "/v1/products",
            page.apply(Form::new().set("active", true)),
        ),
        (
            "POST",
            "/v1/prices",
            CreatePrice {
                product: "prod_1".into(),
                currency: usd,
                unit_amount: 900,
                recurring_interval: Some("month".into()),
                nickname: Some("Monthly".into()),
            }
            .form(),
        ),
        (
            "GET",
            "/v1/prices",
            page.apply(
                ListPrices {
                    product: Some("prod_1".into()),
                    active: Some(true),
                }
                .form(),
            ),
        ),
        (
            "GET",
            "/v1/events",
            page.apply(
                ListEvents {
                    created: range(),
                    types: vec!["payment_intent.*".into(), "charge.refunded".into()],
                }
                .form(),
            ),
        ),
        ("GET", "/v1/account", Form::new()),
        ("GET", "/v1/balance", Form::new()),
    ];
    let extensions = extensions();
    let mut problems = Vec::new();
    for (method, path, form) in &cases {
        let encoded = form.encode();
        let (path_and_query, body) = if *method == "GET" && !encoded.is_empty() {
            (format!("{path}?{encoded}"), String::new())
        } else {
            (path.to_string(), encoded)
        };
        let checked = spec.check_request(method, &path_and_query, &body, &extensions);
        for problem in checked.problems {
            problems.push(format!("{method} {path}: {problem}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

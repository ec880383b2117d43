//! The client against the simulator: every endpoint, every error variant
//! from a real answer, pagination across thousands of objects, and the
//! faults that must never double or lose a money movement.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;

use common::{client_for, control, setup, setup_with};
use futures_util::StreamExt;
use serde_json::json;
use till_sim::SimConfig;
use till_stripe::models::{Metadata, PaymentIntentStatus};
use till_stripe::requests::{
    CancelPaymentIntent, CancellationReason, CapturePaymentIntent, CreateCheckoutSession,
    CreateCustomer, CreatePaymentIntent, CreatePrice, CreateProduct, CreateRefund, LineItemInput,
    ListCharges, ListCheckoutSessions, ListCustomers, ListEvents, ListPaymentIntents, ListPrices,
    ListRefunds, RefundReason, RefundTarget, SearchPaymentIntents, UpdatePaymentIntent,
};
use till_stripe::retry::RetryPolicy;
use till_stripe::{
    ApiKey, Currency, Endpoint, Idempotency, Money, Page, StripeClient, StripeError,
};

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::new("usd"))
}

fn hold(amount: i64) -> CreatePaymentIntent {
    CreatePaymentIntent {
        manual_capture: true,
        payment_method: Some("pm_card_visa".into()),
        confirm: true,
        ..CreatePaymentIntent::new(usd(amount))
    }
}

fn op(n: u32) -> Idempotency {
    Idempotency::operation(format!("till-op-key-{n}"), format!("op_{n}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_round_trips_through_the_models() {
    let s = setup();
    let c = &s.client;
    let account = c.account().await.unwrap();
    assert_eq!(account.display_name(), Some("Demo"));
    c.balance().await.unwrap();

    let customer = c
        .create_customer(&CreateCustomer {
            email: Some("ada@example.com".into()),
            name: Some("Ada".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        c.retrieve_customer(&customer.id)
            .await
            .unwrap()
            .email
            .as_deref(),
        Some("ada@example.com")
    );
    let listed = c
        .list_customers(
            &ListCustomers {
                email: Some("ada@example.com".into()),
                created: None,
            },
            &Page::first(5),
        )
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
    let product = c
        .create_product(&CreateProduct {
            name: "Espresso".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        c.list_products(Some(true), &Page::first(10))
            .await
            .unwrap()
            .data
            .len(),
        1
    );
    let price = c
        .create_price(&CreatePrice {
            product: product.id.clone(),
            currency: Currency::new("usd"),
            unit_amount: 350,
            recurring_interval: None,
            nickname: None,
        })
        .await
        .unwrap();
    assert_eq!(
        c.retrieve_price(&price.id).await.unwrap().unit_amount,
        Some(350)
    );
    assert_eq!(
        c.list_prices(
            &ListPrices {
                product: Some(product.id.clone()),
                active: None
            },
            &Page::first(10)
        )
        .await
        .unwrap()
        .data
        .len(),
        1
    );

    // A hold, captured in part: the raw JSON travels beside the typed view.
    let pi = c
        .create_payment_intent(
            &CreatePaymentIntent {
                customer: Some(customer.id.clone()),
                ..hold(5000)
            },
            op(1),
        )
        .await
        .unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::RequiresCapture);
    assert!(pi.json.get().contains("\"amount_capturable\":5000"));
    assert_eq!(
        pi.metadata.get("till_operation_id").map(String::as_str),
        Some("op_1"),
        "the operation id rides in metadata"
    );
    let expanded = c
        .retrieve_payment_intent(&pi.id, &["latest_charge"])
        .await
        .unwrap();
    let charge = expanded.latest_charge.as_ref().unwrap().object().unwrap();
    assert!(charge.card().unwrap().capture_before.is_some());
    let mut note = Metadata::new();
    note.insert("table".into(), "4".into());
    c.update_payment_intent(
        &pi.id,
        &UpdatePaymentIntent {
            description: Some("Table 4".into()),
            metadata: note,
        },
    )
    .await
    .unwrap();
    let captured = c
        .capture_payment_intent(
            &pi.id,
            &CapturePaymentIntent {
                amount_to_capture: Some(4000),
                ..Default::default()
            },
            op(2),
        )
        .await
        .unwrap();
    assert_eq!(
        (captured.status, captured.amount_received),
        (PaymentIntentStatus::Succeeded, 4000)
    );

    let unconfirmed = c
        .create_payment_intent(&CreatePaymentIntent::new(usd(1200)), Idempotency::Auto)
        .await
        .unwrap();
    let confirmed = c
        .confirm_payment_intent(&unconfirmed.id, Some("pm_card_visa"), op(3))
        .await
        .unwrap();
    assert_eq!(confirmed.status, PaymentIntentStatus::Succeeded);
    let released = c.create_payment_intent(&hold(800), op(4)).await.unwrap();
    let canceled = c
        .cancel_payment_intent(
            &released.id,
            &CancelPaymentIntent {
                reason: Some(CancellationReason::RequestedByCustomer),
            },
            op(5),
        )
        .await
        .unwrap();
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);

    let page = c
        .list_payment_intents(&ListPaymentIntents::default(), &Page::first(2))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(page.has_more);
    let found = c
        .search_payment_intents(&SearchPaymentIntents {
            query: "status:'canceled'".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.data[0].id, released.id);

    let charges = c
        .list_charges(
            &ListCharges {
                payment_intent: Some(confirmed.id.clone()),
                ..Default::default()
            },
            &Page::first(10),
        )
        .await
        .unwrap();
    let charge_id = charges.data[0].id.clone();
    assert_eq!(
        c.retrieve_charge(&charge_id, &[])
            .await
            .unwrap()
            .refundable(),
        1200
    );
    let refund = c
        .create_refund(
            &CreateRefund {
                target: RefundTarget::Charge(charge_id.clone()),
                amount: Some(200),
                reason: Some(RefundReason::Duplicate),
                metadata: Metadata::new(),
            },
            op(6),
        )
        .await
        .unwrap();
    assert_eq!(c.retrieve_refund(&refund.id).await.unwrap().amount, 200);
    assert_eq!(
        c.list_refunds(
            &ListRefunds {
                charge: Some(charge_id),
                ..Default::default()
            },
            &Page::first(10)
        )
        .await
        .unwrap()
        .data
        .len(),
        1
    );

    let session = c
        .create_checkout_session(
            &CreateCheckoutSession {
                line_items: vec![
                    LineItemInput::Price {
                        price: price.id.clone(),
                        quantity: 2,
                    },
                    LineItemInput::Adhoc {
                        name: "Croissant".into(),
                        unit_amount: 450,
                        currency: Currency::new("usd"),
                        quantity: 1,
                    },
                ],
                success_url: "https://shop.example/ok".into(),
                manual_capture: true,
                collect_phone: true,
                ..Default::default()
            },
            op(7),
        )
        .await
        .unwrap();
    assert_eq!(session.amount_total, Some(1150));
    let mut table = Metadata::new();
    table.insert("table".into(), "5".into());
    c.update_checkout_session_metadata(&session.id, &table)
        .await
        .unwrap();
    let items = c
        .list_checkout_line_items(&session.id, &Page::first(10))
        .await
        .unwrap();
    assert_eq!(items.data.len(), 2);
    let with_items = c
        .retrieve_checkout_session(&session.id, &["line_items"])
        .await
        .unwrap();
    assert_eq!(with_items.line_items.as_ref().unwrap().data.len(), 2);
    let expired = c.expire_checkout_session(&session.id, op(8)).await.unwrap();
    assert_eq!(expired.status.as_deref(), Some("expired"));
    let open = c
        .list_checkout_sessions(
            &ListCheckoutSessions {
                status: Some("expired".into()),
                ..Default::default()
            },
            &Page::first(5),
        )
        .await
        .unwrap();
    assert_eq!(open.data.len(), 1);
    assert!(
        open.data[0].line_items.is_none(),
        "not expanded unless asked"
    );
    let expanded = c
        .list_checkout_sessions(
            &ListCheckoutSessions {
                expand: vec!["data.line_items".into()],
                ..Default::default()
            },
            &Page::first(5),
        )
        .await
        .unwrap();
    assert!(
        expanded
            .data
            .iter()
            .all(|s| s.line_items.as_ref().is_some_and(|l| !l.data.is_empty())),
        "every listed session carries its line items"
    );

    let events = c
        .list_events(
            &ListEvents {
                types: vec!["payment_intent.*".into()],
                created: None,
            },
            &Page::first(100),
        )
        .await
        .unwrap();
    assert!(
        events
            .data
            .iter()
            .all(|e| e.kind.starts_with("payment_intent."))
    );
    let event = c.retrieve_event(&events.data[0].id).await.unwrap();
    assert_eq!(event.object_type(), Some("payment_intent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_variant_comes_from_a_real_simulator_answer() {
    let s = setup();
    let c = &s.client;
    let declined = c
        .create_payment_intent(
            &CreatePaymentIntent {
                payment_method: Some("pm_card_chargeDeclined".into()),
                confirm: true,
                ..CreatePaymentIntent::new(usd(1000))
            },
            op(1),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&declined, StripeError::Card { decline_code: Some(d), request_id: Some(_), .. } if d == "generic_decline"),
        "{declined:?}"
    );

    let held = c.create_payment_intent(&hold(1000), op(2)).await.unwrap();
    let over = c
        .capture_payment_intent(
            &held.id,
            &CapturePaymentIntent {
                amount_to_capture: Some(5000),
                ..Default::default()
            },
            op(3),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&over, StripeError::InvalidRequest { param: Some(p), .. } if p == "amount_to_capture"),
        "{over:?}"
    );
    assert_eq!(over.code(), Some("amount_too_large"));

    let missing = c
        .retrieve_payment_intent("pi_missing", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StripeError::NotFound { .. }),
        "{missing:?}"
    );

    let mismatch = c
        .create_payment_intent(&hold(2000), op(2))
        .await
        .unwrap_err();
    assert!(
        matches!(mismatch, StripeError::IdempotencyMismatch { .. }),
        "{mismatch:?}"
    );

    control(
        &s.sim,
        "keys",
        json!({ "key": "rk_test_staffonly0001", "same_account_as": s.sim.demo_key(), "permissions": { "payment_intent": "write" } }),
    );
    let staff = client_for(&s.sim, "rk_test_staffonly0001", s.clock.clone(), 1000.0);
    let denied = staff
        .create_refund(
            &CreateRefund {
                target: RefundTarget::PaymentIntent("pi_x".into()),
                amount: None,
                reason: None,
                metadata: Metadata::new(),
            },
            op(4),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&denied, StripeError::Permission { permission: Some(p), .. } if p == "rak_refund_write"),
        "{denied:?}"
    );

    control(
        &s.sim,
        "keys/revoke",
        json!({ "key": "rk_test_staffonly0001" }),
    );
    let revoked = staff.balance().await.unwrap_err();
    assert!(
        matches!(revoked, StripeError::Authentication { .. }),
        "{revoked:?}"
    );

    control(&s.sim, "faults", json!({ "error_503_next": 10 }));
    let unavailable = c.balance().await.unwrap_err();
    assert!(
        matches!(unavailable, StripeError::Api { status: 503, .. }),
        "{unavailable:?}"
    );
    assert_eq!(
        s.clock.sleeps().len(),
        3,
        "three retries with backoff before giving up"
    );

    control(&s.sim, "faults", json!({ "stored_500_next": 1 }));
    let unknown = c
        .create_refund(
            &CreateRefund {
                target: RefundTarget::PaymentIntent(held.id.clone()),
                amount: None,
                reason: None,
                metadata: Metadata::new(),
            },
            op(5),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, StripeError::OutcomeUnknown { .. }),
        "a stored 500 is neither success nor failure: {unknown:?}"
    );

    let dead = StripeClient::builder(ApiKey::parse("sk_test_nobodyhome1234").unwrap())
        .endpoint(Endpoint::parse("http://127.0.0.1:9").unwrap())
        .clock(s.clock.clone())
        .build()
        .unwrap();
    assert!(matches!(
        dead.balance().await.unwrap_err(),
        StripeError::Network { .. }
    ));
    assert!(matches!(
        dead.create_customer(&CreateCustomer::default())
            .await
            .unwrap_err(),
        StripeError::OutcomeUnknown { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_slows_down_on_429_instead_of_hammering() {
    let s = setup_with(
        SimConfig {
            rate_limit: 5,
            ..SimConfig::default()
        },
        50.0,
    );
    let limited = client_for(&s.sim, s.sim.demo_key(), s.clock.clone(), 50.0);
    let before = limited.limiter().rate();
    // The simulator allows 5/s on real time while the client's clock is
    // virtual: the client keeps being refused, halves its rate each time, and
    // finally reports the limit.
    let mut outcomes = Vec::new();
    for _ in 0..12 {
        outcomes.push(limited.balance().await.is_ok());
    }
    assert!(
        outcomes.iter().any(|ok| !ok),
        "some calls were rate limited"
    );
    assert!(
        limited.limiter().rate() < before,
        "the shared rate came down: {}",
        limited.limiter().rate()
    );
    let err = loop {
        if let Err(err) = limited.balance().await {
            break err;
        }
    };
    assert!(matches!(err, StripeError::RateLimited { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_streams_thousands_of_objects_exactly_once() {
    let s = setup();
    for i in 0..2_050 {
        s.client
            .create_payment_intent(&CreatePaymentIntent::new(usd(100 + i)), Idempotency::Auto)
            .await
            .unwrap();
    }
    let mut seen = HashSet::new();
    let mut stream = Box::pin(s.client.all_payment_intents(&ListPaymentIntents::default()));
    let mut previous_created = i64::MAX;
    while let Some(pi) = stream.next().await {
        let pi = pi.unwrap();
        assert!(pi.created <= previous_created, "newest first");
        previous_created = pi.created;
        assert!(seen.insert(pi.id.clone()), "{} came twice", pi.id);
    }
    assert_eq!(seen.len(), 2_050);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_whose_connection_drops_after_commit_happens_exactly_once() {
    let s = setup();
    let paid = s
        .client
        .create_payment_intent(
            &CreatePaymentIntent {
                payment_method: Some("pm_card_visa".into()),
                confirm: true,
                ..CreatePaymentIntent::new(usd(1000))
            },
            op(1),
        )
        .await
        .unwrap();
    control(&s.sim, "faults", json!({ "drop_after_commit_next": 1 }));
    let refund = s
        .client
        .create_refund(
            &CreateRefund {
                target: RefundTarget::PaymentIntent(paid.id.clone()),
                amount: Some(300),
                reason: None,
                metadata: Metadata::new(),
            },
            op(2),
        )
        .await
        .unwrap();
    assert_eq!(refund.amount, 300);
    assert_eq!(
        refund.metadata.get("till_operation_id").map(String::as_str),
        Some("op_2")
    );
    let refunds = s
        .client
        .list_refunds(
            &ListRefunds {
                payment_intent: Some(paid.id.clone()),
                ..Default::default()
            },
            &Page::first(10),
        )
        .await
        .unwrap();
    assert_eq!(
        refunds.data.len(),
        1,
        "the retry replayed the first refund instead of making a second"
    );

    // Dropped before the commit: the retry makes the refund, once.
    control(&s.sim, "faults", json!({ "drop_before_commit_next": 1 }));
    s.client
        .create_refund(
            &CreateRefund {
                target: RefundTarget::PaymentIntent(paid.id.clone()),
                amount: Some(100),
                reason: None,
                metadata: Metadata::new(),
            },
            op(3),
        )
        .await
        .unwrap();
    let refunds = s
        .client
        .list_refunds(
            &ListRefunds {
                payment_intent: Some(paid.id.clone()),
                ..Default::default()
            },
            &Page::first(10),
        )
        .await
        .unwrap();
    assert_eq!(refunds.data.iter().map(|r| r.amount).sum::<i64>(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_still_running_elsewhere_ends_as_unknown_not_as_a_second_write() {
    let s = setup();
    control(&s.sim, "faults", json!({ "latency_ms": 300 }));
    let policy = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    let impatient = StripeClient::builder(ApiKey::parse(s.sim.demo_key()).unwrap())
        .endpoint(Endpoint::parse(&s.sim.base_url()).unwrap())
        .clock(s.clock.clone())
        .retry_policy(policy)
        .rate(1000.0)
        .build()
        .unwrap();
    // Same idempotency key, twice at once: one succeeds, the other learns
    // that its outcome is unknown (409 after its retries), never a duplicate.
    let key = Idempotency::operation("shared-key", "op_shared");
    let request = hold(1500);
    let (a, b) = tokio::join!(
        impatient.create_payment_intent(&request, key.clone()),
        impatient.create_payment_intent(&request, key.clone())
    );
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    let loser = match (a, b) {
        (Ok(_), Err(err)) | (Err(err), Ok(_)) => err,
        other => panic!("expected one success and one failure: {other:?}"),
    };
    assert!(
        matches!(loser, StripeError::OutcomeUnknown { .. }),
        "{loser:?}"
    );
    let holds = s
        .client
        .search_payment_intents(&SearchPaymentIntents {
            query: "amount:1500".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(holds.data.len(), 1);
}

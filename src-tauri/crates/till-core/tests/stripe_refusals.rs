//! Stripe's refusals reach the UI by kind: one test per error code a
//! merchant meets, each from a real answer of the simulator (the same HTTP
//! Stripe speaks) turned into `till_core::Error` as every command does, or,
//! for the codes the simulator has no way to give (a disputed charge, a
//! charge captured through the Charges API, an issuer's do_not_honor, a code
//! Till does not know), from Stripe's error body served over HTTP to the
//! real client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::{ACCOUNT, client, client_at, control, make_payment, synced_store};
use serde_json::json;
use till_core::Error;
use till_core::error::{StripeProblem, StripeRefusal};
use till_core::operations::{self, Actor, Amount};
use till_sim::{SimConfig, Simulator};
use till_stripe::models::Metadata;
use till_stripe::requests::{
    CapturePaymentIntent, CreatePaymentIntent, CreateRefund, RefundTarget,
};
use till_stripe::retry::RetryPolicy;
use till_stripe::{ApiKey, Currency, Endpoint, Idempotency, Money, StripeClient, StripeError};

fn sim() -> Simulator {
    Simulator::start(SimConfig {
        rate_limit: 0,
        ..SimConfig::default()
    })
    .unwrap()
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::new("usd"))
}

fn now() -> i64 {
    till_core::sync::unix_now()
}

fn who() -> Actor {
    Actor {
        operator: Some("Ada".into()),
        note: None,
    }
}

/// The error as a command returns it; anything but a refusal fails the test.
fn refusal(err: StripeError) -> StripeRefusal {
    match Error::from(err) {
        Error::StripeRefused { refusal } => *refusal,
        other => panic!("not a refusal: {other:?}"),
    }
}

/// Asserts the kind, Stripe's code and that the request id came along.
fn assert_refused(refusal: &StripeRefusal, kind: StripeProblem, code: Option<&str>) {
    assert_eq!(refusal.kind, kind, "{refusal:?}");
    assert_eq!(refusal.stripe_code.as_deref(), code, "{refusal:?}");
    assert!(refusal.request_id.is_some(), "{refusal:?}");
    assert!(!refusal.message.is_empty(), "{refusal:?}");
}

fn refund_of(payment: &str, amount: Option<i64>) -> CreateRefund {
    CreateRefund {
        target: RefundTarget::PaymentIntent(payment.to_owned()),
        amount,
        reason: None,
        metadata: Metadata::new(),
    }
}

fn capture_of(amount: Option<i64>) -> CapturePaymentIntent {
    CapturePaymentIntent {
        amount_to_capture: amount,
        ..CapturePaymentIntent::default()
    }
}

async fn hold(c: &StripeClient, amount: i64) -> String {
    make_payment(c, "usd", amount, true).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_declined_keeps_the_issuers_reason() {
    let sim = sim();
    let c = client(&sim);
    for (card, code, decline_code) in [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "card_declined",
            "insufficient_funds",
        ),
        (
            "pm_card_chargeDeclinedLostCard",
            "card_declined",
            "lost_card",
        ),
        (
            "pm_card_chargeDeclinedStolenCard",
            "card_declined",
            "stolen_card",
        ),
        ("pm_card_radarBlock", "card_declined", "fraudulent"),
        (
            "pm_card_visa_chargeDeclinedVelocityLimitExceeded",
            "card_declined",
            "card_velocity_exceeded",
        ),
        (
            "pm_card_chargeDeclinedExpiredCard",
            "expired_card",
            "expired_card",
        ),
        (
            "pm_card_chargeDeclinedIncorrectCvc",
            "incorrect_cvc",
            "incorrect_cvc",
        ),
        (
            "pm_card_chargeDeclinedProcessingError",
            "processing_error",
            "processing_error",
        ),
    ] {
        let err = c
            .create_payment_intent(
                &CreatePaymentIntent {
                    payment_method: Some(card.into()),
                    confirm: true,
                    ..CreatePaymentIntent::new(usd(1000))
                },
                Idempotency::Auto,
            )
            .await
            .unwrap_err();
        let refused = refusal(err);
        assert_refused(&refused, StripeProblem::CardDeclined, Some(code));
        assert_eq!(
            refused.decline_code.as_deref(),
            Some(decline_code),
            "{card}"
        );
        assert_eq!(refused.stripe_type.as_deref(), Some("card_error"), "{card}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_required_off_session() {
    let sim = sim();
    let err = client(&sim)
        .create_payment_intent(
            &CreatePaymentIntent {
                payment_method: Some("pm_card_authenticationRequired".into()),
                confirm: true,
                off_session: true,
                ..CreatePaymentIntent::new(usd(1000))
            },
            Idempotency::Auto,
        )
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_refused(
        &refused,
        StripeProblem::AuthenticationRequired,
        Some("authentication_required"),
    );
    assert_eq!(refused.stripe_type.as_deref(), Some("card_error"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charge_expired_for_capture_once_the_hold_lapsed() {
    let sim = sim();
    let c = client(&sim);
    let pi = hold(&c, 1000).await;
    control(&sim, "clock/advance", json!({ "seconds": 7 * 86_400 + 1 }));
    let err = c
        .capture_payment_intent(&pi, &capture_of(None), Idempotency::Auto)
        .await
        .unwrap_err();
    assert_refused(
        &refusal(err),
        StripeProblem::ChargeExpiredForCapture,
        Some("charge_expired_for_capture"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charge_already_refunded() {
    let sim = sim();
    let c = client(&sim);
    let pi = make_payment(&c, "usd", 2000, false).await;
    c.create_refund(&refund_of(&pi, None), Idempotency::Auto)
        .await
        .unwrap();
    let err = c
        .create_refund(&refund_of(&pi, Some(100)), Idempotency::Auto)
        .await
        .unwrap_err();
    assert_refused(
        &refusal(err),
        StripeProblem::ChargeAlreadyRefunded,
        Some("charge_already_refunded"),
    );
}

/// Through the journal, as the Refund button sends it: the cache still
/// shows the payment refundable, Stripe says it was refunded meanwhile (in
/// the Dashboard); the command answers the typed refusal and the journal
/// records the refund as failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charge_already_refunded_through_the_journal() {
    let sim = sim();
    let c = client(&sim);
    let pi = make_payment(&c, "usd", 2000, false).await;
    let store = synced_store(&sim).await;
    c.create_refund(&refund_of(&pi, None), Idempotency::Auto)
        .await
        .unwrap();
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let err = operations::refund(on, &pi, Some(Amount::new(500, "usd")), None, who(), now())
        .await
        .unwrap_err();
    let Error::StripeRefused { refusal: refused } = &err else {
        panic!("{err:?}");
    };
    assert_refused(
        refused,
        StripeProblem::ChargeAlreadyRefunded,
        Some("charge_already_refunded"),
    );
    let last =
        till_store::table::operations::list(store.lock().unwrap().conn(), ACCOUNT, 1).unwrap();
    assert_eq!(last[0].state, "failed", "{:?}", last[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amount_too_large() {
    let sim = sim();
    let c = client(&sim);
    let pi = make_payment(&c, "usd", 2000, false).await;
    let err = c
        .create_refund(&refund_of(&pi, Some(2001)), Idempotency::Auto)
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_refused(
        &refused,
        StripeProblem::AmountTooLarge,
        Some("amount_too_large"),
    );
    assert_eq!(refused.param.as_deref(), Some("amount"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amount_too_small_for_a_capture() {
    let sim = sim();
    let c = client(&sim);
    let pi = hold(&c, 1000).await;
    let err = c
        .capture_payment_intent(&pi, &capture_of(Some(10)), Idempotency::Auto)
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_refused(
        &refused,
        StripeProblem::AmountTooSmall,
        Some("amount_too_small"),
    );
    assert_eq!(refused.param.as_deref(), Some("amount_to_capture"));

    // The Capture button sends it as typed: the core leaves the minimum to
    // Stripe, whose refusal comes back typed.
    let store = synced_store(&sim).await;
    let on = operations::On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let err = operations::capture(on, &pi, Some(Amount::new(10, "usd")), who(), now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::StripeRefused { refusal } if refusal.kind == StripeProblem::AmountTooSmall),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_missing() {
    let sim = sim();
    let err = client(&sim)
        .capture_payment_intent("pi_nothere", &capture_of(None), Idempotency::Auto)
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_refused(
        &refused,
        StripeProblem::ResourceMissing,
        Some("resource_missing"),
    );
    assert_eq!(refused.param.as_deref(), Some("intent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_changed_at_stripe_is_an_unexpected_state() {
    let sim = sim();
    let c = client(&sim);
    let pi = hold(&c, 1000).await;
    c.capture_payment_intent(&pi, &capture_of(None), Idempotency::Auto)
        .await
        .unwrap();
    let err = c
        .capture_payment_intent(&pi, &capture_of(None), Idempotency::Auto)
        .await
        .unwrap_err();
    assert_refused(
        &refusal(err),
        StripeProblem::UnexpectedState,
        Some("payment_intent_unexpected_state"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_permission_is_named() {
    let sim = sim();
    let staff = "rk_test_frontdesk_refusals_01";
    control(
        &sim,
        "keys",
        json!({ "key": staff, "same_account_as": sim.demo_key(),
                "permissions": { "payment_intent": "write" } }),
    );
    let err = client_at(&sim.base_url(), staff)
        .create_refund(&refund_of("pi_any", None), Idempotency::Auto)
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_eq!(
        refused.kind,
        StripeProblem::PermissionMissing,
        "{refused:?}"
    );
    assert_eq!(refused.permission.as_deref(), Some("rak_refund_write"));
    assert!(refused.request_id.is_some());

    control(&sim, "keys/revoke", json!({ "key": staff }));
    let err = client_at(&sim.base_url(), staff)
        .balance()
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_eq!(refused.kind, StripeProblem::KeyNotAccepted, "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_after_waiting() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 1,
        ..SimConfig::default()
    })
    .unwrap();
    let impatient = StripeClient::builder(ApiKey::parse(sim.demo_key()).unwrap())
        .endpoint(Endpoint::parse(&sim.base_url()).unwrap())
        .rate(1000.0)
        .retry_policy(RetryPolicy {
            max_retries: 0,
            max_rate_limited_waits: 0,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let mut limited = None;
    for _ in 0..20 {
        if let Err(err) = impatient.balance().await {
            limited = Some(err);
            break;
        }
    }
    let refused = refusal(limited.expect("the simulator allows one request a second"));
    assert_refused(&refused, StripeProblem::RateLimited, Some("rate_limit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_error() {
    let sim = sim();
    let c = client(&sim);
    let key = || Idempotency::operation("till-refusals-key-1", "op_refusals_1");
    c.create_payment_intent(&CreatePaymentIntent::new(usd(1000)), key())
        .await
        .unwrap();
    let err = c
        .create_payment_intent(&CreatePaymentIntent::new(usd(2000)), key())
        .await
        .unwrap_err();
    let refused = refusal(err);
    assert_eq!(refused.kind, StripeProblem::IdempotencyError, "{refused:?}");
    assert_eq!(refused.stripe_type.as_deref(), Some("idempotency_error"));
    assert!(refused.request_id.is_some());
}

/// Serves one canned error answer to every request, as Stripe would send it.
fn stripe_answering(status: u16, body: serde_json::Value) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = body.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then as much body as it announces.
            let complete = |request: &[u8]| {
                let text = String::from_utf8_lossy(request);
                let Some(end) = text.find("\r\n\r\n") else {
                    return false;
                };
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                request.len() >= end + 4 + length
            };
            while !complete(&request) {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let answer = format!(
                "HTTP/1.1 {status} Refused\r\nContent-Type: application/json\r\nRequest-Id: req_canned_{status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

async fn canned(status: u16, error: serde_json::Value) -> StripeRefusal {
    let url = stripe_answering(status, json!({ "error": error }));
    let c = client_at(&url, "sk_test_canned_answers_0001");
    let err = c
        .create_refund(&refund_of("pi_canned", None), Idempotency::Auto)
        .await
        .unwrap_err();
    refusal(err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charge_disputed_from_stripes_answer() {
    let refused = canned(
        400,
        json!({ "type": "invalid_request_error", "code": "charge_disputed",
                "message": "Charge ch_1 has been charged back; cannot issue a refund." }),
    )
    .await;
    assert_refused(
        &refused,
        StripeProblem::ChargeDisputed,
        Some("charge_disputed"),
    );
    assert_eq!(refused.request_id.as_deref(), Some("req_canned_400"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charge_already_captured_from_stripes_answer() {
    let refused = canned(
        400,
        json!({ "type": "invalid_request_error", "code": "charge_already_captured",
                "message": "Charge ch_1 has already been captured." }),
    )
    .await;
    assert_refused(
        &refused,
        StripeProblem::ChargeAlreadyCaptured,
        Some("charge_already_captured"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn do_not_honor_from_stripes_answer() {
    let refused = canned(
        402,
        json!({ "type": "card_error", "code": "card_declined", "decline_code": "do_not_honor",
                "message": "Your card was declined." }),
    )
    .await;
    assert_refused(&refused, StripeProblem::CardDeclined, Some("card_declined"));
    assert_eq!(refused.decline_code.as_deref(), Some("do_not_honor"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_code_keeps_stripes_message_and_request_id() {
    let refused = canned(
        400,
        json!({ "type": "invalid_request_error", "code": "refund_window_closed", "param": "charge",
                "message": "Refunds for this charge are no longer possible." }),
    )
    .await;
    assert_eq!(
        refused,
        StripeRefusal {
            kind: StripeProblem::Other,
            stripe_type: Some("invalid_request_error".into()),
            stripe_code: Some("refund_window_closed".into()),
            decline_code: None,
            param: Some("charge".into()),
            permission: None,
            message: "Refunds for this charge are no longer possible.".into(),
            request_id: Some("req_canned_400".into()),
            // The request refused is named, method and path, never the key.
            request: Some("POST /v1/refunds".into()),
            status: Some(400),
        }
    );
}

//! The key never leaves where it belongs: a live key is refused for any host
//! but Stripe's or loopback before a byte is sent, and at `trace` level no
//! log line carries it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use till_stripe::requests::{CreateCustomer, CreatePaymentIntent, ListPaymentIntents};
use till_stripe::{
    ApiKey, Currency, Endpoint, Idempotency, Money, Page, StripeClient, StripeError,
};

#[test]
fn a_live_key_aimed_at_another_host_is_refused_before_anything_is_sent() {
    // A listener on loopback stands for "the other host": nothing may reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    for base in [
        "https://stripe-mirror.example",
        "http://api.stripe.com",
        "https://api.stripe.com:444",
    ] {
        let err = StripeClient::builder(ApiKey::parse("sk_live_abcdefgh12345678").unwrap())
            .endpoint(Endpoint::parse(base).unwrap())
            .build()
            .unwrap_err();
        assert!(
            matches!(err, StripeError::LiveKeyRefused { .. }),
            "{base}: {err:?}"
        );
    }
    // The same key is fine on loopback, and a test key anywhere.
    let loopback = format!("http://{}", listener.local_addr().unwrap());
    assert!(
        StripeClient::builder(ApiKey::parse("sk_live_abcdefgh12345678").unwrap())
            .endpoint(Endpoint::parse(&loopback).unwrap())
            .build()
            .is_ok()
    );
    assert!(
        listener.accept().is_err(),
        "building a client connects nowhere"
    );
}

/// Collects every formatted log line.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn find_secret(logs: &str, secret: &str) -> usize {
    logs.lines().filter(|line| line.contains(secret)).count()
}

#[test]
fn at_trace_level_no_log_line_contains_the_key() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // `log` records (reqwest, hyper-util) reach tracing too.
    let _ = tracing_log::LogTracer::init();

    let s = common::setup();
    let secret = s.sim.demo_key().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        s.client.account().await.unwrap();
        s.client.create_customer(&CreateCustomer { email: Some("ada@example.com".into()), ..Default::default() }).await.unwrap();
        let pi = CreatePaymentIntent { payment_method: Some("pm_card_chargeDeclined".into()), confirm: true, ..CreatePaymentIntent::new(Money::new(1000, Currency::new("usd"))) };
        // The declined card's path ran (and logged): the error is Stripe's decline.
        let declined = s.client.create_payment_intent(&pi, Idempotency::operation("k1", "op1")).await;
        assert!(
            matches!(&declined, Err(till_stripe::StripeError::Card { code, .. }) if code == "card_declined"),
            "{declined:?}"
        );
        s.client.list_payment_intents(&ListPaymentIntents::default(), &Page::first(5)).await.unwrap();
        tracing::debug!(client = ?s.client, key = %s.client.key(), "the client and its key, as logged");
    });
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.lines().count() > 5,
        "trace logging captured lines: {logs}"
    );
    assert_eq!(
        find_secret(&logs, &secret),
        0,
        "the key leaked into the logs"
    );
    assert!(
        logs.contains(&s.client.key().redacted()),
        "the redacted form is what appears"
    );

    // The scanner finds a planted copy, so a zero above means something.
    tracing::info!("planted {secret}");
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert_eq!(find_secret(&logs, &secret), 1);
}

//! The search as the sync fills the cache: Stripe's objects stored by the
//! sync's own functions, in either order, then found by what a person types.
#![allow(clippy::unwrap_used, clippy::panic)]

use serde_json::json;
use till_store::Store;
use till_stripe::models::{CheckoutSession, PaymentIntent, Raw};

use super::*;
use crate::jump::{self, JumpTarget};
use crate::sync::kinds::{store_payment, store_session};

const ACCOUNT: &str = "acct_1";

fn payment(n: i64, email: &str, order: &str) -> Raw<PaymentIntent> {
    serde_json::from_value(json!({
        "id": format!("pi_{n}"), "object": "payment_intent", "amount": 1000 * n, "amount_capturable": 0,
        "amount_received": 1000 * n, "currency": "eur", "status": "succeeded", "capture_method": "automatic",
        "created": 1_700_000_000 + n, "receipt_email": email, "description": format!("Order #{n}"),
        "metadata": { "order_id": order },
    }))
    .unwrap()
}

fn session(n: i64, payment: &str, lines: &[&str]) -> Raw<CheckoutSession> {
    let data: Vec<_> = lines
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({ "id": format!("li_{n}_{i}"), "object": "item", "description": name, "quantity": 1,
                    "amount_subtotal": 500, "amount_total": 500, "currency": "eur" })
        })
        .collect();
    serde_json::from_value(json!({
        "id": format!("cs_test_{n}"), "object": "checkout.session", "created": 1_700_000_000 + n,
        "expires_at": 1_700_090_000, "status": "complete", "payment_status": "paid", "mode": "payment",
        "client_reference_id": format!("cart-{n}"), "payment_intent": payment,
        "line_items": { "object": "list", "data": data, "has_more": false, "url": "/v1/checkout/sessions/x/line_items" },
    }))
    .unwrap()
}

/// Two checkouts' payments: the first checkout synced before its payment,
/// the second after.
fn cache() -> Store {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    store_session(
        conn,
        ACCOUNT,
        &session(1, "pi_1", &["Flat white", "Almond croissant"]),
    )
    .unwrap();
    store_payment(
        conn,
        ACCOUNT,
        &payment(1, "ines.haddad1@example.com", "ORD-000042"),
    )
    .unwrap();
    store_payment(
        conn,
        ACCOUNT,
        &payment(2, "zoe.martin2@example.com", "ORD-000043"),
    )
    .unwrap();
    store_session(conn, ACCOUNT, &session(2, "pi_2", &["Oat latte"])).unwrap();
    store
}

fn found(store: &Store, text: &str) -> Vec<String> {
    match payments(store, ACCOUNT, text, 50).unwrap() {
        PaymentSearch::Found { rows, .. } => rows.into_iter().map(|p| p.id).collect(),
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn a_payment_is_found_by_any_part_of_its_words_and_what_its_checkout_sold() {
    let store = cache();
    assert_eq!(found(&store, "haddad"), ["pi_1"], "the issue's example");
    assert_eq!(found(&store, "ines"), ["pi_1"]);
    assert_eq!(
        found(&store, "croissant"),
        ["pi_1"],
        "its checkout's line, synced before it"
    );
    assert_eq!(
        found(&store, "oat lat"),
        ["pi_2"],
        "its checkout's line, synced after it"
    );
    assert_eq!(
        found(&store, "cart-2"),
        ["pi_2"],
        "its checkout's reference"
    );
    assert_eq!(found(&store, "000043"), ["pi_2"], "a metadata value");
    assert_eq!(found(&store, "example"), ["pi_2", "pi_1"], "newest first");
    assert_eq!(found(&store, "z"), ["pi_2"], "one letter: a word's start");
    assert!(found(&store, "nothing-like-this").is_empty());
}

#[test]
fn stripes_syntax_runs_once_it_parses() {
    let store = cache();
    assert_eq!(found(&store, "metadata['order_id']:'ORD-000042'"), ["pi_1"]);
    assert_eq!(found(&store, "amount>1500 AND currency:'eur'"), ["pi_2"]);
    assert_eq!(
        found(&store, "status:'succeeded' example"),
        ["pi_2", "pi_1"]
    );
    assert_eq!(found(&store, "status:'canceled' OR amount:1000"), ["pi_1"]);
    assert_eq!(found(&store, "-amount:1000 example"), ["pi_2"]);
    assert_eq!(found(&store, ""), Vec::<String>::new());
    assert_eq!(
        payments(&store, ACCOUNT, "status:'succ", 50).unwrap(),
        PaymentSearch::Incomplete
    );
    assert!(matches!(
        payments(&store, ACCOUNT, "status:'paid'", 50).unwrap(),
        PaymentSearch::Invalid {
            problem: QueryProblem::UnknownStatus { .. }
        }
    ));
}

#[test]
fn ctrl_k_finds_the_same_payments_and_waits_for_a_half_typed_query() {
    let store = cache();
    for text in ["haddad", "croissant", "cart-2", "amount>1500", "pi_2"] {
        let expected = found(&store, text);
        let jumped: Vec<String> = jump::jump(&store, ACCOUNT, text)
            .unwrap()
            .targets
            .into_iter()
            .filter_map(|t| match t {
                JumpTarget::Payment { payment } => Some(payment.id),
                _ => None,
            })
            .collect();
        assert!(!expected.is_empty(), "{text}");
        assert_eq!(jumped, expected, "{text}");
    }
    let typing = jump::jump(&store, ACCOUNT, "status:'succ").unwrap();
    assert!(typing.incomplete && typing.targets.is_empty() && typing.problem.is_none());
    let wrong = jump::jump(&store, ACCOUNT, "amount>ten").unwrap();
    assert!(!wrong.incomplete && wrong.problem.is_some());
}

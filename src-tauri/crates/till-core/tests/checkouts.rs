//! New checkouts against the simulator: created once through the journal,
//! paid by a simulated customer and seen through the sync; expired;
//! duplicated; and every bad input refused with a typed reason while
//! nothing is created at Stripe or written to the journal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::{ACCOUNT, client, control, synced_store, syncer};
use serde_json::json;
use till_core::Error;
use till_core::checkouts::journal::{self, CheckoutDone};
use till_core::checkouts::{self, CheckoutDraft, CheckoutFilter, DraftItem, MetadataEntry};
use till_core::error::{CheckoutProblem, StripeProblem};
use till_core::operations::{self, Actor, On};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_store::table::operations as oplog;
use till_store::table::payment_intents;
use till_stripe::requests::ListCheckoutSessions;
use till_stripe::{Page, StripeClient};

fn now() -> i64 {
    till_core::sync::unix_now()
}

fn sim() -> Simulator {
    Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 7,
        history: Some(SeedSpec {
            payments: 40,
            days: 3,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap()
}

/// A typed-in line; `amount` in minor units, as the form sends it.
fn adhoc(name: &str, amount: i64, currency: &str, quantity: u32) -> DraftItem {
    DraftItem::Adhoc {
        name: name.into(),
        unit_amount: amount,
        currency: currency.into(),
        quantity,
    }
}

fn draft(items: Vec<DraftItem>) -> CheckoutDraft {
    CheckoutDraft {
        items,
        expires_in_minutes: 60,
        success_url: Some("https://cafe.example/thanks".into()),
        ..CheckoutDraft::default()
    }
}

async fn sessions_at_stripe(c: &StripeClient) -> usize {
    let mut n = 0;
    let mut page = Page::first(100);
    loop {
        let list = c
            .list_checkout_sessions(&ListCheckoutSessions::default(), &page)
            .await
            .unwrap();
        n += list.data.len();
        match (list.has_more, list.data.last()) {
            (true, Some(last)) => page.starting_after = Some(last.id.clone()),
            _ => return n,
        }
    }
}

fn journal_len(store: &Mutex<Store>) -> usize {
    oplog::list(store.lock().unwrap().conn(), ACCOUNT, 1000)
        .unwrap()
        .len()
}

fn who() -> Actor {
    Actor {
        operator: Some("Ada".into()),
        note: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_is_created_once_paid_by_the_customer_and_seen_through_the_sync() {
    let sim = sim();
    let store = Arc::new(Mutex::new(Store::in_memory().unwrap()));
    let sync = syncer(&sim, &store);
    sync.sync_once().await.unwrap();
    let c = client(&sim);
    let on = On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let catalog = journal::catalog(&c).await.unwrap();
    assert!(catalog.len() >= 3, "the demo sells things: {catalog:?}");
    let price = &catalog[0];
    let mut new = draft(vec![
        DraftItem::Price {
            price_id: price.id.clone(),
            quantity: 2,
        },
        adhoc("Gift wrap", 350, &price.currency, 1),
    ]);
    new.customer_email = Some("ada@example.com".into());
    new.client_reference = Some("order-1042".into());
    new.metadata = vec![MetadataEntry {
        key: "table".into(),
        value: "4".into(),
    }];
    new.cancel_url = Some("https://cafe.example/cart".into());
    let before = sessions_at_stripe(&c).await;
    let CheckoutDone {
        operation_id,
        detail,
    } = journal::create(on, &new, who(), now()).await.unwrap();
    assert_eq!(sessions_at_stripe(&c).await, before + 1);
    let made = &detail.checkout;
    assert_eq!(made.status, "open");
    assert_eq!(made.amount_total, Some(price.unit_amount * 2 + 350));
    assert_eq!(made.lines.len(), 2);
    assert_eq!(made.lines[0].quantity, 2);
    assert_eq!(made.lines[1].description, "Gift wrap");
    assert_eq!(made.client_reference.as_deref(), Some("order-1042"));
    let url = made.url.clone().expect("an open checkout has a link");
    assert!(detail.qr_svg.as_deref().is_some_and(|s| s.contains("<svg")));
    let expires_in = made.expires_at - made.created;
    assert!((3590..=3610).contains(&expires_in), "{expires_in}");
    // The journal holds it, succeeded, with Stripe's id.
    let entry = oplog::get(store.lock().unwrap().conn(), &operation_id)
        .unwrap()
        .unwrap();
    assert_eq!(entry.state, "succeeded");
    assert_eq!(entry.result_id.as_deref(), Some(made.id.as_str()));
    assert_eq!(entry.amount, made.amount_total);
    // The URLs are remembered: the next checkout needs none.
    let settings = checkouts::settings(&store.lock().unwrap(), ACCOUNT).unwrap();
    assert_eq!(
        settings.success_url.as_deref(),
        Some("https://cafe.example/thanks")
    );
    assert_eq!(
        settings.cancel_url.as_deref(),
        Some("https://cafe.example/cart")
    );

    // The customer pays at the link; the sync brings the payment.
    control(
        &sim,
        &format!("checkout/sessions/{}/complete", made.id),
        json!({}),
    );
    sync.sync_once().await.unwrap();
    let paid = checkouts::detail(&store.lock().unwrap(), ACCOUNT, &made.id).unwrap();
    assert_eq!(paid.checkout.status, "complete");
    assert_eq!(paid.checkout.payment_status, "paid");
    assert_eq!(paid.checkout.payment_state.as_deref(), Some("succeeded"));
    assert_eq!(
        paid.checkout.url, None,
        "a finished checkout has no link to show"
    );
    assert_eq!(paid.qr_svg, None);
    let payment_id = paid.checkout.payment_id.clone().unwrap();
    let payment = payment_intents::get(store.lock().unwrap().conn(), ACCOUNT, &payment_id)
        .unwrap()
        .unwrap();
    assert_eq!(payment.amount, price.unit_amount * 2 + 350);
    assert!(url.contains(&made.id), "{url}");

    // With manual capture the payment becomes a hold; no URLs needed now.
    let mut hold = draft(vec![adhoc("Deposit", 2_000, "usd", 1)]);
    hold.success_url = None;
    hold.manual_capture = true;
    let held = journal::create(on, &hold, who(), now()).await.unwrap();
    control(
        &sim,
        &format!("checkout/sessions/{}/complete", held.detail.checkout.id),
        json!({}),
    );
    sync.sync_once().await.unwrap();
    let held =
        checkouts::detail(&store.lock().unwrap(), ACCOUNT, &held.detail.checkout.id).unwrap();
    assert_eq!(
        held.checkout.payment_state.as_deref(),
        Some("requires_capture")
    );

    // Duplicate: the same lines, the catalog price still a catalog price.
    let copy = checkouts::duplicate(&store.lock().unwrap(), ACCOUNT, &made.id, &catalog).unwrap();
    assert_eq!(
        copy.items[0],
        DraftItem::Price {
            price_id: price.id.clone(),
            quantity: 2
        }
    );
    assert_eq!(copy.items[1], adhoc("Gift wrap", 350, &price.currency, 1));
    assert_eq!(copy.client_reference.as_deref(), Some("order-1042"));
    assert_eq!(copy.metadata, new.metadata, "without Till's own key");
    assert_eq!(copy.expires_in_minutes, 60);
    let again = journal::create(on, &copy, who(), now()).await.unwrap();
    assert_eq!(again.detail.checkout.amount_total, made.amount_total);

    // Expire: the link stops working; twice is refused before sending.
    let expired = journal::expire(on, &again.detail.checkout.id, who(), now())
        .await
        .unwrap();
    assert_eq!(expired.detail.checkout.status, "expired");
    assert_eq!(expired.detail.checkout.url, None);
    let twice = journal::expire(on, &again.detail.checkout.id, who(), now()).await;
    assert!(
        matches!(
            twice,
            Err(Error::CheckoutRefused {
                reason: CheckoutProblem::NotOpen,
                ..
            })
        ),
        "{twice:?}"
    );
    let complete = journal::expire(on, &made.id, who(), now()).await;
    assert!(matches!(
        complete,
        Err(Error::CheckoutRefused {
            reason: CheckoutProblem::NotOpen,
            ..
        })
    ));
    let open = checkouts::list(
        &store.lock().unwrap(),
        ACCOUNT,
        CheckoutFilter::Open,
        "",
        100,
    )
    .unwrap()
    .rows;
    assert!(open.iter().all(|s| s.status == "open"));
    assert!(!open.iter().any(|s| s.id == again.detail.checkout.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_checkouts_are_refused_with_a_reason_and_nothing_is_created() {
    let sim = sim();
    let store = synced_store(&sim).await;
    let c = client(&sim);
    let on = On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let catalog = journal::catalog(&c).await.unwrap();
    let usd_price = catalog.iter().find(|p| p.currency == "usd").unwrap();
    let before = sessions_at_stripe(&c).await;
    let journaled = journal_len(&store);
    let no_url = CheckoutDraft {
        success_url: None,
        ..draft(vec![adhoc("Tea", 300, "usd", 1)])
    };
    let with = |f: &dyn Fn(&mut CheckoutDraft)| {
        let mut d = draft(vec![adhoc("Tea", 300, "usd", 1)]);
        f(&mut d);
        d
    };
    let cases: Vec<(&str, CheckoutDraft, CheckoutProblem, Option<u32>)> = vec![
        ("no lines", draft(vec![]), CheckoutProblem::NoItems, None),
        (
            "zero price",
            draft(vec![adhoc("Tea", 0, "usd", 1)]),
            CheckoutProblem::PriceNotPositive,
            Some(0),
        ),
        (
            "negative price",
            draft(vec![
                adhoc("Tea", 300, "usd", 1),
                adhoc("Refund?", -500, "usd", 1),
            ]),
            CheckoutProblem::PriceNotPositive,
            Some(1),
        ),
        (
            "three decimals",
            draft(vec![adhoc("Tea", 1_255, "bhd", 1)]),
            CheckoutProblem::PriceInvalid,
            Some(0),
        ),
        (
            "above the maximum",
            draft(vec![adhoc("Car", 100_000_000, "usd", 1)]),
            CheckoutProblem::PriceInvalid,
            Some(0),
        ),
        (
            "a total above the maximum",
            draft(vec![adhoc("Tea", 60_000_000, "usd", 2)]),
            CheckoutProblem::TotalTooLarge,
            None,
        ),
        (
            "no quantity",
            draft(vec![adhoc("Tea", 300, "usd", 0)]),
            CheckoutProblem::QuantityNotPositive,
            Some(0),
        ),
        (
            "no name",
            draft(vec![adhoc("  ", 300, "usd", 1)]),
            CheckoutProblem::ItemUnnamed,
            Some(0),
        ),
        (
            "mixed currencies",
            draft(vec![
                adhoc("Tea", 300, "usd", 1),
                adhoc("Tee", 300, "eur", 1),
            ]),
            CheckoutProblem::MixedCurrencies,
            Some(1),
        ),
        (
            "a catalog price in another currency",
            draft(vec![
                adhoc("Tea", 300, "eur", 1),
                DraftItem::Price {
                    price_id: usd_price.id.clone(),
                    quantity: 1,
                },
            ]),
            CheckoutProblem::MixedCurrencies,
            Some(1),
        ),
        (
            "expiry too short",
            with(&|d| d.expires_in_minutes = 29),
            CheckoutProblem::ExpiryOutOfRange,
            None,
        ),
        (
            "expiry too long",
            with(&|d| d.expires_in_minutes = 24 * 60 + 1),
            CheckoutProblem::ExpiryOutOfRange,
            None,
        ),
        (
            "malformed URL",
            with(&|d| d.success_url = Some("thanks page".into())),
            CheckoutProblem::MalformedUrl,
            None,
        ),
        (
            "not a web URL",
            with(&|d| d.cancel_url = Some("ftp://cafe.example/".into())),
            CheckoutProblem::MalformedUrl,
            None,
        ),
        (
            "no URL known",
            no_url,
            CheckoutProblem::SuccessUrlMissing,
            None,
        ),
        (
            "unknown price",
            draft(vec![DraftItem::Price {
                price_id: "price_doesnotexist".into(),
                quantity: 1,
            }]),
            CheckoutProblem::UnknownPrice,
            Some(0),
        ),
        (
            "unknown customer",
            with(&|d| d.customer_id = Some("cus_doesnotexist".into())),
            CheckoutProblem::UnknownCustomer,
            None,
        ),
        (
            "malformed email",
            with(&|d| d.customer_email = Some("ada at example".into())),
            CheckoutProblem::MalformedEmail,
            None,
        ),
        (
            "Till's own metadata key",
            with(&|d| {
                d.metadata = vec![MetadataEntry {
                    key: "till_operation_id".into(),
                    value: "x".into(),
                }]
            }),
            CheckoutProblem::MetadataInvalid,
            None,
        ),
    ];
    for (what, bad, expected, at) in cases {
        match journal::create(on, &bad, who(), now()).await {
            Err(Error::CheckoutRefused {
                reason,
                item,
                detail,
            }) => {
                assert_eq!(reason, expected, "{what}: {detail}");
                assert_eq!(item, at, "{what}: the line at fault");
                assert!(!detail.is_empty());
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    assert_eq!(
        sessions_at_stripe(&c).await,
        before,
        "nothing created at Stripe"
    );
    assert_eq!(journal_len(&store), journaled, "nothing journaled");
    assert_eq!(
        checkouts::settings(&store.lock().unwrap(), ACCOUNT)
            .unwrap()
            .success_url,
        None,
        "a refused checkout remembers no URL"
    );

    // A key that may not create checkouts: Stripe's 403, journaled as failed.
    let reader = "rk_test_readonlycheckouts1";
    control(
        &sim,
        "keys",
        json!({ "key": reader, "same_account_as": sim.demo_key(),
                "permissions": { "payment_intent": "read", "checkout_session": "read", "price": "read" } }),
    );
    let limited = common::client_at(&sim.base_url(), reader);
    let limited_on = On {
        client: &limited,
        ..on
    };
    let refused = journal::create(
        limited_on,
        &draft(vec![adhoc("Tea", 300, "usd", 1)]),
        who(),
        now(),
    )
    .await;
    assert!(
        matches!(&refused, Err(Error::StripeRefused { refusal }) if refusal.kind == StripeProblem::PermissionMissing),
        "{refused:?}"
    );
    assert_eq!(sessions_at_stripe(&c).await, before);
    let last = oplog::list(store.lock().unwrap().conn(), ACCOUNT, 1).unwrap();
    assert_eq!(last[0].state, "failed");

    // The network down: nothing is sent, nothing is journaled.
    let down = common::client_at("http://127.0.0.1:9", sim.demo_key());
    let down_on = On {
        client: &down,
        ..on
    };
    let offline = journal::create(
        down_on,
        &draft(vec![DraftItem::Price {
            price_id: usd_price.id.clone(),
            quantity: 1,
        }]),
        who(),
        now(),
    )
    .await;
    assert!(matches!(offline, Err(Error::Stripe { .. })), "{offline:?}");
    assert_eq!(
        journal_len(&store),
        journaled + 1,
        "only the refused one above"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_resolved_into_exactly_one_checkout() {
    let sim = sim();
    let store = synced_store(&sim).await;
    let c = client(&sim);
    let on = On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let before = sessions_at_stripe(&c).await;

    // Stripe commits, the connection drops before the answer: the client
    // sends again with the same key and Stripe answers as the first time.
    control(&sim, "faults", json!({ "drop_after_commit_next": 1 }));
    let once = journal::create(on, &draft(vec![adhoc("Cake", 420, "usd", 3)]), who(), now())
        .await
        .unwrap();
    assert_eq!(once.detail.checkout.amount_total, Some(1260));
    assert_eq!(sessions_at_stripe(&c).await, before + 1, "made once");

    // Stripe commits and keeps answering that key with a 500: unknown.
    // Resolving finds the session by its operation id in its metadata.
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let stored = journal::create(on, &draft(vec![adhoc("Pie", 500, "usd", 1)]), who(), now()).await;
    let Err(Error::OutcomeUnknown { operation_id, .. }) = stored else {
        panic!("{stored:?}");
    };
    assert_eq!(
        sessions_at_stripe(&c).await,
        before + 2,
        "Stripe did make it"
    );
    let settled = operations::resolve_open(&c, &store, ACCOUNT, now())
        .await
        .unwrap();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].state, "succeeded");
    assert_eq!(sessions_at_stripe(&c).await, before + 2, "not made twice");
    let entry = oplog::get(store.lock().unwrap().conn(), &operation_id)
        .unwrap()
        .unwrap();
    let made = entry.result_id.unwrap();
    assert_eq!(
        checkouts::detail(&store.lock().unwrap(), ACCOUNT, &made)
            .unwrap()
            .checkout
            .amount_total,
        Some(500)
    );

    // Expire, answered with a stored 500: after the key's 24 hours the
    // session's own status tells that it happened.
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let lost = journal::expire(on, &made, who(), now()).await;
    assert!(
        matches!(lost, Err(Error::OutcomeUnknown { .. })),
        "{lost:?}"
    );
    let later = now() + 25 * 3600;
    let settled = operations::resolve_open(&c, &store, ACCOUNT, later)
        .await
        .unwrap();
    assert_eq!(settled[0].state, "succeeded", "{settled:?}");
    assert_eq!(
        checkouts::detail(&store.lock().unwrap(), ACCOUNT, &made)
            .unwrap()
            .checkout
            .status,
        "expired"
    );
    assert!(
        operations::resolve_open(&c, &store, ACCOUNT, later)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A checkout whose answer was lost is found after the key's 24 hours by
/// its operation id, also on a server that refuses the list's date filter
/// (issue 17): read newest first without it, down to the movement's time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_checkout_is_found_without_the_date_filter() {
    let sim = sim();
    let store = synced_store(&sim).await;
    let c = client(&sim);
    let on = On {
        client: &c,
        store: &store,
        account_id: ACCOUNT,
    };
    let before = sessions_at_stripe(&c).await;
    control(&sim, "faults", json!({ "stored_500_next": 1 }));
    let lost = journal::create(on, &draft(vec![adhoc("Tart", 650, "usd", 2)]), who(), now()).await;
    assert!(
        matches!(lost, Err(Error::OutcomeUnknown { .. })),
        "{lost:?}"
    );
    control(
        &sim,
        "faults",
        json!({ "refuse_params": [{ "path": "/v1/checkout/sessions", "param": "created" }] }),
    );
    let settled = operations::resolve_open(&c, &store, ACCOUNT, now() + 25 * 3600)
        .await
        .unwrap();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].state, "succeeded", "{settled:?}");
    assert_eq!(sessions_at_stripe(&c).await, before + 1, "made once, found");
}

#![allow(clippy::unwrap_used, clippy::panic)]

use till_store::table::checkout_defaults::CheckoutDefaults;

use super::draft::{self, CheckoutDraft, Context, DraftItem, KnownPrice, MetadataEntry};
use crate::Error;
use crate::error::CheckoutProblem;

/// Tea at `amount` minor units, as the form sends it.
fn tea(amount: i64, currency: &str) -> DraftItem {
    DraftItem::Adhoc {
        name: "Tea".into(),
        unit_amount: amount,
        currency: currency.into(),
        quantity: 2,
    }
}

fn check(
    draft: &CheckoutDraft,
    defaults: Option<&CheckoutDefaults>,
) -> Result<draft::CheckoutRequest, Error> {
    let prices = [KnownPrice {
        id: "price_monthly".into(),
        unit_amount: Some(900),
        currency: "usd".into(),
        active: true,
        one_time: false,
    }];
    draft::check(
        draft,
        Context {
            prices: &prices,
            customer_known: true,
            defaults,
        },
    )
}

fn reason(result: Result<draft::CheckoutRequest, Error>) -> CheckoutProblem {
    match result {
        Err(Error::CheckoutRefused { reason, .. }) => reason,
        other => panic!("{other:?}"),
    }
}

fn base() -> CheckoutDraft {
    CheckoutDraft {
        items: vec![tea(350, "USD")],
        expires_in_minutes: 30,
        ..CheckoutDraft::default()
    }
}

#[test]
fn the_defaults_fill_in_the_urls_and_a_typed_url_wins() {
    let defaults = CheckoutDefaults {
        success_url: "https://cafe.example/thanks".into(),
        cancel_url: Some("https://cafe.example/menu".into()),
    };
    let sent = check(&base(), Some(&defaults)).unwrap();
    assert_eq!(sent.success_url, defaults.success_url);
    assert_eq!(sent.cancel_url, defaults.cancel_url);
    assert_eq!(sent.total, 700);
    assert_eq!(sent.currency, "usd", "codes are sent in lower case");
    let typed = CheckoutDraft {
        success_url: Some(" https://shop.example/ok?s={CHECKOUT_SESSION_ID} ".into()),
        ..base()
    };
    let sent = check(&typed, Some(&defaults)).unwrap();
    assert_eq!(
        sent.success_url,
        "https://shop.example/ok?s={CHECKOUT_SESSION_ID}"
    );
    assert_eq!(
        sent.cancel_url, None,
        "a new success URL does not borrow the old cancel URL"
    );
    assert_eq!(
        reason(check(&base(), None)),
        CheckoutProblem::SuccessUrlMissing
    );
}

#[test]
fn currencies_follow_their_decimals() {
    let defaults = CheckoutDefaults {
        success_url: "https://cafe.example/".into(),
        cancel_url: None,
    };
    let yen = CheckoutDraft {
        items: vec![tea(1200, "jpy")],
        ..base()
    };
    assert_eq!(check(&yen, Some(&defaults)).unwrap().total, 2400);
    let dinar = CheckoutDraft {
        items: vec![tea(1_250, "bhd")],
        ..base()
    };
    assert_eq!(check(&dinar, Some(&defaults)).unwrap().total, 2500);
    let odd = CheckoutDraft {
        items: vec![tea(1_255, "bhd")],
        ..base()
    };
    assert_eq!(
        reason(check(&odd, Some(&defaults))),
        CheckoutProblem::PriceInvalid
    );
    let code = CheckoutDraft {
        items: vec![tea(100, "dollars")],
        ..base()
    };
    assert_eq!(
        reason(check(&code, Some(&defaults))),
        CheckoutProblem::UnknownCurrency
    );
}

#[test]
fn a_recurring_price_is_not_sold_in_a_payment() {
    let defaults = CheckoutDefaults {
        success_url: "https://cafe.example/".into(),
        cancel_url: None,
    };
    let monthly = CheckoutDraft {
        items: vec![DraftItem::Price {
            price_id: "price_monthly".into(),
            quantity: 1,
        }],
        ..base()
    };
    assert_eq!(
        reason(check(&monthly, Some(&defaults))),
        CheckoutProblem::UnknownPrice
    );
}

#[test]
fn emails_and_metadata_are_checked_as_stripe_would() {
    let defaults = CheckoutDefaults {
        success_url: "https://cafe.example/".into(),
        cancel_url: None,
    };
    for bad in [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "a da@example.com",
        "ada@@example.com",
    ] {
        let d = CheckoutDraft {
            customer_email: Some(bad.into()),
            ..base()
        };
        assert_eq!(
            reason(check(&d, Some(&defaults))),
            CheckoutProblem::MalformedEmail,
            "{bad}"
        );
    }
    let entry = |key: &str, value: &str| MetadataEntry {
        key: key.into(),
        value: value.into(),
    };
    for bad in [
        vec![entry(&"k".repeat(41), "v")],
        vec![entry("k", &"v".repeat(501))],
        vec![entry("", "v")],
        vec![entry("k", "1"), entry("k", "2")],
        (0..50).map(|n| entry(&format!("k{n}"), "v")).collect(),
    ] {
        let d = CheckoutDraft {
            metadata: bad,
            ..base()
        };
        assert_eq!(
            reason(check(&d, Some(&defaults))),
            CheckoutProblem::MetadataInvalid
        );
    }
    let blank_rows_are_ignored = CheckoutDraft {
        metadata: vec![entry(" ", " "), entry("table", " 4 ")],
        customer_email: Some("ada@example.com".into()),
        ..base()
    };
    let sent = check(&blank_rows_are_ignored, Some(&defaults)).unwrap();
    assert_eq!(sent.metadata.len(), 1);
    assert_eq!(sent.metadata["table"], "4");
    assert_eq!(sent.customer_email.as_deref(), Some("ada@example.com"));
}

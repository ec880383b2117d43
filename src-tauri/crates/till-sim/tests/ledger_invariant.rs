//! The ledger of seeded histories, read in-process (no HTTP, so a large
//! seed is checked in seconds in a debug build):
//!
//! - every automatic payout's amount is the sum of the `net` of the
//!   balance transactions it paid out, for every payout of a
//!   100,000-payment seed, and the balance is every transaction's net;
//! - every row's reporting category is Stripe's mapping of its type;
//! - the demo business holds each hard case, in a small merchant's
//!   proportions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};

use till_sim::ledger::SETTLES;
use till_sim::objects::balance::BalanceTransaction;
use till_sim::seed::{SeedReport, SeedSpec, seed};
use till_sim::state::Account;

/// A fixed end, so the history is the same on every run.
const END: i64 = 1_760_000_000;

fn seeded(spec: SeedSpec) -> (Account, SeedReport) {
    seeded_until(spec, END)
}

fn seeded_until(spec: SeedSpec, end: i64) -> (Account, SeedReport) {
    let mut account = Account::new("acct_test".into(), "Test".into(), 25);
    let report = seed(&mut account, spec, end, "http://127.0.0.1:9");
    (account, report)
}

fn transactions(account: &Account) -> Vec<&BalanceTransaction> {
    account
        .ledger
        .transactions
        .newest_first()
        .map(|(_, bt)| bt)
        .collect()
}

/// The checks every seed passes; returns how many payouts were checked.
fn check_ledger(account: &Account) -> usize {
    let ledger = &account.ledger;
    let mut paid_out: HashMap<&str, i64> = HashMap::new();
    let mut by_currency: BTreeMap<&str, i64> = BTreeMap::new();
    for bt in transactions(account) {
        assert_eq!(bt.amount - bt.fee, bt.net, "{}", bt.id);
        *by_currency.entry(bt.currency.as_str()).or_default() += bt.net;
        if let Some(payout) = &bt.payout {
            let owner = ledger.payouts.get(payout).unwrap();
            assert!(owner.automatic, "{} swept by a manual payout", bt.id);
            assert_eq!(owner.currency, bt.currency);
            assert!(bt.available_on <= owner.created, "only available rows");
            *paid_out.entry(payout.as_str()).or_default() += bt.net;
        }
    }
    let mut checked = 0;
    for (id, payout) in ledger.payouts.newest_first() {
        if !payout.automatic {
            assert!(!paid_out.contains_key(id));
            continue;
        }
        assert_ne!(payout.amount, 0);
        assert_eq!(
            paid_out.get(id).copied(),
            Some(payout.amount),
            "automatic payout {id}: its amount is the sum of its transactions' net"
        );
        checked += 1;
    }
    // Money is neither made nor lost: the balance is every row's net.
    for (currency, total) in by_currency {
        assert!(SETTLES.contains(&currency));
        assert_eq!(
            ledger.available(currency) + ledger.pending(currency),
            total,
            "{currency}"
        );
    }
    checked
}

/// Stripe's mapping of type to reporting category (STRIPE-RULES.md).
fn check_categories(account: &Account) {
    for bt in transactions(account) {
        let release = || {
            bt.source
                .as_deref()
                .and_then(|id| account.refunds.get(id))
                .is_some_and(|r| r.release)
        };
        let expected = match bt.kind {
            "charge" => "charge",
            "refund" if release() => "partial_capture_reversal",
            "refund" => "refund",
            "adjustment" => {
                assert!(
                    matches!(bt.reporting_category, "dispute" | "dispute_reversal"),
                    "{}",
                    bt.id
                );
                let dispute = account.disputes.get(bt.source.as_deref().unwrap()).unwrap();
                if dispute.balance_transactions[0] == bt.id {
                    "dispute"
                } else {
                    "dispute_reversal"
                }
            }
            "stripe_fee" => "fee",
            "payout_failure" => "payout_reversal",
            "refund_failure" => "refund_failure",
            "payout" => "payout",
            other => panic!("unexpected type {other}"),
        };
        assert_eq!(bt.reporting_category, expected, "{} ({})", bt.id, bt.kind);
    }
}

#[test]
fn every_automatic_payout_of_a_100_000_payment_seed_is_the_net_of_its_transactions() {
    let (account, report) = seeded(SeedSpec::new(100_000, 7));
    assert_eq!(report.payment_intents, 100_000);
    let checked = check_ledger(&account);
    assert!(checked > 500, "{checked} payouts");
    check_categories(&account);
}

#[test]
fn the_demo_business_has_every_hard_case_in_a_small_merchants_proportions() {
    // The demo ends now, whenever that is: its story holds at any hour.
    for hours in [0, 5, 13, 79, 200, 1001] {
        demo_ending(END + hours * 3600);
    }
}

fn demo_ending(end: i64) {
    let (account, report) = seeded_until(SeedSpec::demo(), end);
    check_ledger(&account);
    check_categories(&account);
    let ledger = &account.ledger;
    let rows = transactions(&account);
    let count = |category: &str| {
        rows.iter()
            .filter(|bt| bt.reporting_category == category)
            .count()
    };

    // Disputes: under 1% of charges, one of them won (and reinstated).
    let disputes: Vec<_> = account.disputes.newest_first().map(|(_, d)| d).collect();
    assert!(!disputes.is_empty());
    assert!(
        disputes.len() * 100 < report.charges,
        "{} disputes of {} charges",
        disputes.len(),
        report.charges
    );
    assert_eq!(disputes.iter().filter(|d| d.status == "won").count(), 1);
    assert!(disputes.iter().any(|d| d.status == "needs_response"));
    assert_eq!(count("dispute"), disputes.len());
    assert_eq!(count("dispute_reversal"), 1);

    // One failed payout, and the money it gave back paid out again.
    let payouts: Vec<_> = ledger.payouts.newest_first().map(|(_, p)| p).collect();
    let failed: Vec<_> = payouts.iter().filter(|p| p.failure.is_some()).collect();
    assert_eq!(failed.len(), 1);
    let reversal = ledger
        .transactions
        .get(&failed[0].failure.as_ref().unwrap().balance_transaction)
        .unwrap();
    assert_eq!(reversal.reporting_category, "payout_reversal");
    assert_eq!(reversal.amount, failed[0].amount);
    let again = ledger
        .payouts
        .get(reversal.payout.as_ref().unwrap())
        .unwrap();
    assert!(again.automatic && again.failure.is_none());
    assert!(again.created > failed[0].created);

    // One manual payout, one negative payout.
    assert_eq!(payouts.iter().filter(|p| !p.automatic).count(), 1);
    let negative: Vec<_> = payouts.iter().filter(|p| p.amount < 0).collect();
    assert_eq!(negative.len(), 1);
    assert!(negative[0].automatic);

    // The other rows Stripe books.
    assert!(count("partial_capture_reversal") > 0);
    assert!(count("fee") >= 2, "a Radar fee each month");
    assert_eq!(count("refund_failure"), 1);
    assert!(count("refund") > 10);

    // EUR and GBP paid out on their own; other currencies settled in USD.
    for currency in ["usd", "eur", "gbp"] {
        assert!(
            payouts.iter().any(|p| p.currency == currency),
            "a {currency} payout"
        );
    }
    let converted = rows
        .iter()
        .filter(|bt| bt.exchange_rate.is_some())
        .filter(|bt| {
            let charge = account.charges.get(bt.source.as_deref().unwrap_or(""));
            charge.is_some_and(|c| c.amount != bt.amount && c.currency != bt.currency)
        })
        .count();
    assert!(converted > 10, "{converted} converted charges");
    assert!(
        rows.iter()
            .all(|bt| SETTLES.contains(&bt.currency.as_str()))
    );
}

#[test]
fn a_short_history_tells_the_same_story() {
    // What the core's sync tests seed: 300 payments over 25 days.
    let (account, _) = seeded(SeedSpec {
        payments: 300,
        days: 25,
        ..SeedSpec::demo()
    });
    check_ledger(&account);
    check_categories(&account);
    let payouts: Vec<_> = account
        .ledger
        .payouts
        .newest_first()
        .map(|(_, p)| p)
        .collect();
    assert!(payouts.iter().any(|p| p.failure.is_some()));
    assert!(payouts.iter().any(|p| !p.automatic));
    assert!(payouts.iter().any(|p| p.amount < 0));
    assert!(
        account
            .disputes
            .newest_first()
            .any(|(_, d)| d.status == "won")
    );
}

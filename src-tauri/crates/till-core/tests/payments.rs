//! The demo account's objects reach the cache and come back as filtered,
//! sorted pages, search results, a payment's detail, Ctrl+K jumps and the
//! Overview's figures, each checked against what the simulator serves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashSet};

use futures_util::StreamExt;
use till_core::jump::JumpTarget;
use till_core::payment_detail::{Fee, Step};
use till_core::payments::{PaymentQuery, PaymentSort, PaymentSummary};
use till_core::till::DEMO_ACCOUNT_ID;
use till_core::{DataDir, Till};

fn all_pages(till: &Till, query: &PaymentQuery) -> Vec<PaymentSummary> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = till
            .payments(DEMO_ACCOUNT_ID, query.clone(), after, 70)
            .unwrap();
        assert!(page.rows.len() <= 70, "a page never holds more than asked");
        out.extend(page.rows);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let total = till
        .payments(DEMO_ACCOUNT_ID, query.clone(), None, 1)
        .unwrap()
        .total;
    assert_eq!(out.len(), total as usize, "the count agrees with the rows");
    out
}

/// The demo: 600 sales and 2 holds about to lapse.
const DEMO_PAYMENTS: i64 = 602;
const DEMO_PAYMENTS_U32: u32 = 602;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_cached_and_every_screen_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let till = Till::open(DataDir::at(dir.path()).unwrap()).unwrap();
    assert_eq!(
        till.accounts().unwrap()[0].id,
        DEMO_ACCOUNT_ID,
        "no account saved: the demo is there"
    );
    let stored = till.sync_once(DEMO_ACCOUNT_ID).await.unwrap();
    assert!(stored >= 600, "{stored} objects stored");
    let counts = till.cache_counts(DEMO_ACCOUNT_ID).unwrap();
    assert_eq!(
        counts.get("payment_intents"),
        Some(&DEMO_PAYMENTS),
        "the demo's 600 sales and 2 holds about to lapse"
    );
    // Two holds lapse within a day (in about 3 and 20 hours): the Holds
    // badge, the Overview and the desktop warning have something to show.
    let now = till_core::sync::unix_now();
    let soon: Vec<_> = till
        .holds(DEMO_ACCOUNT_ID)
        .unwrap()
        .into_iter()
        .filter(|h| {
            h.capture_before
                .is_some_and(|t| t > now && t - now < 86_400)
        })
        .collect();
    assert_eq!(soon.len(), 2, "{soon:?}");
    let alerts = till.hold_alerts_due().unwrap();
    assert_eq!(alerts.len(), 2, "each announced once: {alerts:?}");
    assert!(till.hold_alerts_due().unwrap().is_empty(), "and only once");
    for table in [
        "charges",
        "refunds",
        "balance_transactions",
        "payouts",
        "customers",
    ] {
        assert!(
            counts.get(table).is_some_and(|n| *n > 0),
            "the demo has {table}: {counts:?}"
        );
    }

    // Every sort walks every payment once, in its order.
    let everything = all_pages(&till, &PaymentQuery::default());
    assert_eq!(everything.len(), 602);
    let ids: HashSet<&str> = everything.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 602, "no payment twice");
    for (sort, ordered) in [
        (
            PaymentSort::NewestFirst,
            (|a: &PaymentSummary, b: &PaymentSummary| a.created >= b.created)
                as fn(&PaymentSummary, &PaymentSummary) -> bool,
        ),
        (PaymentSort::OldestFirst, |a, b| a.created <= b.created),
        (PaymentSort::LargestFirst, |a, b| a.amount >= b.amount),
        (PaymentSort::SmallestFirst, |a, b| a.amount <= b.amount),
    ] {
        let rows = all_pages(
            &till,
            &PaymentQuery {
                sort,
                ..PaymentQuery::default()
            },
        );
        assert_eq!(rows.len(), 602, "{sort:?}");
        assert!(rows.windows(2).all(|w| ordered(&w[0], &w[1])), "{sort:?}");
    }

    // Filters combine: a currency, an amount range in it, a date range.
    let usd: Vec<_> = everything.iter().filter(|p| p.currency == "usd").collect();
    let (low, high) = (1_000, 5_000);
    let from = everything[everything.len() / 2].created;
    let filtered = all_pages(
        &till,
        &PaymentQuery {
            statuses: vec!["succeeded".into()],
            currency: Some("USD".into()),
            amount_min: Some(low),
            amount_max: Some(high),
            created_from: Some(from),
            ..PaymentQuery::default()
        },
    );
    let expected = usd
        .iter()
        .filter(|p| {
            p.status == "succeeded" && (low..=high).contains(&p.amount) && p.created >= from
        })
        .count();
    assert!(expected > 0, "the demo has such payments");
    assert_eq!(filtered.len(), expected);
    let currencies = till.payment_currencies(DEMO_ACCOUNT_ID).unwrap();
    let seen: HashSet<&str> = everything.iter().map(|p| p.currency.as_str()).collect();
    assert_eq!(currencies.len(), seen.len());
    assert!(currencies.iter().all(|c| seen.contains(c.as_str())));

    // A succeeded, captured payment: its fee is the one Stripe booked.
    let client = till.stripe_client(DEMO_ACCOUNT_ID).unwrap();
    let paid = everything.iter().find(|p| p.status == "succeeded").unwrap();
    let detail = till.payment_detail(DEMO_ACCOUNT_ID, &paid.id).unwrap();
    assert_eq!(detail.timeline[0].step, Step::Created);
    assert!(detail.timeline.windows(2).all(|w| w[0].at <= w[1].at));
    let pi = client.retrieve_payment_intent(&paid.id, &[]).await.unwrap();
    let charge = client
        .retrieve_charge(pi.latest_charge.as_ref().unwrap().id(), &[])
        .await
        .unwrap();
    let booked = match &charge.balance_transaction {
        Some(bt) => {
            let bt = client.retrieve_balance_transaction(bt.id()).await.unwrap();
            Some((bt.fee, bt.net))
        }
        None => None,
    };
    match (&detail.fee, booked) {
        (Fee::Known { fee, net, .. }, Some((f, n))) => assert_eq!((*fee, *net), (f, n)),
        (Fee::Pending, None) => {}
        (shown, booked) => panic!("fee {shown:?} but Stripe booked {booked:?}"),
    }
    // What is left to refund, by Stripe's own figures: the charge's amount
    // less what it counts as refunded (a released rest included).
    assert_eq!(detail.refundable, charge.amount - charge.amount_refunded);
    assert_eq!(detail.captured, charge.amount_captured);
    assert!(detail.raw_json.contains(&paid.id));
    assert_eq!(detail.dashboard_url, None, "the demo is not on Stripe");

    // A hold: capturable, no fee, and when it lapses.
    let hold = everything
        .iter()
        .find(|p| p.status == "requires_capture")
        .unwrap();
    let detail = till.payment_detail(DEMO_ACCOUNT_ID, &hold.id).unwrap();
    assert_eq!(detail.fee, Fee::None);
    assert!(detail.amount_capturable > 0);
    assert!(
        detail
            .timeline
            .iter()
            .any(|e| e.step == Step::HoldExpires && Some(e.at) == hold.capture_before)
    );

    // A refunded payment: its refunds, and what is left to refund.
    let refunded = everything.iter().find_map(|p| {
        let d = till.payment_detail(DEMO_ACCOUNT_ID, &p.id).unwrap();
        (!d.refunds.is_empty()).then_some(d)
    });
    let refunded = refunded.expect("the demo has refunds");
    // Stripe's own list of the payment's refunds: those that moved money (a
    // released rest has no balance transaction) and did not fail.
    let at_stripe = client
        .list_refunds(
            &till_stripe::requests::ListRefunds {
                payment_intent: Some(refunded.payment.id.clone()),
                ..Default::default()
            },
            &till_stripe::Page::first(100),
        )
        .await
        .unwrap();
    assert!(!at_stripe.has_more);
    let stripe_refunded: i64 = at_stripe
        .data
        .iter()
        .filter(|r| r.balance_transaction.is_some())
        .filter(|r| {
            matches!(
                r.status,
                Some(
                    till_stripe::models::RefundStatus::Succeeded
                        | till_stripe::models::RefundStatus::Pending
                )
            )
        })
        .map(|r| r.amount)
        .sum();
    assert!(stripe_refunded > 0);
    assert_eq!(refunded.refunded, stripe_refunded);
    // The list says what each payment had refunded (from its charge, leaving
    // out the released rest of a partial capture), as the drawer does from
    // its refunds.
    let mut refunded_in_list = 0;
    for summary in &everything {
        let detail = till.payment_detail(DEMO_ACCOUNT_ID, &summary.id).unwrap();
        assert_eq!(summary.amount_refunded, detail.refunded, "{}", summary.id);
        refunded_in_list += usize::from(summary.amount_refunded > 0);
    }
    assert!(refunded_in_list > 0, "the demo has refunded payments");
    // The Refunded chip lists exactly those, and counts them.
    let chip = all_pages(
        &till,
        &PaymentQuery {
            refunded_only: true,
            ..PaymentQuery::default()
        },
    );
    assert_eq!(chip.len(), refunded_in_list);
    assert!(chip.iter().all(|p| p.amount_refunded > 0));
    assert!(
        refunded
            .timeline
            .iter()
            .any(|e| matches!(e.step, Step::Refunded | Step::RefundPending))
    );
    assert!(matches!(
        till.payment_detail(DEMO_ACCOUNT_ID, "pi_nope"),
        Err(till_core::Error::NotFound { .. })
    ));

    // Ctrl+K: by id, by email, by amount.
    let wanted = &everything[3];
    let jumps = till.jump(DEMO_ACCOUNT_ID, &wanted.id).unwrap();
    assert!(
        matches!(&jumps.targets[0], JumpTarget::Payment { payment } if payment.id == wanted.id)
    );
    let with_email = everything
        .iter()
        .find(|p| p.customer_email.is_some())
        .unwrap();
    let jumps = till
        .jump(
            DEMO_ACCOUNT_ID,
            with_email.customer_email.as_deref().unwrap(),
        )
        .unwrap();
    assert!(
        jumps
            .targets
            .iter()
            .any(|t| matches!(t, JumpTarget::Payment { payment } if payment.id == with_email.id))
    );
    let in_usd = usd[0];
    let typed = format!("{}.{:02}", in_usd.amount / 100, in_usd.amount % 100);
    let jumps = till.jump(DEMO_ACCOUNT_ID, &typed).unwrap();
    assert!(
        jumps
            .targets
            .iter()
            .any(|t| matches!(t, JumpTarget::Payment { payment } if payment.id == in_usd.id)),
        "{typed} finds {}",
        in_usd.id
    );

    // The Overview, one bucket for all time: gross is what succeeded
    // payments received; net is what Stripe's balance transactions say.
    let overview = till.overview(DEMO_ACCOUNT_ID, &[0]).unwrap();
    let mut gross: BTreeMap<String, i64> = BTreeMap::new();
    for p in everything.iter().filter(|p| p.status == "succeeded") {
        *gross.entry(p.currency.clone()).or_default() += p.amount_received;
    }
    let shown: BTreeMap<String, i64> = overview.days[0]
        .gross
        .iter()
        .map(|t| (t.currency.clone(), t.gross))
        .collect();
    assert_eq!(shown, gross);
    let mut net: BTreeMap<String, i64> = BTreeMap::new();
    let mut stream = Box::pin(client.all_balance_transactions(None));
    while let Some(bt) = stream.next().await {
        let bt = bt.unwrap();
        if !bt.kind.starts_with("payout") {
            *net.entry(bt.currency.code().to_owned()).or_default() += bt.net;
        }
    }
    let shown: BTreeMap<String, i64> = overview.days[0]
        .net
        .iter()
        .map(|t| (t.currency.clone(), t.net))
        .collect();
    assert_eq!(shown, net);
    assert!(!overview.balance.is_empty(), "the balance was read");
    let balance = client.balance().await.unwrap();
    for amount in &balance.available {
        assert!(
            overview
                .balance
                .iter()
                .any(|b| b.currency == amount.currency.code() && b.available == amount.amount)
        );
    }

    // Days split the same money: thirty one-day buckets add up to one.
    let newest = everything[0].created;
    let midnights: Vec<i64> = (0..30).map(|d| newest - (30 - d) * 86_400).collect();
    let by_day = till.overview(DEMO_ACCOUNT_ID, &midnights).unwrap();
    let whole = till.overview(DEMO_ACCOUNT_ID, &midnights[..1]).unwrap();
    let sum = |o: &till_core::overview::Overview| -> i64 {
        o.days.iter().flat_map(|d| &d.gross).map(|t| t.count).sum()
    };
    assert_eq!(by_day.days.len(), 30);
    assert_eq!(sum(&by_day), sum(&whole));
    assert!(sum(&whole) > 0);

    // A second refresh updates in place: no duplicates.
    till.sync_once(DEMO_ACCOUNT_ID).await.unwrap();
    assert_eq!(
        till.payments(DEMO_ACCOUNT_ID, PaymentQuery::default(), None, 1)
            .unwrap()
            .total,
        DEMO_PAYMENTS_U32
    );
}

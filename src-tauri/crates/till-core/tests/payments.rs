//! The demo account's payments reach the cache and come back as pages and
//! search results.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use till_core::till::DEMO_ACCOUNT_ID;
use till_core::{DataDir, Till};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_payments_are_cached_paged_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let till = Till::open(DataDir::at(dir.path()).unwrap()).unwrap();
    let accounts = till.accounts().unwrap();
    assert_eq!(
        accounts[0].id, DEMO_ACCOUNT_ID,
        "no account saved: the demo is there"
    );
    let stored = till.refresh_payments(DEMO_ACCOUNT_ID).await.unwrap();
    assert_eq!(stored, 600, "the demo's 600 payments");

    let first = till
        .payments(DEMO_ACCOUNT_ID, Vec::new(), None, 100)
        .unwrap();
    assert_eq!(first.total, 600);
    assert_eq!(first.rows.len(), 100);
    assert!(
        first.rows.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );
    assert!(
        first.rows.iter().any(|r| r.card_last4.is_some()),
        "cards come from the charges"
    );
    let second = till
        .payments(DEMO_ACCOUNT_ID, Vec::new(), first.next.clone(), 100)
        .unwrap();
    assert!(
        second
            .rows
            .iter()
            .all(|r| !first.rows.iter().any(|f| f.id == r.id)),
        "no overlap"
    );

    let holds = till
        .payments(DEMO_ACCOUNT_ID, vec!["requires_capture".into()], None, 500)
        .unwrap();
    assert!(
        holds.total > 0
            && holds
                .rows
                .iter()
                .all(|r| r.status == "requires_capture" && r.capture_before.is_some())
    );

    let wanted = &first.rows[3];
    let hits = till.search_payments(DEMO_ACCOUNT_ID, &wanted.id).unwrap();
    assert_eq!(hits[0].id, wanted.id);
    if let Some(email) = &wanted.customer_email {
        assert!(
            till.search_payments(DEMO_ACCOUNT_ID, email)
                .unwrap()
                .iter()
                .any(|r| r.id == wanted.id)
        );
    }

    // The Overview: succeeded money per currency, and holds about to lapse.
    let now = first.rows[0].created + 1;
    let overview = till
        .overview(DEMO_ACCOUNT_ID, &[now - 30 * 86_400, 0])
        .unwrap();
    let thirty: i64 = overview.periods[0].totals.iter().map(|t| t.count).sum();
    let ever: i64 = overview.periods[1].totals.iter().map(|t| t.count).sum();
    assert!(thirty > 0 && thirty < ever, "{thirty} in 30 days of {ever}");
    let succeeded = till
        .payments(DEMO_ACCOUNT_ID, vec!["succeeded".into()], None, 1)
        .unwrap()
        .total;
    assert_eq!(ever, i64::from(succeeded));
    assert!(
        overview
            .holds_expiring
            .windows(2)
            .all(|w| w[0].capture_before <= w[1].capture_before)
    );

    // A second refresh updates in place: no duplicates.
    till.refresh_payments(DEMO_ACCOUNT_ID).await.unwrap();
    assert_eq!(
        till.payments(DEMO_ACCOUNT_ID, Vec::new(), None, 1)
            .unwrap()
            .total,
        600
    );
}

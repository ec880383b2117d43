//! Checks across tables: removing an account everywhere, and writes that
//! keep a transaction's search words together.

use rusqlite::Connection;

use super::*;
use crate::Store;
use crate::sql::testing::rows_of;

/// A word in every text index row of an account, to find its words by.
fn marker(account_id: &str) -> String {
    format!("marker-{account_id}")
}

/// Writes a row to every table for an account, `n` making the ids new.
fn fill(conn: &Connection, account_id: &str, n: i64) {
    let id = |prefix: &str| format!("{prefix}_{n}");
    let raw = "{}".to_owned();
    let payment = payment_intents::PaymentRow {
        id: id("pi"),
        extra_words: vec![marker(account_id)],
        raw: raw.clone(),
        ..Default::default()
    };
    payment_intents::upsert(conn, account_id, &payment).unwrap();
    let defaults = checkout_defaults::CheckoutDefaults {
        success_url: format!("https://example.com/{n}"),
        cancel_url: None,
    };
    checkout_defaults::set(conn, account_id, &defaults).unwrap();
    let charge = charges::ChargeRow {
        id: id("ch"),
        email: Some(marker(account_id)),
        raw: raw.clone(),
        ..Default::default()
    };
    charges::upsert(conn, account_id, &charge).unwrap();
    let refund = refunds::RefundRow {
        id: id("re"),
        raw: raw.clone(),
        ..Default::default()
    };
    refunds::upsert(conn, account_id, &refund).unwrap();
    let txn = balance_transactions::BalanceTransactionRow {
        id: id("txn"),
        raw: raw.clone(),
        ..Default::default()
    };
    balance_transactions::upsert(conn, account_id, &txn).unwrap();
    balance_transactions::assign_payout(conn, account_id, &[id("txn")], &id("po")).unwrap();
    let payout = payouts::PayoutRow {
        id: id("po"),
        raw: raw.clone(),
        ..Default::default()
    };
    payouts::upsert(conn, account_id, &payout).unwrap();
    let dispute = disputes::DisputeRow {
        id: id("du"),
        charge: id("ch"),
        raw: raw.clone(),
        ..Default::default()
    };
    disputes::upsert(conn, account_id, &dispute).unwrap();
    let customer = customers::CustomerRow {
        id: id("cus"),
        extra_words: vec![marker(account_id)],
        raw: raw.clone(),
        ..Default::default()
    };
    customers::upsert(conn, account_id, &customer).unwrap();
    let session = checkout_sessions::SessionRow {
        id: id("cs"),
        raw: raw.clone(),
        ..Default::default()
    };
    checkout_sessions::upsert(conn, account_id, &session).unwrap();
    let item = checkout_sessions::LineItemRow {
        id: id("li"),
        raw,
        ..Default::default()
    };
    checkout_sessions::replace_line_items(conn, account_id, &id("cs"), &[item]).unwrap();
    let cursor = sync_state::CursorRow {
        stream: id("payment_intents"),
        ..Default::default()
    };
    sync_state::put(conn, account_id, &cursor).unwrap();
    sync_state::mark_seen(conn, account_id, &id("evt"), n).unwrap();
    if sync_state::should_apply(conn, account_id, &id("pi"), n).unwrap() {
        sync_state::record_version(conn, account_id, &id("pi"), n).unwrap();
    }
    let balance = sync_state::BalanceRow {
        currency: "usd".into(),
        available: n,
        pending: 0,
    };
    sync_state::replace_balance(conn, account_id, &[balance], n).unwrap();
    let operation = operations::OperationRow {
        id: format!("op_{account_id}_{n}"),
        account_id: account_id.to_owned(),
        idempotency_key: format!("key_{account_id}_{n}"),
        created_at: n,
        ..Default::default()
    };
    if operations::get(conn, &operation.id).unwrap().is_none() {
        operations::insert_pending(conn, &operation).unwrap();
    }
}

/// The names a query on `sqlite_master` returns.
fn names(conn: &Connection, sql: &str) -> Vec<String> {
    let mut statement = conn.prepare(sql).unwrap();
    statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap()
}

/// Every table with an `account_id` column: a table added later is
/// checked without being named here.
fn account_tables(conn: &Connection) -> Vec<String> {
    names(
        conn,
        "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
         WHERE m.type = 'table' AND c.name = 'account_id' ORDER BY m.name",
    )
}

/// Every full-text index.
fn text_tables(conn: &Connection) -> Vec<String> {
    names(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5%'",
    )
}

/// Per table, how many rows an account has, then how many index rows
/// carry its marker word.
fn census(conn: &Connection, account_id: &str) -> Vec<(String, i64)> {
    let mut counts: Vec<(String, i64)> = account_tables(conn)
        .into_iter()
        .map(|table| {
            let n = rows_of(conn, &table, account_id);
            (table, n)
        })
        .collect();
    for table in text_tables(conn) {
        // A word-start index holds the marker's starts: the last is the
        // account's own (`1` of `marker-acct_1`).
        let term = if table.ends_with("_starts") {
            format!("\"{}\"", account_id.chars().last().unwrap_or('?'))
        } else {
            format!("\"{}\"", marker(account_id))
        };
        let n: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"),
                [term],
                |r| r.get(0),
            )
            .unwrap();
        counts.push((table, n));
    }
    counts
}

#[test]
fn removing_an_account_leaves_none_of_its_rows_in_any_table_and_the_others_whole() {
    let mut store = Store::in_memory().unwrap();
    let account = accounts::AccountRow {
        id: "acct_1".into(),
        display_name: "Café".into(),
        livemode: false,
        key_kind: "secret".into(),
        key_last4: "4242".into(),
        added_at: 1,
        permissions: None,
        is_demo: false,
    };
    accounts::upsert(store.conn(), &account).unwrap();
    let tx = store.conn_mut().transaction().unwrap();
    for n in 1..=3 {
        fill(&tx, "acct_1", n);
        fill(&tx, "acct_2", n);
    }
    tx.commit().unwrap();
    let conn = store.conn();
    assert!(
        account_tables(conn).len() >= 12,
        "{:?}",
        account_tables(conn)
    );
    // Payments (with their charges' and checkouts' words, and the starts
    // of those words) and customers.
    assert_eq!(text_tables(conn).len(), 3);
    for (table, n) in census(conn, "acct_1") {
        assert!(n > 0, "the test fills {table}: add it to fill()");
    }
    let others = census(conn, "acct_2");

    remove_account(conn, "acct_1").unwrap();

    for (table, n) in census(conn, "acct_1") {
        assert_eq!(n, 0, "{table} still holds rows of the removed account");
    }
    assert_eq!(census(conn, "acct_2"), others);
    assert_eq!(
        accounts::get(conn, "acct_1").unwrap(),
        Some(account),
        "the account itself stays: accounts::remove is the caller's call"
    );
}

#[test]
fn a_transactions_writes_to_every_table_keep_its_search_words_in_one_segment() {
    // FTS5 writes its pending words out at every statement savepoint, a
    // segment each time: a statement that opens one (RETURNING, a
    // multi-row UPDATE) between text writes would do it once per row.
    let mut store = Store::in_memory().unwrap();
    for table in text_tables(store.conn()) {
        store
            .conn()
            .execute_batch(&format!(
                "INSERT INTO {table} ({table}, rank) VALUES ('automerge', 0);
                 INSERT INTO {table} ({table}, rank) VALUES ('crisismerge', 100000);"
            ))
            .unwrap();
    }
    let tx = store.conn_mut().transaction().unwrap();
    for n in 0..50 {
        fill(&tx, "acct_1", n);
        fill(&tx, "acct_1", n); // again: the update paths too
    }
    tx.commit().unwrap();
    for table in text_tables(store.conn()) {
        let blocks: i64 = store
            .conn()
            .query_row(&format!("SELECT count(*) FROM {table}_data"), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(blocks < 10, "{table}: {blocks} blocks for one transaction");
    }
}

#[test]
fn a_payment_is_found_by_the_card_of_a_charge_stored_after_it() {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    let payment = payment_intents::PaymentRow {
        id: "pi_late".into(),
        latest_charge: Some("ch_late".into()),
        raw: "{}".into(),
        ..Default::default()
    };
    payment_intents::upsert(conn, "acct", &payment).unwrap();
    assert!(
        payment_intents::search(conn, "acct", "9876", 10)
            .unwrap()
            .is_empty()
    );
    let charge = charges::ChargeRow {
        id: "ch_late".into(),
        payment_intent: Some("pi_late".into()),
        card_brand: Some("visa".into()),
        card_last4: Some("9876".into()),
        email: Some("late@example.com".into()),
        extra_words: vec!["Grace Hopper".into()],
        raw: "{}".into(),
        ..Default::default()
    };
    charges::upsert(conn, "acct", &charge).unwrap();
    payment_intents::set_card(
        conn,
        "acct",
        "pi_late",
        "ch_late",
        (&charge.card_brand, &charge.card_last4, None),
        &charge.email,
    )
    .unwrap();
    for text in ["9876", "late@ex", "pi_late", "grace hop", "pi_late 9876"] {
        let hits = payment_intents::search(conn, "acct", text, 10).unwrap();
        assert_eq!(hits.len(), 1, "{text}");
        assert_eq!(
            hits[0].card_last4.as_deref(),
            Some("9876"),
            "the card is on the row too"
        );
    }
    assert!(
        payment_intents::search(conn, "other", "9876", 10)
            .unwrap()
            .is_empty()
    );
}

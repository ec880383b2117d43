use super::*;
use crate::Store;
use crate::table::charges::{self, ChargeRow};
use crate::table::checkout_sessions::{self, LineItemRow, SessionRow};
use crate::table::payment_intents;

const ACCOUNT: &str = "acct_1";

fn payment(n: i64, email: &str) -> PaymentRow {
    PaymentRow {
        id: format!("pi_{n:04}"),
        created: 1_700_000_000 + n * 60,
        amount: 1_000 + n,
        currency: "usd".into(),
        status: "succeeded".into(),
        customer_email: Some(email.to_owned()),
        description: Some(format!("Order #{n}")),
        latest_charge: Some(format!("ch_{n:04}")),
        // As the core gives them: the metadata values.
        extra_words: vec![format!("T{n}")],
        raw: format!("{{\"id\":\"pi_{n:04}\",\"metadata\":{{\"table\":\"T{n}\"}}}}"),
        ..PaymentRow::default()
    }
}

fn upsert(conn: &Connection, row: &PaymentRow) {
    payment_intents::upsert(conn, ACCOUNT, row).unwrap();
}

fn ids(conn: &Connection, text: &str) -> Vec<String> {
    payment_intents::search(conn, ACCOUNT, text, 100)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect()
}

/// Documents in the indexes (the same in both), and payments that should
/// each have one.
fn documents(conn: &Connection) -> (i64, i64) {
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let docs = count("SELECT count(*) FROM payment_search_docsize");
    assert_eq!(
        docs,
        count("SELECT count(*) FROM payment_starts_docsize"),
        "both indexes hold the same payments"
    );
    let keyed = conn
        .query_row(
            "SELECT count(*) FROM payment_intents WHERE search_key IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (docs, keyed)
}

#[test]
fn any_three_letters_find_a_payment_and_one_or_two_the_start_of_a_word() {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    upsert(conn, &payment(1, "ines.haddad1@example.com"));
    upsert(conn, &payment(2, "zoe.martin2@example.com"));
    upsert(
        conn,
        &PaymentRow {
            description: Some("Crème brûlée at the Café".into()),
            ..payment(3, "noel@example.org")
        },
    );
    assert_eq!(ids(conn, "haddad"), ["pi_0001"]);
    assert_eq!(ids(conn, "HADDAD"), ["pi_0001"], "any case");
    assert_eq!(ids(conn, "dad1@exa"), ["pi_0001"], "across punctuation");
    assert_eq!(ids(conn, "cafe creme"), ["pi_0003"], "accents aside");
    assert_eq!(ids(conn, "example"), ["pi_0003", "pi_0002", "pi_0001"]);
    assert_eq!(ids(conn, "example.com"), ["pi_0002", "pi_0001"]);
    // One or two characters: the start of a word, not any part of one.
    assert_eq!(ids(conn, "ha"), ["pi_0001"]);
    assert_eq!(ids(conn, "h"), ["pi_0001"]);
    assert!(ids(conn, "ad").is_empty(), "inside haddad, not its start");
    assert_eq!(ids(conn, "z ma"), ["pi_0002"]);
    assert_eq!(ids(conn, "T2"), ["pi_0002"], "metadata values");
    assert_eq!(ids(conn, "or t3"), ["pi_0003"], "noel@example.org, T3");
    assert!(ids(conn, "haddad zoe").is_empty(), "every word must match");
    assert!(ids(conn, "\"quoted").is_empty(), "quotes cannot break it");
    assert!(
        ids(conn, "@").is_empty(),
        "nothing to look for finds nothing"
    );
    assert!(
        payment_intents::search(conn, "acct_2", "haddad", 10)
            .unwrap()
            .is_empty(),
        "accounts never mix"
    );
}

#[test]
fn the_index_follows_every_update_and_removal() {
    let mut store = Store::in_memory().unwrap();
    let tx = store.conn_mut().transaction().unwrap();
    for n in 0..20 {
        upsert(&tx, &payment(n, &format!("buyer{n}@example.com")));
    }
    payment_intents::upsert(&tx, "acct_2", &payment(1, "buyer1@example.com")).unwrap();
    tx.commit().unwrap();
    let conn = store.conn();
    assert_eq!(documents(conn), (21, 21));
    // The same words again rewrite nothing; new ones replace the old.
    upsert(conn, &payment(1, "buyer1@example.com"));
    upsert(conn, &payment(2, "grace.hopper@example.com"));
    assert!(ids(conn, "buyer2@").is_empty());
    assert_eq!(ids(conn, "hopper"), ["pi_0002"]);
    assert_eq!(ids(conn, "buyer1@"), ["pi_0001"]);
    // A refresh without the card keeps it, and its words.
    let with_card = PaymentRow {
        card_last4: Some("4321".into()),
        ..payment(3, "buyer3@example.com")
    };
    upsert(conn, &with_card);
    upsert(conn, &payment(3, "buyer3@example.com"));
    assert_eq!(ids(conn, "4321"), ["pi_0003"]);
    // A payment whose creation time changes moves to its new place.
    let moved = PaymentRow {
        created: 1_800_000_000,
        ..payment(4, "buyer4@example.com")
    };
    upsert(conn, &moved);
    assert_eq!(ids(conn, "buyer")[0], "pi_0004");
    assert_eq!(documents(conn), (21, 21), "replaced, never added beside");
    payment_intents::remove_account(conn, ACCOUNT).unwrap();
    assert!(ids(conn, "buyer").is_empty());
    assert_eq!(documents(conn), (1, 1), "the other account's stays");
    assert_eq!(
        payment_intents::search(conn, "acct_2", "buyer1", 10)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_rolled_back_write_leaves_the_index_as_it_was() {
    let mut store = Store::in_memory().unwrap();
    upsert(store.conn(), &payment(1, "before@example.com"));
    let tx = store.conn_mut().transaction().unwrap();
    upsert(&tx, &payment(1, "after@example.com"));
    upsert(&tx, &payment(2, "after@example.com"));
    tx.rollback().unwrap();
    let conn = store.conn();
    assert_eq!(ids(conn, "before"), ["pi_0001"]);
    assert!(ids(conn, "after").is_empty());
    assert_eq!(documents(conn), (1, 1));
}

fn charge(payment: &str, last4: &str, name: &str) -> ChargeRow {
    ChargeRow {
        id: format!("ch_{}", &payment[3..]),
        payment_intent: Some(payment.to_owned()),
        card_last4: Some(last4.to_owned()),
        email: Some("billing@example.net".into()),
        extra_words: vec![name.to_owned()],
        raw: "{}".into(),
        ..ChargeRow::default()
    }
}

#[test]
fn a_charge_gives_its_card_and_billing_name_whichever_comes_first() {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    // The payment first, then its charge.
    upsert(conn, &payment(1, "a@example.com"));
    charges::upsert(conn, ACCOUNT, &charge("pi_0001", "9876", "Grace Hopper")).unwrap();
    // The charge first, then its payment.
    charges::upsert(conn, ACCOUNT, &charge("pi_0002", "5555", "Ada Lovelace")).unwrap();
    upsert(conn, &payment(2, "b@example.com"));
    assert_eq!(ids(conn, "9876"), ["pi_0001"]);
    assert_eq!(ids(conn, "race hop"), ["pi_0001"]);
    assert_eq!(ids(conn, "lovelace 5555"), ["pi_0002"]);
    assert_eq!(ids(conn, "billing@"), ["pi_0002", "pi_0001"]);
    // A changed billing name replaces the old one.
    charges::upsert(conn, ACCOUNT, &charge("pi_0001", "9876", "Grace Brewster")).unwrap();
    assert!(ids(conn, "hopper").is_empty());
    assert_eq!(ids(conn, "brewster"), ["pi_0001"]);
    assert_eq!(
        charges::get(conn, ACCOUNT, "ch_0001")
            .unwrap()
            .unwrap()
            .extra_words,
        ["Grace Brewster"],
        "kept for the next rewrite"
    );
    assert_eq!(documents(conn), (2, 2));
}

fn session(n: i64, payment: Option<&str>) -> SessionRow {
    SessionRow {
        id: format!("cs_test_{n:04}"),
        created: 1_700_000_000,
        status: "complete".into(),
        payment_status: "paid".into(),
        mode: "payment".into(),
        client_reference_id: Some(format!("cart-{n}")),
        payment_intent: payment.map(str::to_owned),
        raw: "{}".into(),
        ..SessionRow::default()
    }
}

fn line(name: &str) -> LineItemRow {
    LineItemRow {
        id: format!("li_{name}"),
        description: Some(name.to_owned()),
        quantity: Some(1),
        amount_subtotal: 500,
        amount_total: 500,
        currency: "usd".into(),
        raw: "{}".into(),
        ..LineItemRow::default()
    }
}

#[test]
fn a_checkouts_lines_and_reference_reach_its_payment_whichever_comes_first() {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    // The checkout (as a sync sees it before it is paid), its lines, then
    // the payment it made, then the payment itself.
    checkout_sessions::upsert(conn, ACCOUNT, &session(1, None)).unwrap();
    checkout_sessions::replace_line_items(conn, ACCOUNT, "cs_test_0001", &[line("Flat white")])
        .unwrap();
    checkout_sessions::upsert(conn, ACCOUNT, &session(1, Some("pi_0001"))).unwrap();
    upsert(conn, &payment(1, "a@example.com"));
    // The payment first, then its checkout and lines.
    upsert(conn, &payment(2, "b@example.com"));
    checkout_sessions::upsert(conn, ACCOUNT, &session(2, Some("pi_0002"))).unwrap();
    checkout_sessions::replace_line_items(
        conn,
        ACCOUNT,
        "cs_test_0002",
        &[line("Oat latte"), line("Croissant")],
    )
    .unwrap();
    assert_eq!(ids(conn, "flat white"), ["pi_0001"]);
    assert_eq!(ids(conn, "cart-1"), ["pi_0001"]);
    assert_eq!(ids(conn, "croiss"), ["pi_0002"]);
    assert_eq!(ids(conn, "latte"), ["pi_0002"]);
    assert_eq!(
        ids(conn, "cs_test_0002"),
        ["pi_0002"],
        "by its checkout's id"
    );
    // New lines replace the old.
    checkout_sessions::replace_line_items(conn, ACCOUNT, "cs_test_0002", &[line("Espresso")])
        .unwrap();
    assert!(ids(conn, "croissant").is_empty());
    assert_eq!(ids(conn, "espresso"), ["pi_0002"]);
    // As the sync stores a listed checkout: its lines follow at once, and
    // the payment's document is written once, with both.
    upsert(conn, &payment(3, "c@example.com"));
    let listed = SessionRow {
        lines_follow: true,
        ..session(3, Some("pi_0003"))
    };
    checkout_sessions::upsert(conn, ACCOUNT, &listed).unwrap();
    checkout_sessions::replace_line_items(conn, ACCOUNT, "cs_test_0003", &[line("Scone")]).unwrap();
    assert_eq!(ids(conn, "cart-3 scone"), ["pi_0003"]);
    assert_eq!(documents(conn), (3, 3));
    checkout_sessions::remove_account(conn, ACCOUNT).unwrap();
    payment_intents::remove_account(conn, ACCOUNT).unwrap();
    assert_eq!(documents(conn), (0, 0));
}

#[test]
fn ids_are_found_by_their_start() {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    for n in 1..=3 {
        upsert(
            conn,
            &PaymentRow {
                customer_id: Some(format!("cus_{n}abc")),
                ..payment(n, "same@example.com")
            },
        );
        charges::upsert(conn, ACCOUNT, &charge(&format!("pi_{n:04}"), "4242", "X")).unwrap();
    }
    assert_eq!(ids(conn, "pi_0002"), ["pi_0002"]);
    assert_eq!(ids(conn, "pi_000"), ["pi_0003", "pi_0002", "pi_0001"]);
    assert_eq!(ids(conn, "ch_0003"), ["pi_0003"]);
    assert_eq!(ids(conn, "cus_1"), ["pi_0001"]);
    assert_eq!(ids(conn, "pi_0001 same"), ["pi_0001"], "with words");
    assert!(ids(conn, "pi_0001 other").is_empty());
    assert!(
        id_prefix("pi_3Mx") && id_prefix("cs_test_a1") && !id_prefix("pi_") && !id_prefix("pie")
    );
}

#[test]
fn clauses_filter_and_the_newest_come_first_with_more_said() {
    let store = Store::in_memory().unwrap();
    let conn = store.conn();
    for n in 0..30 {
        upsert(
            conn,
            &PaymentRow {
                status: if n % 3 == 0 { "canceled" } else { "succeeded" }.into(),
                currency: if n % 2 == 0 { "eur" } else { "usd" }.into(),
                ..payment(n, "x@example.com")
            },
        );
    }
    let find = |query: Query, limit| find(conn, ACCOUNT, &query, limit).unwrap();
    let status = |value: &str, negated| Clause {
        field: Field::Status,
        test: Test::Is(value.into()),
        negated,
    };
    let found = find(
        Query {
            clauses: vec![status("canceled", false)],
            ..Query::default()
        },
        100,
    );
    assert_eq!(found.rows.len(), 10);
    assert!(!found.more);
    let found = find(
        Query {
            words: vec!["example".into()],
            clauses: vec![
                status("canceled", true),
                Clause {
                    field: Field::Amount,
                    test: Test::AtLeast(1_020),
                    negated: false,
                },
                Clause {
                    field: Field::Metadata("table".into()),
                    test: Test::Is("T25".into()),
                    negated: false,
                },
            ],
            ..Query::default()
        },
        100,
    );
    assert_eq!(
        found.rows.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["pi_0025"]
    );
    let either = find(
        Query {
            clauses: vec![
                status("canceled", false),
                Clause {
                    field: Field::Currency,
                    test: Test::Is("eur".into()),
                    negated: false,
                },
            ],
            any: true,
            ..Query::default()
        },
        100,
    );
    assert_eq!(either.rows.len(), 20, "every third or every second");
    let newest = find(Query::words("example"), 7);
    assert!(newest.more);
    assert_eq!(
        newest
            .rows
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        [
            "pi_0029", "pi_0028", "pi_0027", "pi_0026", "pi_0025", "pi_0024", "pi_0023"
        ]
    );
    assert_eq!(find(Query::default(), 10), Found::default());
}

#[test]
fn a_common_word_reads_the_index_in_order_and_stops() {
    let store = Store::in_memory().unwrap();
    let queries = [
        Query::words("exa"),
        Query::words("ex i"),
        Query::words("haddad in"),
        Query {
            words: vec!["haddad".into()],
            ids: vec!["pi_3".into()],
            clauses: vec![Clause {
                field: Field::Status,
                test: Test::Is("succeeded".into()),
                negated: false,
            }],
            any: false,
        },
    ];
    for query in queries {
        let (sql, _) = statement(ACCOUNT, &query, 50).unwrap();
        let plan = crate::sql::testing::plan(store.conn(), &sql);
        // Read in key order and stopped at the page's end: never every hit sorted.
        assert!(!plan.contains("TEMP B-TREE"), "{query:?}: {plan}");
        assert!(plan.contains("SCAN payment_s"), "{plan}");
        assert!(plan.contains("payment_intents_by_search_key"), "{plan}");
    }
}

#[test]
fn payments_of_one_second_get_keys_of_their_own_in_order() {
    let mut store = Store::in_memory().unwrap();
    let tx = store.conn_mut().transaction().unwrap();
    // More than a second's 256 keys: the rest borrow the second before.
    for n in 0..300 {
        upsert(
            &tx,
            &PaymentRow {
                created: 1_700_000_000,
                ..payment(n, "same@example.com")
            },
        );
    }
    upsert(&tx, &payment(9_000, "same@example.com"));
    tx.commit().unwrap();
    let conn = store.conn();
    let found = find(conn, ACCOUNT, &Query::words("same"), 1_000).unwrap();
    assert_eq!(found.rows.len(), 301);
    assert_eq!(found.rows[0].id, "pi_9000", "the newest first");
    assert_eq!(documents(conn), (301, 301));
}

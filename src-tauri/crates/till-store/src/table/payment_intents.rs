//! `payment_intents`: the cached PaymentIntents of every account, with the
//! columns the lists filter and sort on and Stripe's raw JSON beside them.
//! What a person searches them by (emails, names, descriptions, metadata
//! values, card last four, what a checkout sold) is in
//! [`super::payment_search`], written with each row.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::sql::{self, Where};
use crate::table::payment_search::{self, Stored};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[CREATE, WORDS_HASH, OVERVIEW];

const CREATE: Migration = Migration {
    version: 2,
    name: "payment_intents",
    sql: "CREATE TABLE payment_intents (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        amount_capturable INTEGER NOT NULL DEFAULT 0,
        amount_received INTEGER NOT NULL DEFAULT 0,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        capture_method TEXT,
        customer_id TEXT,
        customer_email TEXT,
        description TEXT,
        latest_charge TEXT,
        capture_before INTEGER,
        card_brand TEXT,
        card_last4 TEXT,
        order_id TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX payment_intents_by_created ON payment_intents (account_id, created DESC, id DESC);
    CREATE INDEX payment_intents_by_status ON payment_intents (account_id, status, created DESC, id DESC);
    CREATE INDEX payment_intents_by_amount ON payment_intents (account_id, amount DESC, id DESC);
    CREATE INDEX payment_intents_holds ON payment_intents (account_id, capture_before) WHERE status = 'requires_capture';
    -- Contentless: the text lives in payment_intents; the index maps words to rowids.
    CREATE VIRTUAL TABLE payment_intents_text USING fts5(
        words, content = '', contentless_delete = 1, tokenize = \"unicode61 tokenchars '_@.-+'\"
    );",
};

/// A hash of each row's search words, so a refresh that changes none
/// leaves the text index alone. NULL for rows cached before: their next
/// refresh rewrites their words.
const WORDS_HASH: Migration = Migration {
    version: 10,
    name: "payment_intents_words_hash",
    sql: "ALTER TABLE payment_intents ADD COLUMN words_hash INTEGER;",
};

/// The Overview adds up a month of payments by day: the status index also
/// carries the currency and amount received, so that sum never reads the
/// table. The currencies in use are kept apart for the currency filter (a
/// `DISTINCT` over a million rows would scan them all).
const OVERVIEW: Migration = Migration {
    version: 12,
    name: "payment_intents_overview",
    sql: "DROP INDEX payment_intents_by_status;
    CREATE INDEX payment_intents_by_status ON payment_intents (account_id, status, created, id, currency, amount_received);
    CREATE TABLE payment_currencies (
        account_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        PRIMARY KEY (account_id, currency)
    ) STRICT, WITHOUT ROWID;
    INSERT OR IGNORE INTO payment_currencies SELECT DISTINCT account_id, currency FROM payment_intents;",
};

/// One PaymentIntent as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentRow {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub currency: String,
    pub status: String,
    pub capture_method: Option<String>,
    pub customer_id: Option<String>,
    pub customer_email: Option<String>,
    pub description: Option<String>,
    pub latest_charge: Option<String>,
    pub capture_before: Option<i64>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub order_id: Option<String>,
    /// Words searched besides the columns: metadata values.
    pub extra_words: Vec<String>,
    pub raw: String,
}

const INSERT: &str = "INSERT INTO payment_intents (account_id, id, created, amount, amount_capturable, amount_received,
        currency, status, capture_method, customer_id, customer_email, description, latest_charge, capture_before, card_brand,
        card_last4, order_id, raw, extra_words, search_key, words_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

// A hold's deadline and the card come only from some sources (an expanded
// charge): a refresh without them keeps what was known.
const UPDATE: &str = "UPDATE payment_intents SET created = ?3, amount = ?4, amount_capturable = ?5, amount_received = ?6,
        currency = ?7, status = ?8, capture_method = ?9, customer_id = ?10, customer_email = ?11, description = ?12,
        latest_charge = ?13, capture_before = coalesce(?14, capture_before), card_brand = coalesce(?15, card_brand),
        card_last4 = coalesce(?16, card_last4), order_id = ?17, raw = ?18, extra_words = ?19
     WHERE account_id = ?1 AND id = ?2";

/// Adds or refreshes one PaymentIntent and its search document (with what
/// its cached charges and checkout add). Call inside the page's
/// transaction. A new row is written once, with its document's key; a
/// refresh rewrites the document only if it changed.
pub fn upsert(conn: &Connection, account_id: &str, row: &PaymentRow) -> Result<()> {
    let stored = conn
        .prepare_cached(
            "SELECT rowid, created, search_key, words_hash, card_last4
             FROM payment_intents WHERE account_id = ?1 AND id = ?2",
        )?
        .query_row([account_id, &row.id], |r| {
            Ok((
                Stored {
                    rowid: r.get(0)?,
                    created: r.get(1)?,
                    key: r.get(2)?,
                    hash: r.get(3)?,
                },
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    // The card kept by a refresh without one is still searched by.
    let mut own = row.clone();
    if let Some((_, card_last4)) = &stored {
        own.card_last4 = row.card_last4.clone().or_else(|| card_last4.clone());
    }
    let document =
        payment_search::document(conn, account_id, &row.id, payment_search::own_values(&own))?;
    let extra_words = payment_search::join_words(&row.extra_words);
    match stored {
        None => {
            let key = payment_search::allocate(conn, row.created)?;
            sql::execute(
                conn,
                INSERT,
                params![
                    account_id,
                    row.id,
                    row.created,
                    row.amount,
                    row.amount_capturable,
                    row.amount_received,
                    row.currency,
                    row.status,
                    row.capture_method,
                    row.customer_id,
                    row.customer_email,
                    row.description,
                    row.latest_charge,
                    row.capture_before,
                    row.card_brand,
                    row.card_last4,
                    row.order_id,
                    row.raw,
                    extra_words,
                    key,
                    document.hash()
                ],
            )?;
            payment_search::add(conn, key, &document)?;
        }
        Some((stored, _)) => {
            sql::execute(
                conn,
                UPDATE,
                params![
                    account_id,
                    row.id,
                    row.created,
                    row.amount,
                    row.amount_capturable,
                    row.amount_received,
                    row.currency,
                    row.status,
                    row.capture_method,
                    row.customer_id,
                    row.customer_email,
                    row.description,
                    row.latest_charge,
                    row.capture_before,
                    row.card_brand,
                    row.card_last4,
                    row.order_id,
                    row.raw,
                    extra_words
                ],
            )?;
            payment_search::write(conn, &stored, row.created, &document)?;
        }
    }
    sql::execute(
        conn,
        "INSERT OR IGNORE INTO payment_currencies (account_id, currency) VALUES (?1, ?2)",
        [account_id, row.currency.as_str()],
    )?;
    Ok(())
}

/// The currencies of an account's cached payments, alphabetical.
pub fn currencies(conn: &Connection, account_id: &str) -> Result<Vec<String>> {
    sql::rows(
        conn,
        "SELECT currency FROM payment_currencies WHERE account_id = ?1 ORDER BY currency",
        [account_id],
        |r| r.get(0),
    )
}

/// Payments of exactly one of these amounts (any currency), newest first:
/// Ctrl+K finds "42.50" this way.
pub fn with_amounts(
    conn: &Connection,
    account_id: &str,
    amounts: &[i64],
    limit: usize,
) -> Result<Vec<PaymentRow>> {
    let mut out = Vec::new();
    for amount in amounts {
        out.extend(sql::rows(
            conn,
            &format!(
                "SELECT {COLUMNS} FROM payment_intents WHERE account_id = ?1 AND amount = ?2
                 ORDER BY created DESC LIMIT ?3"
            ),
            params![account_id, amount, sql::limit(limit)],
            from_row,
        )?);
    }
    out.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
    out.truncate(limit);
    Ok(out)
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    NewestFirst,
    OldestFirst,
    LargestFirst,
    SmallestFirst,
}

/// Filters a list; `None` leaves a dimension open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub statuses: Vec<String>,
    pub currency: Option<String>,
    pub created_from: Option<i64>,
    pub created_before: Option<i64>,
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub customer_id: Option<String>,
    /// Only payments with money refunded (any part).
    pub refunded: bool,
}

/// Where the next page starts: the last row's sort value and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub rows: Vec<PaymentRow>,
    pub next: Option<Cursor>,
}

pub(crate) const COLUMNS: &str = "id, created, amount, amount_capturable, amount_received, currency, status, capture_method,
    customer_id, customer_email, description, latest_charge, capture_before, card_brand, card_last4, order_id, raw, extra_words";

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.get(0)?,
        created: r.get(1)?,
        amount: r.get(2)?,
        amount_capturable: r.get(3)?,
        amount_received: r.get(4)?,
        currency: r.get(5)?,
        status: r.get(6)?,
        capture_method: r.get(7)?,
        customer_id: r.get(8)?,
        customer_email: r.get(9)?,
        description: r.get(10)?,
        latest_charge: r.get(11)?,
        capture_before: r.get(12)?,
        card_brand: r.get(13)?,
        card_last4: r.get(14)?,
        order_id: r.get(15)?,
        extra_words: payment_search::split_words(r.get(17)?),
        raw: r.get(16)?,
    })
}

/// A page of the list, by keyset: constant time however deep.
pub fn page(
    conn: &Connection,
    account_id: &str,
    filter: &Filter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: usize,
) -> Result<Page> {
    let (column, descending) = match sort {
        Sort::NewestFirst => ("created", true),
        Sort::OldestFirst => ("created", false),
        Sort::LargestFirst => ("amount", true),
        Sort::SmallestFirst => ("amount", false),
    };
    let (mut clauses, mut values) = filter_where(filter, account_id).for_account(account_id);
    if let Some(cursor) = after {
        let op = if descending { "<" } else { ">" };
        clauses.push_str(&format!(" AND ({column}, id) {op} (?, ?)"));
        values.push(cursor.value.into());
        values.push(cursor.id.clone().into());
    }
    let order = if descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {COLUMNS} FROM payment_intents WHERE {clauses} ORDER BY {column} {order}, id {order} LIMIT {}",
        limit + 1
    );
    let mut rows = sql::rows(conn, &sql, params_from_iter(values), from_row)?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| Cursor {
            value: if column == "amount" {
                last.amount
            } else {
                last.created
            },
            id: last.id.clone(),
        })
    } else {
        None
    };
    Ok(Page { rows, next })
}

/// How many rows match a filter (for "N payments").
pub fn count(conn: &Connection, account_id: &str, filter: &Filter) -> Result<u64> {
    let (clauses, values) = filter_where(filter, account_id).for_account(account_id);
    let sql = format!("SELECT count(*) FROM payment_intents WHERE {clauses}");
    sql::count(conn, &sql, params_from_iter(values))
}

fn filter_where(filter: &Filter, account_id: &str) -> Where {
    Where::default()
        .any_of("status", &filter.statuses)
        .equals("currency", filter.currency.as_deref())
        .compare("created >=", filter.created_from)
        .compare("created <", filter.created_before)
        .compare("amount >=", filter.amount_min)
        .compare("amount <=", filter.amount_max)
        .equals("customer_id", filter.customer_id.as_deref())
        .and_with(filter.refunded, REFUNDED, account_id.to_owned())
}

/// Payments whose charge has money refunded, beyond the released rest of a
/// partial capture (as `charges::refunded` counts it). The condition is the
/// `charges_refunded` index's, so the few refunded charges are read, not a
/// probe per payment. One `?`: the account.
const REFUNDED: &str = "id IN (SELECT payment_intent FROM charges
    WHERE account_id = ? AND captured = 1 AND amount_refunded > amount - amount_captured)";

/// What a person typed, newest first: words of three characters or more
/// match any part of a payment's words (`haddad` finds
/// `ines.haddad1@example.com`), one or two the start of a word, and the
/// start of an id its payment (`pi_3Mx`, a charge's `ch_…`, a checkout's
/// `cs_…`). See [`payment_search::find`] for the rest of the query.
pub fn search(
    conn: &Connection,
    account_id: &str,
    text: &str,
    limit: usize,
) -> Result<Vec<PaymentRow>> {
    Ok(payment_search::find(conn, account_id, &payment_search::Query::words(text), limit)?.rows)
}

/// The card and email of a PaymentIntent's charge, learnt after the
/// PaymentIntent was stored: the columns only (the words are the charge's).
pub fn set_card(
    conn: &Connection,
    account_id: &str,
    payment_id: &str,
    charge_id: &str,
    card: (&Option<String>, &Option<String>, Option<i64>),
    email: &Option<String>,
) -> Result<()> {
    let (brand, last4, capture_before) = card;
    sql::execute(
        conn,
        "UPDATE payment_intents SET card_brand = coalesce(?4, card_brand), card_last4 = coalesce(?5, card_last4),
            capture_before = coalesce(?6, capture_before), customer_email = coalesce(customer_email, ?7)
         WHERE account_id = ?1 AND id = ?2 AND latest_charge = ?3 AND card_last4 IS NULL",
        params![account_id, payment_id, charge_id, brand, last4, capture_before, email],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<PaymentRow>> {
    sql::by_id(conn, "payment_intents", COLUMNS, account_id, id, from_row)
}

/// Money taken in a period: per currency, what succeeded payments received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyTotal {
    pub currency: String,
    pub gross: i64,
    pub count: i64,
}

/// Totals of succeeded payments created in `[from, to)`, per currency.
pub fn totals(
    conn: &Connection,
    account_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<CurrencyTotal>> {
    let mut statement = conn.prepare_cached(
        "SELECT currency, sum(amount_received), count(*) FROM payment_intents
         WHERE account_id = ?1 AND created >= ?2 AND created < ?3 AND status = 'succeeded'
         GROUP BY currency ORDER BY sum(amount_received) DESC",
    )?;
    let rows = statement
        .query_map(params![account_id, from, to], |r| {
            Ok(CurrencyTotal {
                currency: r.get(0)?,
                gross: r.get(1)?,
                count: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Holds whose authorization lapses before `until`, soonest first.
pub fn holds_expiring(conn: &Connection, account_id: &str, until: i64) -> Result<Vec<PaymentRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_intents
         WHERE account_id = ?1 AND status = 'requires_capture' AND capture_before IS NOT NULL AND capture_before < ?2
         ORDER BY capture_before"
    ))?;
    let rows = statement
        .query_map(params![account_id, until], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every hold (uncaptured payment), the one that lapses soonest first; those
/// whose lapse time is unknown (a key that cannot read charges) last, newest
/// first.
pub fn holds(conn: &Connection, account_id: &str) -> Result<Vec<PaymentRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_intents
         WHERE account_id = ?1 AND status = 'requires_capture'
         ORDER BY capture_before IS NULL, capture_before, created DESC, id"
    ))?;
    let rows = statement
        .query_map(params![account_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Drops an account's cached payments (when the account is removed).
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "payment_currencies", account_id)?;
    payment_search::remove_account(conn, account_id)?;
    sql::remove_account(conn, "payment_intents", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn row(n: i64) -> PaymentRow {
        PaymentRow {
            id: format!("pi_{n:04}"),
            created: 1_700_000_000 + n * 60,
            amount: 1000 + (n * 37) % 5000,
            currency: if n % 3 == 0 { "eur" } else { "usd" }.to_owned(),
            status: if n % 5 == 0 {
                "requires_capture"
            } else {
                "succeeded"
            }
            .to_owned(),
            customer_email: Some(format!("buyer{n}@example.com")),
            description: Some(format!("Order #{n}")),
            card_last4: Some(format!("{:04}", 4242 + n % 3)),
            raw: format!("{{\"id\":\"pi_{n:04}\"}}"),
            ..PaymentRow::default()
        }
    }

    fn filled(n: i64) -> Store {
        let mut store = Store::in_memory().unwrap();
        let tx = store.conn_mut().transaction().unwrap();
        // Each payment with its charge, as the sync stores them: the card's
        // last four are searched through the charge.
        let with_charge = |account: &str, r: &PaymentRow| {
            upsert(&tx, account, r).unwrap();
            let charge = crate::table::charges::ChargeRow {
                id: format!("ch_{}", r.id),
                payment_intent: Some(r.id.clone()),
                card_last4: r.card_last4.clone(),
                raw: "{}".into(),
                ..Default::default()
            };
            crate::table::charges::upsert(&tx, account, &charge).unwrap();
        };
        for i in 0..n {
            with_charge("acct_1", &row(i));
        }
        with_charge("acct_2", &row(9999));
        tx.commit().unwrap();
        store
    }

    #[test]
    fn keyset_pages_walk_every_row_once_in_order() {
        let store = filled(250);
        for sort in [
            Sort::NewestFirst,
            Sort::OldestFirst,
            Sort::LargestFirst,
            Sort::SmallestFirst,
        ] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = page(
                    store.conn(),
                    "acct_1",
                    &Filter::default(),
                    sort,
                    after.as_ref(),
                    40,
                )
                .unwrap();
                seen.extend(
                    page.rows
                        .iter()
                        .map(|r| (r.created, r.amount, r.id.clone())),
                );
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 250, "{sort:?}");
            let mut expected = seen.clone();
            match sort {
                Sort::NewestFirst => expected.sort_by(|a, b| (b.0, &b.2).cmp(&(a.0, &a.2))),
                Sort::OldestFirst => expected.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2))),
                Sort::LargestFirst => expected.sort_by(|a, b| (b.1, &b.2).cmp(&(a.1, &a.2))),
                Sort::SmallestFirst => expected.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2))),
            }
            assert_eq!(seen, expected, "{sort:?}");
        }
    }

    #[test]
    fn the_refunded_filter_reads_the_refunded_charges_only() {
        use crate::table::charges::{self, ChargeRow};
        let store = filled(250);
        let conn = store.conn();
        let rows = page(
            conn,
            "acct_1",
            &Filter::default(),
            Sort::NewestFirst,
            None,
            10,
        )
        .unwrap()
        .rows;
        // Three charged payments: refunded in part, a partial capture's
        // released rest only (not a refund), and not refunded.
        for (row, (captured, refunded)) in rows.iter().zip([(1_000, 300), (600, 400), (1_000, 0)]) {
            charges::upsert(
                conn,
                "acct_1",
                &ChargeRow {
                    id: format!("ch_{}", row.id),
                    amount: 1_000,
                    amount_captured: captured,
                    amount_refunded: refunded,
                    captured: true,
                    status: "succeeded".into(),
                    currency: "usd".into(),
                    payment_intent: Some(row.id.clone()),
                    raw: "{}".into(),
                    ..ChargeRow::default()
                },
            )
            .unwrap();
        }
        let filter = Filter {
            refunded: true,
            ..Filter::default()
        };
        let found = page(conn, "acct_1", &filter, Sort::NewestFirst, None, 100)
            .unwrap()
            .rows;
        assert_eq!(
            found.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            [rows[0].id.as_str()]
        );
        assert_eq!(count(conn, "acct_1", &filter).unwrap(), 1);
        assert_eq!(
            count(conn, "acct_2", &filter).unwrap(),
            0,
            "accounts never mix"
        );
        // From the refunded charges' own index, not a probe per payment.
        let (clauses, values) = filter_where(&filter, "acct_1").for_account("acct_1");
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM payment_intents WHERE {clauses}"
            ))
            .unwrap()
            .query_map(rusqlite::params_from_iter(values), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter().any(|step| step.contains("charges_refunded")),
            "{plan:?}"
        );
    }

    #[test]
    fn filters_combine_and_counts_agree() {
        let store = filled(250);
        let filter = Filter {
            statuses: vec!["requires_capture".into()],
            currency: Some("usd".into()),
            amount_min: Some(2000),
            ..Filter::default()
        };
        let page = page(
            store.conn(),
            "acct_1",
            &filter,
            Sort::NewestFirst,
            None,
            100,
        )
        .unwrap();
        assert!(!page.rows.is_empty());
        assert!(
            page.rows
                .iter()
                .all(|r| r.status == "requires_capture" && r.currency == "usd" && r.amount >= 2000)
        );
        assert_eq!(
            count(store.conn(), "acct_1", &filter).unwrap(),
            page.rows.len() as u64
        );
        assert_eq!(
            count(store.conn(), "acct_2", &Filter::default()).unwrap(),
            1,
            "accounts never mix"
        );
    }

    #[test]
    fn search_finds_ids_emails_descriptions_and_last_four_by_prefix() {
        let store = filled(250);
        assert_eq!(
            search(store.conn(), "acct_1", "pi_0042", 10).unwrap()[0].id,
            "pi_0042"
        );
        assert_eq!(
            search(store.conn(), "acct_1", "buyer42@example.com", 10).unwrap()[0].id,
            "pi_0042"
        );
        assert_eq!(
            search(store.conn(), "acct_1", "buyer17", 100)
                .unwrap()
                .len(),
            11,
            "buyer17 and buyer170–179: prefixes"
        );
        assert!(
            search(store.conn(), "acct_1", "4243", 500)
                .unwrap()
                .iter()
                .all(|r| r.card_last4.as_deref() == Some("4243"))
        );
        assert!(
            search(store.conn(), "acct_1", "nothing-like-this", 10)
                .unwrap()
                .is_empty()
        );
        assert!(
            search(store.conn(), "acct_1", "\"quoted", 10).is_ok(),
            "quotes cannot break the query"
        );
        assert!(
            search(store.conn(), "acct_2", "pi_0042", 10)
                .unwrap()
                .is_empty(),
            "accounts never mix"
        );
    }

    #[test]
    fn totals_count_only_succeeded_payments_per_currency_and_holds_come_soonest_first() {
        let store = filled(250);
        let all = totals(store.conn(), "acct_1", 0, i64::MAX).unwrap();
        let succeeded: Vec<PaymentRow> = (0..250)
            .map(row)
            .filter(|r| r.status == "succeeded")
            .collect();
        for total in &all {
            let expected: Vec<&PaymentRow> = succeeded
                .iter()
                .filter(|r| r.currency == total.currency)
                .collect();
            assert_eq!(total.count, expected.len() as i64);
            assert_eq!(
                total.gross,
                expected.iter().map(|r| r.amount_received).sum::<i64>()
            );
        }
        let mut hold = row(7);
        hold.status = "requires_capture".into();
        hold.capture_before = Some(500);
        let mut later = row(8);
        later.status = "requires_capture".into();
        later.capture_before = Some(100);
        upsert(store.conn(), "acct_1", &hold).unwrap();
        upsert(store.conn(), "acct_1", &later).unwrap();
        let soon: Vec<String> = holds_expiring(store.conn(), "acct_1", 1_000)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(soon, ["pi_0008", "pi_0007"]);
    }

    #[test]
    fn a_refresh_without_the_card_keeps_it_and_its_search_word() {
        let store = filled(3);
        let conn = store.conn();
        let refreshed = PaymentRow {
            card_last4: None,
            status: "canceled".into(),
            ..row(1)
        };
        upsert(conn, "acct_1", &refreshed).unwrap();
        let cached = get(conn, "acct_1", "pi_0001").unwrap().unwrap();
        assert_eq!(cached.status, "canceled");
        assert_eq!(cached.card_last4.as_deref(), Some("4243"));
        assert_eq!(search(conn, "acct_1", "pi_0001 4243", 10).unwrap().len(), 1);
    }

    #[test]
    fn an_update_replaces_the_row_and_its_search_words() {
        let store = filled(3);
        let mut changed = row(1);
        changed.status = "canceled".into();
        changed.customer_email = Some("new@example.com".into());
        upsert(store.conn(), "acct_1", &changed).unwrap();
        assert_eq!(
            get(store.conn(), "acct_1", "pi_0001")
                .unwrap()
                .unwrap()
                .status,
            "canceled"
        );
        assert!(
            search(store.conn(), "acct_1", "buyer1@example.com", 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            search(store.conn(), "acct_1", "new@example.com", 10)
                .unwrap()
                .len(),
            1
        );
        remove_account(store.conn(), "acct_1").unwrap();
        assert_eq!(
            count(store.conn(), "acct_1", &Filter::default()).unwrap(),
            0
        );
    }

    #[test]
    fn holds_come_soonest_first_and_those_of_unknown_lapse_last() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let hold = |n: i64, capture_before: Option<i64>| PaymentRow {
            status: "requires_capture".into(),
            capture_before,
            ..row(n)
        };
        for p in [
            hold(1, Some(5_000)),
            hold(2, None),
            hold(3, Some(4_000)),
            hold(4, None),
            PaymentRow {
                status: "succeeded".into(),
                ..row(5)
            },
        ] {
            upsert(conn, "acct", &p).unwrap();
        }
        let ids: Vec<String> = holds(conn, "acct")
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["pi_0003", "pi_0001", "pi_0004", "pi_0002"]);
        assert_eq!(holds_expiring(conn, "acct", i64::MAX).unwrap().len(), 2);
    }
}

//! `charges`: the cached Charges of every account, with what lists and the
//! fee lookup need beside Stripe's raw JSON. A charge without a balance
//! transaction yet has no known fee ("fee pending").

use rusqlite::{Connection, params};

use crate::sql::{self, FromRow, Keyset};
use crate::table::payment_search;
use crate::{Migration, Result, text};

pub const MIGRATIONS: &[Migration] = &[CREATE, WORDS, REFUNDED];

/// Charges with money refunded (beyond a partial capture's released rest):
/// few, so the Payments list's Refunded chip starts from them.
const REFUNDED: Migration = Migration {
    version: 16,
    name: "charges_refunded",
    sql: "CREATE INDEX charges_refunded ON charges (account_id, payment_intent)
        WHERE captured = 1 AND amount_refunded > amount - amount_captured;",
};

/// A charge's card and billing email were searched in their own text
/// index (replaced by its payment's document in `payment_search`).
const WORDS: Migration = Migration {
    version: 14,
    name: "charges_text",
    sql: "ALTER TABLE charges ADD COLUMN words_hash INTEGER;
    CREATE VIRTUAL TABLE charges_text USING fts5(
        words, content = '', contentless_delete = 1, tokenize = \"unicode61 tokenchars '_@.-+'\"
    );
    INSERT INTO charges_text (rowid, words)
        SELECT rowid, trim(id || ' ' || coalesce(payment_intent, '') || ' ' || coalesce(card_last4, '') || ' ' || coalesce(email, '')) FROM charges;",
};

const CREATE: Migration = Migration {
    version: 3,
    name: "charges",
    sql: "CREATE TABLE charges (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        amount_captured INTEGER NOT NULL,
        amount_refunded INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        captured INTEGER NOT NULL CHECK (captured IN (0, 1)),
        payment_intent TEXT,
        customer_id TEXT,
        -- NULL until Stripe settles the charge: its fee is not known yet.
        balance_transaction TEXT,
        card_brand TEXT,
        card_last4 TEXT,
        email TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX charges_by_payment_intent ON charges (account_id, payment_intent) WHERE payment_intent IS NOT NULL;
    CREATE INDEX charges_fee_pending ON charges (account_id, created, id)
        WHERE balance_transaction IS NULL AND captured = 1 AND status = 'succeeded';",
};

/// One Charge as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChargeRow {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub status: String,
    pub captured: bool,
    pub payment_intent: Option<String>,
    pub customer_id: Option<String>,
    /// `None` while the fee is not known yet.
    pub balance_transaction: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    /// The billing or receipt email.
    pub email: Option<String>,
    /// Words its payment is searched by besides the columns: the billing name.
    pub extra_words: Vec<String>,
    pub raw: String,
}

const COLUMNS: &str =
    "id, created, amount, amount_captured, amount_refunded, currency, status, captured,
    payment_intent, customer_id, balance_transaction, card_brand, card_last4, email, raw, extra_words";

const FROM_ROW: FromRow<ChargeRow> = |r| {
    Ok(ChargeRow {
        id: r.get(0)?,
        created: r.get(1)?,
        amount: r.get(2)?,
        amount_captured: r.get(3)?,
        amount_refunded: r.get(4)?,
        currency: r.get(5)?,
        status: r.get(6)?,
        captured: r.get(7)?,
        payment_intent: r.get(8)?,
        customer_id: r.get(9)?,
        balance_transaction: r.get(10)?,
        card_brand: r.get(11)?,
        card_last4: r.get(12)?,
        email: r.get(13)?,
        extra_words: payment_search::split_words(r.get(15)?),
        raw: r.get(14)?,
    })
};

const LIST: Keyset<ChargeRow> = Keyset {
    table: "charges",
    columns: COLUMNS,
    from_row: FROM_ROW,
    key: |r| (r.created, r.id.clone()),
};

const INSERT: &str = "INSERT INTO charges (account_id, id, created, amount, amount_captured, amount_refunded, currency,
        status, captured, payment_intent, customer_id, balance_transaction, card_brand, card_last4, email, raw, extra_words,
        words_hash)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
     ON CONFLICT (account_id, id) DO NOTHING";

// Once settled, a fee never becomes unknown: a refresh without the balance
// transaction keeps the one known.
const UPDATE: &str = "UPDATE charges SET created = ?3, amount = ?4, amount_captured = ?5, amount_refunded = ?6,
        currency = ?7, status = ?8, captured = ?9, payment_intent = ?10, customer_id = ?11,
        balance_transaction = coalesce(?12, balance_transaction), card_brand = ?13, card_last4 = ?14, email = ?15,
        raw = ?16, extra_words = ?17, words_hash = ?18
     WHERE account_id = ?1 AND id = ?2";

/// Adds or refreshes one Charge. A known balance transaction is kept when
/// a refresh comes without one: once settled, a fee never becomes unknown.
/// When what its payment is searched by changes (card last four, billing
/// email and name), the payment's search document is rewritten, if the
/// payment is cached; otherwise the payment reads it when it comes.
pub fn upsert(conn: &Connection, account_id: &str, row: &ChargeRow) -> Result<()> {
    let mut words: Vec<&str> = [&row.payment_intent, &row.card_last4, &row.email]
        .into_iter()
        .filter_map(|c| c.as_deref())
        .collect();
    words.extend(row.extra_words.iter().map(String::as_str));
    let hash = text::hash(&words.join("\u{1f}"));
    let extra_words = payment_search::join_words(&row.extra_words);
    let values = params![
        account_id,
        row.id,
        row.created,
        row.amount,
        row.amount_captured,
        row.amount_refunded,
        row.currency,
        row.status,
        row.captured,
        row.payment_intent,
        row.customer_id,
        row.balance_transaction,
        row.card_brand,
        row.card_last4,
        row.email,
        row.raw,
        extra_words,
        hash
    ];
    // No RETURNING (it opens a statement savepoint, and FTS5 writes its
    // pending words out at each): the insert says whether the row is new.
    let changed = if sql::execute(conn, INSERT, values)? == 1 {
        true
    } else {
        let stored: Option<i64> = conn
            .prepare_cached("SELECT words_hash FROM charges WHERE account_id = ?1 AND id = ?2")?
            .query_row([account_id, &row.id], |r| r.get(0))?;
        sql::execute(conn, UPDATE, values)?;
        stored != Some(hash)
    };
    if changed && let Some(payment) = &row.payment_intent {
        payment_search::refresh(conn, account_id, payment)?;
    }
    // Its transaction, and its refunds' and disputes', learn the payment
    // and the customer.
    super::balance_transactions::link_source(conn, account_id, &row.id)?;
    let mut related = conn.prepare_cached(
        "SELECT id FROM refunds WHERE account_id = ?1 AND charge = ?2
         UNION ALL SELECT id FROM disputes WHERE account_id = ?1 AND charge = ?2",
    )?;
    let ids = related
        .query_map([account_id, &row.id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    for id in ids {
        super::balance_transactions::link_source(conn, account_id, &id)?;
    }
    Ok(())
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<ChargeRow>> {
    sql::by_id(conn, "charges", COLUMNS, account_id, id, FROM_ROW)
}

/// What was refunded of each of these charges that is cached, by id. Stripe
/// counts the released rest of a partial capture (and a released hold) in
/// `amount_refunded`; that part is not a refund and is left out.
pub fn refunded<'a>(
    conn: &Connection,
    account_id: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<std::collections::HashMap<String, i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT max(0, amount_refunded - (amount - amount_captured)) FROM charges
         WHERE account_id = ?1 AND id = ?2 AND captured",
    )?;
    let mut out = std::collections::HashMap::new();
    for id in ids {
        let mut rows = statement.query(params![account_id, id])?;
        if let Some(row) = rows.next()? {
            out.insert(id.to_owned(), row.get(0)?);
        }
    }
    Ok(out)
}

/// A PaymentIntent's charges (a retried payment has several), newest first.
pub fn for_payment_intent(
    conn: &Connection,
    account_id: &str,
    payment_intent: &str,
) -> Result<Vec<ChargeRow>> {
    LIST.all_with(conn, account_id, ("payment_intent", payment_intent))
}

const FEE_PENDING: &str = "FROM charges
    WHERE account_id = ?1 AND balance_transaction IS NULL AND captured = 1 AND status = 'succeeded'
    ORDER BY created, id LIMIT ?2";

/// Captured, succeeded charges whose fee is not known yet, oldest first:
/// the ones to look up again.
pub fn fee_pending(conn: &Connection, account_id: &str, limit: usize) -> Result<Vec<ChargeRow>> {
    sql::rows(
        conn,
        &format!("SELECT {COLUMNS} {FEE_PENDING}"),
        params![account_id, sql::limit(limit)],
        FROM_ROW,
    )
}

/// Drops an account's cached charges.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "charges", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, ids};

    fn charge(n: i64, payment_intent: &str) -> ChargeRow {
        ChargeRow {
            id: format!("ch_{n:03}"),
            created: 1_700_000_000 + n * 60,
            amount: 1_000 + n,
            amount_captured: 1_000 + n,
            currency: "usd".into(),
            status: "succeeded".into(),
            captured: true,
            payment_intent: Some(payment_intent.to_owned()),
            balance_transaction: Some(format!("txn_{n:03}")),
            card_last4: Some("4242".into()),
            raw: format!("{{\"id\":\"ch_{n:03}\"}}"),
            ..ChargeRow::default()
        }
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let first = charge(1, "pi_1");
        let changed = ChargeRow {
            amount_refunded: 500,
            status: "succeeded".into(),
            email: Some("ada@example.com".into()),
            ..first.clone()
        };
        testing::upsert_get_remove(
            "charges",
            (upsert, get, remove_account),
            "ch_001",
            &first,
            &changed,
        );
    }

    #[test]
    fn refunded_counts_refunds_not_the_released_rest_of_a_hold() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let whole = ChargeRow {
            amount: 1_000,
            amount_captured: 1_000,
            amount_refunded: 250,
            ..charge(1, "pi_a")
        };
        // 1,000 held, 600 captured, 400 released, then 100 refunded.
        let partial = ChargeRow {
            amount: 1_000,
            amount_captured: 600,
            amount_refunded: 500,
            ..charge(2, "pi_b")
        };
        let released = ChargeRow {
            amount: 1_000,
            amount_captured: 0,
            amount_refunded: 1_000,
            captured: false,
            ..charge(3, "pi_c")
        };
        for row in [&whole, &partial, &released] {
            upsert(conn, "acct_1", row).unwrap();
        }
        upsert(conn, "acct_2", &charge(4, "pi_d")).unwrap();
        let found = refunded(
            conn,
            "acct_1",
            ["ch_001", "ch_002", "ch_003", "ch_004", "ch_none"],
        )
        .unwrap();
        assert_eq!(found.get("ch_001"), Some(&250));
        assert_eq!(found.get("ch_002"), Some(&100));
        assert_eq!(
            found.get("ch_003"),
            None,
            "a released hold refunded nothing"
        );
        assert_eq!(found.get("ch_004"), None, "another account's charge");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_payment_intents_charges_come_newest_first() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        for (n, pi) in [(1, "pi_a"), (3, "pi_a"), (2, "pi_a"), (4, "pi_b")] {
            upsert(conn, "acct_1", &charge(n, pi)).unwrap();
        }
        upsert(conn, "acct_2", &charge(9, "pi_a")).unwrap();
        let found = for_payment_intent(conn, "acct_1", "pi_a").unwrap();
        assert_eq!(ids(&found, |c| &c.id), ["ch_003", "ch_002", "ch_001"]);
        assert!(
            for_payment_intent(conn, "acct_1", "pi_none")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn fee_pending_lists_settling_charges_oldest_first_and_a_known_fee_stays_known() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let pending = |n| ChargeRow {
            balance_transaction: None,
            ..charge(n, "pi_a")
        };
        for n in [5, 2, 7, 1] {
            upsert(conn, "acct_1", &pending(n)).unwrap();
        }
        upsert(conn, "acct_1", &charge(3, "pi_a")).unwrap();
        let failed = ChargeRow {
            status: "failed".into(),
            captured: false,
            ..pending(4)
        };
        upsert(conn, "acct_1", &failed).unwrap();
        let uncaptured = ChargeRow {
            captured: false,
            ..pending(6)
        };
        upsert(conn, "acct_1", &uncaptured).unwrap();
        upsert(conn, "acct_2", &pending(8)).unwrap();

        let found = fee_pending(conn, "acct_1", 10).unwrap();
        assert_eq!(
            ids(&found, |c| &c.id),
            ["ch_001", "ch_002", "ch_005", "ch_007"]
        );
        assert_eq!(fee_pending(conn, "acct_1", 2).unwrap().len(), 2);

        upsert(conn, "acct_1", &charge(2, "pi_a")).unwrap();
        upsert(conn, "acct_1", &pending(2)).unwrap();
        assert_eq!(
            get(conn, "acct_1", "ch_002")
                .unwrap()
                .unwrap()
                .balance_transaction
                .as_deref(),
            Some("txn_002"),
            "a refresh without the balance transaction keeps it"
        );
        let found = fee_pending(conn, "acct_1", 10).unwrap();
        assert_eq!(ids(&found, |c| &c.id), ["ch_001", "ch_005", "ch_007"]);
    }

    #[test]
    fn queries_read_their_partial_indexes() {
        let store = Store::in_memory().unwrap();
        let plan = testing::plan(store.conn(), &format!("SELECT id {FEE_PENDING}"));
        assert!(plan.contains("charges_fee_pending"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");
        // `payment_intent = ?` implies the partial index's NOT NULL.
        let plan = testing::plan(
            store.conn(),
            "SELECT id FROM charges WHERE account_id = ? AND payment_intent = ? ORDER BY created DESC, id DESC",
        );
        assert!(plan.contains("charges_by_payment_intent"), "{plan}");
    }
}

//! `balance_transactions`: every movement of an account's Stripe balance,
//! with its fee and net, the object it came from (charge, refund, payout…)
//! and the payout that paid it out.

use rusqlite::{Connection, params};

use crate::sql::{self, After, FromRow, Keyset, Where};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 5,
    name: "balance_transactions",
    sql: "CREATE TABLE balance_transactions (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        available_on INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        fee INTEGER NOT NULL,
        net INTEGER NOT NULL,
        currency TEXT NOT NULL,
        -- Stripe's `type`.
        kind TEXT NOT NULL,
        reporting_category TEXT NOT NULL,
        status TEXT NOT NULL,
        -- The charge, refund, payout… this transaction belongs to.
        source_id TEXT,
        -- The payout that paid it out, set by assign_payout.
        payout_id TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX balance_transactions_by_created ON balance_transactions (account_id, created DESC, id DESC);
    CREATE INDEX balance_transactions_by_source ON balance_transactions (account_id, source_id) WHERE source_id IS NOT NULL;
    -- created and id too: a payout's transactions come in order without a sort.
    CREATE INDEX balance_transactions_by_payout ON balance_transactions (account_id, payout_id, created, id)
        WHERE payout_id IS NOT NULL;",
}, Migration {
    version: 20,
    name: "balance_transactions_payment",
    // The payment and the customer of a charge's, a refund's or a
    // dispute's transaction, so that an itemized line needs no join through
    // JSON; kept in step by link_source as either side arrives.
    sql: "ALTER TABLE balance_transactions ADD COLUMN payment_intent_id TEXT;
    ALTER TABLE balance_transactions ADD COLUMN customer_id TEXT;
    CREATE INDEX balance_transactions_by_payment ON balance_transactions (account_id, payment_intent_id)
        WHERE payment_intent_id IS NOT NULL;
    UPDATE balance_transactions SET
        payment_intent_id = coalesce(
            (SELECT c.payment_intent FROM charges c WHERE c.account_id = balance_transactions.account_id AND c.id = source_id),
            (SELECT r.payment_intent FROM refunds r WHERE r.account_id = balance_transactions.account_id AND r.id = source_id),
            (SELECT d.payment_intent FROM disputes d WHERE d.account_id = balance_transactions.account_id AND d.id = source_id)),
        customer_id = coalesce(
            (SELECT c.customer_id FROM charges c WHERE c.account_id = balance_transactions.account_id AND c.id = source_id),
            (SELECT c.customer_id FROM refunds r JOIN charges c ON c.account_id = r.account_id AND c.id = r.charge
              WHERE r.account_id = balance_transactions.account_id AND r.id = source_id),
            (SELECT c.customer_id FROM disputes d JOIN charges c ON c.account_id = d.account_id AND c.id = d.charge
              WHERE d.account_id = balance_transactions.account_id AND d.id = source_id))
    WHERE source_id IS NOT NULL;",
}];

/// Sets the payment and the customer of the transactions whose source is
/// `source_id` (a charge, a refund or a dispute), from what is cached of it.
/// Called when either side is stored, so the order they arrive in does not
/// matter.
pub fn link_source(conn: &Connection, account_id: &str, source_id: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE balance_transactions SET
            payment_intent_id = coalesce(
                (SELECT c.payment_intent FROM charges c WHERE c.account_id = ?1 AND c.id = ?2),
                (SELECT r.payment_intent FROM refunds r WHERE r.account_id = ?1 AND r.id = ?2),
                (SELECT d.payment_intent FROM disputes d WHERE d.account_id = ?1 AND d.id = ?2)),
            customer_id = coalesce(
                (SELECT c.customer_id FROM charges c WHERE c.account_id = ?1 AND c.id = ?2),
                (SELECT c.customer_id FROM refunds r JOIN charges c ON c.account_id = r.account_id AND c.id = r.charge
                  WHERE r.account_id = ?1 AND r.id = ?2),
                (SELECT c.customer_id FROM disputes d JOIN charges c ON c.account_id = d.account_id AND c.id = d.charge
                  WHERE d.account_id = ?1 AND d.id = ?2))
         WHERE account_id = ?1 AND source_id = ?2",
        [account_id, source_id],
    )?;
    Ok(())
}

/// One BalanceTransaction as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BalanceTransactionRow {
    pub id: String,
    pub created: i64,
    pub available_on: i64,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    pub currency: String,
    /// Stripe's `type`: `charge`, `refund`, `payout`, `stripe_fee`…
    pub kind: String,
    pub reporting_category: String,
    pub status: String,
    pub source_id: Option<String>,
    pub payout_id: Option<String>,
    /// The payment of a charge's, refund's or dispute's transaction, once
    /// both are cached (read only: kept by [`link_source`]).
    pub payment_intent_id: Option<String>,
    pub customer_id: Option<String>,
    pub raw: String,
}

const COLUMNS: &str =
    "id, created, available_on, amount, fee, net, currency, kind, reporting_category, status,
    source_id, payout_id, payment_intent_id, customer_id, raw";

const FROM_ROW: FromRow<BalanceTransactionRow> = |r| {
    Ok(BalanceTransactionRow {
        id: r.get(0)?,
        created: r.get(1)?,
        available_on: r.get(2)?,
        amount: r.get(3)?,
        fee: r.get(4)?,
        net: r.get(5)?,
        currency: r.get(6)?,
        kind: r.get(7)?,
        reporting_category: r.get(8)?,
        status: r.get(9)?,
        source_id: r.get(10)?,
        payout_id: r.get(11)?,
        payment_intent_id: r.get(12)?,
        customer_id: r.get(13)?,
        raw: r.get(14)?,
    })
};

const LIST: Keyset<BalanceTransactionRow> = Keyset {
    table: "balance_transactions",
    columns: COLUMNS,
    from_row: FROM_ROW,
    key: |r| (r.created, r.id.clone()),
};

/// Adds or refreshes one BalanceTransaction. Stripe's object does not say
/// which payout paid it out, so a refresh keeps the payout already known.
pub fn upsert(conn: &Connection, account_id: &str, row: &BalanceTransactionRow) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO balance_transactions (account_id, id, created, available_on, amount, fee, net, currency, kind,
            reporting_category, status, source_id, payout_id, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (account_id, id) DO UPDATE SET created = excluded.created, available_on = excluded.available_on,
            amount = excluded.amount, fee = excluded.fee, net = excluded.net, currency = excluded.currency,
            kind = excluded.kind, reporting_category = excluded.reporting_category, status = excluded.status,
            source_id = excluded.source_id, payout_id = coalesce(excluded.payout_id, payout_id), raw = excluded.raw",
        params![
            account_id, row.id, row.created, row.available_on, row.amount, row.fee, row.net, row.currency, row.kind,
            row.reporting_category, row.status, row.source_id, row.payout_id, row.raw
        ],
    )?;
    if let Some(source) = &row.source_id {
        link_source(conn, account_id, source)?;
    }
    Ok(())
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<BalanceTransactionRow>> {
    sql::by_id(
        conn,
        "balance_transactions",
        COLUMNS,
        account_id,
        id,
        FROM_ROW,
    )
}

/// Records which payout paid these transactions out; how many were found
/// (an id not cached yet is skipped).
pub fn assign_payout(
    conn: &Connection,
    account_id: &str,
    balance_transaction_ids: &[String],
    payout_id: &str,
) -> Result<usize> {
    let mut assigned = 0;
    for id in balance_transaction_ids {
        // One row per statement: a multi-row UPDATE opens a savepoint, which
        // makes the text indexes of the same transaction flush early.
        assigned += sql::execute(
            conn,
            "UPDATE balance_transactions SET payout_id = ?3 WHERE account_id = ?1 AND id = ?2",
            params![account_id, id, payout_id],
        )?;
    }
    Ok(assigned)
}

/// The transaction an object (charge, refund…) made first: where its fee
/// is. `None` while Stripe has not settled it.
pub fn for_source(
    conn: &Connection,
    account_id: &str,
    source_id: &str,
) -> Result<Option<BalanceTransactionRow>> {
    sql::optional(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM balance_transactions WHERE account_id = ?1 AND source_id = ?2
             ORDER BY created, id LIMIT 1"
        ),
        [account_id, source_id],
        FROM_ROW,
    )
}

/// What a payout paid out, oldest first.
pub fn for_payout(
    conn: &Connection,
    account_id: &str,
    payout_id: &str,
) -> Result<Vec<BalanceTransactionRow>> {
    sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM balance_transactions WHERE account_id = ?1 AND payout_id = ?2
             ORDER BY created, id"
        ),
        [account_id, payout_id],
        FROM_ROW,
    )
}

/// A page newest first, of one payout's transactions or of all; the second
/// value is where the next page starts.
pub fn page(
    conn: &Connection,
    account_id: &str,
    payout_id: Option<&str>,
    after: Option<&After>,
    limit: usize,
) -> Result<(Vec<BalanceTransactionRow>, Option<After>)> {
    let filter = Where::default().equals("payout_id", payout_id);
    LIST.page(conn, account_id, filter, after, limit)
}

/// Net volume of a period in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetTotal {
    pub currency: String,
    /// The sum of amounts.
    pub gross: i64,
    pub fees: i64,
    pub net: i64,
    pub count: i64,
}

/// Per currency, largest gross first: what transactions created in
/// `[from, to)` added to the balance. Payouts and their reversals are left
/// out: money leaving for the bank is not volume.
pub fn net_totals(
    conn: &Connection,
    account_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<NetTotal>> {
    sql::rows(
        conn,
        "SELECT currency, sum(amount), sum(fee), sum(net), count(*) FROM balance_transactions
         WHERE account_id = ?1 AND created >= ?2 AND created < ?3
           AND kind NOT IN ('payout', 'payout_cancel', 'payout_failure')
         GROUP BY currency ORDER BY sum(amount) DESC, currency",
        params![account_id, from, to],
        |r| {
            Ok(NetTotal {
                currency: r.get(0)?,
                gross: r.get(1)?,
                fees: r.get(2)?,
                net: r.get(3)?,
                count: r.get(4)?,
            })
        },
    )
}

/// Drops an account's cached balance transactions.
/// Balance transactions that a cached charge, refund or payout names but
/// the cache does not hold (Stripe sends no event for them).
pub fn missing_referenced(
    conn: &Connection,
    account_id: &str,
    limit: usize,
) -> Result<Vec<String>> {
    sql::rows(
        conn,
        "SELECT r.id FROM (
            SELECT balance_transaction AS id FROM charges WHERE account_id = ?1 AND balance_transaction IS NOT NULL
            UNION SELECT balance_transaction FROM refunds WHERE account_id = ?1 AND balance_transaction IS NOT NULL
            UNION SELECT balance_transaction FROM payouts WHERE account_id = ?1 AND balance_transaction IS NOT NULL
         ) r
         WHERE NOT EXISTS (SELECT 1 FROM balance_transactions b WHERE b.account_id = ?1 AND b.id = r.id)
         LIMIT ?2",
        rusqlite::params![account_id, sql::limit(limit)],
        |r| r.get(0),
    )
}

pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "balance_transactions", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, ids, walk};

    const KINDS: [&str; 4] = ["charge", "refund", "payout", "stripe_fee"];

    fn txn(n: i64) -> BalanceTransactionRow {
        let kind = KINDS[usize::try_from(n).unwrap() % 4];
        let amount = if kind == "charge" {
            1_000 + n
        } else {
            -(100 + n)
        };
        let fee = if kind == "charge" { 59 } else { 0 };
        BalanceTransactionRow {
            id: format!("txn_{n:03}"),
            created: 1_700_000_000 + (n / 3) * 60,
            available_on: 1_700_200_000,
            amount,
            fee,
            net: amount - fee,
            currency: if n % 5 == 0 { "eur" } else { "usd" }.into(),
            kind: kind.into(),
            reporting_category: kind.into(),
            status: "available".into(),
            source_id: Some(format!("src_{n:03}")),
            raw: format!("{{\"id\":\"txn_{n:03}\"}}"),
            ..BalanceTransactionRow::default()
        }
    }

    fn filled() -> Store {
        let store = Store::in_memory().unwrap();
        for n in 0..40 {
            upsert(store.conn(), "acct_1", &txn(n)).unwrap();
        }
        upsert(store.conn(), "acct_2", &txn(100)).unwrap();
        store
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let first = txn(1);
        let changed = BalanceTransactionRow {
            status: "pending".into(),
            fee: 30,
            ..first.clone()
        };
        testing::upsert_get_remove(
            "balance_transactions",
            (upsert, get, remove_account),
            "txn_001",
            &first,
            &changed,
        );
    }

    #[test]
    fn a_payout_keeps_its_transactions_through_refreshes() {
        let store = filled();
        let conn = store.conn();
        let paid: Vec<String> = ["txn_007", "txn_001", "txn_004", "txn_missing"]
            .map(String::from)
            .to_vec();
        assert_eq!(assign_payout(conn, "acct_1", &paid, "po_1").unwrap(), 3);
        assert_eq!(
            assign_payout(conn, "acct_2", &paid, "po_x").unwrap(),
            0,
            "accounts never mix"
        );
        upsert(conn, "acct_1", &txn(4)).unwrap();
        let found = for_payout(conn, "acct_1", "po_1").unwrap();
        assert_eq!(ids(&found, |t| &t.id), ["txn_001", "txn_004", "txn_007"]);
        assert!(for_payout(conn, "acct_2", "po_1").unwrap().is_empty());

        let in_page = walk(2, |after, limit| {
            page(conn, "acct_1", Some("po_1"), after, limit)
        });
        assert_eq!(ids(&in_page, |t| &t.id), ["txn_007", "txn_004", "txn_001"]);
    }

    #[test]
    fn pages_walk_every_transaction_newest_first() {
        let store = filled();
        let seen = walk(6, |after, limit| {
            page(store.conn(), "acct_1", None, after, limit)
        });
        let mut expected: Vec<BalanceTransactionRow> = (0..40).map(txn).collect();
        expected.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_source_finds_its_first_transaction() {
        let store = filled();
        let conn = store.conn();
        let reversal = BalanceTransactionRow {
            id: "txn_later".into(),
            created: txn(5).created + 600,
            kind: "refund_failure".into(),
            ..txn(5)
        };
        upsert(conn, "acct_1", &reversal).unwrap();
        assert_eq!(for_source(conn, "acct_1", "src_005").unwrap(), Some(txn(5)));
        assert_eq!(for_source(conn, "acct_1", "src_none").unwrap(), None);
        assert_eq!(for_source(conn, "acct_2", "src_005").unwrap(), None);
    }

    #[test]
    fn net_totals_leave_out_payouts_and_the_period_is_half_open() {
        let store = filled();
        let (from, to) = (txn(6).created, txn(30).created);
        let found = net_totals(store.conn(), "acct_1", from, to).unwrap();
        let counted: Vec<BalanceTransactionRow> = (0..40)
            .map(txn)
            .filter(|t| t.created >= from && t.created < to && t.kind != "payout")
            .collect();
        let expected: Vec<NetTotal> = ["usd", "eur"]
            .iter()
            .map(|currency| {
                let rows: Vec<&BalanceTransactionRow> =
                    counted.iter().filter(|t| t.currency == *currency).collect();
                NetTotal {
                    currency: (*currency).into(),
                    gross: rows.iter().map(|t| t.amount).sum(),
                    fees: rows.iter().map(|t| t.fee).sum(),
                    net: rows.iter().map(|t| t.net).sum(),
                    count: rows.len() as i64,
                }
            })
            .collect();
        assert!(
            expected[0].gross > expected[1].gross,
            "the order asserted is real"
        );
        assert!(expected.iter().all(|t| t.fees > 0));
        assert_eq!(found, expected);
    }

    /// A charge's, a refund's and a dispute's transactions learn the payment
    /// and the customer whichever side is stored first.
    #[test]
    fn transactions_learn_their_payment_and_customer_in_any_order() {
        use crate::table::{charges, disputes, refunds};
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let bt = |id: &str, source: &str| BalanceTransactionRow {
            id: id.into(),
            source_id: Some(source.into()),
            ..txn(0)
        };
        // The transaction first, then its charge.
        upsert(conn, "acct_1", &bt("txn_ch", "ch_1")).unwrap();
        assert_eq!(
            get(conn, "acct_1", "txn_ch")
                .unwrap()
                .unwrap()
                .payment_intent_id,
            None
        );
        let charge = charges::ChargeRow {
            id: "ch_1".into(),
            payment_intent: Some("pi_1".into()),
            customer_id: Some("cus_1".into()),
            currency: "usd".into(),
            status: "succeeded".into(),
            raw: "{}".into(),
            ..charges::ChargeRow::default()
        };
        charges::upsert(conn, "acct_1", &charge).unwrap();
        let linked = get(conn, "acct_1", "txn_ch").unwrap().unwrap();
        assert_eq!(linked.payment_intent_id.as_deref(), Some("pi_1"));
        assert_eq!(linked.customer_id.as_deref(), Some("cus_1"));

        // A refund stored before its transaction: the customer through its charge.
        refunds::upsert(
            conn,
            "acct_1",
            &refunds::RefundRow {
                id: "re_1".into(),
                charge: Some("ch_1".into()),
                payment_intent: Some("pi_1".into()),
                currency: "usd".into(),
                status: "succeeded".into(),
                raw: "{}".into(),
                ..refunds::RefundRow::default()
            },
        )
        .unwrap();
        upsert(conn, "acct_1", &bt("txn_re", "re_1")).unwrap();
        let refund = get(conn, "acct_1", "txn_re").unwrap().unwrap();
        assert_eq!(refund.payment_intent_id.as_deref(), Some("pi_1"));
        assert_eq!(refund.customer_id.as_deref(), Some("cus_1"));

        // A dispute's withdrawal.
        upsert(conn, "acct_1", &bt("txn_du", "du_1")).unwrap();
        disputes::upsert(
            conn,
            "acct_1",
            &disputes::DisputeRow {
                id: "du_1".into(),
                charge: "ch_1".into(),
                payment_intent: Some("pi_1".into()),
                currency: "usd".into(),
                reason: "fraudulent".into(),
                status: "needs_response".into(),
                raw: "{}".into(),
                ..disputes::DisputeRow::default()
            },
        )
        .unwrap();
        let dispute = get(conn, "acct_1", "txn_du").unwrap().unwrap();
        assert_eq!(dispute.payment_intent_id.as_deref(), Some("pi_1"));
        assert_eq!(dispute.customer_id.as_deref(), Some("cus_1"));

        // Another account's rows are never linked.
        upsert(conn, "acct_2", &bt("txn_ch", "ch_1")).unwrap();
        assert_eq!(
            get(conn, "acct_2", "txn_ch")
                .unwrap()
                .unwrap()
                .payment_intent_id,
            None
        );
    }
}

//! `payouts`: the cached Payouts of every account, from the balance to the
//! bank, listed newest first.

use rusqlite::{Connection, params};

use crate::sql::{self, After, FromRow, Keyset, Where};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 6,
    name: "payouts",
    sql: "CREATE TABLE payouts (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        arrival_date INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        automatic INTEGER NOT NULL CHECK (automatic IN (0, 1)),
        balance_transaction TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX payouts_by_created ON payouts (account_id, created DESC, id DESC);",
}, Migration {
    version: 11,
    name: "payouts_matched",
    // Whether the payout's balance transactions were listed and marked with
    // its id (reconciliation): each payout is matched once.
    sql: "ALTER TABLE payouts ADD COLUMN matched INTEGER NOT NULL DEFAULT 0 CHECK (matched IN (0, 1));
    CREATE INDEX payouts_unmatched ON payouts (account_id, created DESC) WHERE matched = 0;",
}, Migration {
    version: 19,
    name: "payouts_reconciliation",
    // Stripe itemizes an automatic payout once its reconciliation is
    // completed, and never a manual one; a payout can fail after it showed
    // paid. Filled from the JSON already cached.
    sql: "ALTER TABLE payouts ADD COLUMN reconciliation_status TEXT;
    ALTER TABLE payouts ADD COLUMN failure_code TEXT;
    ALTER TABLE payouts ADD COLUMN failure_message TEXT;
    UPDATE payouts SET reconciliation_status = json_extract(raw, '$.reconciliation_status'),
        failure_code = json_extract(raw, '$.failure_code'),
        failure_message = json_extract(raw, '$.failure_message');",
}];

/// One Payout as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayoutRow {
    pub id: String,
    pub created: i64,
    /// When the money is expected in the bank.
    pub arrival_date: i64,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    /// Paid out on Stripe's schedule rather than asked for.
    pub automatic: bool,
    pub balance_transaction: Option<String>,
    /// `in_progress`, `completed` or `not_applicable` (manual); `None` from
    /// a server that does not say.
    pub reconciliation_status: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub raw: String,
}

/// What Stripe can say of a payout's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Itemization {
    /// An automatic payout Stripe has reconciled: its transactions are listed.
    Ready,
    /// An automatic payout whose reconciliation is still running.
    Waiting,
    /// A manual payout: Stripe cannot say which transactions it carried.
    NotByStripe,
}

impl PayoutRow {
    pub fn itemization(&self) -> Itemization {
        if !self.automatic {
            return Itemization::NotByStripe;
        }
        match self.reconciliation_status.as_deref() {
            Some("completed") => Itemization::Ready,
            // A server that does not say: a paid payout is taken as done.
            None if self.status == "paid" => Itemization::Ready,
            _ => Itemization::Waiting,
        }
    }
}

const COLUMNS: &str =
    "id, created, arrival_date, amount, currency, status, automatic, balance_transaction,
    reconciliation_status, failure_code, failure_message, raw";

const LIST: Keyset<PayoutRow> = Keyset {
    table: "payouts",
    columns: COLUMNS,
    from_row: FROM_ROW,
    key: |r| (r.created, r.id.clone()),
};

const FROM_ROW: FromRow<PayoutRow> = |r| {
    Ok(PayoutRow {
        id: r.get(0)?,
        created: r.get(1)?,
        arrival_date: r.get(2)?,
        amount: r.get(3)?,
        currency: r.get(4)?,
        status: r.get(5)?,
        automatic: r.get(6)?,
        balance_transaction: r.get(7)?,
        reconciliation_status: r.get(8)?,
        failure_code: r.get(9)?,
        failure_message: r.get(10)?,
        raw: r.get(11)?,
    })
};

/// Adds or refreshes one Payout.
pub fn upsert(conn: &Connection, account_id: &str, row: &PayoutRow) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO payouts (account_id, id, created, arrival_date, amount, currency, status, automatic,
            balance_transaction, reconciliation_status, failure_code, failure_message, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (account_id, id) DO UPDATE SET created = excluded.created, arrival_date = excluded.arrival_date,
            amount = excluded.amount, currency = excluded.currency, status = excluded.status,
            automatic = excluded.automatic, balance_transaction = excluded.balance_transaction,
            reconciliation_status = excluded.reconciliation_status, failure_code = excluded.failure_code,
            failure_message = excluded.failure_message, raw = excluded.raw",
        params![
            account_id, row.id, row.created, row.arrival_date, row.amount, row.currency, row.status, row.automatic,
            row.balance_transaction, row.reconciliation_status, row.failure_code, row.failure_message, row.raw
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<PayoutRow>> {
    sql::by_id(conn, "payouts", COLUMNS, account_id, id, FROM_ROW)
}

/// A page of payouts newest first (by `created`); the second value is
/// where the next page starts.
pub fn page(
    conn: &Connection,
    account_id: &str,
    after: Option<&After>,
    limit: usize,
) -> Result<(Vec<PayoutRow>, Option<After>)> {
    LIST.page(conn, account_id, Where::default(), after, limit)
}

/// How many payouts an account has.
/// Payouts whose balance transactions can be listed and are not matched
/// yet, newest first: automatic ones Stripe has reconciled (a server that
/// does not say: paid ones). Never a manual payout (Stripe cannot itemize
/// it), never one still in progress (its list would be partial).
pub fn unmatched(conn: &Connection, account_id: &str, limit: usize) -> Result<Vec<PayoutRow>> {
    sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM payouts WHERE account_id = ?1 AND matched = 0 AND automatic = 1
             AND (reconciliation_status = 'completed'
                  OR (reconciliation_status IS NULL AND status = 'paid'))
             ORDER BY created DESC LIMIT ?2"
        ),
        params![account_id, sql::limit(limit)],
        FROM_ROW,
    )
}

pub fn mark_matched(conn: &Connection, account_id: &str, payout_id: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE payouts SET matched = 1 WHERE account_id = ?1 AND id = ?2",
        [account_id, payout_id],
    )?;
    Ok(())
}

pub fn count(conn: &Connection, account_id: &str) -> Result<u64> {
    LIST.count(conn, account_id, Where::default())
}

/// Drops an account's cached payouts.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "payouts", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, walk};

    fn payout(n: i64) -> PayoutRow {
        PayoutRow {
            id: format!("po_{n:03}"),
            // Two payouts a day, both made at the same second.
            created: 1_700_000_000 + (n / 2) * 86_400,
            arrival_date: 1_700_000_000 + (n / 2 + 2) * 86_400,
            amount: 10_000 + n,
            currency: "usd".into(),
            status: "paid".into(),
            automatic: n % 2 == 0,
            balance_transaction: Some(format!("txn_po_{n:03}")),
            reconciliation_status: Some(
                if n % 2 == 0 {
                    "completed"
                } else {
                    "not_applicable"
                }
                .into(),
            ),
            failure_code: None,
            failure_message: None,
            raw: format!("{{\"id\":\"po_{n:03}\"}}"),
        }
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let first = PayoutRow {
            status: "in_transit".into(),
            ..payout(1)
        };
        testing::upsert_get_remove(
            "payouts",
            (upsert, get, remove_account),
            "po_001",
            &first,
            &payout(1),
        );
    }

    #[test]
    fn pages_walk_every_payout_newest_first_and_count_agrees() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        for n in 0..25 {
            upsert(conn, "acct_1", &payout(n)).unwrap();
        }
        upsert(conn, "acct_2", &payout(99)).unwrap();
        let seen = walk(4, |after, limit| page(conn, "acct_1", after, limit));
        let mut expected: Vec<PayoutRow> = (0..25).map(payout).collect();
        expected.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
        assert_eq!(seen, expected);
        assert_eq!(count(conn, "acct_1").unwrap(), 25);
        assert_eq!(count(conn, "acct_2").unwrap(), 1);
        assert_eq!(count(conn, "acct_3").unwrap(), 0);
    }

    #[test]
    fn only_reconciled_automatic_payouts_are_itemized() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let reconciling = PayoutRow {
            id: "po_wait".into(),
            reconciliation_status: Some("in_progress".into()),
            ..payout(2)
        };
        let manual = PayoutRow {
            id: "po_manual".into(),
            automatic: false,
            reconciliation_status: Some("not_applicable".into()),
            ..payout(4)
        };
        let ready = PayoutRow {
            id: "po_ready".into(),
            ..payout(6)
        };
        let unsaid = PayoutRow {
            id: "po_unsaid".into(),
            reconciliation_status: None,
            ..payout(8)
        };
        for row in [&reconciling, &manual, &ready, &unsaid] {
            upsert(conn, "acct_1", row).unwrap();
        }
        assert_eq!(reconciling.itemization(), Itemization::Waiting);
        assert_eq!(manual.itemization(), Itemization::NotByStripe);
        assert_eq!(ready.itemization(), Itemization::Ready);
        assert_eq!(unsaid.itemization(), Itemization::Ready);
        let asked: Vec<String> = unmatched(conn, "acct_1", 10)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(asked, vec!["po_unsaid".to_owned(), "po_ready".to_owned()]);
        mark_matched(conn, "acct_1", "po_ready").unwrap();
        assert_eq!(unmatched(conn, "acct_1", 10).unwrap().len(), 1);
        // Its reconciliation completes: now it is asked.
        upsert(
            conn,
            "acct_1",
            &PayoutRow {
                reconciliation_status: Some("completed".into()),
                ..reconciling
            },
        )
        .unwrap();
        assert_eq!(unmatched(conn, "acct_1", 10).unwrap().len(), 2);
    }
}

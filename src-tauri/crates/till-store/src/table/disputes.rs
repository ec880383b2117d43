//! `disputes`: the cached Disputes of every account, a payment's bank taking
//! it back or asking about it, with the deadline for the evidence.

use rusqlite::{Connection, params};

use crate::sql::{self, After, FromRow, Keyset, Where};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 18,
    name: "disputes",
    sql: "CREATE TABLE disputes (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        charge TEXT NOT NULL,
        payment_intent TEXT,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        -- When the evidence is due (Unix time); NULL once none is asked.
        due_by INTEGER,
        is_charge_refundable INTEGER NOT NULL CHECK (is_charge_refundable IN (0, 1)),
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX disputes_by_created ON disputes (account_id, created DESC, id DESC);
    CREATE INDEX disputes_by_charge ON disputes (account_id, charge);
    CREATE INDEX disputes_by_payment_intent ON disputes (account_id, payment_intent)
        WHERE payment_intent IS NOT NULL;
    -- The ones waiting for the merchant, soonest deadline first.
    CREATE INDEX disputes_needing_response ON disputes (account_id, due_by)
        WHERE status IN ('needs_response', 'warning_needs_response');",
}];

/// One Dispute as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisputeRow {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub payment_intent: Option<String>,
    pub reason: String,
    pub status: String,
    pub due_by: Option<i64>,
    pub is_charge_refundable: bool,
    pub raw: String,
}

const COLUMNS: &str =
    "id, created, amount, currency, charge, payment_intent, reason, status, due_by,
    is_charge_refundable, raw";

const LIST: Keyset<DisputeRow> = Keyset {
    table: "disputes",
    columns: COLUMNS,
    from_row: FROM_ROW,
    key: |r| (r.created, r.id.clone()),
};

const FROM_ROW: FromRow<DisputeRow> = |r| {
    Ok(DisputeRow {
        id: r.get(0)?,
        created: r.get(1)?,
        amount: r.get(2)?,
        currency: r.get(3)?,
        charge: r.get(4)?,
        payment_intent: r.get(5)?,
        reason: r.get(6)?,
        status: r.get(7)?,
        due_by: r.get(8)?,
        is_charge_refundable: r.get(9)?,
        raw: r.get(10)?,
    })
};

/// Adds or refreshes one Dispute.
pub fn upsert(conn: &Connection, account_id: &str, row: &DisputeRow) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO disputes (account_id, id, created, amount, currency, charge, payment_intent, reason,
            status, due_by, is_charge_refundable, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (account_id, id) DO UPDATE SET created = excluded.created, amount = excluded.amount,
            currency = excluded.currency, charge = excluded.charge, payment_intent = excluded.payment_intent,
            reason = excluded.reason, status = excluded.status, due_by = excluded.due_by,
            is_charge_refundable = excluded.is_charge_refundable, raw = excluded.raw",
        params![
            account_id,
            row.id,
            row.created,
            row.amount,
            row.currency,
            row.charge,
            row.payment_intent,
            row.reason,
            row.status,
            row.due_by,
            row.is_charge_refundable,
            row.raw
        ],
    )?;
    super::balance_transactions::link_source(conn, account_id, &row.id)
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<DisputeRow>> {
    sql::by_id(conn, "disputes", COLUMNS, account_id, id, FROM_ROW)
}

/// A page of disputes newest first; the second value is where the next
/// page starts.
pub fn page(
    conn: &Connection,
    account_id: &str,
    after: Option<&After>,
    limit: usize,
) -> Result<(Vec<DisputeRow>, Option<After>)> {
    LIST.page(conn, account_id, Where::default(), after, limit)
}

/// A payment's disputes, newest first.
pub fn for_payment(
    conn: &Connection,
    account_id: &str,
    payment_intent: &str,
) -> Result<Vec<DisputeRow>> {
    sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM disputes WHERE account_id = ?1 AND payment_intent = ?2
             ORDER BY created DESC, id DESC"
        ),
        params![account_id, payment_intent],
        FROM_ROW,
    )
}

/// The disputes waiting for the merchant's response, soonest deadline first.
pub fn needing_response(conn: &Connection, account_id: &str) -> Result<Vec<DisputeRow>> {
    sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM disputes WHERE account_id = ?1
               AND status IN ('needs_response', 'warning_needs_response')
             ORDER BY due_by IS NULL, due_by, id"
        ),
        params![account_id],
        FROM_ROW,
    )
}

pub fn count(conn: &Connection, account_id: &str) -> Result<u64> {
    LIST.count(conn, account_id, Where::default())
}

/// Drops an account's cached disputes.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "disputes", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, walk};

    fn dispute(n: i64, status: &str, due_by: Option<i64>) -> DisputeRow {
        DisputeRow {
            id: format!("du_{n:03}"),
            created: 1_700_000_000 + n * 3_600,
            amount: 1_000 + n,
            currency: "usd".into(),
            charge: format!("ch_{n:03}"),
            payment_intent: Some(format!("pi_{}", n % 3)),
            reason: "fraudulent".into(),
            status: status.into(),
            due_by,
            is_charge_refundable: false,
            raw: format!("{{\"id\":\"du_{n:03}\"}}"),
        }
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let first = dispute(1, "needs_response", Some(1_700_500_000));
        let later = DisputeRow {
            status: "under_review".into(),
            due_by: None,
            ..first.clone()
        };
        testing::upsert_get_remove(
            "disputes",
            (upsert, get, remove_account),
            "du_001",
            &first,
            &later,
        );
    }

    #[test]
    fn pages_walk_newest_first_and_the_ones_needing_a_response_come_soonest_first() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        for n in 0..12 {
            let (status, due) = match n % 4 {
                0 => ("needs_response", Some(1_800_000_000 - n * 1_000)),
                1 => ("warning_needs_response", Some(1_800_000_000 + n)),
                2 => ("won", None),
                _ => ("under_review", Some(1_700_000_000)),
            };
            upsert(conn, "acct_1", &dispute(n, status, due)).unwrap();
        }
        upsert(conn, "acct_2", &dispute(99, "needs_response", Some(1))).unwrap();
        let seen = walk(5, |after, limit| page(conn, "acct_1", after, limit));
        let ids: Vec<&str> = seen.iter().map(|d| d.id.as_str()).collect();
        let mut expected: Vec<String> = (0..12).map(|n| format!("du_{n:03}")).collect();
        expected.reverse();
        assert_eq!(ids, expected);
        assert_eq!(count(conn, "acct_1").unwrap(), 12);

        let waiting = needing_response(conn, "acct_1").unwrap();
        let dues: Vec<Option<i64>> = waiting.iter().map(|d| d.due_by).collect();
        assert_eq!(waiting.len(), 6, "needs_response and its warning");
        let mut sorted = dues.clone();
        sorted.sort();
        assert_eq!(dues, sorted, "soonest deadline first");
        assert!(
            waiting.iter().all(|d| d.id != "du_099"),
            "one account's only"
        );

        let of_payment = for_payment(conn, "acct_1", "pi_0").unwrap();
        assert_eq!(of_payment.len(), 4);
        assert!(of_payment.windows(2).all(|w| w[0].created >= w[1].created));
    }
}

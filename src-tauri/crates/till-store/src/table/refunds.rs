//! `refunds`: the cached Refunds of every account, listed newest first and
//! totalled per currency.

use rusqlite::{Connection, params};

use crate::sql::{self, After, FromRow, Keyset, Where};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 4,
    name: "refunds",
    sql: "CREATE TABLE refunds (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        charge TEXT,
        payment_intent TEXT,
        failure_reason TEXT,
        balance_transaction TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX refunds_by_created ON refunds (account_id, created DESC, id DESC);
    CREATE INDEX refunds_by_payment_intent ON refunds (account_id, payment_intent) WHERE payment_intent IS NOT NULL;",
}];

/// One Refund as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefundRow {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    pub reason: Option<String>,
    pub charge: Option<String>,
    pub payment_intent: Option<String>,
    pub failure_reason: Option<String>,
    pub balance_transaction: Option<String>,
    /// Its balance transaction is cached as a `partial_capture_reversal`:
    /// the released rest of a partial capture, not money given back (read
    /// only, from the balance transaction's category).
    pub released_rest: bool,
    pub raw: String,
}

impl RefundRow {
    /// Whether money moved: not a hold let go (see [`MOVED_MONEY`], the
    /// same rule in SQL).
    pub fn moved_money(&self) -> bool {
        !(self.status == "succeeded" && (self.balance_transaction.is_none() || self.released_rest))
    }

    /// Money refunded or on its way back: what can no longer be refunded.
    pub fn counts_as_refunded(&self) -> bool {
        self.moved_money()
            && matches!(
                self.status.as_str(),
                "pending" | "requires_action" | "succeeded"
            )
    }
}

const COLUMNS: &str =
    "id, created, amount, currency, status, reason, charge, payment_intent, failure_reason,
    balance_transaction, raw,
    balance_transaction IN (SELECT id FROM balance_transactions
        WHERE reporting_category = 'partial_capture_reversal')";

const FROM_ROW: FromRow<RefundRow> = |r| {
    Ok(RefundRow {
        id: r.get(0)?,
        created: r.get(1)?,
        amount: r.get(2)?,
        currency: r.get(3)?,
        status: r.get(4)?,
        reason: r.get(5)?,
        charge: r.get(6)?,
        payment_intent: r.get(7)?,
        failure_reason: r.get(8)?,
        balance_transaction: r.get(9)?,
        raw: r.get(10)?,
        released_rest: r.get::<_, Option<bool>>(11)?.unwrap_or(false),
    })
};

const LIST: Keyset<RefundRow> = Keyset {
    table: "refunds",
    columns: COLUMNS,
    from_row: FROM_ROW,
    key: |r| (r.created, r.id.clone()),
};

/// Adds or refreshes one Refund; a known balance transaction is kept.
pub fn upsert(conn: &Connection, account_id: &str, row: &RefundRow) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO refunds (account_id, id, created, amount, currency, status, reason, charge, payment_intent,
            failure_reason, balance_transaction, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (account_id, id) DO UPDATE SET created = excluded.created, amount = excluded.amount,
            currency = excluded.currency, status = excluded.status, reason = excluded.reason, charge = excluded.charge,
            payment_intent = excluded.payment_intent, failure_reason = excluded.failure_reason,
            balance_transaction = coalesce(excluded.balance_transaction, balance_transaction), raw = excluded.raw",
        params![
            account_id, row.id, row.created, row.amount, row.currency, row.status, row.reason, row.charge,
            row.payment_intent, row.failure_reason, row.balance_transaction, row.raw
        ],
    )?;
    super::balance_transactions::link_source(conn, account_id, &row.id)
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<RefundRow>> {
    sql::by_id(conn, "refunds", COLUMNS, account_id, id, FROM_ROW)
}

/// A PaymentIntent's refunds, newest first.
pub fn for_payment_intent(
    conn: &Connection,
    account_id: &str,
    payment_intent: &str,
) -> Result<Vec<RefundRow>> {
    LIST.all_with(conn, account_id, ("payment_intent", payment_intent))
}

/// A hold let go (a release) shows up at Stripe as a succeeded refund
/// without a balance transaction, and what a partial capture did not take
/// as one whose balance transaction is a `partial_capture_reversal`: no
/// money given back, so not a refund to the merchant. Every real refund
/// that succeeded has a balance transaction of its own.
pub const MOVED_MONEY: &str = "NOT (status = 'succeeded' AND (balance_transaction IS NULL
    OR balance_transaction IN (SELECT id FROM balance_transactions
        WHERE reporting_category = 'partial_capture_reversal')))";

/// Which refunds a list shows; empty or `None` leaves that open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub statuses: Vec<String>,
    /// Lowercase ISO code.
    pub currency: Option<String>,
    /// Unix time, inclusive.
    pub created_from: Option<i64>,
    /// Unix time, exclusive.
    pub created_before: Option<i64>,
    /// In the currency's smallest unit, inclusive.
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
}

impl Filter {
    /// Refunds of these statuses (all when empty), nothing else asked.
    pub fn statuses(statuses: &[String]) -> Self {
        Self {
            statuses: statuses.to_vec(),
            ..Self::default()
        }
    }

    fn clauses(&self) -> Where {
        Where::default()
            .any_of("status", &self.statuses)
            .equals("currency", self.currency.as_deref())
            .compare("created >=", self.created_from)
            .compare("created <", self.created_before)
            .compare("amount >=", self.amount_min)
            .compare("amount <=", self.amount_max)
            .and(MOVED_MONEY)
    }
}

/// A page of refunds newest first that a filter keeps, starting after
/// `after`; the second value is where the next page starts.
pub fn page(
    conn: &Connection,
    account_id: &str,
    filter: &Filter,
    after: Option<&After>,
    limit: usize,
) -> Result<(Vec<RefundRow>, Option<After>)> {
    LIST.page(conn, account_id, filter.clauses(), after, limit)
}

/// How many refunds a filter keeps.
pub fn count(conn: &Connection, account_id: &str, filter: &Filter) -> Result<u64> {
    LIST.count(conn, account_id, filter.clauses())
}

/// Money refunded in a period, per currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundTotal {
    pub currency: String,
    pub amount: i64,
    pub count: i64,
}

/// Refunds created in `[from, to)` that moved or are moving money, per
/// currency, largest first: failed and canceled refunds gave nothing back.
pub fn totals(conn: &Connection, account_id: &str, from: i64, to: i64) -> Result<Vec<RefundTotal>> {
    sql::rows(
        conn,
        &format!(
            "SELECT currency, sum(amount), count(*) FROM refunds
             WHERE account_id = ?1 AND created >= ?2 AND created < ?3
               AND status IN ('pending', 'requires_action', 'succeeded') AND {MOVED_MONEY}
             GROUP BY currency ORDER BY sum(amount) DESC, currency"
        ),
        params![account_id, from, to],
        |r| {
            Ok(RefundTotal {
                currency: r.get(0)?,
                amount: r.get(1)?,
                count: r.get(2)?,
            })
        },
    )
}

/// Drops an account's cached refunds.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "refunds", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, ids, walk};

    const STATUSES: [&str; 5] = [
        "pending",
        "requires_action",
        "succeeded",
        "failed",
        "canceled",
    ];

    /// Refunds come in pairs sharing their `created`, so the id decides
    /// their order.
    fn refund(n: i64) -> RefundRow {
        RefundRow {
            id: format!("re_{n:03}"),
            created: 1_700_000_000 + (n / 2) * 60,
            amount: 100 + n,
            currency: if n % 4 == 0 { "eur" } else { "usd" }.into(),
            status: STATUSES[usize::try_from(n).unwrap() % 5].into(),
            payment_intent: Some(format!("pi_{}", n % 3)),
            balance_transaction: Some(format!("txn_{n:03}")),
            raw: format!("{{\"id\":\"re_{n:03}\"}}"),
            ..RefundRow::default()
        }
    }

    #[test]
    fn a_released_hold_is_not_a_refund() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let release = RefundRow {
            id: "re_release".into(),
            created: 10,
            amount: 500,
            currency: "usd".into(),
            status: "succeeded".into(),
            balance_transaction: None,
            raw: "{}".into(),
            ..RefundRow::default()
        };
        upsert(conn, "a", &release).unwrap();
        let real = RefundRow {
            id: "re_real".into(),
            balance_transaction: Some("txn_1".into()),
            amount: 200,
            ..release.clone()
        };
        upsert(conn, "a", &real).unwrap();
        let (rows, _) = page(conn, "a", &Filter::default(), None, 10).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            vec!["re_real"]
        );
        assert_eq!(count(conn, "a", &Filter::default()).unwrap(), 1);
        let totals = totals(conn, "a", 0, 100).unwrap();
        assert_eq!((totals[0].amount, totals[0].count), (200, 1));
        assert!(
            get(conn, "a", "re_release").unwrap().is_some(),
            "still cached as Stripe sent it"
        );
    }

    fn filled() -> Store {
        let store = Store::in_memory().unwrap();
        for n in 0..60 {
            upsert(store.conn(), "acct_1", &refund(n)).unwrap();
        }
        upsert(store.conn(), "acct_2", &refund(100)).unwrap();
        store
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let first = refund(1);
        let changed = RefundRow {
            status: "failed".into(),
            failure_reason: Some("expired_or_canceled_card".into()),
            ..first.clone()
        };
        testing::upsert_get_remove(
            "refunds",
            (upsert, get, remove_account),
            "re_001",
            &first,
            &changed,
        );
    }

    #[test]
    fn pages_walk_the_chosen_statuses_newest_first_and_counts_agree() {
        let store = filled();
        let conn = store.conn();
        let statuses = vec!["pending".to_owned(), "succeeded".to_owned()];
        let seen = walk(7, |after, limit| {
            page(conn, "acct_1", &Filter::statuses(&statuses), after, limit)
        });
        let mut expected: Vec<RefundRow> = (0..60)
            .map(refund)
            .filter(|r| statuses.contains(&r.status))
            .collect();
        expected.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
        assert_eq!(seen, expected);
        assert_eq!(
            count(conn, "acct_1", &Filter::statuses(&statuses)).unwrap(),
            24
        );
        assert_eq!(
            walk(50, |after, limit| page(
                conn,
                "acct_1",
                &Filter::default(),
                after,
                limit
            ))
            .len(),
            60
        );
        assert_eq!(count(conn, "acct_1", &Filter::default()).unwrap(), 60);
        assert_eq!(
            count(conn, "acct_2", &Filter::default()).unwrap(),
            1,
            "accounts never mix"
        );
    }

    #[test]
    fn the_date_amount_and_currency_filters_combine_and_counts_agree() {
        let store = filled();
        let conn = store.conn();
        let filter = Filter {
            currency: Some("usd".into()),
            created_from: Some(refund(10).created),
            created_before: Some(refund(40).created),
            amount_min: Some(115),
            amount_max: Some(130),
            ..Filter::default()
        };
        let expected: Vec<RefundRow> = {
            let mut rows: Vec<RefundRow> = (0..60)
                .map(refund)
                .filter(|r| r.currency == "usd")
                .filter(|r| r.created >= refund(10).created && r.created < refund(40).created)
                .filter(|r| (115..=130).contains(&r.amount))
                .collect();
            rows.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
            rows
        };
        assert!(expected.len() > 3, "the filter keeps some");
        assert_eq!(
            walk(4, |after, limit| page(
                conn, "acct_1", &filter, after, limit
            )),
            expected
        );
        assert_eq!(
            count(conn, "acct_1", &filter).unwrap(),
            expected.len() as u64
        );
        let eur = Filter {
            currency: Some("eur".into()),
            ..Filter::default()
        };
        assert!(
            walk(50, |after, limit| page(conn, "acct_1", &eur, after, limit))
                .iter()
                .all(|r| r.currency == "eur")
        );
        assert_eq!(
            count(conn, "acct_2", &filter).unwrap(),
            0,
            "accounts never mix"
        );
    }

    #[test]
    fn a_payment_intents_refunds_come_newest_first() {
        let store = filled();
        let found = for_payment_intent(store.conn(), "acct_1", "pi_1").unwrap();
        let mut expected: Vec<String> = (0..60)
            .filter(|n| n % 3 == 1)
            .map(|n| refund(n).id)
            .collect();
        expected.reverse();
        assert_eq!(ids(&found, |r| &r.id), expected);
    }

    #[test]
    fn totals_leave_out_failed_and_canceled_refunds_and_the_period_is_half_open() {
        let store = filled();
        let (from, to) = (refund(10).created, refund(40).created);
        let found = totals(store.conn(), "acct_1", from, to).unwrap();
        let counted: Vec<RefundRow> = (0..60)
            .map(refund)
            .filter(|r| r.created >= from && r.created < to)
            .filter(|r| !["failed", "canceled"].contains(&r.status.as_str()))
            .collect();
        let sum = |currency: &str| -> (i64, i64) {
            let rows: Vec<&RefundRow> = counted.iter().filter(|r| r.currency == currency).collect();
            (rows.iter().map(|r| r.amount).sum(), rows.len() as i64)
        };
        let (usd, usd_count) = sum("usd");
        let (eur, eur_count) = sum("eur");
        assert!(usd > eur);
        assert_eq!(
            found,
            [
                RefundTotal {
                    currency: "usd".into(),
                    amount: usd,
                    count: usd_count
                },
                RefundTotal {
                    currency: "eur".into(),
                    amount: eur,
                    count: eur_count
                },
            ]
        );
    }
}

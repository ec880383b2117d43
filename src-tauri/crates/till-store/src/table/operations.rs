//! `operations`: the journal of money movements (capture, release, refund,
//! create and expire a checkout). A row is committed **before** its request
//! is sent, with the idempotency key every retry reuses, and moves
//! pending → sent → succeeded | failed | unknown (or discarded, by the user,
//! for one never sent). Nothing here is a cache of Stripe: it is Till's own
//! record of what it was asked to do, with who asked and why.

use rusqlite::{Connection, params};

use crate::sql::{self, FromRow};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 13,
    name: "operations",
    sql: "CREATE TABLE operations (
        id TEXT PRIMARY KEY NOT NULL,
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        -- The request's parameters as JSON (amount, reason…).
        params TEXT NOT NULL,
        amount INTEGER,
        currency TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        operator TEXT,
        note TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'succeeded', 'failed', 'unknown', 'discarded')),
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        finished_at INTEGER,
        request_id TEXT,
        -- What the operation made or changed (a refund's id, the PaymentIntent).
        result_id TEXT,
        error TEXT
    ) STRICT;
    CREATE INDEX operations_by_account ON operations (account_id, created_at DESC);
    CREATE INDEX operations_open ON operations (account_id, state) WHERE state IN ('pending', 'sent', 'unknown');",
}];

/// What an operation does. Stored as text through [`Kind::as_str`], the one
/// mapping (the names are the ones the journal has always written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Kind {
    #[default]
    Capture,
    Release,
    Refund,
    CreateCheckout,
    ExpireCheckout,
}

impl Kind {
    pub const ALL: [Self; 5] = [
        Self::Capture,
        Self::Release,
        Self::Refund,
        Self::CreateCheckout,
        Self::ExpireCheckout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capture => "capture",
            Self::Release => "release",
            Self::Refund => "refund",
            Self::CreateCheckout => "checkout",
            Self::ExpireCheckout => "checkout_expire",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where an operation is. Stored as text through [`State::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum State {
    /// Written, never sent: sent again only if the user says so.
    #[default]
    Pending,
    /// Sent; its answer has not been recorded.
    Sent,
    Succeeded,
    Failed,
    /// Sent, and Stripe's answer was lost (a dropped connection, a 5xx):
    /// resolved later with the same key, or by its operation id.
    Unknown,
    /// Never sent, and the user chose not to.
    Discarded,
}

impl State {
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::Sent,
        Self::Succeeded,
        Self::Failed,
        Self::Unknown,
        Self::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Sent, or sent and unanswered: the journal must still settle it.
    pub fn is_unsettled(self) -> bool {
        matches!(self, Self::Sent | Self::Unknown)
    }
}

/// Compared with the stored text, as reports and tests read it.
impl PartialEq<&str> for State {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A column that is not one of the names above: a database from elsewhere.
fn parse_column<T>(
    r: &rusqlite::Row<'_>,
    index: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(index)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("not a journal value: {text}").into(),
        )
    })
}

/// One journal row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationRow {
    pub id: String,
    pub account_id: String,
    pub kind: Kind,
    /// The PaymentIntent or Checkout Session acted on.
    pub target: String,
    pub params: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub idempotency_key: String,
    pub operator: Option<String>,
    pub note: Option<String>,
    pub state: State,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub request_id: Option<String>,
    pub result_id: Option<String>,
    pub error: Option<String>,
}

const COLUMNS: &str =
    "id, account_id, kind, target, params, amount, currency, idempotency_key, operator, note,
    state, created_at, sent_at, finished_at, request_id, result_id, error";

const FROM_ROW: FromRow<OperationRow> = |r| {
    Ok(OperationRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        kind: parse_column(r, 2, Kind::parse)?,
        target: r.get(3)?,
        params: r.get(4)?,
        amount: r.get(5)?,
        currency: r.get(6)?,
        idempotency_key: r.get(7)?,
        operator: r.get(8)?,
        note: r.get(9)?,
        state: parse_column(r, 10, State::parse)?,
        created_at: r.get(11)?,
        sent_at: r.get(12)?,
        finished_at: r.get(13)?,
        request_id: r.get(14)?,
        result_id: r.get(15)?,
        error: r.get(16)?,
    })
};

/// Records a new operation as pending. Commit this before sending anything.
pub fn insert_pending(conn: &Connection, row: &OperationRow) -> Result<()> {
    sql::execute(
        conn,
        &format!(
            "INSERT INTO operations ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, NULL, NULL, NULL, NULL, NULL)"
        ),
        params![
            row.id,
            row.account_id,
            row.kind.as_str(),
            row.target,
            row.params,
            row.amount,
            row.currency,
            row.idempotency_key,
            row.operator,
            row.note,
            row.created_at
        ],
    )?;
    Ok(())
}

/// The request is about to go out (or go out again).
pub fn mark_sent(conn: &Connection, id: &str, at: i64) -> Result<bool> {
    Ok(sql::execute(
        conn,
        "UPDATE operations SET state = 'sent', sent_at = coalesce(sent_at, ?2)
         WHERE id = ?1 AND state IN ('pending', 'sent', 'unknown')",
        params![id, at],
    )? == 1)
}

/// Records how it ended: succeeded, failed or unknown, with what Stripe said.
pub fn finish(
    conn: &Connection,
    id: &str,
    state: State,
    at: i64,
    request_id: Option<&str>,
    result_id: Option<&str>,
    error: Option<&str>,
) -> Result<bool> {
    Ok(sql::execute(
        conn,
        "UPDATE operations SET state = ?2, finished_at = ?3, request_id = coalesce(?4, request_id),
            result_id = coalesce(?5, result_id), error = ?6
         WHERE id = ?1 AND state IN ('sent', 'unknown')",
        params![id, state.as_str(), at, request_id, result_id, error],
    )? == 1)
}

/// The user chose not to send a pending operation.
pub fn discard(conn: &Connection, id: &str, at: i64) -> Result<bool> {
    Ok(sql::execute(
        conn,
        "UPDATE operations SET state = 'discarded', finished_at = ?2 WHERE id = ?1 AND state = 'pending'",
        params![id, at],
    )? == 1)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<OperationRow>> {
    sql::optional(
        conn,
        &format!("SELECT {COLUMNS} FROM operations WHERE id = ?1"),
        [id],
        FROM_ROW,
    )
}

/// An account's operations whose outcome is not settled (pending, sent or
/// unknown), oldest first: what start-up resolves or shows the user.
pub fn open(conn: &Connection, account_id: &str) -> Result<Vec<OperationRow>> {
    sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM operations WHERE account_id = ?1 AND state IN ('pending', 'sent', 'unknown')
             ORDER BY created_at, id"
        ),
        [account_id],
        FROM_ROW,
    )
}

/// An account's journal, newest first (the audit view).
pub fn list(conn: &Connection, account_id: &str, limit: usize) -> Result<Vec<OperationRow>> {
    sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM operations WHERE account_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2"
        ),
        params![account_id, sql::limit(limit)],
        FROM_ROW,
    )
}

/// The journal is the account's record of what was done: it goes only when
/// the user removes the account and asks for its data to go too.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "operations", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn op(id: &str, account: &str, at: i64) -> OperationRow {
        OperationRow {
            id: id.into(),
            account_id: account.into(),
            kind: Kind::Capture,
            target: "pi_1".into(),
            params: "{\"amount\":500}".into(),
            amount: Some(500),
            currency: Some("usd".into()),
            idempotency_key: format!("key-{id}"),
            operator: Some("Ada".into()),
            note: Some("table 4".into()),
            created_at: at,
            ..OperationRow::default()
        }
    }

    #[test]
    fn an_operation_moves_pending_sent_succeeded_and_no_further() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        insert_pending(conn, &op("op_1", "a", 10)).unwrap();
        assert_eq!(get(conn, "op_1").unwrap().unwrap().state, "pending");
        assert!(mark_sent(conn, "op_1", 11).unwrap());
        assert!(
            finish(
                conn,
                "op_1",
                State::Unknown,
                12,
                Some("req_1"),
                None,
                Some("dropped")
            )
            .unwrap()
        );
        // Resent with the same key: sent_at stays the first send's.
        assert!(mark_sent(conn, "op_1", 20).unwrap());
        assert!(
            finish(
                conn,
                "op_1",
                State::Succeeded,
                21,
                Some("req_2"),
                Some("pi_1"),
                None
            )
            .unwrap()
        );
        let row = get(conn, "op_1").unwrap().unwrap();
        assert_eq!(
            (
                row.state.as_str(),
                row.sent_at,
                row.request_id.as_deref(),
                row.error
            ),
            ("succeeded", Some(11), Some("req_2"), None)
        );
        assert!(
            !mark_sent(conn, "op_1", 30).unwrap(),
            "a finished operation is not sent again"
        );
        assert!(!finish(conn, "op_1", State::Failed, 31, None, None, Some("x")).unwrap());
        assert!(
            !discard(conn, "op_1", 32).unwrap(),
            "only a pending one can be discarded"
        );
    }

    #[test]
    fn idempotency_keys_are_unique_and_open_operations_are_listed() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        insert_pending(conn, &op("op_1", "a", 10)).unwrap();
        let mut same_key = op("op_2", "a", 11);
        same_key.idempotency_key = "key-op_1".into();
        assert!(insert_pending(conn, &same_key).is_err());
        insert_pending(conn, &op("op_3", "a", 12)).unwrap();
        insert_pending(conn, &op("op_4", "b", 13)).unwrap();
        mark_sent(conn, "op_3", 14).unwrap();
        finish(
            conn,
            "op_3",
            State::Failed,
            15,
            None,
            None,
            Some("declined"),
        )
        .unwrap();
        let open_ids: Vec<String> = open(conn, "a").unwrap().into_iter().map(|o| o.id).collect();
        assert_eq!(open_ids, vec!["op_1"]);
        assert!(discard(conn, "op_1", 16).unwrap());
        assert!(open(conn, "a").unwrap().is_empty());
        let all: Vec<String> = list(conn, "a", 10)
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(all, vec!["op_3", "op_1"], "newest first");
        assert_eq!(State::parse("unknown"), Some(State::Unknown));
        assert_eq!(State::parse("nope"), None);
    }

    #[test]
    fn kinds_and_states_are_stored_as_their_text_and_read_back() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        for (n, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            let mut row = op(&format!("op_{n}"), "a", 10);
            row.kind = kind;
            insert_pending(conn, &row).unwrap();
            let stored: String = conn
                .query_row(
                    "SELECT kind FROM operations WHERE id = ?1",
                    [&row.id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(stored, kind.as_str());
            assert_eq!(get(conn, &row.id).unwrap().unwrap().kind, kind);
        }
        for state in State::ALL {
            assert_eq!(State::parse(state.as_str()), Some(state));
        }
        // A kind this Till does not know is an error, never a guess.
        conn.execute(
            "UPDATE operations SET kind = 'teleport' WHERE id = 'op_0'",
            [],
        )
        .unwrap();
        assert!(get(conn, "op_0").is_err());
    }
}

//! What the sync engine needs to resume after a crash and to apply events
//! once and in order: a cursor per stream, the events already applied, the
//! newest event applied to each object, and the last balance fetched.
//!
//! Write each of these in the same transaction as the page or event it
//! covers, so that a crash leaves both or neither.

use rusqlite::{Connection, params};

use crate::sql::{self, FromRow};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 9,
    name: "sync_state",
    sql: "CREATE TABLE sync_cursors (
        account_id TEXT NOT NULL,
        stream TEXT NOT NULL,
        cursor TEXT,
        done INTEGER NOT NULL CHECK (done IN (0, 1)),
        objects_done INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, stream)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE sync_events_seen (
        account_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        created INTEGER NOT NULL,
        PRIMARY KEY (account_id, event_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX sync_events_seen_by_created ON sync_events_seen (account_id, created);
    CREATE TABLE object_versions (
        account_id TEXT NOT NULL,
        object_id TEXT NOT NULL,
        -- The `created` time of the newest event applied to the object.
        version INTEGER NOT NULL,
        PRIMARY KEY (account_id, object_id)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE balance_snapshots (
        account_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        available INTEGER NOT NULL,
        pending INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, currency)
    ) STRICT, WITHOUT ROWID;",
}];

/// Drops an account's sync state: cursors, events seen, versions, balance.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    for table in [
        "sync_cursors",
        "sync_events_seen",
        "object_versions",
        "balance_snapshots",
    ] {
        sql::remove_account(conn, table, account_id)?;
    }
    Ok(())
}

/// Where one stream of a sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CursorRow {
    /// `payment_intents`, `payment_intents:window:1700000000-1700086400`,
    /// `events`…
    pub stream: String,
    /// Stripe's `starting_after` id, or the last event id; `None` before
    /// the first page.
    pub cursor: Option<String>,
    pub done: bool,
    pub objects_done: i64,
    pub updated_at: i64,
}

const CURSOR_COLUMNS: &str = "stream, cursor, done, objects_done, updated_at";

const CURSOR: FromRow<CursorRow> = |r| {
    Ok(CursorRow {
        stream: r.get(0)?,
        cursor: r.get(1)?,
        done: r.get(2)?,
        objects_done: r.get(3)?,
        updated_at: r.get(4)?,
    })
};

pub fn get(conn: &Connection, account_id: &str, stream: &str) -> Result<Option<CursorRow>> {
    sql::optional(
        conn,
        &format!("SELECT {CURSOR_COLUMNS} FROM sync_cursors WHERE account_id = ?1 AND stream = ?2"),
        [account_id, stream],
        CURSOR,
    )
}

/// Saves where a stream stands, replacing what was there.
pub fn put(conn: &Connection, account_id: &str, row: &CursorRow) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO sync_cursors (account_id, stream, cursor, done, objects_done, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account_id, stream) DO UPDATE SET cursor = excluded.cursor, done = excluded.done,
            objects_done = excluded.objects_done, updated_at = excluded.updated_at",
        params![account_id, row.stream, row.cursor, row.done, row.objects_done, row.updated_at],
    )?;
    Ok(())
}

/// Every stream of an account, by name.
pub fn all(conn: &Connection, account_id: &str) -> Result<Vec<CursorRow>> {
    sql::rows(
        conn,
        &format!("SELECT {CURSOR_COLUMNS} FROM sync_cursors WHERE account_id = ?1 ORDER BY stream"),
        [account_id],
        CURSOR,
    )
}

/// Forgets one stream (a finished window); false when there was none.
pub fn remove(conn: &Connection, account_id: &str, stream: &str) -> Result<bool> {
    Ok(sql::execute(
        conn,
        "DELETE FROM sync_cursors WHERE account_id = ?1 AND stream = ?2",
        [account_id, stream],
    )? == 1)
}

/// Records an event as applied; false when it already was (Stripe delivers
/// an event more than once).
pub fn mark_seen(
    conn: &Connection,
    account_id: &str,
    event_id: &str,
    created: i64,
) -> Result<bool> {
    Ok(sql::execute(
        conn,
        "INSERT INTO sync_events_seen (account_id, event_id, created) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id, event_id) DO NOTHING",
        params![account_id, event_id, created],
    )? == 1)
}

/// Forgets events created before `older_than` (Stripe keeps events 30
/// days); how many were forgotten.
pub fn prune_seen(conn: &Connection, account_id: &str, older_than: i64) -> Result<usize> {
    sql::execute(
        conn,
        "DELETE FROM sync_events_seen WHERE account_id = ?1 AND created < ?2",
        params![account_id, older_than],
    )
}

/// Whether an event created at `event_created` is news for the object:
/// true unless a newer event was applied to it already.
/// The version (newest event time) recorded for an object, if any.
pub fn version(conn: &Connection, account_id: &str, object_id: &str) -> Result<Option<i64>> {
    sql::optional(
        conn,
        "SELECT version FROM object_versions WHERE account_id = ?1 AND object_id = ?2",
        [account_id, object_id],
        |r| r.get(0),
    )
}

pub fn should_apply(
    conn: &Connection,
    account_id: &str,
    object_id: &str,
    event_created: i64,
) -> Result<bool> {
    let stored: Option<i64> = sql::optional(
        conn,
        "SELECT version FROM object_versions WHERE account_id = ?1 AND object_id = ?2",
        [account_id, object_id],
        |r| r.get(0),
    )?;
    Ok(stored.is_none_or(|version| version <= event_created))
}

/// Records that an event created at `version` was applied to the object;
/// an older version never replaces a newer one.
pub fn record_version(
    conn: &Connection,
    account_id: &str,
    object_id: &str,
    version: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO object_versions (account_id, object_id, version) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id, object_id) DO UPDATE SET version = max(version, excluded.version)",
        params![account_id, object_id, version],
    )?;
    Ok(())
}

/// An account's balance in one currency, in the currency's smallest unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BalanceRow {
    pub currency: String,
    pub available: i64,
    pub pending: i64,
}

/// Replaces an account's balance with one fetched at `fetched_at`: a
/// currency no longer listed goes.
pub fn replace_balance(
    conn: &Connection,
    account_id: &str,
    rows: &[BalanceRow],
    fetched_at: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM balance_snapshots WHERE account_id = ?1",
        [account_id],
    )?;
    for row in rows {
        sql::execute(
            conn,
            "INSERT INTO balance_snapshots (account_id, currency, available, pending, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                account_id,
                row.currency,
                row.available,
                row.pending,
                fetched_at
            ],
        )?;
    }
    Ok(())
}

/// The last balance fetched, by currency.
pub fn balance(conn: &Connection, account_id: &str) -> Result<Vec<BalanceRow>> {
    sql::rows(
        conn,
        "SELECT currency, available, pending FROM balance_snapshots WHERE account_id = ?1 ORDER BY currency",
        [account_id],
        |r| {
            Ok(BalanceRow {
                currency: r.get(0)?,
                available: r.get(1)?,
                pending: r.get(2)?,
            })
        },
    )
}

/// When the balance was last fetched; `None` if never.
pub fn balance_fetched_at(conn: &Connection, account_id: &str) -> Result<Option<i64>> {
    sql::optional(
        conn,
        "SELECT max(fetched_at) FROM balance_snapshots WHERE account_id = ?1",
        [account_id],
        |r| r.get(0),
    )
    .map(Option::flatten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn cursor(stream: &str, at: i64) -> CursorRow {
        CursorRow {
            stream: stream.into(),
            cursor: Some(format!("pi_{at}")),
            done: false,
            objects_done: at * 100,
            updated_at: 1_700_000_000 + at,
        }
    }

    #[test]
    fn cursors_round_trip_update_in_place_and_stay_per_account() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        assert_eq!(get(conn, "acct_1", "payment_intents").unwrap(), None);
        let windowed = "payment_intents:window:1700000000-1700086400";
        put(conn, "acct_1", &cursor("payment_intents", 1)).unwrap();
        put(conn, "acct_1", &cursor(windowed, 2)).unwrap();
        put(conn, "acct_1", &cursor("events", 3)).unwrap();
        put(conn, "acct_2", &cursor("events", 9)).unwrap();
        let finished = CursorRow {
            cursor: None,
            done: true,
            ..cursor("payment_intents", 4)
        };
        put(conn, "acct_1", &finished).unwrap();
        assert_eq!(
            get(conn, "acct_1", "payment_intents").unwrap(),
            Some(finished.clone())
        );
        assert_eq!(
            all(conn, "acct_1").unwrap(),
            [cursor("events", 3), finished, cursor(windowed, 2)],
            "one row per stream, by name"
        );
        assert!(remove(conn, "acct_1", windowed).unwrap());
        assert!(!remove(conn, "acct_1", windowed).unwrap());
        remove_account(conn, "acct_1").unwrap();
        assert!(all(conn, "acct_1").unwrap().is_empty());
        assert_eq!(all(conn, "acct_2").unwrap(), [cursor("events", 9)]);
    }

    #[test]
    fn an_event_is_new_once_per_account_until_pruned() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        assert!(mark_seen(conn, "acct_1", "evt_1", 100).unwrap());
        assert!(
            !mark_seen(conn, "acct_1", "evt_1", 100).unwrap(),
            "a redelivery"
        );
        assert!(
            mark_seen(conn, "acct_2", "evt_1", 100).unwrap(),
            "accounts never mix"
        );
        assert!(mark_seen(conn, "acct_1", "evt_2", 200).unwrap());
        assert_eq!(
            prune_seen(conn, "acct_1", 200).unwrap(),
            1,
            "before, not at"
        );
        assert!(
            mark_seen(conn, "acct_1", "evt_1", 100).unwrap(),
            "forgotten"
        );
        assert!(!mark_seen(conn, "acct_1", "evt_2", 200).unwrap());
        assert!(!mark_seen(conn, "acct_2", "evt_1", 100).unwrap());
    }

    #[test]
    fn an_older_event_never_overwrites_a_newer_one() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        assert!(
            should_apply(conn, "acct_1", "pi_1", 100).unwrap(),
            "nothing applied yet"
        );
        record_version(conn, "acct_1", "pi_1", 200).unwrap();
        assert!(!should_apply(conn, "acct_1", "pi_1", 199).unwrap());
        assert!(
            should_apply(conn, "acct_1", "pi_1", 200).unwrap(),
            "same second: apply"
        );
        assert!(
            should_apply(conn, "acct_2", "pi_1", 100).unwrap(),
            "accounts never mix"
        );
        record_version(conn, "acct_1", "pi_1", 150).unwrap();
        assert!(
            !should_apply(conn, "acct_1", "pi_1", 199).unwrap(),
            "the max is kept"
        );
        record_version(conn, "acct_1", "pi_1", 300).unwrap();
        assert!(!should_apply(conn, "acct_1", "pi_1", 299).unwrap());
    }

    #[test]
    fn a_balance_is_replaced_whole() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        assert!(balance(conn, "acct_1").unwrap().is_empty());
        assert_eq!(balance_fetched_at(conn, "acct_1").unwrap(), None);
        let row = |currency: &str, available| BalanceRow {
            currency: currency.into(),
            available,
            pending: available / 2,
        };
        replace_balance(conn, "acct_1", &[row("usd", 900), row("eur", 400)], 10).unwrap();
        replace_balance(conn, "acct_2", &[row("gbp", 1)], 11).unwrap();
        assert_eq!(
            balance(conn, "acct_1").unwrap(),
            [row("eur", 400), row("usd", 900)]
        );
        replace_balance(conn, "acct_1", &[row("usd", 1_000)], 20).unwrap();
        assert_eq!(balance(conn, "acct_1").unwrap(), [row("usd", 1_000)]);
        assert_eq!(balance_fetched_at(conn, "acct_1").unwrap(), Some(20));
        assert_eq!(balance(conn, "acct_2").unwrap(), [row("gbp", 1)]);
    }
}

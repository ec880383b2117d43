//! Numbered migrations. Each table module declares its own; they run in
//! version order, each in its own transaction, and a released migration is
//! never edited: a change is a new migration.

use rusqlite::Connection;

use crate::table;
use crate::{Result, StoreError};

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order.
pub fn all() -> Vec<Migration> {
    let mut all: Vec<Migration> = table::MIGRATIONS
        .iter()
        .flat_map(|m| m.iter().copied())
        .collect();
    all.sort_by_key(|m| m.version);
    all
}

/// The schema version this Till writes.
pub const LATEST_VERSION: u32 = 20;

pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get::<_, u32>(0))?)
}

/// Fails on a database from a newer Till, without writing to it.
pub fn check_version(conn: &Connection) -> Result<()> {
    let found = version(conn)?;
    if found > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    check_version(conn)?;
    let current = version(conn)?;
    for migration in all().into_iter().filter(|m| m.version > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(migration.sql)?;
        // What SQL alone cannot do: the payments' search documents, built
        // by the same code as every later write.
        if migration.version == table::payment_search::VERSION {
            table::payment_search::rebuild(&tx)?;
        }
        tx.pragma_update(None, "user_version", migration.version)?;
        tx.commit()?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "database migrated"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn versions_are_unique_consecutive_and_end_at_latest() {
        let versions: Vec<u32> = all().iter().map(|m| m.version).collect();
        let expected: Vec<u32> = (1..=LATEST_VERSION).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn a_new_database_is_at_the_latest_version() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    }

    #[test]
    fn an_older_database_is_upgraded_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.sqlite3");
        {
            // A database as version 1 left it.
            let conn = Connection::open(&path).unwrap();
            let v1 = all().into_iter().find(|m| m.version == 1).unwrap();
            conn.execute_batch(v1.sql).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO accounts (id, display_name, livemode, key_kind, key_last4, added_at) VALUES ('acct_1', 'Café', 0, 'secret', '4242', 1)",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        let name: String = store
            .conn()
            .query_row(
                "SELECT display_name FROM accounts WHERE id = 'acct_1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, "Café");
    }

    #[test]
    fn payments_cached_before_version_10_get_their_words_rewritten_on_refresh() {
        use crate::table::payment_intents::{self, PaymentRow};

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            for migration in all().into_iter().filter(|m| m.version <= 2) {
                conn.execute_batch(migration.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute_batch(
                "INSERT INTO payment_intents (account_id, id, created, amount, currency, status, customer_email, raw)
                 VALUES ('acct_1', 'pi_1', 1, 100, 'usd', 'succeeded', 'old@example.com', '{}');
                 INSERT INTO payment_intents_text (rowid, words) VALUES (last_insert_rowid(), 'pi_1 old@example.com');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let refreshed = PaymentRow {
            id: "pi_1".into(),
            created: 1,
            amount: 100,
            currency: "usd".into(),
            status: "succeeded".into(),
            customer_email: Some("new@example.com".into()),
            raw: "{}".into(),
            ..PaymentRow::default()
        };
        payment_intents::upsert(store.conn(), "acct_1", &refreshed).unwrap();
        let search = |text| payment_intents::search(store.conn(), "acct_1", text, 10).unwrap();
        assert!(search("old@example.com").is_empty());
        assert_eq!(search("new@example.com"), [refreshed]);
    }

    #[test]
    fn payments_cached_before_the_trigram_index_are_found_by_any_part_once_upgraded() {
        use crate::table::payment_intents;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            for migration in all().into_iter().filter(|m| m.version < 17) {
                conn.execute_batch(migration.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 16).unwrap();
            conn.execute_batch(
                "INSERT INTO payment_intents (account_id, id, created, amount, currency, status, customer_email, raw)
                 VALUES ('acct_1', 'pi_1', 1, 100, 'usd', 'succeeded', 'ines.haddad1@example.com',
                         '{\"metadata\":{\"order_id\":\"ORD-000042\",\"n\":7}}'),
                        ('acct_1', 'pi_2', 2, 100, 'usd', 'succeeded', 'zoe@example.com', '{}');
                 INSERT INTO charges (account_id, id, created, amount, amount_captured, amount_refunded, currency, status,
                     captured, payment_intent, card_last4, raw)
                 VALUES ('acct_1', 'ch_2', 2, 100, 100, 0, 'usd', 'succeeded', 1, 'pi_2', '9876',
                         '{\"billing_details\":{\"name\":\"Grace Hopper\"}}');
                 INSERT INTO checkout_sessions (account_id, id, created, expires_at, status, payment_status, mode,
                     client_reference_id, payment_intent, raw)
                 VALUES ('acct_1', 'cs_1', 1, 2, 'complete', 'paid', 'payment', 'cart-77', 'pi_1', '{}');
                 INSERT INTO checkout_line_items (account_id, session_id, position, id, description, amount_subtotal,
                     amount_total, currency, raw)
                 VALUES ('acct_1', 'cs_1', 0, 'li_1', 'Flat white', 500, 500, 'usd', '{}');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let ids = |text: &str| -> Vec<String> {
            payment_intents::search(store.conn(), "acct_1", text, 10)
                .unwrap()
                .into_iter()
                .map(|p| p.id)
                .collect()
        };
        assert_eq!(ids("haddad"), ["pi_1"]);
        assert_eq!(ids("000042"), ["pi_1"], "metadata values, from the JSON");
        assert_eq!(ids("flat whi"), ["pi_1"], "the checkout's lines");
        assert_eq!(ids("cart-77"), ["pi_1"]);
        assert_eq!(
            ids("hopper 9876"),
            ["pi_2"],
            "the charge's billing name and card"
        );
        assert_eq!(ids("example"), ["pi_2", "pi_1"]);
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (1);")
                .unwrap();
            conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found, .. } if found == LATEST_VERSION + 1),
            "{err:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
        assert!(
            !dir.path().join("till.sqlite3-wal").exists(),
            "not even a WAL file"
        );
    }
}

//! `accounts`: the Stripe accounts Till knows. What is not secret only: the
//! key itself is in the OS keychain, here there are its last four characters.

use rusqlite::{Connection, OptionalExtension, params};

use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "accounts",
    sql: "CREATE TABLE accounts (
        id TEXT PRIMARY KEY NOT NULL,
        display_name TEXT NOT NULL,
        livemode INTEGER NOT NULL CHECK (livemode IN (0, 1)),
        key_kind TEXT NOT NULL CHECK (key_kind IN ('secret', 'restricted')),
        key_last4 TEXT NOT NULL CHECK (length(key_last4) <= 4),
        added_at INTEGER NOT NULL,
        -- What a restricted key was found to allow, as JSON; NULL for a secret key.
        permissions TEXT,
        is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
    ) STRICT;",
}];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub display_name: String,
    pub livemode: bool,
    /// `secret` or `restricted`.
    pub key_kind: String,
    pub key_last4: String,
    pub added_at: i64,
    pub permissions: Option<String>,
    pub is_demo: bool,
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: row.get(0)?,
        display_name: row.get(1)?,
        livemode: row.get(2)?,
        key_kind: row.get(3)?,
        key_last4: row.get(4)?,
        added_at: row.get(5)?,
        permissions: row.get(6)?,
        is_demo: row.get(7)?,
    })
}

const COLUMNS: &str =
    "id, display_name, livemode, key_kind, key_last4, added_at, permissions, is_demo";

/// Adds an account, or replaces the one with the same id (a replaced key).
pub fn upsert(conn: &Connection, account: &AccountRow) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO accounts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, livemode = excluded.livemode,
               key_kind = excluded.key_kind, key_last4 = excluded.key_last4, permissions = excluded.permissions,
               is_demo = excluded.is_demo"
        ),
        params![
            account.id,
            account.display_name,
            account.livemode,
            account.key_kind,
            account.key_last4,
            account.added_at,
            account.permissions,
            account.is_demo
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<AccountRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// Every account, in the order they were added.
pub fn list(conn: &Connection) -> Result<Vec<AccountRow>> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM accounts ORDER BY added_at, id"
    ))?;
    let rows = statement
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Renames; false when there is no such account.
pub fn rename(conn: &Connection, id: &str, display_name: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE accounts SET display_name = ?2 WHERE id = ?1",
        params![id, display_name],
    )? == 1)
}

/// Removes; false when there is no such account.
pub fn remove(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM accounts WHERE id = ?1", [id])? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn row(id: &str, added_at: i64) -> AccountRow {
        AccountRow {
            id: id.to_owned(),
            display_name: format!("Shop {id}"),
            livemode: false,
            key_kind: "secret".to_owned(),
            key_last4: "4242".to_owned(),
            added_at,
            permissions: None,
            is_demo: false,
        }
    }

    #[test]
    fn add_list_rename_replace_remove() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        upsert(conn, &row("acct_b", 2)).unwrap();
        upsert(conn, &row("acct_a", 1)).unwrap();
        assert_eq!(
            list(conn)
                .unwrap()
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>(),
            ["acct_a", "acct_b"]
        );
        assert!(rename(conn, "acct_a", "Café Ada").unwrap());
        assert!(!rename(conn, "acct_nope", "x").unwrap());
        let replaced = AccountRow {
            key_kind: "restricted".into(),
            key_last4: "9999".into(),
            permissions: Some("{}".into()),
            ..row("acct_a", 1)
        };
        upsert(conn, &replaced).unwrap();
        let a = get(conn, "acct_a").unwrap().unwrap();
        assert_eq!(
            (a.key_kind.as_str(), a.key_last4.as_str()),
            ("restricted", "9999")
        );
        assert!(remove(conn, "acct_b").unwrap());
        assert!(get(conn, "acct_b").unwrap().is_none());
    }

    #[test]
    fn the_table_refuses_more_than_four_characters_of_a_key() {
        let store = Store::in_memory().unwrap();
        let leaky = AccountRow {
            key_last4: "sk_test_abcdef".into(),
            ..row("acct_x", 1)
        };
        assert!(
            upsert(store.conn(), &leaky).is_err(),
            "a whole key can never be stored here"
        );
    }
}

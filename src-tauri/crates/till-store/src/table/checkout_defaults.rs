//! `checkout_defaults`: where an account's hosted checkouts send the
//! customer after paying or giving up. Stripe requires a success URL for
//! hosted checkout; the owner types it once and every new checkout uses it.

use rusqlite::{Connection, params};

use crate::sql;
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 15,
    name: "checkout_defaults",
    sql: "CREATE TABLE checkout_defaults (
        account_id TEXT PRIMARY KEY NOT NULL,
        success_url TEXT NOT NULL,
        cancel_url TEXT
    ) STRICT;",
}];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckoutDefaults {
    pub success_url: String,
    pub cancel_url: Option<String>,
}

pub fn get(conn: &Connection, account_id: &str) -> Result<Option<CheckoutDefaults>> {
    sql::optional(
        conn,
        "SELECT success_url, cancel_url FROM checkout_defaults WHERE account_id = ?1",
        [account_id],
        |r| {
            Ok(CheckoutDefaults {
                success_url: r.get(0)?,
                cancel_url: r.get(1)?,
            })
        },
    )
}

pub fn set(conn: &Connection, account_id: &str, defaults: &CheckoutDefaults) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO checkout_defaults (account_id, success_url, cancel_url) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET success_url = excluded.success_url,
            cancel_url = excluded.cancel_url",
        params![account_id, defaults.success_url, defaults.cancel_url],
    )?;
    Ok(())
}

pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    sql::remove_account(conn, "checkout_defaults", account_id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Store;

    #[test]
    fn defaults_are_kept_per_account_replaced_and_removed() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        assert_eq!(get(conn, "acct_a").unwrap(), None);
        let first = CheckoutDefaults {
            success_url: "https://shop.example/thanks".into(),
            cancel_url: None,
        };
        set(conn, "acct_a", &first).unwrap();
        let second = CheckoutDefaults {
            success_url: "https://shop.example/paid".into(),
            cancel_url: Some("https://shop.example/cart".into()),
        };
        set(conn, "acct_b", &first).unwrap();
        set(conn, "acct_a", &second).unwrap();
        assert_eq!(get(conn, "acct_a").unwrap(), Some(second));
        assert_eq!(get(conn, "acct_b").unwrap(), Some(first.clone()));
        remove_account(conn, "acct_a").unwrap();
        assert_eq!(get(conn, "acct_a").unwrap(), None);
        assert_eq!(get(conn, "acct_b").unwrap(), Some(first));
    }
}

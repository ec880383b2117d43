//! One module per table: its migration, typed reads and writes, and tests.
//! Every cache table keeps Stripe's raw JSON beside the columns it is
//! queried by, and is keyed by `(account_id, id)`.

pub mod accounts;
pub mod balance_transactions;
pub mod charges;
pub mod checkout_defaults;
pub mod checkout_sessions;
pub mod customers;
pub mod disputes;
pub mod operations;
pub mod payment_intents;
pub mod payment_search;
pub mod payouts;
pub mod refunds;
pub mod sync_state;

use rusqlite::Connection;

use crate::{Migration, Result};

/// Each table's migrations, gathered for [`crate::migration`].
pub const MIGRATIONS: &[&[Migration]] = &[
    accounts::MIGRATIONS,
    payment_intents::MIGRATIONS,
    charges::MIGRATIONS,
    refunds::MIGRATIONS,
    balance_transactions::MIGRATIONS,
    payouts::MIGRATIONS,
    customers::MIGRATIONS,
    checkout_sessions::MIGRATIONS,
    sync_state::MIGRATIONS,
    operations::MIGRATIONS,
    checkout_defaults::MIGRATIONS,
    payment_search::MIGRATIONS,
    disputes::MIGRATIONS,
];

/// Drops everything cached and synced for an account, but not the account
/// itself (see [`accounts::remove`]). Call inside one transaction.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    payment_intents::remove_account(conn, account_id)?;
    charges::remove_account(conn, account_id)?;
    refunds::remove_account(conn, account_id)?;
    balance_transactions::remove_account(conn, account_id)?;
    payouts::remove_account(conn, account_id)?;
    customers::remove_account(conn, account_id)?;
    disputes::remove_account(conn, account_id)?;
    checkout_sessions::remove_account(conn, account_id)?;
    sync_state::remove_account(conn, account_id)?;
    operations::remove_account(conn, account_id)?;
    checkout_defaults::remove_account(conn, account_id)?;
    Ok(())
}

/// The object tables, by the name the UI and the sync use.
pub const OBJECT_TABLES: [&str; 8] = [
    "payment_intents",
    "charges",
    "refunds",
    "checkout_sessions",
    "balance_transactions",
    "payouts",
    "customers",
    "disputes",
];

/// How many objects of each type an account has cached.
pub fn counts(
    conn: &Connection,
    account_id: &str,
) -> Result<std::collections::BTreeMap<String, i64>> {
    let mut out = std::collections::BTreeMap::new();
    for table in OBJECT_TABLES {
        let n = crate::sql::count(
            conn,
            &format!("SELECT count(*) FROM {table} WHERE account_id = ?1"),
            [account_id],
        )?;
        out.insert(table.to_owned(), i64::try_from(n).unwrap_or(i64::MAX));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

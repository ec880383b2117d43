//! # till-store: the SQLite cache and journal
//!
//! One database file per Till installation (in the data directory), in WAL
//! mode with foreign keys on. Each table lives in one small module under
//! [`table`] with its migration beside its typed reads and writes and its
//! own in-memory tests. Migrations are numbered; `PRAGMA user_version` holds
//! the schema version, and a database written by a newer Till is refused
//! before anything is written to it.
//!
//! Tables: `accounts`; the per-account cache of Stripe objects
//! (`payment_intents`, `charges`, `refunds`, `balance_transactions`,
//! `payouts`, `customers`, `checkout_sessions` and their line items); and
//! `sync_state`, what a sync needs to resume. [`table::remove_account`]
//! clears an account from all but `accounts`.
//!
//! Nothing secret is ever stored here: an account row holds the key's last
//! four characters, never the key, which lives in the OS keychain.

pub mod migration;
mod sql;
pub mod table;
mod text;

pub use sql::After;

use std::path::Path;

use rusqlite::Connection;

pub use migration::{LATEST_VERSION, Migration};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was written by a newer Till.
    #[error(
        "this database was written by a newer version of Till (schema {found}; this version knows up to {supported}); update Till to open it"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("the database at {path} cannot be opened: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open, migrated database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::prepare(conn, true)
    }

    /// A read-only connection to the database at `path`, which a writer
    /// opened (and migrated) first. In WAL mode its reads see the last
    /// commit and never wait for the writer's transaction, nor it for them.
    pub fn open_reader(path: &Path) -> Result<Self> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        migration::check_version(&conn)?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "cache_size", -16_384)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Self { conn })
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?, false)
    }

    fn prepare(conn: Connection, wal: bool) -> Result<Self> {
        // Refuse a newer schema before touching anything, even a pragma that writes.
        migration::check_version(&conn)?;
        // Before the first table, so only a new database takes it: 16 KB pages
        // hold a cached object's JSON without overflow pages.
        conn.pragma_update(None, "page_size", 16_384)?;
        if wal {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            // A checkpoint every ~40 MB of log rather than 4 MB: a sync
            // commits a page of 100 objects at a time, and each checkpoint
            // (with its fsync) rewrote the same hot index pages again.
            conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        }
        // Room for every table's per-row statements, so a sync that writes
        // several tables per page never evicts and re-prepares them.
        conn.set_prepared_statement_cache_capacity(64);
        // 16 MB of page cache, not SQLite's 2 MB: a sync commits a thousand
        // objects at a time, and their index pages (random ids, amounts,
        // words) must stay in memory until the commit rather than spill.
        conn.pragma_update(None, "cache_size", -16_384)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut store = Self { conn };
        migration::migrate(&mut store.conn)?;
        Ok(store)
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn schema_version(&self) -> Result<u32> {
        migration::version(&self.conn)
    }
}

#[cfg(test)]
mod reader_tests {
    use super::*;

    #[test]
    fn a_reader_sees_commits_and_does_not_wait_for_an_open_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.sqlite3");
        let mut writer = Store::open(&path).unwrap();
        let reader = Store::open_reader(&path).unwrap();
        let count = |store: &Store| -> i64 {
            store
                .conn()
                .query_row("SELECT count(*) FROM operations", [], |r| r.get(0))
                .unwrap()
        };
        let insert = |conn: &Connection, id: &str| {
            conn.execute(
                "INSERT INTO operations (id, account_id, kind, target, params, idempotency_key, state, created_at)
                 VALUES (?1, 'a', 'refund', 'pi_1', '{}', ?1, 'pending', 1)",
                [id],
            )
            .unwrap();
        };
        insert(writer.conn(), "op_1");
        assert_eq!(count(&reader), 1, "a commit is seen");
        // A write transaction left open: the reader reads the last commit,
        // at once, instead of waiting for it.
        let tx = writer.conn_mut().transaction().unwrap();
        insert(&tx, "op_2");
        let started = std::time::Instant::now();
        assert_eq!(count(&reader), 1);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        tx.commit().unwrap();
        assert_eq!(count(&reader), 2);
        // It cannot write.
        assert!(reader.conn().execute("DELETE FROM operations", []).is_err());
    }
}

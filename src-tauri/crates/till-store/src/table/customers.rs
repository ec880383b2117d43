//! `customers`: the cached Customers of every account, with a full-text
//! index (FTS5) over what a person searches by: id, email, name, phone,
//! metadata values.

use rusqlite::{Connection, params};

use crate::sql::{self, FromRow};
use crate::{Migration, Result, text};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 7,
    name: "customers",
    sql: "CREATE TABLE customers (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        email TEXT,
        name TEXT,
        phone TEXT,
        deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
        raw TEXT NOT NULL,
        -- Of the search words, so a refresh that changes none skips the index.
        words_hash INTEGER,
        UNIQUE (account_id, id)
    ) STRICT;
    -- Contentless: the text lives in customers; the index maps words to rowids.
    CREATE VIRTUAL TABLE customers_text USING fts5(
        words, content = '', contentless_delete = 1, tokenize = \"unicode61 tokenchars '_@.-+'\"
    );",
}];

/// One Customer as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerRow {
    pub id: String,
    pub created: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// Deleted in Stripe; kept so past payments still name their customer.
    pub deleted: bool,
    /// Words searched besides the columns: metadata values. Written to the
    /// index only, so always empty when read back.
    pub extra_words: Vec<String>,
    pub raw: String,
}

const COLUMNS: &str = "id, created, email, name, phone, deleted, raw";

const FROM_ROW: FromRow<CustomerRow> = |r| {
    Ok(CustomerRow {
        id: r.get(0)?,
        created: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        phone: r.get(4)?,
        deleted: r.get(5)?,
        extra_words: Vec::new(),
        raw: r.get(6)?,
    })
};

const TABLE: text::Indexed = text::Indexed {
    table: "customers",
    columns: COLUMNS,
    text_table: "customers_text",
    insert: "INSERT INTO customers (account_id, id, created, email, name, phone, deleted, raw, words_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (account_id, id) DO NOTHING",
    update: "UPDATE customers SET created = ?3, email = ?4, name = ?5, phone = ?6, deleted = ?7, raw = ?8, words_hash = ?9
         WHERE account_id = ?1 AND id = ?2",
    existing: "SELECT rowid, words_hash FROM customers WHERE account_id = ?1 AND id = ?2",
    add_words: "INSERT INTO customers_text (rowid, words) VALUES (?1, ?2)",
    remove_words: "DELETE FROM customers_text WHERE rowid = ?1",
};

/// Adds or refreshes one Customer and its search words. Call inside the
/// page's transaction.
pub fn upsert(conn: &Connection, account_id: &str, row: &CustomerRow) -> Result<()> {
    let words = text::words(
        &row.id,
        &[&row.email, &row.name, &row.phone],
        &row.extra_words,
    );
    TABLE.upsert(
        conn,
        (account_id, &row.id),
        params![
            row.created,
            row.email,
            row.name,
            row.phone,
            row.deleted,
            row.raw
        ],
        &words,
    )
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<CustomerRow>> {
    sql::by_id(conn, "customers", COLUMNS, account_id, id, FROM_ROW)
}

/// Drops an account's cached customers and their search words.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    TABLE.remove_account(conn, account_id)
}

/// Full-text search: every word must match, as a prefix (`ada` finds
/// `ada@example.com`, `cus_N` finds `cus_Nx…`). Newest first; deleted
/// customers included, marked.
pub fn search(
    conn: &Connection,
    account_id: &str,
    text: &str,
    limit: usize,
) -> Result<Vec<CustomerRow>> {
    TABLE.search(conn, account_id, text, limit, FROM_ROW)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, ids};

    fn customer(n: i64) -> CustomerRow {
        CustomerRow {
            id: format!("cus_{n:03}"),
            created: 1_700_000_000 + n * 60,
            email: Some(format!("shopper{n}@example.com")),
            name: Some(
                if n % 2 == 0 {
                    "Ada Lovelace"
                } else {
                    "Grace Hopper"
                }
                .into(),
            ),
            phone: (n % 3 == 0).then(|| format!("+4420{n:04}")),
            raw: format!("{{\"id\":\"cus_{n:03}\"}}"),
            ..CustomerRow::default()
        }
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let changed = CustomerRow {
            deleted: true,
            name: None,
            ..customer(1)
        };
        testing::upsert_get_remove(
            "customers",
            (upsert, get, remove_account),
            "cus_001",
            &customer(1),
            &changed,
        );
    }

    #[test]
    fn search_matches_every_word_as_a_prefix_newest_first() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        for n in 0..30 {
            upsert(conn, "acct_1", &customer(n)).unwrap();
        }
        let vip = CustomerRow {
            extra_words: vec!["vip-gold".into()],
            ..customer(30)
        };
        upsert(conn, "acct_1", &vip).unwrap();
        upsert(conn, "acct_2", &customer(7)).unwrap();

        let found = search(conn, "acct_1", "ada love", 100).unwrap();
        let expected: Vec<String> = (0..31)
            .rev()
            .filter(|n| n % 2 == 0)
            .map(|n| customer(n).id)
            .collect();
        assert_eq!(ids(&found, |c| &c.id), expected);
        assert_eq!(search(conn, "acct_1", "ada love", 3).unwrap().len(), 3);
        assert_eq!(
            ids(&search(conn, "acct_1", "shopper7@", 10).unwrap(), |c| &c.id),
            ["cus_007"]
        );
        assert_eq!(
            ids(&search(conn, "acct_1", "+44200009", 10).unwrap(), |c| &c.id),
            ["cus_009"]
        );
        assert_eq!(
            ids(&search(conn, "acct_1", "vip", 10).unwrap(), |c| &c.id),
            ["cus_030"]
        );
        assert_eq!(
            ids(&search(conn, "acct_1", "cus_01", 100).unwrap(), |c| &c.id).len(),
            10
        );
        assert!(
            search(conn, "acct_1", "ada hopper", 10).unwrap().is_empty(),
            "every word must match"
        );
        assert!(search(conn, "acct_1", "  ", 10).unwrap().is_empty());
        assert!(
            search(conn, "acct_1", "\"", 10).is_ok(),
            "quotes cannot break the query"
        );
        assert_eq!(
            ids(&search(conn, "acct_2", "shopper", 10).unwrap(), |c| &c.id),
            ["cus_007"],
            "accounts never mix"
        );
    }

    #[test]
    fn an_update_replaces_the_search_words_and_removal_drops_them() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        upsert(conn, "acct_1", &customer(1)).unwrap();
        let renamed = CustomerRow {
            email: Some("new@example.com".into()),
            ..customer(1)
        };
        upsert(conn, "acct_1", &renamed).unwrap();
        assert!(search(conn, "acct_1", "shopper1", 10).unwrap().is_empty());
        assert_eq!(
            search(conn, "acct_1", "new@example.com", 10).unwrap(),
            [renamed]
        );
        remove_account(conn, "acct_1").unwrap();
        let words: i64 = conn
            .query_row(
                "SELECT count(*) FROM customers_text WHERE customers_text MATCH 'grace'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(words, 0, "no words left behind");
    }
}

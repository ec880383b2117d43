//! `payment_search` and `payment_starts`: what a payment can be found by,
//! as one document per payment in an FTS5 trigram index, so any three
//! characters find it (`haddad` in `ines.haddad1@example.com`), and the
//! starts of its words in a small word index, so one or two characters find
//! the words they begin (`in`, `ha`). A document holds the payment's email, description and
//! metadata values; its charges' card last four, email and billing name;
//! and the lines, reference and email of the checkout that made it. Each of
//! those tables rewrites the document when what it gives changes, in the
//! caller's transaction, whichever of them is stored first.
//!
//! Documents are keyed by the payment's `search_key`, which orders them
//! newest first: a search reads the index in key order and stops at the
//! page's end, so three letters found in every payment cost no more than
//! rare ones. Ids are not in the documents (their trigrams would double
//! the index); they are found by prefix through the tables' own indexes.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::sql;
use crate::table::payment_intents::{COLUMNS, PaymentRow, from_row};
use crate::text::{self, Document};
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[CREATE];

/// The schema version that adds the index; [`crate::migration`] then
/// writes the documents of the payments already cached ([`rebuild`]).
pub const VERSION: u32 = 17;

const CREATE: Migration = Migration {
    version: VERSION,
    name: "payment_search",
    sql: "DROP TABLE payment_intents_text;
    DROP TABLE charges_text;
    ALTER TABLE payment_intents ADD COLUMN search_key INTEGER;
    ALTER TABLE payment_intents ADD COLUMN extra_words TEXT;
    ALTER TABLE charges ADD COLUMN extra_words TEXT;
    CREATE UNIQUE INDEX payment_intents_by_search_key ON payment_intents (search_key);
    -- The words rows cached before kept only in the index: metadata values
    -- and a charge's billing name, as the core gives them (rows.rs).
    UPDATE payment_intents SET words_hash = NULL, extra_words = (
        SELECT group_concat(value, char(31)) FROM json_each(raw, '$.metadata') WHERE type = 'text'
    ) WHERE json_valid(raw);
    UPDATE charges SET words_hash = NULL, extra_words = json_extract(raw, '$.billing_details.name')
        WHERE json_valid(raw) AND json_type(raw, '$.billing_details.name') = 'text';
    -- Contentless: the text lives in the tables; the index maps trigrams to keys.
    CREATE VIRTUAL TABLE payment_search USING fts5(
        words, content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
    );
    -- Leaves as big as the database's pages: fewer to write at each commit.
    INSERT INTO payment_search (payment_search, rank) VALUES ('pgsz', 16000);
    -- Merged eight segments at a time rather than four: about a tenth less
    -- work a payment, searches as fast (measured with search_bench).
    INSERT INTO payment_search (payment_search, rank) VALUES ('automerge', 8);
    -- The first one or two characters of each word; no positions (a word's
    -- start is one term). One character is a prefix of those: its own index,
    -- or a common letter would merge a list of every payment first.
    CREATE VIRTUAL TABLE payment_starts USING fts5(
        starts, content = '', contentless_delete = 1, detail = none, prefix = '1',
        tokenize = 'unicode61 remove_diacritics 2'
    );",
};

/// Keys are `(EPOCH - created) * SLOTS + n`: newest first, and close
/// together, so the index stores small gaps between them.
const EPOCH: i64 = 1 << 33;
const SLOTS: i64 = 256;

/// Extra words are kept in one column, split by the unit separator.
pub(crate) const SEPARATOR: char = '\u{1f}';

pub(crate) fn join_words(words: &[String]) -> Option<String> {
    let joined = words
        .iter()
        .map(|w| w.replace(SEPARATOR, " "))
        .collect::<Vec<_>>()
        .join(&SEPARATOR.to_string());
    (!joined.is_empty()).then_some(joined)
}

pub(crate) fn split_words(column: Option<String>) -> Vec<String> {
    column
        .map(|c| c.split(SEPARATOR).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A free key for a payment created at `created`: the first after those of
/// the same second; a second's 256 keys all taken (never at Stripe's rate
/// limits), one of the second before.
pub(crate) fn allocate(conn: &Connection, created: i64) -> Result<i64> {
    let mut second = created.clamp(0, EPOCH - 1);
    loop {
        let base = (EPOCH - second) * SLOTS;
        let last: Option<i64> = conn
            .prepare_cached(
                "SELECT max(search_key) FROM payment_intents WHERE search_key >= ?1 AND search_key < ?2",
            )?
            .query_row(params![base, base + SLOTS], |r| r.get(0))?;
        match last {
            None => return Ok(base),
            Some(last) if last + 1 < base + SLOTS => return Ok(last + 1),
            Some(_) => second -= 1,
        }
    }
}

/// A payment's own values, from its row.
pub(crate) fn own_values(row: &PaymentRow) -> Vec<String> {
    [
        &row.customer_email,
        &row.description,
        &row.order_id,
        &row.card_last4,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .chain(row.extra_words.iter().cloned())
    .collect()
}

/// The document of a payment with these values of its own, with what its
/// charges and checkout give.
pub(crate) fn document(
    conn: &Connection,
    account_id: &str,
    payment_id: &str,
    mut values: Vec<String>,
) -> Result<Document> {
    let mut charges = conn.prepare_cached(
        "SELECT card_last4, email, extra_words FROM charges
         WHERE account_id = ?1 AND payment_intent = ?2",
    )?;
    let mut rows = charges.query([account_id, payment_id])?;
    while let Some(r) = rows.next()? {
        values.extend(r.get::<_, Option<String>>(0)?);
        values.extend(r.get::<_, Option<String>>(1)?);
        values.extend(split_words(r.get(2)?));
    }
    let mut sessions = conn.prepare_cached(
        "SELECT s.client_reference_id, s.customer_email, l.description
         FROM checkout_sessions s LEFT JOIN checkout_line_items l
           ON l.account_id = s.account_id AND l.session_id = s.id
         WHERE s.account_id = ?1 AND s.payment_intent = ?2",
    )?;
    let mut rows = sessions.query([account_id, payment_id])?;
    while let Some(r) = rows.next()? {
        for column in 0..3 {
            values.extend(r.get::<_, Option<String>>(column)?);
        }
    }
    Ok(Document::of(values.iter().map(String::as_str)))
}

/// Where a payment's document is, as its row says.
pub(crate) struct Stored {
    pub rowid: i64,
    pub created: i64,
    pub key: Option<i64>,
    pub hash: Option<i64>,
}

/// Writes a payment's document unless the one stored is the same. A
/// payment whose `created` changed (`moved`) or that has none yet gets a
/// new key.
pub(crate) fn write(
    conn: &Connection,
    stored: &Stored,
    created: i64,
    document: &Document,
) -> Result<()> {
    let hash = document.hash();
    let moved = stored.key.is_none() || stored.created != created;
    if !moved && stored.hash == Some(hash) {
        return Ok(());
    }
    if let Some(old) = stored.key {
        sql::execute(conn, "DELETE FROM payment_search WHERE rowid = ?1", [old])?;
        sql::execute(conn, "DELETE FROM payment_starts WHERE rowid = ?1", [old])?;
    }
    let key = match stored.key {
        Some(key) if !moved => key,
        _ => allocate(conn, created)?,
    };
    sql::execute(
        conn,
        "UPDATE payment_intents SET search_key = ?2, words_hash = ?3 WHERE rowid = ?1",
        params![stored.rowid, key, hash],
    )?;
    add(conn, key, document)
}

/// Adds a new payment's documents under the key its row was inserted with.
pub(crate) fn add(conn: &Connection, key: i64, document: &Document) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO payment_search (rowid, words) VALUES (?1, ?2)",
        params![key, document.text],
    )?;
    sql::execute(
        conn,
        "INSERT INTO payment_starts (rowid, starts) VALUES (?1, ?2)",
        params![key, document.starts],
    )?;
    Ok(())
}

/// Rewrites a cached payment's document from what the tables hold now
/// (after its charge or checkout changed); nothing when it is not cached.
pub(crate) fn refresh(conn: &Connection, account_id: &str, payment_id: &str) -> Result<()> {
    let found = conn
        .prepare_cached(
            "SELECT rowid, created, search_key, words_hash, customer_email, description, order_id, card_last4, extra_words
             FROM payment_intents WHERE account_id = ?1 AND id = ?2",
        )?
        .query_row([account_id, payment_id], |r| {
            let stored = Stored {
                rowid: r.get(0)?,
                created: r.get(1)?,
                key: r.get(2)?,
                hash: r.get(3)?,
            };
            let mut values: Vec<String> = Vec::new();
            for column in 4..8 {
                values.extend(r.get::<_, Option<String>>(column)?);
            }
            values.extend(split_words(r.get(8)?));
            Ok((stored, values))
        })
        .optional()?;
    let Some((stored, values)) = found else {
        return Ok(());
    };
    let document = document(conn, account_id, payment_id, values)?;
    write(conn, &stored, stored.created, &document)
}

/// Writes the documents of every payment cached before the index existed,
/// newest first (keys then rise, which FTS5 writes fastest).
pub(crate) fn rebuild(conn: &Connection) -> Result<()> {
    let payments: Vec<(String, String)> = sql::rows(
        conn,
        "SELECT account_id, id FROM payment_intents WHERE search_key IS NULL ORDER BY created DESC, id DESC",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for (account_id, id) in &payments {
        refresh(conn, account_id, id)?;
    }
    tracing::info!(payments = payments.len(), "payment search index built");
    Ok(())
}

/// Drops the documents of an account's payments (before their rows).
pub(crate) fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    for index in ["payment_search", "payment_starts"] {
        sql::execute(
            conn,
            &format!(
                "DELETE FROM {index} WHERE rowid IN
                    (SELECT search_key FROM payment_intents WHERE account_id = ?1 AND search_key IS NOT NULL)"
            ),
            [account_id],
        )?;
    }
    Ok(())
}

/// What a clause compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// In the currency's smallest unit.
    Amount,
    /// Unix time.
    Created,
    /// Lowercase ISO code.
    Currency,
    Status,
    /// The customer's id.
    Customer,
    /// One metadata key's value.
    Metadata(String),
}

/// How a clause compares its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    Is(String),
    IsNumber(i64),
    Below(i64),
    AtMost(i64),
    Above(i64),
    AtLeast(i64),
    /// No value (no customer, no such metadata key).
    Missing,
}

/// One condition on a payment's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub field: Field,
    pub test: Test,
    pub negated: bool,
}

/// What to look for. Every word and id must match; the clauses all, or
/// any of them when `any`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Three characters or more: anywhere in a payment's words; one or two:
    /// at the start of one of them.
    pub words: Vec<String>,
    /// Starts of ids: the payment's (`pi_…`), a charge's (`ch_…`, `py_…`),
    /// a refund's (`re_…`), its checkout's (`cs_…`) or its customer's
    /// (`cus_…`).
    pub ids: Vec<String>,
    pub clauses: Vec<Clause>,
    pub any: bool,
}

impl Query {
    /// A person's words: those shaped like a Stripe id (see [`id_prefix`])
    /// find ids, the others text.
    pub fn words(text: &str) -> Self {
        let (ids, words) = text
            .split_whitespace()
            .map(str::to_owned)
            .partition(|w| id_prefix(w));
        Self {
            words,
            ids,
            ..Self::default()
        }
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.ids.is_empty() && self.clauses.is_empty()
    }
}

/// The id prefixes a search knows, and where each is looked up.
const ID_KINDS: [(&str, &str); 6] = [
    ("pi_", "t.id >= ? AND t.id < ?"),
    ("cus_", "t.customer_id >= ? AND t.customer_id < ?"),
    (
        "ch_",
        "t.id IN (SELECT payment_intent FROM charges WHERE account_id = t.account_id AND id >= ? AND id < ?)",
    ),
    (
        "py_",
        "t.id IN (SELECT payment_intent FROM charges WHERE account_id = t.account_id AND id >= ? AND id < ?)",
    ),
    (
        "re_",
        "t.id IN (SELECT payment_intent FROM refunds WHERE account_id = t.account_id AND id >= ? AND id < ?)",
    ),
    (
        "cs_",
        "t.id IN (SELECT payment_intent FROM checkout_sessions WHERE account_id = t.account_id AND id >= ? AND id < ?)",
    ),
];

/// Whether a word is the start of an id Till can look up: a known prefix
/// and at least one letter or digit after it (`pi_3Mx`, `cs_test_a1`).
pub fn id_prefix(word: &str) -> bool {
    ID_KINDS.iter().any(|(prefix, _)| {
        word.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

/// Payments found, newest first, and whether there are more.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    pub rows: Vec<PaymentRow>,
    pub more: bool,
}

/// The newest payments of an account that match, at most `limit`. With
/// words, the index is read in key order and stops at `limit`: as fast for
/// a word in every payment as for a rare one. Without, the clauses filter
/// the list newest first. An empty query finds nothing.
pub fn find(conn: &Connection, account_id: &str, query: &Query, limit: usize) -> Result<Found> {
    let Some((sql, values)) = statement(account_id, query, limit) else {
        return Ok(Found::default());
    };
    let mut rows = sql::rows(conn, &sql, params_from_iter(values), from_row)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    // Keys order by the second; the list orders a second's payments by id.
    rows.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
    Ok(Found { rows, more })
}

/// A query's SQL and values, one row more than `limit`; `None` when it
/// can find nothing (no words, ids or clauses; words with nothing to look
/// for; an id of a kind Till does not know).
fn statement(account_id: &str, query: &Query, limit: usize) -> Option<(String, Vec<Value>)> {
    if query.is_empty() {
        return None;
    }
    let columns: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect();
    let columns = columns.join(", ");
    let words = text::search_words(&query.words);
    if words.nothing {
        // A word with nothing to look for (punctuation alone) matches nothing.
        return None;
    }
    let mut values: Vec<Value> = Vec::new();
    // An index first, in key order (CROSS JOIN keeps SQLite from reordering),
    // so LIMIT stops reading it: the trigrams when there are any, the starts
    // of words checked for each payment they find; else the starts alone.
    let (mut sql, order) = match (words.trigrams, words.starts) {
        (Some(trigrams), starts) => {
            values.push(trigrams.into());
            let mut sql = format!(
                "SELECT {columns} FROM payment_search CROSS JOIN payment_intents t ON t.search_key = payment_search.rowid
                 WHERE payment_search MATCH ?"
            );
            if let Some(starts) = starts {
                values.push(starts.into());
                sql.push_str(
                    " AND EXISTS (SELECT 1 FROM payment_starts WHERE payment_starts MATCH ? AND payment_starts.rowid = payment_search.rowid)",
                );
            }
            (sql, "payment_search.rowid")
        }
        (None, Some(starts)) => {
            values.push(starts.into());
            (
                format!(
                    "SELECT {columns} FROM payment_starts CROSS JOIN payment_intents t ON t.search_key = payment_starts.rowid
                     WHERE payment_starts MATCH ?"
                ),
                "payment_starts.rowid",
            )
        }
        (None, None) => (
            format!("SELECT {columns} FROM payment_intents t WHERE 1"),
            "t.created DESC, t.id DESC",
        ),
    };
    sql.push_str(" AND t.account_id = ?");
    values.push(account_id.to_owned().into());
    for id in &query.ids {
        let (_, condition) = ID_KINDS.iter().find(|(prefix, _)| id.starts_with(prefix))?;
        sql.push_str(" AND ");
        sql.push_str(condition);
        values.push(id.clone().into());
        values.push(format!("{id}\u{10FFFF}").into());
    }
    if !query.clauses.is_empty() {
        let joined: Vec<String> = query
            .clauses
            .iter()
            .map(|clause| condition(clause, &mut values))
            .collect();
        let join = if query.any { " OR " } else { " AND " };
        sql.push_str(&format!(" AND ({})", joined.join(join)));
    }
    sql.push_str(&format!(" ORDER BY {order} LIMIT ?"));
    values.push(sql::limit(limit).saturating_add(1).into());
    Some((sql, values))
}

/// A clause in SQL, its values pushed in order.
fn condition(clause: &Clause, values: &mut Vec<Value>) -> String {
    let column = match &clause.field {
        Field::Amount => "t.amount".to_owned(),
        Field::Created => "t.created".to_owned(),
        Field::Currency => "t.currency".to_owned(),
        Field::Status => "t.status".to_owned(),
        Field::Customer => "t.customer_id".to_owned(),
        Field::Metadata(key) => {
            values.push(format!("$.metadata.\"{}\"", key.replace('"', "")).into());
            "json_extract(t.raw, ?)".to_owned()
        }
    };
    let test = match &clause.test {
        Test::Is(value) => {
            values.push(value.clone().into());
            "= ?"
        }
        Test::IsNumber(n) => {
            values.push((*n).into());
            "= ?"
        }
        Test::Below(n) => {
            values.push((*n).into());
            "< ?"
        }
        Test::AtMost(n) => {
            values.push((*n).into());
            "<= ?"
        }
        Test::Above(n) => {
            values.push((*n).into());
            "> ?"
        }
        Test::AtLeast(n) => {
            values.push((*n).into());
            ">= ?"
        }
        Test::Missing => "IS NULL",
    };
    if clause.negated {
        // A payment without the field is not one that has this value.
        format!("NOT coalesce({column} {test}, 0)")
    } else {
        format!("{column} {test}")
    }
}

#[cfg(test)]
mod tests;

//! Full-text search over a cache table through a contentless FTS5 index
//! that maps words to the table's rowids: the text is not stored twice,
//! and a table's upsert writes its row and its words together. Customers
//! are found by word prefixes ([`Indexed`]); payments by any part of a
//! word, through a trigram index, and by the start of a word
//! ([`Document`], [`search_words`]).

use rusqlite::types::ToSql;
use rusqlite::{Connection, params};

use crate::Result;
use crate::sql::{self, FromRow};

/// What a person typed as an FTS5 query: every word must match, as a
/// prefix, with quotes escaped so no input can break the query. `None` when
/// there is no word.
pub(crate) fn match_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// What a payment is searched by, in two documents: its values (each once,
/// sorted, so that the same values give the same text whatever their
/// order) for the trigram index, and the first one or two characters of
/// every word in them for the word-start index (one or two characters are
/// too short for a trigram).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Document {
    pub text: String,
    pub starts: String,
}

impl Document {
    pub(crate) fn of<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut values: Vec<&str> = values
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        values.sort_unstable();
        values.dedup();
        let mut starts: Vec<String> = values
            .iter()
            .flat_map(|v| v.split(|c: char| !c.is_alphanumeric()))
            .filter(|word| !word.is_empty())
            .map(|word| word.chars().take(2).flat_map(char::to_lowercase).collect())
            .collect();
        starts.sort_unstable();
        starts.dedup();
        Self {
            text: values.join(" "),
            starts: starts.join(" "),
        }
    }

    /// Both, for one hash.
    pub(crate) fn hash(&self) -> i64 {
        words_hash(&format!("{}\u{1f}{}", self.text, self.starts))
    }
}

/// The words of a search, as the two indexes take them: three characters
/// or more for the trigram index (found anywhere: `haddad` in
/// `ines.haddad1@example.com`), one or two for the word-start index (`in`,
/// `h`). Quotes are escaped, so no input can break a query. `None` where
/// there is nothing to look for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SearchWords {
    pub trigrams: Option<String>,
    pub starts: Option<String>,
    /// Some word had nothing to look for (punctuation alone): nothing matches.
    pub nothing: bool,
}

pub(crate) fn search_words(words: &[String]) -> SearchWords {
    let quote = |term: &str| format!("\"{}\"", term.replace('"', "\"\""));
    let mut trigrams = Vec::new();
    let mut starts = Vec::new();
    let mut nothing = false;
    for word in words.iter().flat_map(|w| w.split_whitespace()) {
        if word.chars().count() >= 3 {
            trigrams.push(quote(word));
            continue;
        }
        // Only a word's letters and digits start it.
        let start: String = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        match start.chars().count() {
            0 => nothing = true,
            1 => starts.push(format!("{}*", quote(&start))),
            _ => starts.push(quote(&start)),
        }
    }
    let joined = |terms: Vec<String>| (!terms.is_empty()).then(|| terms.join(" "));
    SearchWords {
        trigrams: joined(trigrams),
        starts: joined(starts),
        nothing,
    }
}

/// A stable hash of words, to skip rewriting unchanged ones.
pub(crate) fn hash(text: &str) -> i64 {
    words_hash(text)
}

/// A row's words: its id, the columns that are set, and extra words.
pub(crate) fn words(id: &str, columns: &[&Option<String>], extra: &[String]) -> String {
    let mut words: Vec<&str> = vec![id];
    words.extend(columns.iter().filter_map(|c| c.as_deref()));
    words.extend(extra.iter().map(String::as_str));
    words.join(" ")
}

/// A stable 64-bit hash of a row's words (FNV-1a): it is stored, so it
/// must not change between builds as std's hashers may.
fn words_hash(words: &str) -> i64 {
    let hash = words.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// A cache table with a text index beside it, and the SQL that keeps the
/// two in step. Statements that run per row are whole constants, so the
/// statement cache finds them without building a string.
pub(crate) struct Indexed {
    pub table: &'static str,
    /// The columns `from_row` reads, in order.
    pub columns: &'static str,
    pub text_table: &'static str,
    /// `INSERT … ON CONFLICT (account_id, id) DO NOTHING`, with the
    /// parameters [`Indexed::upsert`] describes; the hash goes to the
    /// `words_hash` column.
    pub insert: &'static str,
    /// `UPDATE … WHERE account_id = ?1 AND id = ?2`, with the same
    /// parameters as `insert`.
    pub update: &'static str,
    /// `SELECT rowid, words_hash FROM <table> WHERE account_id = ?1 AND id = ?2`.
    pub existing: &'static str,
    /// `INSERT INTO <text_table> (rowid, words) VALUES (?1, ?2)`.
    pub add_words: &'static str,
    /// `DELETE FROM <text_table> WHERE rowid = ?1`.
    pub remove_words: &'static str,
}

impl Indexed {
    /// Adds or refreshes one row and its words. In the SQL the account is
    /// `?1`, the id `?2`, `columns` follow from `?3`, and the words' hash
    /// comes last. A new row costs one insert into each; a refresh touches
    /// the text index only if the words changed.
    pub(crate) fn upsert(
        &self,
        conn: &Connection,
        (account_id, id): (&str, &str),
        columns: &[&dyn ToSql],
        words: &str,
    ) -> Result<()> {
        let hash = words_hash(words);
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(columns.len() + 3);
        values.extend([&account_id as &dyn ToSql, &id]);
        values.extend_from_slice(columns);
        values.push(&hash);
        // No RETURNING: it makes SQLite open a statement savepoint, and FTS5
        // writes its pending words out at every savepoint, a segment per row.
        if sql::execute(conn, self.insert, &values[..])? == 1 {
            let rowid = conn.last_insert_rowid();
            sql::execute(conn, self.add_words, params![rowid, words])?;
            return Ok(());
        }
        let (rowid, stored): (i64, Option<i64>) = conn
            .prepare_cached(self.existing)?
            .query_row([account_id, id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        sql::execute(conn, self.update, &values[..])?;
        // Rewriting words out of rowid order makes FTS5 write out its
        // pending words too, so a refresh that changes none skips it.
        if stored != Some(hash) {
            sql::execute(conn, self.remove_words, [rowid])?;
            sql::execute(conn, self.add_words, params![rowid, words])?;
        }
        Ok(())
    }

    /// Rows of one account whose words match every word of `text` as a
    /// prefix (`ada` finds `ada@example.com`), newest first.
    pub(crate) fn search<T>(
        &self,
        conn: &Connection,
        account_id: &str,
        text: &str,
        limit: usize,
        from_row: FromRow<T>,
    ) -> Result<Vec<T>> {
        let Some(query) = match_query(text) else {
            return Ok(Vec::new());
        };
        // The text index first (CROSS JOIN fixes the order in SQLite):
        // otherwise the planner walks the whole created index to avoid sorting
        // a few hits, which takes 80 ms at a million rows.
        let columns: Vec<String> = self
            .columns
            .split(',')
            .map(|c| format!("t.{}", c.trim()))
            .collect();
        let sql = format!(
            "WITH hits AS MATERIALIZED (SELECT rowid FROM {text} WHERE {text} MATCH ?1)
             SELECT {columns} FROM hits CROSS JOIN {table} t ON t.rowid = hits.rowid
             WHERE t.account_id = ?2 ORDER BY t.created DESC, t.id DESC LIMIT ?3",
            text = self.text_table,
            columns = columns.join(", "),
            table = self.table,
        );
        sql::rows(
            conn,
            &sql,
            params![query, account_id, sql::limit(limit)],
            from_row,
        )
    }

    /// Drops an account's rows and their words.
    pub(crate) fn remove_account(&self, conn: &Connection, account_id: &str) -> Result<()> {
        conn.execute(
            &format!(
                "DELETE FROM {} WHERE rowid IN (SELECT rowid FROM {} WHERE account_id = ?1)",
                self.text_table, self.table
            ),
            [account_id],
        )?;
        conn.execute(
            &format!("DELETE FROM {} WHERE account_id = ?1", self.table),
            [account_id],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_becomes_a_quoted_prefix_term() {
        assert_eq!(
            match_query("  ada  pi_3 ").as_deref(),
            Some("\"ada\"* \"pi_3\"*")
        );
        assert_eq!(
            match_query("say\"hi").as_deref(),
            Some("\"say\"\"hi\"*"),
            "a quote is doubled inside the term"
        );
        assert_eq!(match_query(" \t "), None);
    }

    #[test]
    fn a_document_holds_each_value_once_and_the_starts_of_its_words() {
        let doc = Document::of([
            "Ines.Haddad@example.com",
            "",
            "Mug",
            "Ines.Haddad@example.com",
        ]);
        assert_eq!(doc.text, "Ines.Haddad@example.com Mug");
        assert_eq!(doc.starts, "co ex ha in mu");
        assert_eq!(
            Document::of(["b", "a"]),
            Document::of(["a", "b", "a"]),
            "order does not matter"
        );
        assert_eq!(Document::of(Vec::<&str>::new()), Document::default());
        assert_ne!(Document::of(["ab"]).hash(), Document::of(["abc"]).hash());
    }

    #[test]
    fn a_search_looks_for_substrings_and_for_the_starts_of_words() {
        let words = |text: &str| search_words(&[text.to_owned()]);
        assert_eq!(
            words("haddad In h"),
            SearchWords {
                trigrams: Some("\"haddad\"".into()),
                starts: Some("\"in\" \"h\"*".into()),
                nothing: false,
            }
        );
        assert_eq!(words("say\"hi").trigrams.as_deref(), Some("\"say\"\"hi\""));
        assert!(words("@").nothing, "no letter to start a word with");
        assert_eq!(words(" \t "), SearchWords::default());
    }

    #[test]
    fn the_words_hash_is_fnv_1a_and_never_changes() {
        assert_eq!(words_hash(""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_eq!(words_hash("a"), 0xaf63_dc4c_8601_ec8c_u64 as i64);
        assert_ne!(words_hash("ab"), words_hash("ba"));
    }

    #[test]
    fn words_skip_unset_columns() {
        let set = Some("ada@example.com".to_owned());
        assert_eq!(
            words("cus_1", &[&None, &set], &["vip".to_owned()]),
            "cus_1 ada@example.com vip"
        );
    }
}

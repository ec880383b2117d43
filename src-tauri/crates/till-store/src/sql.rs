//! Helpers the table modules share, so each keeps only its own SQL: cached
//! reads, `AND …` filters, and keyset pages newest first.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Params, Row, params_from_iter};

use crate::Result;

/// Reads one row to a type.
pub(crate) type FromRow<T> = fn(&Row<'_>) -> rusqlite::Result<T>;

/// Where the next page starts: the last row's `created` and id.
pub type After = (i64, String);

/// Every row a cached statement returns.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    from_row: FromRow<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement
        .query_map(params, from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The first row a cached statement returns, if any.
pub(crate) fn optional<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    from_row: FromRow<T>,
) -> Result<Option<T>> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params, from_row)
        .optional()?)
}

/// Runs a cached statement; how many rows it changed.
pub(crate) fn execute(conn: &Connection, sql: &str, params: impl Params) -> Result<usize> {
    Ok(conn.prepare_cached(sql)?.execute(params)?)
}

/// A statement's single integer, as a count.
pub(crate) fn count(conn: &Connection, sql: &str, params: impl Params) -> Result<u64> {
    let n: i64 = conn.prepare_cached(sql)?.query_row(params, |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// One account's row by id, from a table with `UNIQUE (account_id, id)`.
pub(crate) fn by_id<T>(
    conn: &Connection,
    table: &str,
    columns: &str,
    account_id: &str,
    id: &str,
    from_row: FromRow<T>,
) -> Result<Option<T>> {
    let sql = format!("SELECT {columns} FROM {table} WHERE account_id = ?1 AND id = ?2");
    optional(conn, &sql, [account_id, id], from_row)
}

/// Drops every row of an account from a table.
pub(crate) fn remove_account(conn: &Connection, table: &str, account_id: &str) -> Result<()> {
    let sql = format!("DELETE FROM {table} WHERE account_id = ?1");
    execute(conn, &sql, [account_id])?;
    Ok(())
}

/// A limit as SQLite takes it.
pub(crate) fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// `AND …` clauses after `account_id = ?`, and their values in order.
#[derive(Debug, Default)]
pub(crate) struct Where {
    sql: String,
    values: Vec<Value>,
}

impl Where {
    /// `column IN (…)`; an empty list leaves the column open.
    pub(crate) fn any_of(mut self, column: &str, values: &[String]) -> Self {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            self.sql.push_str(&format!(" AND {column} IN ({marks})"));
            self.values
                .extend(values.iter().map(|v| Value::from(v.clone())));
        }
        self
    }

    /// `column = value`; `None` leaves the column open.
    pub(crate) fn equals(self, column: &str, value: Option<&str>) -> Self {
        self.compare(&format!("{column} ="), value.map(str::to_owned))
    }

    /// A comparison such as `amount >=` with its value; `None` leaves it out.
    pub(crate) fn compare(mut self, comparison: &str, value: Option<impl Into<Value>>) -> Self {
        if let Some(value) = value {
            self.sql.push_str(&format!(" AND {comparison} ?"));
            self.values.push(value.into());
        }
        self
    }

    /// A fixed condition with no values (a constant of the caller's).
    pub(crate) fn and(mut self, condition: &'static str) -> Self {
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self
    }

    /// A fixed condition with one `?` and its value, when `wanted`.
    pub(crate) fn and_with(
        mut self,
        wanted: bool,
        condition: &'static str,
        value: impl Into<Value>,
    ) -> Self {
        if wanted {
            self.sql.push_str(" AND ");
            self.sql.push_str(condition);
            self.values.push(value.into());
        }
        self
    }

    /// `account_id = ? AND …`, and the values with the account first.
    pub(crate) fn for_account(self, account_id: &str) -> (String, Vec<Value>) {
        let Where { sql, mut values } = self;
        values.insert(0, Value::from(account_id.to_owned()));
        (format!("account_id = ?{sql}"), values)
    }
}

/// A table listed newest first by `(created, id)`, a page at a time.
pub(crate) struct Keyset<T> {
    pub table: &'static str,
    pub columns: &'static str,
    pub from_row: FromRow<T>,
    /// The row's `(created, id)`, where the next page starts.
    pub key: fn(&T) -> After,
}

impl<T> Keyset<T> {
    /// A page by keyset: constant time however deep.
    pub(crate) fn page(
        &self,
        conn: &Connection,
        account_id: &str,
        filter: Where,
        after: Option<&After>,
        limit: usize,
    ) -> Result<(Vec<T>, Option<After>)> {
        let (mut clauses, mut values) = filter.for_account(account_id);
        if let Some((created, id)) = after {
            clauses.push_str(" AND (created, id) < (?, ?)");
            values.push(Value::from(*created));
            values.push(Value::from(id.clone()));
        }
        // One row more than asked tells whether there is a next page.
        values.push(Value::from(self::limit(limit).saturating_add(1)));
        let sql = format!(
            "SELECT {} FROM {} WHERE {clauses} ORDER BY created DESC, id DESC LIMIT ?",
            self.columns, self.table
        );
        let mut found = rows(conn, &sql, params_from_iter(values), self.from_row)?;
        let next = if found.len() > limit {
            found.truncate(limit);
            found.last().map(self.key)
        } else {
            None
        };
        Ok((found, next))
    }

    /// Every row whose `column` is `value`, newest first: for the few rows
    /// of one parent, never a whole list.
    pub(crate) fn all_with(
        &self,
        conn: &Connection,
        account_id: &str,
        (column, value): (&str, &str),
    ) -> Result<Vec<T>> {
        let filter = Where::default().equals(column, Some(value));
        let (clauses, values) = filter.for_account(account_id);
        let sql = format!(
            "SELECT {} FROM {} WHERE {clauses} ORDER BY created DESC, id DESC",
            self.columns, self.table
        );
        rows(conn, &sql, params_from_iter(values), self.from_row)
    }

    /// How many rows a filter keeps.
    pub(crate) fn count(&self, conn: &Connection, account_id: &str, filter: Where) -> Result<u64> {
        let (clauses, values) = filter.for_account(account_id);
        let sql = format!("SELECT count(*) FROM {} WHERE {clauses}", self.table);
        count(conn, &sql, params_from_iter(values))
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! The checks every cache table passes, written once.

    use std::fmt::Debug;

    use rusqlite::Connection;

    use crate::Result;
    pub(crate) use crate::Store;

    type Upsert<R> = fn(&Connection, &str, &R) -> Result<()>;
    type Get<R> = fn(&Connection, &str, &str) -> Result<Option<R>>;
    type Remove = fn(&Connection, &str) -> Result<()>;

    pub(crate) fn rows_of(conn: &Connection, table: &str, account_id: &str) -> i64 {
        conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE account_id = ?1"),
            [account_id],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// A row reads back as written; a second upsert updates it in place;
    /// accounts never see each other's rows; removing an account removes
    /// its rows only.
    pub(crate) fn upsert_get_remove<R: Debug + PartialEq>(
        table: &str,
        (upsert, get, remove): (Upsert<R>, Get<R>, Remove),
        id: &str,
        first: &R,
        changed: &R,
    ) {
        assert_ne!(first, changed, "the update must change something");
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        upsert(conn, "acct_1", first).unwrap();
        assert_eq!(get(conn, "acct_1", id).unwrap().as_ref(), Some(first));
        assert_eq!(get(conn, "acct_2", id).unwrap(), None, "accounts never mix");
        upsert(conn, "acct_1", changed).unwrap();
        assert_eq!(get(conn, "acct_1", id).unwrap().as_ref(), Some(changed));
        assert_eq!(rows_of(conn, table, "acct_1"), 1, "updated, not duplicated");
        upsert(conn, "acct_2", first).unwrap();
        assert_eq!(get(conn, "acct_1", id).unwrap().as_ref(), Some(changed));
        remove(conn, "acct_1").unwrap();
        assert_eq!(get(conn, "acct_1", id).unwrap(), None);
        assert_eq!(get(conn, "acct_2", id).unwrap().as_ref(), Some(first));
    }

    /// What SQLite plans for a query, one step a line.
    pub(crate) fn plan(conn: &Connection, sql: &str) -> String {
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        // Unbound: the plan does not depend on the values.
        let mut rows = statement.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push(row.get::<_, String>(3).unwrap());
        }
        steps.join("\n")
    }

    /// Every row, page after page, checking no page is longer than asked.
    pub(crate) fn walk<T>(
        limit: usize,
        page: impl Fn(Option<&super::After>, usize) -> Result<(Vec<T>, Option<super::After>)>,
    ) -> Vec<T> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let (rows, next) = page(after.as_ref(), limit).unwrap();
            assert!(rows.len() <= limit);
            all.extend(rows);
            match next {
                Some(next) => after = Some(next),
                None => return all,
            }
        }
    }

    /// Ids of rows, for comparing orders.
    pub(crate) fn ids<R>(rows: &[R], id: fn(&R) -> &str) -> Vec<String> {
        rows.iter().map(|r| id(r).to_owned()).collect()
    }
}

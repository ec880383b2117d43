//! `checkout_sessions` and `checkout_line_items`: the cached Checkout
//! Sessions of every account and what each one sells. Line items belong to
//! their session: they are replaced as a whole and go when it goes. What a
//! session sold, its reference and email are searched with the payment it
//! made ([`super::payment_search`]), kept in step by every write here.

use rusqlite::{Connection, params, params_from_iter};

use crate::sql::{self, After, FromRow, Keyset, Where};
use crate::table::payment_search;
use crate::{Migration, Result};

pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 8,
    name: "checkout_sessions",
    sql: "CREATE TABLE checkout_sessions (
        account_id TEXT NOT NULL,
        id TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        payment_status TEXT NOT NULL,
        mode TEXT NOT NULL,
        amount_total INTEGER,
        currency TEXT,
        customer_id TEXT,
        customer_email TEXT,
        client_reference_id TEXT,
        payment_intent TEXT,
        url TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, id)
    ) STRICT;
    CREATE INDEX checkout_sessions_by_created ON checkout_sessions (account_id, created DESC, id DESC);
    CREATE INDEX checkout_sessions_open ON checkout_sessions (account_id, expires_at) WHERE status = 'open';
    CREATE INDEX checkout_sessions_by_payment_intent ON checkout_sessions (account_id, payment_intent)
        WHERE payment_intent IS NOT NULL;
    CREATE TABLE checkout_line_items (
        account_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        -- Where Stripe lists the item in its session, from 0.
        position INTEGER NOT NULL,
        id TEXT NOT NULL,
        description TEXT,
        quantity INTEGER,
        amount_subtotal INTEGER NOT NULL,
        amount_total INTEGER NOT NULL,
        currency TEXT NOT NULL,
        price_id TEXT,
        raw TEXT NOT NULL,
        UNIQUE (account_id, session_id, position),
        FOREIGN KEY (account_id, session_id) REFERENCES checkout_sessions (account_id, id) ON DELETE CASCADE
    ) STRICT;",
}];

/// One Checkout Session as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionRow {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    /// `open`, `complete` or `expired`.
    pub status: String,
    pub payment_status: String,
    pub mode: String,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub customer_id: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub payment_intent: Option<String>,
    pub url: Option<String>,
    pub raw: String,
    /// The caller stores this session's line items right after it
    /// ([`replace_line_items`]), which then rewrites its payment's search
    /// document once for both: not stored.
    pub lines_follow: bool,
}

/// One line item of a session; its position is its place in the slice
/// given to [`replace_line_items`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineItemRow {
    pub id: String,
    pub description: Option<String>,
    pub quantity: Option<i64>,
    pub amount_subtotal: i64,
    pub amount_total: i64,
    pub currency: String,
    pub price_id: Option<String>,
    pub raw: String,
}

const COLUMNS: &str =
    "id, created, expires_at, status, payment_status, mode, amount_total, currency, customer_id,
    customer_email, client_reference_id, payment_intent, url, raw";

const FROM_ROW: FromRow<SessionRow> = |r| {
    Ok(SessionRow {
        id: r.get(0)?,
        created: r.get(1)?,
        expires_at: r.get(2)?,
        status: r.get(3)?,
        payment_status: r.get(4)?,
        mode: r.get(5)?,
        amount_total: r.get(6)?,
        currency: r.get(7)?,
        customer_id: r.get(8)?,
        customer_email: r.get(9)?,
        client_reference_id: r.get(10)?,
        payment_intent: r.get(11)?,
        url: r.get(12)?,
        raw: r.get(13)?,
        lines_follow: false,
    })
};

const LIST: Keyset<SessionRow> = Keyset {
    table: "checkout_sessions",
    columns: COLUMNS,
    from_row: FROM_ROW,
    key: |r| (r.created, r.id.clone()),
};

/// Adds or refreshes one session; its line items stay (an upsert, never a
/// delete and insert, which would cascade to them). Its payment's search
/// document takes its reference and email, if the payment is cached.
pub fn upsert(conn: &Connection, account_id: &str, row: &SessionRow) -> Result<()> {
    // What its payment is searched by, as cached: a refresh that changes
    // none of it leaves the payment's document alone.
    let searched: Option<(Option<String>, Option<String>, Option<String>)> = sql::optional(
        conn,
        "SELECT payment_intent, client_reference_id, customer_email FROM checkout_sessions
         WHERE account_id = ?1 AND id = ?2",
        [account_id, &row.id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let unchanged = searched
        .as_ref()
        .is_some_and(|(payment, reference, email)| {
            (payment, reference, email)
                == (
                    &row.payment_intent,
                    &row.client_reference_id,
                    &row.customer_email,
                )
        });
    sql::execute(
        conn,
        "INSERT INTO checkout_sessions (account_id, id, created, expires_at, status, payment_status, mode, amount_total,
            currency, customer_id, customer_email, client_reference_id, payment_intent, url, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (account_id, id) DO UPDATE SET created = excluded.created, expires_at = excluded.expires_at,
            status = excluded.status, payment_status = excluded.payment_status, mode = excluded.mode,
            amount_total = excluded.amount_total, currency = excluded.currency, customer_id = excluded.customer_id,
            customer_email = excluded.customer_email, client_reference_id = excluded.client_reference_id,
            payment_intent = excluded.payment_intent, url = excluded.url, raw = excluded.raw",
        params![
            account_id, row.id, row.created, row.expires_at, row.status, row.payment_status, row.mode,
            row.amount_total, row.currency, row.customer_id, row.customer_email, row.client_reference_id,
            row.payment_intent, row.url, row.raw
        ],
    )?;
    if !unchanged
        && !row.lines_follow
        && let Some(payment) = &row.payment_intent
    {
        payment_search::refresh(conn, account_id, payment)?;
    }
    Ok(())
}

pub fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<SessionRow>> {
    sql::by_id(conn, "checkout_sessions", COLUMNS, account_id, id, FROM_ROW)
}

/// Replaces a session's line items with these, in this order. The session
/// must be cached first. Its payment's search document takes their names.
pub fn replace_line_items(
    conn: &Connection,
    account_id: &str,
    session_id: &str,
    items: &[LineItemRow],
) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM checkout_line_items WHERE account_id = ?1 AND session_id = ?2",
        [account_id, session_id],
    )?;
    for (position, item) in (0_i64..).zip(items) {
        sql::execute(
            conn,
            "INSERT INTO checkout_line_items (account_id, session_id, position, id, description, quantity,
                amount_subtotal, amount_total, currency, price_id, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                account_id, session_id, position, item.id, item.description, item.quantity, item.amount_subtotal,
                item.amount_total, item.currency, item.price_id, item.raw
            ],
        )?;
    }
    let payment: Option<String> = sql::optional(
        conn,
        "SELECT payment_intent FROM checkout_sessions WHERE account_id = ?1 AND id = ?2",
        [account_id, session_id],
        |r| r.get(0),
    )?
    .flatten();
    if let Some(payment) = payment {
        payment_search::refresh(conn, account_id, &payment)?;
    }
    Ok(())
}

/// A session's line items, in Stripe's order.
pub fn line_items(
    conn: &Connection,
    account_id: &str,
    session_id: &str,
) -> Result<Vec<LineItemRow>> {
    sql::rows(
        conn,
        "SELECT id, description, quantity, amount_subtotal, amount_total, currency, price_id, raw
         FROM checkout_line_items WHERE account_id = ?1 AND session_id = ?2 ORDER BY position",
        [account_id, session_id],
        |r| {
            Ok(LineItemRow {
                id: r.get(0)?,
                description: r.get(1)?,
                quantity: r.get(2)?,
                amount_subtotal: r.get(3)?,
                amount_total: r.get(4)?,
                currency: r.get(5)?,
                price_id: r.get(6)?,
                raw: r.get(7)?,
            })
        },
    )
}

/// A page of sessions newest first, of one status or all; the second value
/// is where the next page starts.
pub fn page(
    conn: &Connection,
    account_id: &str,
    status: Option<&str>,
    after: Option<&After>,
    limit: usize,
) -> Result<(Vec<SessionRow>, Option<After>)> {
    LIST.page(
        conn,
        account_id,
        Where::default().equals("status", status),
        after,
        limit,
    )
}

/// Sessions whose id, email, reference, payment or a line's name contains
/// every word (any case), of one status or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub status: Option<String>,
    pub text: String,
}

/// One word in any of a session's searched columns or lines, its `LIKE`
/// pattern the numbered parameter `n`.
fn has_word(n: usize) -> String {
    let like = format!("LIKE ?{n} ESCAPE '\\'");
    format!(
        "(id {like} OR customer_email {like} OR client_reference_id {like} OR payment_intent {like}
          OR EXISTS (SELECT 1 FROM checkout_line_items l WHERE l.account_id = checkout_sessions.account_id
              AND l.session_id = checkout_sessions.id AND l.description {like}))"
    )
}

/// The `WHERE` of a search, and its values.
fn search_where(search: &Search, account_id: &str) -> (String, Vec<rusqlite::types::Value>) {
    let mut clauses = "account_id = ?1".to_owned();
    let mut values = vec![rusqlite::types::Value::from(account_id.to_owned())];
    if let Some(status) = &search.status {
        values.push(status.clone().into());
        clauses.push_str(&format!(" AND status = ?{}", values.len()));
    }
    for word in search.text.split_whitespace() {
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        values.push(format!("%{escaped}%").into());
        clauses.push_str(" AND ");
        clauses.push_str(&has_word(values.len()));
    }
    (clauses, values)
}

/// The newest sessions a search finds, at most `limit`, and how many it
/// finds in all. A few thousand sessions are read through: a session is
/// searched by a line's name, which no index holds.
pub fn search(
    conn: &Connection,
    account_id: &str,
    search: &Search,
    limit: usize,
) -> Result<(Vec<SessionRow>, u64)> {
    let (clauses, values) = search_where(search, account_id);
    let rows = sql::rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM checkout_sessions WHERE {clauses} ORDER BY created DESC, id DESC LIMIT {}",
            sql::limit(limit)
        ),
        params_from_iter(values.clone()),
        FROM_ROW,
    )?;
    let total = sql::count(
        conn,
        &format!("SELECT count(*) FROM checkout_sessions WHERE {clauses}"),
        params_from_iter(values),
    )?;
    Ok((rows, total))
}

const OPEN_EXPIRING: &str = "FROM checkout_sessions
    WHERE account_id = ?1 AND status = 'open' AND expires_at < ?2 ORDER BY expires_at, id";

/// Open sessions that expire before `until`, soonest first.
pub fn open_expiring(conn: &Connection, account_id: &str, until: i64) -> Result<Vec<SessionRow>> {
    sql::rows(
        conn,
        &format!("SELECT {COLUMNS} {OPEN_EXPIRING}"),
        params![account_id, until],
        FROM_ROW,
    )
}

/// The session that created a PaymentIntent, if it came from Checkout.
pub fn for_payment_intent(
    conn: &Connection,
    account_id: &str,
    payment_intent: &str,
) -> Result<Option<SessionRow>> {
    sql::optional(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM checkout_sessions WHERE account_id = ?1 AND payment_intent = ?2
             ORDER BY created DESC, id DESC LIMIT 1"
        ),
        [account_id, payment_intent],
        FROM_ROW,
    )
}

/// Drops an account's cached sessions and their line items.
pub fn remove_account(conn: &Connection, account_id: &str) -> Result<()> {
    // Explicitly, not by the cascade: it holds even with foreign keys off.
    sql::remove_account(conn, "checkout_line_items", account_id)?;
    sql::remove_account(conn, "checkout_sessions", account_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::testing::{self, Store, ids, walk};

    const STATUSES: [&str; 3] = ["open", "complete", "expired"];

    fn session(n: i64) -> SessionRow {
        SessionRow {
            id: format!("cs_{n:03}"),
            created: 1_700_000_000 + (n / 2) * 60,
            // Later sessions expire sooner, so the two orders differ.
            expires_at: 1_700_090_000 - n * 100,
            status: STATUSES[usize::try_from(n).unwrap() % 3].into(),
            payment_status: "unpaid".into(),
            mode: "payment".into(),
            amount_total: Some(2_000 + n),
            currency: Some("usd".into()),
            payment_intent: (n % 3 == 1).then(|| format!("pi_{n:03}")),
            url: Some(format!("https://checkout.stripe.com/c/pay/cs_{n:03}")),
            raw: format!("{{\"id\":\"cs_{n:03}\"}}"),
            ..SessionRow::default()
        }
    }

    fn item(n: i64) -> LineItemRow {
        LineItemRow {
            id: format!("li_{n}"),
            description: Some(format!("Thing {n}")),
            quantity: Some(n),
            amount_subtotal: 500 * n,
            amount_total: 500 * n,
            currency: "usd".into(),
            price_id: Some(format!("price_{n}")),
            raw: format!("{{\"id\":\"li_{n}\"}}"),
        }
    }

    fn filled() -> Store {
        let store = Store::in_memory().unwrap();
        for n in 0..30 {
            upsert(store.conn(), "acct_1", &session(n)).unwrap();
        }
        upsert(store.conn(), "acct_2", &session(99)).unwrap();
        store
    }

    #[test]
    fn upsert_get_update_and_isolation() {
        let changed = SessionRow {
            status: "complete".into(),
            payment_status: "paid".into(),
            customer_email: Some("ada@example.com".into()),
            ..session(0)
        };
        testing::upsert_get_remove(
            "checkout_sessions",
            (upsert, get, remove_account),
            "cs_000",
            &session(0),
            &changed,
        );
    }

    #[test]
    fn line_items_are_replaced_whole_survive_a_refresh_and_go_with_their_session() {
        let store = filled();
        let conn = store.conn();
        replace_line_items(conn, "acct_1", "cs_001", &[item(3), item(1), item(2)]).unwrap();
        replace_line_items(conn, "acct_2", "cs_099", &[item(9)]).unwrap();
        assert_eq!(
            line_items(conn, "acct_1", "cs_001").unwrap(),
            [item(3), item(1), item(2)]
        );
        replace_line_items(conn, "acct_1", "cs_001", &[item(2), item(4)]).unwrap();
        upsert(conn, "acct_1", &session(1)).unwrap();
        assert_eq!(
            line_items(conn, "acct_1", "cs_001").unwrap(),
            [item(2), item(4)]
        );
        assert!(
            line_items(conn, "acct_1", "cs_099").unwrap().is_empty(),
            "accounts never mix"
        );
        assert!(
            replace_line_items(conn, "acct_1", "cs_nope", &[item(1)]).is_err(),
            "no line items without their session"
        );
        conn.execute("DELETE FROM checkout_sessions WHERE id = 'cs_001'", [])
            .unwrap();
        assert_eq!(
            testing::rows_of(conn, "checkout_line_items", "acct_1"),
            0,
            "cascaded"
        );
        remove_account(conn, "acct_1").unwrap();
        assert_eq!(line_items(conn, "acct_2", "cs_099").unwrap(), [item(9)]);
    }

    #[test]
    fn pages_walk_newest_first_with_or_without_a_status() {
        let store = filled();
        let conn = store.conn();
        let mut expected: Vec<SessionRow> = (0..30).map(session).collect();
        expected.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
        assert_eq!(
            walk(7, |after, limit| page(conn, "acct_1", None, after, limit)),
            expected
        );
        expected.retain(|s| s.status == "complete");
        assert_eq!(expected.len(), 10);
        assert_eq!(
            walk(3, |after, limit| page(
                conn,
                "acct_1",
                Some("complete"),
                after,
                limit
            )),
            expected
        );
    }

    #[test]
    fn open_sessions_expiring_come_soonest_first() {
        let store = filled();
        let until = session(6).expires_at;
        let found = open_expiring(store.conn(), "acct_1", until).unwrap();
        // Open: every third from 0; expiring before session 6's time: later ones.
        let expected: Vec<String> = (7..30)
            .rev()
            .filter(|n| n % 3 == 0)
            .map(|n| session(n).id)
            .collect();
        assert_eq!(ids(&found, |s| &s.id), expected);
        let plan = testing::plan(store.conn(), &format!("SELECT id {OPEN_EXPIRING}"));
        assert!(plan.contains("checkout_sessions_open"), "{plan}");
    }

    #[test]
    fn a_search_reads_every_session_by_its_lines_email_reference_and_ids_and_counts_them() {
        let store = filled();
        let conn = store.conn();
        for n in 0..30 {
            let name = if n % 2 == 0 {
                "Flat white"
            } else {
                "Oat_latte 100%"
            };
            replace_line_items(
                conn,
                "acct_1",
                &format!("cs_{n:03}"),
                &[LineItemRow {
                    description: Some(name.into()),
                    ..item(1)
                }],
            )
            .unwrap();
        }
        upsert(
            conn,
            "acct_1",
            &SessionRow {
                customer_email: Some("ines.haddad@example.com".into()),
                client_reference_id: Some("cart-9".into()),
                ..session(4)
            },
        )
        .unwrap();
        let find = |status: Option<&str>, text: &str, limit| {
            let search = Search {
                status: status.map(str::to_owned),
                text: text.into(),
            };
            let (rows, total) = super::search(conn, "acct_1", &search, limit).unwrap();
            (ids(&rows, |s| &s.id), total)
        };
        let (rows, total) = find(None, "WHITE", 5);
        assert_eq!(total, 15, "every match counted, beyond the page");
        assert_eq!(rows, ["cs_028", "cs_026", "cs_024", "cs_022", "cs_020"]);
        assert_eq!(find(Some("complete"), "white", 100).1, 5);
        assert_eq!(
            find(None, "haddad cart-9", 10),
            (vec!["cs_004".to_owned()], 1)
        );
        assert_eq!(find(None, "pi_004", 10).0, ["cs_004"], "its payment");
        assert_eq!(find(None, "100%", 100).1, 15, "% is a character");
        assert_eq!(
            find(None, "t_", 100).1,
            15,
            "_ too: Oat_latte, not \"Flat white\""
        );
        assert_eq!(find(None, "", 100).1, 30);
        assert_eq!(find(None, "cs_099", 10).1, 0, "accounts never mix");
    }

    #[test]
    fn a_payment_intent_finds_its_session() {
        let store = filled();
        let conn = store.conn();
        assert_eq!(
            for_payment_intent(conn, "acct_1", "pi_004").unwrap(),
            Some(session(4))
        );
        assert_eq!(for_payment_intent(conn, "acct_1", "pi_005").unwrap(), None);
        assert_eq!(for_payment_intent(conn, "acct_2", "pi_004").unwrap(), None);
    }
}

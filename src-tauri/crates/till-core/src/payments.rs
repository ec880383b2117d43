//! Payments as the lists show them, read from the cache: pages with filters
//! and sorting. Search is [`crate::search`].

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::Store;
use till_store::table::charges;
use till_store::table::payment_intents::{self, Cursor, Filter, PaymentRow, Sort};

use crate::Error;

/// One row of the Payments list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSummary {
    pub id: String,
    pub created: i64,
    /// In the currency's smallest unit.
    pub amount: i64,
    /// Held and still capturable (holds only).
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub currency: String,
    pub status: String,
    pub customer_email: Option<String>,
    pub description: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub capture_before: Option<i64>,
    /// Refunded of what was captured (0 while unknown: the charge is not
    /// cached yet).
    pub amount_refunded: i64,
}

impl From<PaymentRow> for PaymentSummary {
    fn from(row: PaymentRow) -> Self {
        Self {
            id: row.id,
            created: row.created,
            amount: row.amount,
            amount_capturable: row.amount_capturable,
            amount_received: row.amount_received,
            currency: row.currency,
            status: row.status,
            customer_email: row.customer_email,
            description: row.description,
            card_brand: row.card_brand,
            card_last4: row.card_last4,
            capture_before: row.capture_before,
            amount_refunded: 0,
        }
    }
}

/// Rows as the lists show them, with what was refunded of each, which is on
/// its charge.
pub(crate) fn summaries(
    conn: &rusqlite::Connection,
    account_id: &str,
    rows: Vec<PaymentRow>,
) -> Result<Vec<PaymentSummary>, Error> {
    let refunded = charges::refunded(
        conn,
        account_id,
        rows.iter().filter_map(|r| r.latest_charge.as_deref()),
    )?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let amount_refunded = row
                .latest_charge
                .as_deref()
                .and_then(|id| refunded.get(id))
                .copied()
                .unwrap_or(0);
            PaymentSummary {
                amount_refunded,
                ..PaymentSummary::from(row)
            }
        })
        .collect())
}

/// A page of the list and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPage {
    pub rows: Vec<PaymentSummary>,
    /// Pass back to get the next page; none at the end.
    pub next: Option<PageCursor>,
    /// How many payments match, in all.
    pub total: u32,
}

/// Where the next page starts: the last row's sort value (created time or
/// amount) and id. Opaque to the UI, which passes it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageCursor {
    pub value: i64,
    pub id: String,
}

/// The list's order: the column headers the user clicks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PaymentSort {
    #[default]
    NewestFirst,
    OldestFirst,
    LargestFirst,
    SmallestFirst,
}

/// The list's filter chips; an empty or missing value leaves that open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentQuery {
    pub statuses: Vec<String>,
    pub currency: Option<String>,
    /// Unix time, inclusive.
    pub created_from: Option<i64>,
    /// Unix time, exclusive.
    pub created_before: Option<i64>,
    /// Minor units of `currency`; a range needs a currency to mean anything.
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub customer_id: Option<String>,
    /// Only payments with money refunded (any part).
    #[serde(default)]
    pub refunded_only: bool,
    pub sort: PaymentSort,
}

/// A page of the cached list, filtered and sorted.
pub fn page(
    store: &Store,
    account_id: &str,
    query: PaymentQuery,
    after: Option<PageCursor>,
    limit: usize,
) -> Result<PaymentPage, Error> {
    let currency = query.currency.map(|c| c.to_ascii_lowercase());
    // An amount range is in one currency's minor units: without a currency
    // it would compare yen with cents, so it is ignored.
    let (amount_min, amount_max) = match currency {
        Some(_) => (query.amount_min, query.amount_max),
        None => (None, None),
    };
    let filter = Filter {
        statuses: query.statuses,
        currency,
        created_from: query.created_from,
        created_before: query.created_before,
        amount_min,
        amount_max,
        customer_id: query.customer_id,
        refunded: query.refunded_only,
    };
    let sort = match query.sort {
        PaymentSort::NewestFirst => Sort::NewestFirst,
        PaymentSort::OldestFirst => Sort::OldestFirst,
        PaymentSort::LargestFirst => Sort::LargestFirst,
        PaymentSort::SmallestFirst => Sort::SmallestFirst,
    };
    let cursor = after.map(|c| Cursor {
        value: c.value,
        id: c.id,
    });
    let page = payment_intents::page(
        store.conn(),
        account_id,
        &filter,
        sort,
        cursor.as_ref(),
        limit.clamp(1, 500),
    )?;
    let total = u32::try_from(payment_intents::count(store.conn(), account_id, &filter)?)
        .unwrap_or(u32::MAX);
    Ok(PaymentPage {
        rows: summaries(store.conn(), account_id, page.rows)?,
        next: page.next.map(|c| PageCursor {
            value: c.value,
            id: c.id,
        }),
        total,
    })
}

/// The currencies of the cached payments, for the currency chip.
pub fn currencies(store: &Store, account_id: &str) -> Result<Vec<String>, Error> {
    Ok(payment_intents::currencies(store.conn(), account_id)?)
}

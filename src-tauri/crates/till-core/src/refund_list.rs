//! The Refunds section: every refund with its status, newest first, from
//! the cache. Released holds are not refunds and never appear here.

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::Store;
use till_store::table::payment_intents;
use till_store::table::refunds::{self, Filter};

use crate::Error;

/// One refund as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundLine {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    /// `pending`, `requires_action`, `succeeded`, `failed`, `canceled`.
    pub status: String,
    pub reason: Option<String>,
    pub failure_reason: Option<String>,
    pub payment_intent: Option<String>,
    pub customer_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundCursor {
    pub created: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundPage {
    pub rows: Vec<RefundLine>,
    pub next: Option<RefundCursor>,
    /// How many refunds match the filters, in all.
    pub total: u32,
    /// Failed refunds among all, whatever the filters: the customer was not paid back.
    pub failed: u32,
}

/// The list's filters; an empty or missing value leaves that open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundQuery {
    pub statuses: Vec<String>,
    pub currency: Option<String>,
    /// Unix time, inclusive.
    pub created_from: Option<i64>,
    /// Unix time, exclusive.
    pub created_before: Option<i64>,
    /// Minor units of `currency`; a range needs a currency to mean anything.
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
}

impl RefundQuery {
    fn filter(self) -> Filter {
        let currency = self.currency.map(|c| c.to_ascii_lowercase());
        // An amount range is in one currency's minor units: without a
        // currency it would compare yen with cents, so it is left out.
        let (amount_min, amount_max) = match currency {
            Some(_) => (self.amount_min, self.amount_max),
            None => (None, None),
        };
        Filter {
            statuses: self.statuses,
            currency,
            created_from: self.created_from,
            created_before: self.created_before,
            amount_min,
            amount_max,
        }
    }
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn page(
    store: &Store,
    account_id: &str,
    query: RefundQuery,
    after: Option<RefundCursor>,
    limit: usize,
) -> Result<RefundPage, Error> {
    let conn = store.conn();
    let after = after.map(|c| (c.created, c.id));
    let filter = query.filter();
    let (rows, next) = refunds::page(
        conn,
        account_id,
        &filter,
        after.as_ref(),
        limit.clamp(1, 200),
    )?;
    let mut lines = Vec::with_capacity(rows.len());
    for refund in rows {
        let customer_email = match &refund.payment_intent {
            Some(pi) => payment_intents::get(conn, account_id, pi)?.and_then(|p| p.customer_email),
            None => None,
        };
        lines.push(RefundLine {
            id: refund.id,
            created: refund.created,
            amount: refund.amount,
            currency: refund.currency,
            status: refund.status,
            reason: refund.reason,
            failure_reason: refund.failure_reason,
            payment_intent: refund.payment_intent,
            customer_email,
        });
    }
    Ok(RefundPage {
        rows: lines,
        next: next.map(|(created, id)| RefundCursor { created, id }),
        total: count(refunds::count(conn, account_id, &filter)?),
        failed: count(refunds::count(
            conn,
            account_id,
            &Filter::statuses(&["failed".to_owned()]),
        )?),
    })
}

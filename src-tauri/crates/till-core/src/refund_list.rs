//! The Refunds section: every refund with its status, newest first, from
//! the cache. Released holds are not refunds and never appear here.

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::Store;
use till_store::table::{payment_intents, refunds};

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
    /// How many refunds match, in all.
    pub total: u32,
    /// Failed refunds among all (not only this page): the customer was not paid back.
    pub failed: u32,
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn page(
    store: &Store,
    account_id: &str,
    statuses: Vec<String>,
    after: Option<RefundCursor>,
    limit: usize,
) -> Result<RefundPage, Error> {
    let conn = store.conn();
    let after = after.map(|c| (c.created, c.id));
    let (rows, next) = refunds::page(
        conn,
        account_id,
        &statuses,
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
        total: count(refunds::count(conn, account_id, &statuses)?),
        failed: count(refunds::count(conn, account_id, &["failed".to_owned()])?),
    })
}

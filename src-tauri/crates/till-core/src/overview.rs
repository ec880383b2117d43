//! The Overview: money in, refunds, net and fees by day and currency, the
//! balance, and the holds about to lapse, all from the cache.
//!
//! Days are the user's: the UI sends the local midnights (it knows the time
//! zone and its daylight-saving rules), the core adds up each day.

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::{balance_transactions, payment_intents, refunds, sync_state};

use crate::Error;
use crate::payments::PaymentSummary;

/// Succeeded payments in one currency (the customer's, "presentment").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GrossTotal {
    pub currency: String,
    /// Received, in minor units.
    pub gross: i64,
    pub count: i64,
}

/// Refunds in one currency: pending and succeeded ones (failed and
/// canceled refunds moved no money; released holds are not refunds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundTotal {
    pub currency: String,
    pub amount: i64,
    pub count: i64,
}

/// What reached the balance in one settlement currency: the amount, Stripe's
/// fees and what is left (net), over charges, refunds and adjustments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NetTotal {
    pub currency: String,
    pub amount: i64,
    pub fees: i64,
    pub net: i64,
}

/// One local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DayTotals {
    /// The day's local midnight, as a Unix time.
    pub start: i64,
    pub gross: Vec<GrossTotal>,
    pub refunds: Vec<RefundTotal>,
    pub net: Vec<NetTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BalanceAmount {
    pub currency: String,
    pub available: i64,
    pub pending: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// Oldest first, one per midnight the UI sent.
    pub days: Vec<DayTotals>,
    pub balance: Vec<BalanceAmount>,
    /// When the balance was read from Stripe; none before the first sync.
    pub balance_as_of: Option<i64>,
    /// Holds whose authorization lapses within 24 hours, soonest first.
    pub holds_expiring: Vec<PaymentSummary>,
}

/// At most this many days in one Overview (a quarter and a bit).
pub const MAX_DAYS: usize = 100;

/// `midnights` ascending; the last day runs to `now`.
pub fn overview(
    store: &Store,
    account_id: &str,
    midnights: &[i64],
    now: i64,
) -> Result<Overview, Error> {
    let conn = store.conn();
    let mut midnights: Vec<i64> = midnights.to_vec();
    midnights.sort_unstable();
    midnights.dedup();
    let skip = midnights.len().saturating_sub(MAX_DAYS);
    let midnights = &midnights[skip..];
    let mut days = Vec::with_capacity(midnights.len());
    for (index, start) in midnights.iter().enumerate() {
        let end = midnights.get(index + 1).copied().unwrap_or(now + 1);
        let gross = payment_intents::totals(conn, account_id, *start, end)?
            .into_iter()
            .map(|t| GrossTotal {
                currency: t.currency,
                gross: t.gross,
                count: t.count,
            })
            .collect();
        let refunds = refunds::totals(conn, account_id, *start, end)?
            .into_iter()
            .map(|t| RefundTotal {
                currency: t.currency,
                amount: t.amount,
                count: t.count,
            })
            .collect();
        let net = balance_transactions::net_totals(conn, account_id, *start, end)?
            .into_iter()
            .map(|t| NetTotal {
                currency: t.currency,
                amount: t.gross,
                fees: t.fees,
                net: t.net,
            })
            .collect();
        days.push(DayTotals {
            start: *start,
            gross,
            refunds,
            net,
        });
    }
    let snapshot = sync_state::balance(conn, account_id)?;
    let balance_as_of = sync_state::balance_fetched_at(conn, account_id)?;
    let holds = payment_intents::holds_expiring(conn, account_id, now + 24 * 3600)?;
    Ok(Overview {
        days,
        balance: snapshot
            .into_iter()
            .map(|b| BalanceAmount {
                currency: b.currency,
                available: b.available,
                pending: b.pending,
            })
            .collect(),
        balance_as_of,
        holds_expiring: holds
            .into_iter()
            .filter(|h| h.capture_before.is_some_and(|at| at > now))
            .map(PaymentSummary::from)
            .collect(),
    })
}

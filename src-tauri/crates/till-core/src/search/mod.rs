//! One search for payments, which the Payments list and Ctrl+K both use:
//! what was typed is read ([`query`]), then found in the cache's trigram
//! index (`till_store::table::payment_search`), newest first.

pub mod query;

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::payment_search;

pub use query::{Parsed, QueryProblem, parse};

use crate::Error;
use crate::payments::{PaymentSummary, summaries};

/// What a search answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum PaymentSearch {
    /// The newest matches; `more` when there are others beyond them.
    Found {
        rows: Vec<PaymentSummary>,
        more: bool,
    },
    /// A query still being typed (`status:'succ`): not run. Keep showing
    /// the last answer.
    Incomplete,
    /// A finished query that cannot run, and why.
    Invalid { problem: QueryProblem },
}

/// The newest payments matching what was typed, at most `limit` (1–500).
pub fn payments(
    store: &Store,
    account_id: &str,
    text: &str,
    limit: usize,
) -> Result<PaymentSearch, Error> {
    match parse(text) {
        Parsed::Incomplete => Ok(PaymentSearch::Incomplete),
        Parsed::Invalid(problem) => Ok(PaymentSearch::Invalid { problem }),
        Parsed::Query(query) => found(store, account_id, &query, limit),
    }
}

/// Runs a query already read.
pub(crate) fn found(
    store: &Store,
    account_id: &str,
    query: &payment_search::Query,
    limit: usize,
) -> Result<PaymentSearch, Error> {
    let found = payment_search::find(store.conn(), account_id, query, limit.clamp(1, 500))?;
    Ok(PaymentSearch::Found {
        rows: summaries(store.conn(), account_id, found.rows)?,
        more: found.more,
    })
}

#[cfg(test)]
mod tests;

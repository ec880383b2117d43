//! Ctrl+K: from whatever the user typed (an id, an email, a name, an amount,
//! a query in Stripe's syntax) to the thing it names, from the cache. Its
//! payments are found by the Payments list's own search ([`crate::search`]).

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::{customers, payment_intents, refunds};
use till_stripe::money::Currency;

use crate::Error;
use crate::payments::{PaymentSummary, summaries};
use crate::search::{self, Parsed, PaymentSearch, QueryProblem};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum JumpTarget {
    /// Opens the payment's drawer.
    Payment { payment: PaymentSummary },
    /// Opens the refunded payment's drawer.
    Refund {
        id: String,
        amount: i64,
        currency: String,
        status: String,
        payment_intent: Option<String>,
    },
    /// Shows the customer's payments.
    Customer {
        id: String,
        email: Option<String>,
        name: Option<String>,
    },
}

/// What Ctrl+K found; a query still being typed finds nothing yet and
/// says so, and one that cannot run says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Jump {
    pub targets: Vec<JumpTarget>,
    /// Keep showing the last targets: the query is not finished.
    pub incomplete: bool,
    pub problem: Option<QueryProblem>,
}

const LIMIT: usize = 20;

/// The amounts `text` may mean, in minor units, by a currency's decimals:
/// "42.50" is 4250 cents, "4200" is 4200 yen or 420000 cents.
fn amounts(text: &str) -> Vec<(u32, i64)> {
    let text = text
        .trim()
        .trim_start_matches(['$', '€', '£', '¥'])
        .replace(',', "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 12
    {
        return Vec::new();
    }
    [0u32, 2, 3]
        .into_iter()
        .filter_map(|decimals| {
            let digits = usize::try_from(decimals).ok()?;
            if fraction.len() > digits {
                return None;
            }
            let padded = format!("{whole}{fraction:0<digits$}");
            padded.parse::<i64>().ok().map(|amount| (decimals, amount))
        })
        .collect()
}

pub fn jump(store: &Store, account_id: &str, text: &str) -> Result<Jump, Error> {
    let conn = store.conn();
    let text = text.trim();
    let mut jump = Jump {
        targets: Vec::new(),
        incomplete: false,
        problem: None,
    };
    if text.is_empty() {
        return Ok(jump);
    }
    let out = &mut jump.targets;
    if let Some(refund) = refunds::get(conn, account_id, text)? {
        out.push(JumpTarget::Refund {
            id: refund.id,
            amount: refund.amount,
            currency: refund.currency,
            status: refund.status,
            payment_intent: refund.payment_intent,
        });
    }
    let candidates = amounts(text);
    if !candidates.is_empty() {
        let values: Vec<i64> = candidates.iter().map(|(_, amount)| *amount).collect();
        let rows = payment_intents::with_amounts(conn, account_id, &values, LIMIT)?
            .into_iter()
            .filter(|row| {
                candidates.contains(&(Currency::new(&row.currency).decimals(), row.amount))
            })
            .collect();
        for payment in summaries(conn, account_id, rows)? {
            out.push(JumpTarget::Payment { payment });
        }
    }
    let parsed = search::parse(text);
    // Customers by their own words, when plain words were typed.
    if let Parsed::Query(query) = &parsed
        && query.clauses.is_empty()
    {
        for customer in customers::search(conn, account_id, text, 5)? {
            out.push(JumpTarget::Customer {
                id: customer.id,
                email: customer.email,
                name: customer.name,
            });
        }
    }
    let found = match parsed {
        Parsed::Query(query) => match search::found(store, account_id, &query, LIMIT)? {
            PaymentSearch::Found { rows, .. } => rows,
            PaymentSearch::Incomplete | PaymentSearch::Invalid { .. } => Vec::new(),
        },
        Parsed::Incomplete => {
            jump.incomplete = true;
            Vec::new()
        }
        Parsed::Invalid(problem) => {
            jump.problem = Some(problem);
            Vec::new()
        }
    };
    let out = &mut jump.targets;
    for payment in found {
        let already = out
            .iter()
            .any(|t| matches!(t, JumpTarget::Payment { payment: p } if p.id == payment.id));
        if !already {
            out.push(JumpTarget::Payment { payment });
        }
    }
    out.truncate(LIMIT);
    Ok(jump)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_each_currencys_decimals() {
        assert_eq!(amounts("42.50"), vec![(2, 4250), (3, 42500)]);
        assert_eq!(
            amounts("4200"),
            vec![(0, 4200), (2, 420_000), (3, 4_200_000)]
        );
        assert_eq!(amounts("$1,234.5"), vec![(2, 123_450), (3, 1_234_500)]);
        assert_eq!(amounts("1.2345"), vec![]);
        assert!(amounts("ada@example.com").is_empty());
        assert!(amounts("pi_123").is_empty());
        assert!(amounts(".").is_empty());
    }
}

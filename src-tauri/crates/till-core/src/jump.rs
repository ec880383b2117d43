//! Ctrl+K: from whatever the user typed (an id, an email, a name, an amount)
//! to the thing it names, from the cache.

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::{customers, payment_intents, refunds};
use till_stripe::money::Currency;

use crate::Error;
use crate::payments::{PaymentSummary, summaries};

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

pub fn jump(store: &Store, account_id: &str, text: &str) -> Result<Vec<JumpTarget>, Error> {
    let conn = store.conn();
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
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
    for customer in customers::search(conn, account_id, text, 5)? {
        out.push(JumpTarget::Customer {
            id: customer.id,
            email: customer.email,
            name: customer.name,
        });
    }
    let found = payment_intents::search(conn, account_id, text, LIMIT)?;
    for payment in summaries(conn, account_id, found)? {
        let already = out
            .iter()
            .any(|t| matches!(t, JumpTarget::Payment { payment: p } if p.id == payment.id));
        if !already {
            out.push(JumpTarget::Payment { payment });
        }
    }
    out.truncate(LIMIT);
    Ok(out)
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

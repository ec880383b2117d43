//! Which holds just came within 24 hours of lapsing, so that the app can
//! raise a desktop notification once per hold while it runs. A hold that
//! lapses uncaptured is money lost: staff must hear of it before it does.

use std::collections::HashSet;

use serde::Serialize;
use specta::Type;

use crate::payments::PaymentSummary;

/// The warning's horizon.
pub const WARN_WITHIN: i64 = 24 * 3600;

/// One hold to warn about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HoldAlert {
    pub account_id: String,
    pub payment_id: String,
    pub amount: i64,
    pub currency: String,
    /// "12.50 USD", for the notification's text.
    pub amount_text: String,
    pub customer: Option<String>,
    pub capture_before: i64,
}

/// The holds already warned about, this run.
#[derive(Debug, Default)]
pub struct HoldAlerts {
    warned: HashSet<(String, String)>,
}

impl HoldAlerts {
    /// The holds of `account_id` that expire within 24 hours of `now` and
    /// were not warned about yet; they count as warned from here on. An
    /// already lapsed hold is not news.
    pub fn due(&mut self, account_id: &str, holds: &[PaymentSummary], now: i64) -> Vec<HoldAlert> {
        let mut out = Vec::new();
        for hold in holds {
            let Some(until) = hold.capture_before else {
                continue;
            };
            if hold.status != "requires_capture" || until <= now || until - now > WARN_WITHIN {
                continue;
            }
            if self.warned.insert((account_id.to_owned(), hold.id.clone())) {
                out.push(HoldAlert {
                    account_id: account_id.to_owned(),
                    payment_id: hold.id.clone(),
                    amount: hold.amount_capturable,
                    currency: hold.currency.clone(),
                    amount_text: till_stripe::Money::new(
                        hold.amount_capturable,
                        till_stripe::Currency::new(&hold.currency),
                    )
                    .display_major(),
                    customer: hold.customer_email.clone(),
                    capture_before: until,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(id: &str, capture_before: i64) -> PaymentSummary {
        PaymentSummary {
            id: id.into(),
            amount: 1000,
            amount_capturable: 1000,
            currency: "usd".into(),
            status: "requires_capture".into(),
            capture_before: Some(capture_before),
            ..PaymentSummary::default()
        }
    }

    #[test]
    fn a_hold_is_announced_once_when_it_comes_within_a_day() {
        let now = 1_000_000;
        let holds = [
            hold("pi_soon", now + 3600),
            hold("pi_later", now + WARN_WITHIN + 600),
            hold("pi_gone", now - 1),
        ];
        let mut alerts = HoldAlerts::default();
        let first = alerts.due("acct", &holds, now);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].payment_id, "pi_soon");
        assert!(alerts.due("acct", &holds, now + 60).is_empty(), "once");
        // Ten minutes on, the later one crosses the line.
        let next = alerts.due("acct", &holds, now + 600);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].payment_id, "pi_later");
        // Another account's hold of the same id is its own.
        assert_eq!(alerts.due("other", &holds[..1], now).len(), 1);
        // Captured meanwhile: no warning.
        let mut captured = hold("pi_done", now + 60);
        captured.status = "succeeded".into();
        assert!(alerts.due("acct", &[captured], now).is_empty());
    }
}

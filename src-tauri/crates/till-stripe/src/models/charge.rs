use serde::Deserialize;

use super::{BalanceTransaction, Customer, Expandable, List, Metadata, PaymentIntent, Refund};
use crate::money::Currency;

#[derive(Debug, Clone, Deserialize)]
pub struct CardDetails {
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub exp_month: Option<i64>,
    #[serde(default)]
    pub exp_year: Option<i64>,
    #[serde(default)]
    pub funding: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    /// When an uncaptured authorization lapses (newer than 2023-08-16).
    #[serde(default)]
    pub capture_before: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethodDetails {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub card: Option<CardDetails>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BillingDetails {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    pub currency: Currency,
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
    #[serde(default)]
    pub captured: bool,
    #[serde(default)]
    pub refunded: bool,
    #[serde(default)]
    pub paid: bool,
    /// `succeeded`, `pending` or `failed`.
    pub status: String,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// Null until Stripe has processed the charge and knows its fee.
    #[serde(default)]
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    #[serde(default)]
    pub payment_method_details: Option<PaymentMethodDetails>,
    #[serde(default)]
    pub billing_details: Option<BillingDetails>,
    #[serde(default)]
    pub receipt_email: Option<String>,
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_message: Option<String>,
    #[serde(default)]
    pub refunds: Option<List<Refund>>,
}

impl Charge {
    pub fn card(&self) -> Option<&CardDetails> {
        self.payment_method_details
            .as_ref()
            .and_then(|d| d.card.as_ref())
    }

    /// What can still be refunded. Stripe records a released hold (the
    /// uncaptured rest of a partial capture, or a cancelled hold) in
    /// `amount_refunded` although no money moved, so the authorized amount,
    /// not the captured one, is what refunds and releases together use up.
    pub fn refundable(&self) -> i64 {
        if !self.captured {
            return 0;
        }
        (self.amount - self.amount_refunded).max(0)
    }
}

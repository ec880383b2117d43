use serde::Deserialize;

use super::{BalanceTransaction, Charge, Expandable, Metadata, PaymentIntent};
use crate::money::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub currency: Currency,
    pub created: i64,
    #[serde(default)]
    pub charge: Option<Expandable<Charge>>,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub status: Option<RefundStatus>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
}

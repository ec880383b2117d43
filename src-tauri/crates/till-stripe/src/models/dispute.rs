//! Disputes: a customer's bank took a payment back (a chargeback) or asked
//! about it (an inquiry), with the deadline for the merchant's evidence.

use serde::Deserialize;

use super::{BalanceTransaction, Charge, Expandable, PaymentIntent};
use crate::money::Currency;

#[derive(Debug, Clone, Deserialize)]
pub struct Dispute {
    pub id: String,
    /// The disputed amount, in the charge's currency.
    pub amount: i64,
    pub currency: Currency,
    pub created: i64,
    pub charge: Expandable<Charge>,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// `fraudulent`, `product_not_received`, `duplicate`…
    pub reason: String,
    /// `warning_needs_response`, `warning_under_review`, `warning_closed`,
    /// `needs_response`, `under_review`, `won`, `lost`.
    pub status: String,
    #[serde(default)]
    pub is_charge_refundable: bool,
    #[serde(default)]
    pub evidence_details: Option<EvidenceDetails>,
    /// The money it moved: the withdrawal with its fee, and a reinstatement
    /// when won.
    #[serde(default)]
    pub balance_transactions: Vec<BalanceTransaction>,
    #[serde(default)]
    pub livemode: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvidenceDetails {
    /// When the evidence must be in (Unix time).
    #[serde(default)]
    pub due_by: Option<i64>,
    #[serde(default)]
    pub has_evidence: bool,
    #[serde(default)]
    pub past_due: bool,
    #[serde(default)]
    pub submission_count: i64,
}

impl Dispute {
    /// Whether the merchant must answer: Stripe's two "needs response" states.
    pub fn needs_response(&self) -> bool {
        matches!(
            self.status.as_str(),
            "needs_response" | "warning_needs_response"
        )
    }
}

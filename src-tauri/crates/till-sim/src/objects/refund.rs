use serde_json::{Value, json};

use super::{Metadata, metadata_json};

#[derive(Debug, Clone)]
pub struct Refund {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub payment_intent: Option<String>,
    /// `duplicate`, `fraudulent`, `requested_by_customer`, or Stripe's own
    /// `expired_uncaptured_charge`.
    pub reason: Option<String>,
    /// `pending`, `succeeded`, `failed`, `canceled`, `requires_action`.
    pub status: &'static str,
    pub metadata: Metadata,
    pub balance_transaction: Option<String>,
    /// An uncaptured amount handed back (a release, a partial capture's
    /// remainder, an expired hold): recorded as a refund, but no money moved.
    pub release: bool,
    /// Set when a refund that succeeded bounced (a closed card).
    pub failure_reason: Option<&'static str>,
    pub failure_balance_transaction: Option<String>,
}

impl Refund {
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": self.balance_transaction,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "metadata": metadata_json(&self.metadata),
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": self.status,
            "transfer_reversal": null,
        });
        // Stripe shows these only on a refund that failed.
        if let Some(reason) = self.failure_reason {
            value["failure_reason"] = json!(reason);
            value["failure_balance_transaction"] = json!(self.failure_balance_transaction);
        }
        value
    }
}

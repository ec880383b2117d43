use serde_json::{Value, json};

use super::{Metadata, metadata_json};

/// What the card network will decide, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub won: bool,
    pub at: i64,
}

/// A customer's dispute of a charge: an inquiry (`warning_…`, no money
/// moved) or a chargeback (the amount and the fee withdrawn at once).
#[derive(Debug, Clone)]
pub struct Dispute {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    /// In the charge's currency.
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub payment_intent: Option<String>,
    pub reason: String,
    /// `warning_needs_response`, `warning_under_review`, `warning_closed`,
    /// `needs_response`, `under_review`, `won` or `lost`.
    pub status: &'static str,
    pub inquiry: bool,
    pub due_by: i64,
    pub has_evidence: bool,
    pub submission_count: i64,
    pub is_charge_refundable: bool,
    /// Oldest first: the withdrawal, then the reinstatement if won.
    pub balance_transactions: Vec<String>,
    pub metadata: Metadata,
    pub card_brand: &'static str,
    /// `None`: nobody answers, and the dispute is lost once past `due_by`.
    pub verdict: Option<Verdict>,
}

impl Dispute {
    pub fn closed(&self) -> bool {
        matches!(self.status, "won" | "lost" | "warning_closed")
    }

    /// `balance_transactions` are the rendered transactions, oldest first.
    pub fn to_json(&self, balance_transactions: Vec<Value>) -> Value {
        let evidence: serde_json::Map<String, Value> = EVIDENCE_FIELDS
            .iter()
            .map(|field| ((*field).to_owned(), Value::Null))
            .collect();
        json!({
            "id": self.id,
            "object": "dispute",
            "amount": self.amount,
            "balance_transactions": balance_transactions,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "evidence": evidence,
            "evidence_details": {
                "due_by": self.due_by,
                "has_evidence": self.has_evidence,
                "past_due": false,
                "submission_count": self.submission_count,
            },
            "is_charge_refundable": self.is_charge_refundable,
            "livemode": self.livemode,
            "metadata": metadata_json(&self.metadata),
            "payment_intent": self.payment_intent,
            "payment_method_details": {
                "card": { "brand": self.card_brand, "network_reason_code": network_reason_code(&self.reason) },
                "type": "card",
            },
            "reason": self.reason,
            "status": self.status,
        })
    }
}

/// The evidence a merchant may submit; none is here until they do.
const EVIDENCE_FIELDS: &[&str] = &[
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
];

/// Visa's reason codes for Stripe's reasons (what a Visa dispute carries).
fn network_reason_code(reason: &str) -> &'static str {
    match reason {
        "fraudulent" => "10.4",
        "product_not_received" => "13.1",
        "product_unacceptable" => "13.3",
        "duplicate" => "12.6.1",
        "credit_not_processed" => "13.6",
        "subscription_canceled" => "13.7",
        _ => "13.2",
    }
}

/// Stripe's dispute reasons.
pub const REASONS: &[&str] = &[
    "bank_cannot_process",
    "check_returned",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
];

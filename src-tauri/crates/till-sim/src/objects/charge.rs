use serde_json::{Value, json};

use super::{Metadata, metadata_json};

/// The card a test payment method stands for.
#[derive(Debug, Clone)]
pub struct Card {
    pub brand: &'static str,
    pub last4: &'static str,
    pub funding: &'static str,
    pub country: &'static str,
    pub exp_month: i64,
    pub exp_year: i64,
}

#[derive(Debug, Clone)]
pub struct Charge {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub payment_intent: Option<String>,
    pub payment_method: Option<String>,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Metadata,
    /// `succeeded`, `pending` or `failed`.
    pub status: &'static str,
    pub captured: bool,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// The issuer's reason for a decline (`outcome.reason`).
    pub decline_code: Option<String>,
    pub card: Card,
    /// When an uncaptured charge's authorization lapses (an extension: see
    /// the crate docs).
    pub capture_before: Option<i64>,
    pub balance_transaction: Option<String>,
    /// Until then the charge shows no balance transaction (late fees).
    pub balance_transaction_from: i64,
    /// Newest last.
    pub refunds: Vec<String>,
    /// The dispute opened on it, if any (one per charge).
    pub dispute: Option<String>,
}

impl Charge {
    pub fn paid(&self) -> bool {
        self.status == "succeeded"
    }

    pub fn refunded(&self) -> bool {
        self.amount_refunded >= self.amount && self.paid()
    }

    /// `refunds_list` is the rendered `refunds` list, newest first.
    pub fn to_json(&self, refunds_list: Value) -> Value {
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount_captured,
            "amount_refunded": self.amount_refunded,
            "application": null,
            "application_fee": null,
            "application_fee_amount": null,
            "balance_transaction": self.balance_transaction,
            "billing_details": {
                "address": null, "email": null, "name": null, "phone": null
            },
            "calculated_statement_descriptor": "TILL DEMO",
            "captured": self.captured,
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": self.description,
            "disputed": self.dispute.is_some(),
            "failure_balance_transaction": null,
            "failure_code": self.failure_code,
            "failure_message": self.failure_message,
            "fraud_details": {},
            "invoice": null,
            "livemode": self.livemode,
            "metadata": metadata_json(&self.metadata),
            "on_behalf_of": null,
            "outcome": {
                "network_status": if self.paid() { "approved_by_network" } else { "declined_by_network" },
                "reason": self.decline_code,
                "risk_level": "normal",
                "seller_message": if self.paid() { "Payment complete." } else { "The bank did not return any further details with this decline." },
                "type": if self.paid() { "authorized" } else { "issuer_declined" },
            },
            "paid": self.paid(),
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "payment_method_details": {
                "card": {
                    "brand": self.card.brand,
                    "capture_before": self.capture_before,
                    "checks": { "address_line1_check": null, "address_postal_code_check": null, "cvc_check": "pass" },
                    "country": self.card.country,
                    "exp_month": self.card.exp_month,
                    "exp_year": self.card.exp_year,
                    "fingerprint": format!("fp{}", self.card.last4),
                    "funding": self.card.funding,
                    "installments": null,
                    "last4": self.card.last4,
                    "mandate": null,
                    "network": self.card.brand,
                    "three_d_secure": null,
                    "wallet": null,
                },
                "type": "card",
            },
            "receipt_email": null,
            "receipt_number": null,
            "receipt_url": null,
            "refunded": self.refunded(),
            "refunds": refunds_list,
            "review": null,
            "shipping": null,
            "source_transfer": null,
            "statement_descriptor": null,
            "statement_descriptor_suffix": null,
            "status": self.status,
            "transfer_data": null,
            "transfer_group": null,
        })
    }
}

use serde_json::{Value, json};

use super::{Metadata, metadata_json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
}

impl PiStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresConfirmation => "requires_confirmation",
            Self::RequiresAction => "requires_action",
            Self::Processing => "processing",
            Self::RequiresCapture => "requires_capture",
            Self::Canceled => "canceled",
            Self::Succeeded => "succeeded",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PaymentIntent {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub status: PiStatus,
    /// The last change, for search's lag.
    pub updated: i64,
    pub manual_capture: bool,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub metadata: Metadata,
    pub payment_method: Option<String>,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub latest_charge: Option<String>,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
    pub last_payment_error: Option<Value>,
    pub next_action: Option<Value>,
}

impl PaymentIntent {
    /// A new intent waiting for a payment method; callers set what differs.
    pub fn new(id: String, created: i64, livemode: bool, amount: i64, currency: String) -> Self {
        Self {
            id,
            created,
            updated: created,
            livemode,
            amount,
            currency,
            status: PiStatus::RequiresPaymentMethod,
            manual_capture: false,
            customer: None,
            description: None,
            receipt_email: None,
            metadata: Metadata::new(),
            payment_method: None,
            amount_capturable: 0,
            amount_received: 0,
            latest_charge: None,
            canceled_at: None,
            cancellation_reason: None,
            last_payment_error: None,
            next_action: None,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": self.amount_capturable,
            "amount_received": self.amount_received,
            "application": null,
            "application_fee_amount": null,
            "automatic_payment_methods": null,
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": if self.manual_capture { "manual" } else { "automatic" },
            "client_secret": format!("{}_secret_sim", self.id),
            "confirmation_method": "automatic",
            "created": self.created,
            "currency": self.currency,
            "customer": self.customer,
            "description": self.description,
            "invoice": null,
            "last_payment_error": self.last_payment_error,
            "latest_charge": self.latest_charge,
            "livemode": self.livemode,
            "metadata": metadata_json(&self.metadata),
            "next_action": self.next_action,
            "on_behalf_of": null,
            "payment_method": self.payment_method,
            "payment_method_types": ["card"],
            "processing": null,
            "receipt_email": self.receipt_email,
            "review": null,
            "setup_future_usage": null,
            "shipping": null,
            "statement_descriptor": null,
            "statement_descriptor_suffix": null,
            "status": self.status.as_str(),
            "transfer_data": null,
            "transfer_group": null,
        })
    }
}

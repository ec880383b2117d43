use serde::Deserialize;

use super::{Charge, Customer, Expandable, Metadata};
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentIntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
    #[serde(other)]
    Unknown,
}

impl PaymentIntentStatus {
    /// Stripe's name for the status (`unknown` for one added after this Till).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresConfirmation => "requires_confirmation",
            Self::RequiresAction => "requires_action",
            Self::Processing => "processing",
            Self::RequiresCapture => "requires_capture",
            Self::Canceled => "canceled",
            Self::Succeeded => "succeeded",
            Self::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMethod {
    Automatic,
    AutomaticAsync,
    Manual,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub currency: Currency,
    pub status: PaymentIntentStatus,
    pub capture_method: CaptureMethod,
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub receipt_email: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub latest_charge: Option<Expandable<Charge>>,
    #[serde(default)]
    pub canceled_at: Option<i64>,
    #[serde(default)]
    pub cancellation_reason: Option<String>,
}

impl PaymentIntent {
    pub fn amount(&self) -> Money {
        Money::new(self.amount, self.currency.clone())
    }

    /// A card authorization waiting to be captured or released.
    pub fn is_hold(&self) -> bool {
        self.status == PaymentIntentStatus::RequiresCapture
    }
}

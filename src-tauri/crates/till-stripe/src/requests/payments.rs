//! PaymentIntents, charges and refunds.

use super::CreatedRange;
use crate::form::Form;
use crate::models::Metadata;
use crate::money::Money;

#[derive(Debug, Clone)]
pub struct CreatePaymentIntent {
    pub amount: Money,
    /// A hold: authorize now, capture later.
    pub manual_capture: bool,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub payment_method: Option<String>,
    pub confirm: bool,
    pub off_session: bool,
    pub metadata: Metadata,
}

impl CreatePaymentIntent {
    pub fn new(amount: Money) -> Self {
        Self {
            amount,
            manual_capture: false,
            customer: None,
            description: None,
            receipt_email: None,
            payment_method: None,
            confirm: false,
            off_session: false,
            metadata: Metadata::new(),
        }
    }

    pub fn form(&self) -> Form {
        let mut form = Form::new()
            .set("amount", self.amount.amount)
            .set("currency", self.amount.currency.code())
            .maybe("capture_method", self.manual_capture.then_some("manual"))
            .maybe("customer", self.customer.as_ref())
            .maybe("description", self.description.as_ref())
            .maybe("receipt_email", self.receipt_email.as_ref())
            .maybe("payment_method", self.payment_method.as_ref())
            .metadata(&self.metadata);
        if self.confirm {
            form = form.set("confirm", true);
            if self.off_session {
                form = form.set("off_session", true);
            }
        }
        form
    }
}

#[derive(Debug, Clone, Default)]
pub struct UpdatePaymentIntent {
    pub description: Option<String>,
    /// An empty value removes the key.
    pub metadata: Metadata,
}

impl UpdatePaymentIntent {
    pub fn form(&self) -> Form {
        Form::new()
            .maybe("description", self.description.as_ref())
            .metadata(&self.metadata)
    }
}

#[derive(Debug, Clone, Default)]
pub struct CapturePaymentIntent {
    /// At most `amount_capturable`; the rest is released. `None`: all of it.
    pub amount_to_capture: Option<i64>,
    pub metadata: Metadata,
}

impl CapturePaymentIntent {
    pub fn form(&self) -> Form {
        Form::new()
            .maybe("amount_to_capture", self.amount_to_capture)
            .metadata(&self.metadata)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationReason {
    Duplicate,
    Fraudulent,
    RequestedByCustomer,
    Abandoned,
}

impl CancellationReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Fraudulent => "fraudulent",
            Self::RequestedByCustomer => "requested_by_customer",
            Self::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CancelPaymentIntent {
    pub reason: Option<CancellationReason>,
}

impl CancelPaymentIntent {
    pub fn form(&self) -> Form {
        Form::new().maybe(
            "cancellation_reason",
            self.reason.map(CancellationReason::as_str),
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListPaymentIntents {
    pub created: Option<CreatedRange>,
    pub customer: Option<String>,
}

impl ListPaymentIntents {
    pub fn form(&self) -> Form {
        let form = Form::new().maybe("customer", self.customer.as_ref());
        match &self.created {
            Some(range) => range.apply(form),
            None => form,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SearchPaymentIntents {
    /// Stripe's search language, e.g. `status:'requires_capture'`.
    pub query: String,
    pub limit: Option<u8>,
    pub page: Option<String>,
}

impl SearchPaymentIntents {
    pub fn form(&self) -> Form {
        Form::new()
            .set("query", &self.query)
            .maybe("limit", self.limit)
            .maybe("page", self.page.as_ref())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListCharges {
    pub created: Option<CreatedRange>,
    pub customer: Option<String>,
    pub payment_intent: Option<String>,
}

impl ListCharges {
    pub fn form(&self) -> Form {
        let form = Form::new()
            .maybe("customer", self.customer.as_ref())
            .maybe("payment_intent", self.payment_intent.as_ref());
        match &self.created {
            Some(range) => range.apply(form),
            None => form,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundTarget {
    PaymentIntent(String),
    Charge(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundReason {
    Duplicate,
    Fraudulent,
    RequestedByCustomer,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Fraudulent => "fraudulent",
            Self::RequestedByCustomer => "requested_by_customer",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CreateRefund {
    pub target: RefundTarget,
    /// `None`: everything still refundable.
    pub amount: Option<i64>,
    pub reason: Option<RefundReason>,
    pub metadata: Metadata,
}

impl CreateRefund {
    pub fn form(&self) -> Form {
        let form = match &self.target {
            RefundTarget::PaymentIntent(id) => Form::new().set("payment_intent", id),
            RefundTarget::Charge(id) => Form::new().set("charge", id),
        };
        form.maybe("amount", self.amount)
            .maybe("reason", self.reason.map(RefundReason::as_str))
            .metadata(&self.metadata)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListRefunds {
    pub created: Option<CreatedRange>,
    pub charge: Option<String>,
    pub payment_intent: Option<String>,
}

impl ListRefunds {
    pub fn form(&self) -> Form {
        let form = Form::new()
            .maybe("charge", self.charge.as_ref())
            .maybe("payment_intent", self.payment_intent.as_ref());
        match &self.created {
            Some(range) => range.apply(form),
            None => form,
        }
    }
}

//! Typed requests: each builds exactly the form Stripe's spec describes for
//! its endpoint (the contract test checks every one against spec3.json).

pub mod checkout;
pub mod payments;

use crate::form::Form;

pub use checkout::{CreateCheckoutSession, LineItemInput, ListCheckoutSessions};
pub use payments::{
    CancelPaymentIntent, CancellationReason, CapturePaymentIntent, CreatePaymentIntent,
    CreateRefund, ListCharges, ListPaymentIntents, ListRefunds, RefundReason, RefundTarget,
    SearchPaymentIntents, UpdatePaymentIntent,
};

/// A `created` filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreatedRange {
    pub gte: Option<i64>,
    pub lt: Option<i64>,
}

impl CreatedRange {
    pub fn since(gte: i64) -> Self {
        Self {
            gte: Some(gte),
            lt: None,
        }
    }

    pub fn between(gte: i64, lt: i64) -> Self {
        Self {
            gte: Some(gte),
            lt: Some(lt),
        }
    }

    pub(crate) fn apply(&self, form: Form) -> Form {
        form.maybe("created[gte]", self.gte)
            .maybe("created[lt]", self.lt)
    }
}

/// Customers, products, prices and events: the small requests.
#[derive(Debug, Clone, Default)]
pub struct CreateCustomer {
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: crate::models::Metadata,
}

impl CreateCustomer {
    pub fn form(&self) -> Form {
        Form::new()
            .maybe("email", self.email.as_ref())
            .maybe("name", self.name.as_ref())
            .maybe("phone", self.phone.as_ref())
            .maybe("description", self.description.as_ref())
            .metadata(&self.metadata)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListCustomers {
    pub email: Option<String>,
    pub created: Option<CreatedRange>,
}

impl ListCustomers {
    pub fn form(&self) -> Form {
        let form = Form::new().maybe("email", self.email.as_ref());
        match &self.created {
            Some(range) => range.apply(form),
            None => form,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CreateProduct {
    pub name: String,
    pub description: Option<String>,
    pub metadata: crate::models::Metadata,
}

impl CreateProduct {
    pub fn form(&self) -> Form {
        Form::new()
            .set("name", &self.name)
            .maybe("description", self.description.as_ref())
            .metadata(&self.metadata)
    }
}

#[derive(Debug, Clone)]
pub struct CreatePrice {
    pub product: String,
    pub currency: crate::money::Currency,
    pub unit_amount: i64,
    /// `day`, `week`, `month` or `year` for a recurring price.
    pub recurring_interval: Option<String>,
    pub nickname: Option<String>,
}

impl CreatePrice {
    pub fn form(&self) -> Form {
        Form::new()
            .set("product", &self.product)
            .set("currency", self.currency.code())
            .set("unit_amount", self.unit_amount)
            .maybe("recurring[interval]", self.recurring_interval.as_ref())
            .maybe("nickname", self.nickname.as_ref())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListPrices {
    pub product: Option<String>,
    pub active: Option<bool>,
}

impl ListPrices {
    pub fn form(&self) -> Form {
        Form::new()
            .maybe("product", self.product.as_ref())
            .maybe("active", self.active)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListEvents {
    pub created: Option<CreatedRange>,
    /// Event types, `*` wildcards allowed (`payment_intent.*`).
    pub types: Vec<String>,
}

impl ListEvents {
    pub fn form(&self) -> Form {
        let mut form = Form::new();
        for kind in &self.types {
            form = form.set("types[]", kind);
        }
        match &self.created {
            Some(range) => range.apply(form),
            None => form,
        }
    }
}

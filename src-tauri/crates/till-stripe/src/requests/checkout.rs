//! Checkout Sessions in payment mode.

use super::CreatedRange;
use crate::form::{Form, Param};
use crate::models::Metadata;
use crate::money::Currency;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineItemInput {
    /// A price from the catalog.
    Price { price: String, quantity: i64 },
    /// An ad-hoc item.
    Adhoc {
        name: String,
        unit_amount: i64,
        currency: Currency,
        quantity: i64,
    },
}

impl LineItemInput {
    fn param(&self) -> Param {
        let value = |v: &dyn ToString| Param::Value(v.to_string());
        match self {
            Self::Price { price, quantity } => Param::Map(vec![
                ("price".into(), value(price)),
                ("quantity".into(), value(quantity)),
            ]),
            Self::Adhoc {
                name,
                unit_amount,
                currency,
                quantity,
            } => Param::Map(vec![
                (
                    "price_data".into(),
                    Param::Map(vec![
                        ("currency".into(), value(&currency.code())),
                        ("unit_amount".into(), value(unit_amount)),
                        (
                            "product_data".into(),
                            Param::Map(vec![("name".into(), value(name))]),
                        ),
                    ]),
                ),
                ("quantity".into(), value(quantity)),
            ]),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CreateCheckoutSession {
    pub line_items: Vec<LineItemInput>,
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: Metadata,
    pub success_url: String,
    pub cancel_url: Option<String>,
    /// Unix time, 30 minutes to 24 hours ahead.
    pub expires_at: Option<i64>,
    pub allow_promotion_codes: bool,
    pub require_billing_address: bool,
    pub collect_phone: bool,
    /// The payment becomes a hold, captured later.
    pub manual_capture: bool,
}

impl CreateCheckoutSession {
    pub fn form(&self) -> Form {
        let mut form = Form::new()
            .set("mode", "payment")
            .tree(
                "line_items",
                &Param::List(self.line_items.iter().map(LineItemInput::param).collect()),
            )
            .maybe("customer", self.customer.as_ref())
            .maybe("customer_email", self.customer_email.as_ref())
            .maybe("client_reference_id", self.client_reference_id.as_ref())
            .metadata(&self.metadata)
            .set("success_url", &self.success_url)
            .maybe("cancel_url", self.cancel_url.as_ref())
            .maybe("expires_at", self.expires_at);
        if self.allow_promotion_codes {
            form = form.set("allow_promotion_codes", true);
        }
        if self.require_billing_address {
            form = form.set("billing_address_collection", "required");
        }
        if self.collect_phone {
            form = form.set("phone_number_collection[enabled]", true);
        }
        if self.manual_capture {
            form = form.set("payment_intent_data[capture_method]", "manual");
        }
        form
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListCheckoutSessions {
    pub payment_intent: Option<String>,
    pub customer: Option<String>,
    /// An extension beyond the 2023-08-16 spec (Stripe documents it today).
    pub status: Option<String>,
    /// An extension too.
    pub created: Option<CreatedRange>,
    /// Fields to expand on every session, e.g. `data.line_items`.
    pub expand: Vec<String>,
}

impl ListCheckoutSessions {
    pub fn form(&self) -> Form {
        let form = Form::new()
            .maybe("payment_intent", self.payment_intent.as_ref())
            .maybe("customer", self.customer.as_ref())
            .maybe("status", self.status.as_ref());
        let paths: Vec<&str> = self.expand.iter().map(String::as_str).collect();
        let form = form.expand(&paths);
        match &self.created {
            Some(range) => range.apply(form),
            None => form,
        }
    }
}

use serde_json::{Value, json};

use super::{Metadata, metadata_json};

#[derive(Debug, Clone)]
pub struct LineItem {
    pub id: String,
    pub description: String,
    pub quantity: i64,
    pub currency: String,
    pub unit_amount: i64,
    /// The rendered price (a catalog price, or one made from `price_data`).
    pub price: Value,
}

impl LineItem {
    pub fn total(&self) -> i64 {
        self.unit_amount.saturating_mul(self.quantity)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": self.total(),
            "amount_tax": 0,
            "amount_total": self.total(),
            "currency": self.currency,
            "description": self.description,
            "price": self.price,
            "quantity": self.quantity,
        })
    }
}

#[derive(Debug, Clone)]
pub struct CheckoutSession {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub livemode: bool,
    /// `open`, `complete` or `expired`.
    pub status: &'static str,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: &'static str,
    pub currency: String,
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: Metadata,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub allow_promotion_codes: Option<bool>,
    pub billing_address_collection: Option<String>,
    pub phone_number_collection: bool,
    pub manual_capture: bool,
    pub payment_intent: Option<String>,
    pub line_items: Vec<LineItem>,
    pub url: String,
}

impl CheckoutSession {
    pub fn amount_total(&self) -> i64 {
        self.line_items.iter().map(LineItem::total).sum()
    }

    /// `payment_intent` and `customer` are rendered by the caller (ids, or
    /// objects when expanded); `line_items` only appears when expanded.
    pub fn to_json(
        &self,
        payment_intent: Value,
        customer: Value,
        line_items: Option<Value>,
    ) -> Value {
        let mut value = json!({
            "id": self.id,
            "object": "checkout.session",
            "after_expiration": null,
            "allow_promotion_codes": self.allow_promotion_codes,
            "amount_subtotal": self.amount_total(),
            "amount_total": self.amount_total(),
            "automatic_tax": { "enabled": false, "status": null },
            "billing_address_collection": self.billing_address_collection,
            "cancel_url": self.cancel_url,
            "client_reference_id": self.client_reference_id,
            "consent": null,
            "consent_collection": null,
            "created": self.created,
            "currency": self.currency,
            "custom_fields": [],
            "custom_text": { "shipping_address": null, "submit": null },
            "customer": customer,
            "customer_creation": if self.customer.is_some() { Value::Null } else { json!("if_required") },
            "customer_details": self.customer_email.as_ref().map(|email| json!({
                "address": null, "email": email, "name": null, "phone": null, "tax_exempt": "none", "tax_ids": []
            })),
            "customer_email": self.customer_email,
            "expires_at": self.expires_at,
            "invoice": null,
            "livemode": self.livemode,
            "locale": null,
            "metadata": metadata_json(&self.metadata),
            "mode": "payment",
            "payment_intent": payment_intent,
            "payment_link": null,
            "payment_method_collection": "always",
            "payment_method_options": {},
            "payment_method_types": ["card"],
            "payment_status": self.payment_status,
            "phone_number_collection": { "enabled": self.phone_number_collection },
            "recovered_from": null,
            "setup_intent": null,
            "shipping_address_collection": null,
            "shipping_cost": null,
            "shipping_details": null,
            "shipping_options": [],
            "status": self.status,
            "submit_type": null,
            "subscription": null,
            "success_url": self.success_url,
            "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
            "url": if self.status == "open" { json!(self.url) } else { Value::Null },
        });
        if let Some(items) = line_items {
            value["line_items"] = items;
        }
        value
    }
}

use serde_json::{Value, json};

use super::{Metadata, metadata_json};

#[derive(Debug, Clone)]
pub struct Product {
    pub id: String,
    pub created: i64,
    pub updated: i64,
    pub livemode: bool,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub metadata: Metadata,
    pub default_price: Option<String>,
}

impl Product {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "product",
            "active": self.active,
            "created": self.created,
            "default_price": self.default_price,
            "description": self.description,
            "features": [],
            "images": [],
            "livemode": self.livemode,
            "metadata": metadata_json(&self.metadata),
            "name": self.name,
            "package_dimensions": null,
            "shippable": null,
            "statement_descriptor": null,
            "tax_code": null,
            "unit_label": null,
            "updated": self.updated,
            "url": null,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Recurring {
    pub interval: String,
    pub interval_count: i64,
}

#[derive(Debug, Clone)]
pub struct Price {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub product: String,
    pub currency: String,
    pub unit_amount: i64,
    pub recurring: Option<Recurring>,
    pub active: bool,
    pub nickname: Option<String>,
    pub metadata: Metadata,
}

impl Price {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "price",
            "active": self.active,
            "billing_scheme": "per_unit",
            "created": self.created,
            "currency": self.currency,
            "custom_unit_amount": null,
            "livemode": self.livemode,
            "lookup_key": null,
            "metadata": metadata_json(&self.metadata),
            "nickname": self.nickname,
            "product": self.product,
            "recurring": self.recurring.as_ref().map(|r| json!({
                "aggregate_usage": null,
                "interval": r.interval,
                "interval_count": r.interval_count,
                "usage_type": "licensed",
            })),
            "tax_behavior": "unspecified",
            "tiers_mode": null,
            "transform_quantity": null,
            "type": if self.recurring.is_some() { "recurring" } else { "one_time" },
            "unit_amount": self.unit_amount,
            "unit_amount_decimal": self.unit_amount.to_string(),
        })
    }
}

use serde_json::{Value, json};

use super::{Metadata, metadata_json};

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub metadata: Metadata,
}

impl Customer {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "customer",
            "address": null,
            "balance": 0,
            "created": self.created,
            "currency": null,
            "default_source": null,
            "delinquent": false,
            "description": self.description,
            "discount": null,
            "email": self.email,
            "invoice_prefix": self.id.trim_start_matches("cus_").chars().take(8).collect::<String>().to_uppercase(),
            "invoice_settings": { "custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null },
            "livemode": self.livemode,
            "metadata": metadata_json(&self.metadata),
            "name": self.name,
            "next_invoice_sequence": 1,
            "phone": self.phone,
            "preferred_locales": [],
            "shipping": null,
            "tax_exempt": "none",
            "test_clock": null,
        })
    }
}

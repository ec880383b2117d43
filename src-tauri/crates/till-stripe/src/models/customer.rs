use serde::Deserialize;

use super::{Expandable, Metadata};
use crate::money::Currency;

#[derive(Debug, Clone, Deserialize)]
pub struct Customer {
    pub id: String,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    /// A deleted customer keeps only its id.
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub default_price: Option<Expandable<Price>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Recurring {
    pub interval: String,
    #[serde(default)]
    pub interval_count: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Price {
    pub id: String,
    #[serde(default)]
    pub active: bool,
    pub currency: Currency,
    #[serde(default)]
    pub unit_amount: Option<i64>,
    pub product: Expandable<Product>,
    /// `one_time` or `recurring`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub recurring: Option<Recurring>,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub created: i64,
    #[serde(default)]
    pub metadata: Metadata,
}

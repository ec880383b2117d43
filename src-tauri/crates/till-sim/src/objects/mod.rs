//! The objects a payment touches, stored as typed records (not JSON trees,
//! so that a million payments fit in memory) and rendered in Stripe's shape
//! on the way out.

pub mod balance;
pub mod catalog;
pub mod charge;
pub mod checkout;
pub mod customer;
pub mod dispute;
pub mod event;
pub mod payment_intent;
pub mod refund;
pub mod table;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

pub type Metadata = BTreeMap<String, String>;

pub fn metadata_json(metadata: &Metadata) -> Value {
    Value::Object(
        metadata
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<Map<_, _>>(),
    )
}

/// Applies `metadata[k]=v` updates: an empty value removes the key.
pub fn merge_metadata(target: &mut Metadata, update: Metadata) {
    for (key, value) in update {
        if value.is_empty() {
            target.remove(&key);
        } else {
            target.insert(key, value);
        }
    }
}

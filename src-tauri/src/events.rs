//! Events pushed to the UI, so that screens update without polling.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// The cache of an account changed: lists and totals showing it reload.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct CacheChanged {
    pub account_id: String,
    /// How many payments the change stored.
    pub stored: u32,
}

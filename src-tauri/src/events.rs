//! Events pushed to the UI, so that screens update without polling.

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::Manager;
use tauri_specta::Event;
use till_core::journal::{MovementListener, SettledMovement};
use till_core::sync::{SyncListener, SyncProgress};

/// The cache of an account changed: lists and totals showing it reload.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct CacheChanged {
    pub account_id: String,
    /// How many objects the change stored.
    pub stored: u32,
}

/// Where an account's sync is: phase, counts, rate, last synced, offline.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct SyncStatus(pub SyncProgress);

/// A money movement whose outcome was unknown is settled: what happened,
/// and when Stripe's side was established.
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct MovementSettled(pub SettledMovement);

/// Sends each settled movement to the window.
pub struct MovementsToUi(pub tauri::AppHandle);

impl MovementListener for MovementsToUi {
    fn settled(&self, settled: &SettledMovement) {
        if let Err(err) = MovementSettled(settled.clone()).emit(&self.0) {
            tracing::warn!(error = %err, "a movement-settled event was not delivered");
        }
        // Settling stored what Stripe showed: the screens read it again.
        let changed = CacheChanged {
            account_id: settled.account_id.clone(),
            stored: 1,
        };
        if let Err(err) = changed.emit(&self.0) {
            tracing::warn!(error = %err, "a cache-changed event was not delivered");
        }
    }
}

/// Sends a sync's progress and changes to the window.
pub struct ToUi(pub tauri::AppHandle);

impl SyncListener for ToUi {
    fn progress(&self, progress: &SyncProgress) {
        if let Err(err) = SyncStatus(progress.clone()).emit(&self.0) {
            tracing::warn!(error = %err, "a sync-status event was not delivered");
        }
    }

    fn changed(&self, account_id: &str, stored: u32) {
        let event = CacheChanged {
            account_id: account_id.to_owned(),
            stored,
        };
        if let Err(err) = event.emit(&self.0) {
            tracing::warn!(error = %err, "a cache-changed event was not delivered");
        }
        if let Some(warnings) = self.0.try_state::<crate::hold_warnings::Nudge>() {
            warnings.nudge();
        }
    }
}

//! What a sync tells the app (its phase and progress) and what the app tells
//! a sync (cancel, poll now, the window is in front, a money action waits).

use std::time::Duration;

use serde::Serialize;
use specta::Type;
use tokio::sync::{Notify, watch};

use super::kinds::Kind;

/// Where a sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum SyncPhase {
    /// The newest page of every type.
    Newest,
    /// The last 31 days of payments, so every open hold is on screen.
    Recent,
    /// The rest of the history.
    Backfill,
    /// Following events.
    Live,
    /// Stripe cannot be reached; the cache is shown as it is.
    Offline,
    /// The user stopped it.
    Canceled,
}

/// Progress, pushed to the UI as it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub account_id: String,
    pub phase: SyncPhase,
    /// Objects stored in this phase.
    pub done: u32,
    /// An estimate of the objects left, during a backfill.
    pub remaining: Option<u32>,
    /// Objects per second over the phase.
    pub rate: f32,
    /// When the cache last matched Stripe (Unix time).
    pub last_synced_at: Option<i64>,
    /// Since when Stripe could not be reached.
    pub offline_since: Option<i64>,
    /// What went wrong, when something did.
    pub problem: Option<String>,
}

/// Where progress and changes go (the app sends them to the UI as events).
pub trait SyncListener: Send + Sync + 'static {
    fn progress(&self, progress: &SyncProgress);
    fn changed(&self, account_id: &str, stored: u32);
}

/// A listener that drops everything (tests, benchmarks).
#[derive(Debug, Default)]
pub struct Quiet;

impl SyncListener for Quiet {
    fn progress(&self, _: &SyncProgress) {}
    fn changed(&self, _: &str, _: u32) {}
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Requests in flight at once during a backfill.
    pub parallel: usize,
    /// Windows per type at the start of a backfill.
    pub pieces: usize,
    pub page_size: u8,
    /// Payments newer than this many days come before the rest.
    pub recent_days: i64,
    /// Poll intervals: after activity, focused and idle, in the background.
    pub poll_active: Duration,
    pub poll_idle: Duration,
    pub poll_background: Duration,
    /// How long "after activity" lasts.
    pub active_for: Duration,
    /// How often the last 31 days are listed again, for events that never came.
    pub reconcile_every: Duration,
    /// The object types kept (all but in benchmarks).
    pub kinds: Vec<Kind>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            parallel: 6,
            pieces: 4,
            page_size: 100,
            recent_days: 31,
            poll_active: Duration::from_secs(3),
            poll_idle: Duration::from_secs(200),
            poll_background: Duration::from_secs(600),
            active_for: Duration::from_secs(60),
            reconcile_every: Duration::from_secs(6 * 3600),
            kinds: Kind::ALL.to_vec(),
        }
    }
}

/// What the app tells a running sync.
#[derive(Debug)]
pub struct Controls {
    pub(super) cancel: watch::Sender<bool>,
    pub(super) nudge: Notify,
    pub(super) focused: std::sync::atomic::AtomicBool,
    /// Money actions waiting for their outcome: poll quickly meanwhile.
    pub(super) pending_actions: std::sync::atomic::AtomicU32,
    /// Unix time until which a checkout on screen is followed: poll quickly.
    pub(super) follow_until: std::sync::atomic::AtomicI64,
    /// What this run learned the key may not read (403): not asked again,
    /// so a restricted key costs no reads on types it cannot see.
    pub(super) refused: std::sync::Mutex<std::collections::BTreeSet<Kind>>,
    pub(super) events_refused: std::sync::atomic::AtomicBool,
    pub(super) balance_refused: std::sync::atomic::AtomicBool,
}

impl Default for Controls {
    fn default() -> Self {
        Self {
            cancel: watch::channel(false).0,
            nudge: Notify::new(),
            focused: std::sync::atomic::AtomicBool::new(true),
            pending_actions: std::sync::atomic::AtomicU32::new(0),
            follow_until: std::sync::atomic::AtomicI64::new(0),
            refused: std::sync::Mutex::new(std::collections::BTreeSet::new()),
            events_refused: std::sync::atomic::AtomicBool::new(false),
            balance_refused: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl Controls {
    pub fn cancel(&self) {
        self.cancel.send_replace(true);
        self.nudge.notify_one();
    }

    pub fn is_canceled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Polls now, then quickly for a while (the user is looking, or acted).
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    pub fn set_focused(&self, focused: bool) {
        self.focused
            .store(focused, std::sync::atomic::Ordering::Relaxed);
        if focused {
            self.nudge();
        }
    }

    pub(super) fn refuse(&self, kind: Kind) {
        self.refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(kind);
    }

    /// The types this key may read, as far as this run knows.
    pub(super) fn readable(&self, kinds: &[Kind]) -> Vec<Kind> {
        let refused = self
            .refused
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kinds
            .iter()
            .copied()
            .filter(|k| !refused.contains(k))
            .collect()
    }

    /// Polls quickly until `until` (Unix time); 0 stops following.
    pub fn follow_until(&self, until: i64) {
        self.follow_until
            .store(until, std::sync::atomic::Ordering::Relaxed);
        if until > 0 {
            self.nudge();
        }
    }

    pub fn action_started(&self) {
        self.pending_actions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.nudge();
    }

    pub fn action_finished(&self) {
        let _ = self.pending_actions.fetch_update(
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
            |n| Some(n.saturating_sub(1)),
        );
    }
}

/// Unix time, seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

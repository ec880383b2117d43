//! What a sync tells the app (its phase and progress) and what the app tells
//! a sync (cancel, poll now, the window is in front, a money action waits).

use std::time::Duration;

use serde::Serialize;
use specta::Type;
use tokio::sync::{Notify, watch};

use super::health::{Health, KindStatus, SyncProblem};
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
    /// Paused: Stripe cannot be reached, refused, or asked to wait (see
    /// the progress's `problem`); the cache is shown as it is.
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
    /// Why the whole sync is paused, when it is.
    pub problem: Option<SyncProblem>,
    /// The kinds with something wrong; the others are in step.
    pub kinds: Vec<KindStatus>,
    /// How far Stripe's clock is ahead of this computer's, in seconds
    /// (negative: behind), when it is more than [`CLOCK_SKEW_SHOWN`] off.
    pub clock_skew: Option<i64>,
}

impl SyncProgress {
    /// An account whose key is not in the keychain: no sync until it is
    /// put back.
    pub fn key_missing(account_id: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            phase: SyncPhase::Offline,
            done: 0,
            remaining: None,
            rate: 0.0,
            last_synced_at: None,
            problem: Some(SyncProblem::KeyMissing),
            kinds: Vec::new(),
            clock_skew: None,
        }
    }
}

/// A clock this far off Stripe's is said where time matters (a hold's
/// lapse, a checkout's expiry).
pub const CLOCK_SKEW_SHOWN: i64 = 5 * 60;

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
    /// Canceled because another sync of the account took over (a new key):
    /// it ends without a word, so the new one's status stands.
    pub(super) replaced: std::sync::atomic::AtomicBool,
    pub(super) nudge: Notify,
    pub(super) focused: std::sync::atomic::AtomicBool,
    /// Money actions waiting for their outcome: poll quickly meanwhile.
    pub(super) pending_actions: std::sync::atomic::AtomicU32,
    /// Unix time until which a checkout on screen is followed: poll quickly.
    pub(super) follow_until: std::sync::atomic::AtomicI64,
    /// The person asked to try again now (Retry): ends a refusal's wait.
    pub(super) retry: Notify,
    /// What this run learned about each kind: refused (a 403 for the run,
    /// other refusals for a while), its filter refused, objects unreadable.
    pub(super) health: Health,
    pub(super) events_refused: std::sync::atomic::AtomicBool,
    pub(super) balance_refused: std::sync::atomic::AtomicBool,
}

impl Default for Controls {
    fn default() -> Self {
        Self {
            cancel: watch::channel(false).0,
            replaced: std::sync::atomic::AtomicBool::new(false),
            nudge: Notify::new(),
            focused: std::sync::atomic::AtomicBool::new(true),
            pending_actions: std::sync::atomic::AtomicU32::new(0),
            follow_until: std::sync::atomic::AtomicI64::new(0),
            retry: Notify::new(),
            health: Health::default(),
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

    /// Cancels a sync that another takes over from: it ends silently.
    pub fn replace(&self) {
        self.replaced
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.cancel();
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

    /// The person pressed Retry: what was refused is asked again now.
    pub fn retry(&self) {
        self.health.forget_refusals();
        self.retry.notify_one();
        self.nudge();
    }

    /// What is wrong with each kind, as the sync's progress reports it.
    pub fn kind_statuses(&self) -> Vec<KindStatus> {
        self.health.statuses()
    }

    /// The types that may be asked now, as far as this run knows.
    pub(super) fn readable(&self, kinds: &[Kind]) -> Vec<Kind> {
        kinds
            .iter()
            .copied()
            .filter(|k| self.health.readable(*k))
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

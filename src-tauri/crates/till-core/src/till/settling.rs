//! Money movements whose outcome is unknown, as [`Till`] keeps after them:
//! listed for the screens, asked about again on a schedule (and at the
//! user's word) until Stripe's side is known, each settled one told to the
//! listener the app set (the UI's event).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::{AccountHandle, Till, now};
use crate::Result;
use crate::journal::{self, MovementListener, SettledMovement, Unsettled};

/// How long after an unknown answer Till asks Stripe again, then again…;
/// the last delay repeats until the movement is settled.
pub const RECHECK_DELAYS: [Duration; 5] = [
    Duration::from_secs(10),
    Duration::from_secs(30),
    Duration::from_secs(60),
    Duration::from_secs(120),
    Duration::from_secs(300),
];

/// What the rechecks share with their tasks.
pub(super) struct Rechecks {
    listener: Mutex<Option<Arc<dyn MovementListener>>>,
    delays: Mutex<Vec<Duration>>,
    /// The accounts with a recheck task running.
    scheduled: Mutex<HashSet<String>>,
}

impl Default for Rechecks {
    fn default() -> Self {
        Self {
            listener: Mutex::new(None),
            delays: Mutex::new(RECHECK_DELAYS.to_vec()),
            scheduled: Mutex::new(HashSet::new()),
        }
    }
}

impl std::fmt::Debug for Rechecks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rechecks")
            .field("scheduled", &*lock(&self.scheduled))
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Rechecks {
    fn delay(&self, attempt: usize) -> Duration {
        let delays = lock(&self.delays);
        delays
            .get(attempt)
            .or(delays.last())
            .copied()
            .unwrap_or(Duration::from_secs(300))
    }

    /// Settles what it can of the account's unknown movements, and tells.
    async fn settle(&self, account: &AccountHandle) -> Result<Vec<SettledMovement>> {
        let on = account.on();
        let settled = journal::settle_unsettled(on.client, on.store, on.account_id, now()).await?;
        self.tell(&settled);
        Ok(settled)
    }

    fn tell(&self, settled: &[SettledMovement]) {
        let listener = lock(&self.listener).clone();
        if let Some(listener) = listener {
            for one in settled {
                listener.settled(one);
            }
        }
    }
}

/// Whether the account still has movements whose outcome is unknown.
fn any_unsettled(account: &AccountHandle) -> bool {
    let on = account.on();
    match journal::unsettled(&journal::lock(on.store), on.account_id) {
        Ok(left) => !left.is_empty(),
        Err(err) => {
            tracing::warn!(error = %err, "the journal could not be read; asked again later");
            true
        }
    }
}

impl Till {
    /// The account's money movements whose outcome is not known yet (sent,
    /// and Stripe's answer lost), oldest first.
    pub fn unsettled_movements(&self, account_id: &str) -> Result<Vec<Unsettled>> {
        journal::unsettled(&*self.reader()?, account_id)
    }

    /// How many money movements, across every account, are sent and not
    /// settled or being sent now (see [`journal::in_flight`]): an update
    /// waits until there are none.
    pub fn movements_in_flight(&self) -> Result<usize> {
        let accounts = self.accounts()?;
        let reader = self.reader()?;
        let mut count = 0;
        for account in accounts {
            count += journal::in_flight(&reader, &account.id)?;
        }
        Ok(count)
    }

    /// Asks Stripe now about the account's movements whose outcome is
    /// unknown; returns (and tells the listener) those it settled. What is
    /// left is asked about again later.
    pub async fn check_movements(&self, account_id: &str) -> Result<Vec<SettledMovement>> {
        let account = self.account(account_id)?;
        let settled = self.rechecks.settle(&account).await?;
        self.recheck_later(account_id);
        Ok(settled)
    }

    /// Who is told when a movement whose outcome was unknown is settled
    /// (the app: an event to the window).
    pub fn set_movement_listener(&self, listener: Arc<dyn MovementListener>) {
        *lock(&self.rechecks.listener) = Some(listener);
    }

    /// How long Till waits before asking Stripe again (see
    /// [`RECHECK_DELAYS`]); tests shorten it.
    pub fn set_recheck_delays(&self, delays: Vec<Duration>) {
        *lock(&self.rechecks.delays) = delays;
    }

    /// Tells the listener of movements settled elsewhere (start-up).
    pub(super) fn tell_settled(&self, settled: &[SettledMovement]) {
        self.rechecks.tell(settled);
    }

    /// Asks Stripe again later, and again, while the account has movements
    /// whose outcome is unknown: one task per account, on the runtime the
    /// caller runs on (none: nothing is scheduled, start-up asks again).
    pub(super) fn recheck_later(&self, account_id: &str) {
        let Ok(account) = self.account(account_id) else {
            return;
        };
        if !any_unsettled(&account) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no runtime to ask Stripe again on; asked at the next start");
            return;
        };
        if !lock(&self.rechecks.scheduled).insert(account_id.to_owned()) {
            return;
        }
        let rechecks = Arc::clone(&self.rechecks);
        runtime.spawn(async move {
            let mut attempt = 0;
            loop {
                tokio::time::sleep(rechecks.delay(attempt)).await;
                if let Err(err) = rechecks.settle(&account).await {
                    tracing::warn!(error = %err, "unknown outcomes could not be checked now");
                }
                // Ending is decided under the lock that schedules: an
                // unknown outcome recorded meanwhile finds this task still
                // scheduled (and is seen here) or finds it gone (and starts
                // another).
                let mut scheduled = lock(&rechecks.scheduled);
                if !any_unsettled(&account) {
                    scheduled.remove(account.id());
                    return;
                }
                drop(scheduled);
                attempt += 1;
            }
        });
    }
}

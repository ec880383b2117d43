//! One account's sync: the newest page of every type first, then the last
//! 31 days of payments, then the rest of the history in parallel windows,
//! then events as they come. Every page is one transaction with the cursor
//! that covers it, so a crash or a quit resumes where it stopped.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use specta::Type;
use till_store::table::{balance_transactions, charges, payouts, sync_state};
use till_store::{Store, StoreError};
use till_stripe::requests::CreatedRange;
use till_stripe::{StripeClient, StripeError};
use tokio::sync::{Notify, watch};

use super::events::{self, EventCursor, Followups, Polled};
use super::kinds::{self, Kind};
use super::windows::Plan;
use crate::{Error, rows};

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
    cancel: watch::Sender<bool>,
    nudge: Notify,
    focused: std::sync::atomic::AtomicBool,
    /// Money actions waiting for their outcome: poll quickly meanwhile.
    pending_actions: std::sync::atomic::AtomicU32,
}

impl Default for Controls {
    fn default() -> Self {
        Self {
            cancel: watch::channel(false).0,
            nudge: Notify::new(),
            focused: std::sync::atomic::AtomicBool::new(true),
            pending_actions: std::sync::atomic::AtomicU32::new(0),
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

/// The start of history when Stripe will not say when the account opened.
const STRIPE_EPOCH: i64 = 1_293_840_000; // 2011-01-01

/// One account's sync engine.
pub struct Syncer {
    pub client: StripeClient,
    pub store: Arc<Mutex<Store>>,
    pub account_id: String,
    pub listener: Arc<dyn SyncListener>,
    pub options: SyncOptions,
    pub controls: Arc<Controls>,
}

impl std::fmt::Debug for Syncer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncer")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Why a step stopped early.
#[derive(Debug)]
pub enum Stop {
    Canceled,
    Failed(Error),
}

impl From<StripeError> for Stop {
    fn from(err: StripeError) -> Self {
        Self::Failed(err.into())
    }
}

impl From<StoreError> for Stop {
    fn from(err: StoreError) -> Self {
        Self::Failed(err.into())
    }
}

type Step<T> = Result<T, Stop>;

impl Syncer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check(&self) -> Step<()> {
        if self.controls.is_canceled() {
            Err(Stop::Canceled)
        } else {
            Ok(())
        }
    }

    /// Runs one closure in one transaction.
    fn write<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>) -> Step<T> {
        let mut store = self.lock();
        let tx = store.conn_mut().transaction().map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    fn report(&self, phase: SyncPhase, done: i64, remaining: Option<i64>, started: Instant) {
        let elapsed = started.elapsed().as_secs_f32().max(0.001);
        let last_synced_at = self
            .lock()
            .conn()
            .query_row(
                "SELECT max(updated_at) FROM sync_cursors WHERE account_id = ?1 AND stream = 'events'",
                [&self.account_id],
                |r| r.get::<_, Option<i64>>(0),
            )
            .ok()
            .flatten();
        self.listener.progress(&SyncProgress {
            account_id: self.account_id.clone(),
            phase,
            done: u32::try_from(done.max(0)).unwrap_or(u32::MAX),
            remaining: remaining.map(|r| u32::try_from(r.max(0)).unwrap_or(u32::MAX)),
            rate: done as f32 / elapsed,
            last_synced_at,
            offline_since: None,
            problem: None,
        });
    }

    /// The newest page of every type, in parallel; sets the events cursor
    /// first (if there is none) so that nothing falls between the two.
    pub async fn newest(&self) -> Step<i64> {
        let started = Instant::now();
        let has_cursor = EventCursor::load(self.lock().conn(), &self.account_id)?.is_some();
        if !has_cursor && let Some(cursor) = events::newest(&self.client).await? {
            self.write(|tx| cursor.save(tx, &self.account_id, unix_now()))?;
        }
        let pages = futures_util::future::join_all(
            self.options
                .kinds
                .iter()
                .map(|kind| kinds::fetch(&self.client, *kind, None, None, self.options.page_size)),
        )
        .await;
        let mut done = 0i64;
        for page in pages {
            match page {
                Ok(page) => {
                    done += i64::try_from(page.len()).unwrap_or(0);
                    self.write(|tx| kinds::store(tx, &self.account_id, &page.batch))?;
                }
                // A restricted key may not read every type: that type stays empty.
                Err(StripeError::Permission { .. }) => {}
                Err(err) => return Err(err.into()),
            }
        }
        self.refresh_balance().await?;
        self.listener
            .changed(&self.account_id, u32::try_from(done).unwrap_or(u32::MAX));
        self.report(SyncPhase::Newest, done, None, started);
        Ok(done)
    }

    async fn refresh_balance(&self) -> Step<()> {
        let balance = match self.client.balance().await {
            Ok(balance) => balance,
            Err(StripeError::Permission { .. }) => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        let mut amounts: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
        for a in &balance.available {
            amounts.entry(a.currency.code().to_owned()).or_default().0 += a.amount;
        }
        for p in &balance.pending {
            amounts.entry(p.currency.code().to_owned()).or_default().1 += p.amount;
        }
        let snapshot: Vec<sync_state::BalanceRow> = amounts
            .into_iter()
            .map(|(currency, (available, pending))| sync_state::BalanceRow {
                currency,
                available,
                pending,
            })
            .collect();
        self.write(|tx| sync_state::replace_balance(tx, &self.account_id, &snapshot, unix_now()))
    }

    /// The plan of a new backfill: payments of the last `recent_days` first.
    async fn plan(&self) -> Step<Plan> {
        let opened = match self.client.account().await {
            Ok(account) => account.created.unwrap_or(STRIPE_EPOCH),
            Err(StripeError::Permission { .. }) => STRIPE_EPOCH,
            Err(err) => return Err(err.into()),
        };
        // Stripe's now, which the newest event tells (the local clock may be
        // behind it), and a day past it: objects made while the backfill runs
        // are still in a window.
        let stripe_now = events::newest(&self.client)
            .await?
            .map_or(unix_now(), |e| e.created.max(unix_now()));
        let hi = stripe_now + 86_400;
        let recent = (stripe_now - self.options.recent_days * 86_400).max(opened);
        let mut ranges = Vec::new();
        for kind in &self.options.kinds {
            if *kind == Kind::PaymentIntents {
                ranges.push((*kind, recent, hi));
                ranges.push((*kind, opened.min(recent), recent));
            } else {
                ranges.push((*kind, opened, hi));
            }
        }
        // Payments of the last days first: the plan is taken in order.
        ranges.sort_by_key(|(kind, lo, _)| (*kind != Kind::PaymentIntents || *lo != recent, *kind));
        Ok(Plan::new(&ranges, self.options.pieces))
    }

    /// Fills the history: the saved plan if a backfill was cut short, else a
    /// new one. Returns the objects stored.
    pub async fn backfill(&self) -> Step<i64> {
        let loaded = Plan::load(self.lock().conn(), &self.account_id)?;
        let done_before = sync_state::get(self.lock().conn(), &self.account_id, "backfill")?
            .is_some_and(|row| row.done);
        if done_before && loaded.is_none() {
            return Ok(0);
        }
        let plan = match loaded {
            Some(plan) => plan,
            None => {
                let plan = self.plan().await?;
                self.write(|tx| plan.save(tx, &self.account_id, unix_now()))?;
                plan
            }
        };
        let recent_hi = unix_now() - self.options.recent_days * 86_400;
        let plan = Arc::new(Mutex::new(plan));
        let started = Instant::now();
        let last_changed = Mutex::new(Instant::now());
        let workers = (0..self.options.parallel.max(1))
            .map(|_| self.worker(&plan, recent_hi, started, &last_changed));
        let results = futures_util::future::join_all(workers).await;
        for result in results {
            result?;
        }
        let objects = plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .objects();
        self.listener
            .changed(&self.account_id, u32::try_from(objects).unwrap_or(u32::MAX));
        self.write(|tx| {
            Plan::clear(tx, &self.account_id)?;
            sync_state::put(
                tx,
                &self.account_id,
                &sync_state::CursorRow {
                    stream: "backfill".to_owned(),
                    cursor: None,
                    done: true,
                    objects_done: objects,
                    updated_at: unix_now(),
                },
            )
        })?;
        Ok(objects)
    }

    async fn worker(
        &self,
        plan: &Arc<Mutex<Plan>>,
        recent_hi: i64,
        started: Instant,
        last_changed: &Mutex<Instant>,
    ) -> Step<()> {
        let locked = || plan.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            self.check()?;
            let Some(index) = locked().take() else {
                return Ok(());
            };
            loop {
                self.check()?;
                let Some(window) = locked().get(index).cloned() else {
                    break;
                };
                let range = CreatedRange::between(window.lo, window.hi);
                let after = window.after.as_ref().map(|(id, _)| id.as_str());
                let page = kinds::fetch(
                    &self.client,
                    window.kind,
                    Some(range),
                    after,
                    self.options.page_size,
                )
                .await;
                let page = match page {
                    Ok(page) => page,
                    Err(StripeError::Permission { .. }) => {
                        // This key cannot read the type: nothing to fill.
                        let mut plan = locked();
                        if let Some(w) = plan.get_mut(index) {
                            w.done = true;
                            w.busy = false;
                        }
                        break;
                    }
                    Err(err) => {
                        tracing::warn!(?window, error = %err, "a backfill page failed");
                        if let Some(w) = locked().get_mut(index) {
                            w.busy = false;
                        }
                        return Err(err.into());
                    }
                };
                // The page and the plan that now covers it, in one transaction.
                let (done, remaining, recent, finished) = {
                    let mut plan = locked();
                    // Split while the page was on its way: the window may now
                    // start above where the page ended, and is then complete.
                    let lo = plan.get(index).map_or(window.lo, |w| w.lo);
                    let finished = !page.has_more
                        || page.last.as_ref().is_none_or(|(_, created)| *created < lo);
                    if let Some(w) = plan.get_mut(index) {
                        w.objects += i64::try_from(page.len()).unwrap_or(0);
                        if let Some(last) = page.last.clone() {
                            w.after = Some(last);
                        }
                        if finished {
                            w.done = true;
                            w.busy = false;
                        }
                    }
                    self.write(|tx| {
                        kinds::store(tx, &self.account_id, &page.batch)?;
                        plan.save(tx, &self.account_id, unix_now())
                    })?;
                    let recent = plan
                        .windows
                        .iter()
                        .any(|w| w.kind == Kind::PaymentIntents && w.hi > recent_hi && !w.done);
                    (plan.objects(), plan.estimate_remaining(), recent, finished)
                };
                // Screens reload on a change: at most one a second while pages pour in.
                let due = {
                    let mut last = last_changed.lock().unwrap_or_else(PoisonError::into_inner);
                    let due = last.elapsed() >= Duration::from_secs(1);
                    if due {
                        *last = Instant::now();
                    }
                    due
                };
                if due {
                    self.listener
                        .changed(&self.account_id, u32::try_from(done).unwrap_or(0));
                }
                let phase = if recent {
                    SyncPhase::Recent
                } else {
                    SyncPhase::Backfill
                };
                self.report(phase, done, Some(remaining), started);
                if finished {
                    break;
                }
            }
        }
    }

    /// Reads new events and applies them; fetches what they were not enough
    /// for. Returns how many events changed the cache.
    pub async fn catch_up(&self) -> Step<usize> {
        let cursor = EventCursor::load(self.lock().conn(), &self.account_id)?;
        let Some(cursor) = cursor else {
            if let Some(cursor) = events::newest(&self.client).await? {
                self.write(|tx| cursor.save(tx, &self.account_id, unix_now()))?;
            }
            return Ok(0);
        };
        let polled = events::poll(&self.client, &cursor).await?;
        let list = match polled {
            Polled::Events(list) => list,
            Polled::Expired => {
                // Events older than Stripe keeps are gone: list everything again.
                tracing::info!(account = %self.account_id, "event cursor expired; listing everything again");
                let newest = events::newest(&self.client).await?;
                let plan = self.plan().await?;
                self.write(|tx| {
                    sync_state::remove(tx, &self.account_id, "backfill")?;
                    plan.save(tx, &self.account_id, unix_now())?;
                    if let Some(cursor) = &newest {
                        cursor.save(tx, &self.account_id, unix_now())?;
                    }
                    Ok(())
                })?;
                let relisted = self.backfill().await?;
                return Ok(usize::try_from(relisted).unwrap_or(0));
            }
        };
        let mut followups = Followups::default();
        let mut applied = 0usize;
        for chunk in list.chunks(100) {
            applied += self.write(|tx| {
                let mut applied = 0;
                for event in chunk {
                    if events::apply(tx, &self.account_id, event, &mut followups)? {
                        applied += 1;
                    }
                }
                if let Some(last) = chunk.last() {
                    EventCursor {
                        id: last.id.clone(),
                        created: last.created,
                    }
                    .save(tx, &self.account_id, unix_now())?;
                }
                Ok(applied)
            })?;
        }
        if list.is_empty() {
            // Still synced: the cursor's time says when Stripe was last asked.
            self.write(|tx| cursor.save(tx, &self.account_id, unix_now()))?;
        }
        for (kind, id) in &followups.refetch {
            self.refetch(*kind, id).await?;
        }
        for charge in &followups.refunds_of {
            let request = till_stripe::requests::ListRefunds {
                charge: Some(charge.clone()),
                ..Default::default()
            };
            let list = self
                .client
                .list_refunds(&request, &till_stripe::Page::first(100))
                .await?;
            self.write(|tx| {
                for refund in &list.data {
                    till_store::table::refunds::upsert(
                        tx,
                        &self.account_id,
                        &rows::refund(refund),
                    )?;
                }
                Ok(())
            })?;
        }
        if followups.balance {
            self.refresh_balance().await?;
        }
        if applied > 0 {
            self.listener
                .changed(&self.account_id, u32::try_from(applied).unwrap_or(u32::MAX));
        }
        Ok(applied)
    }

    async fn refetch(&self, kind: Kind, id: &str) -> Step<()> {
        let found = match kind {
            Kind::PaymentIntents => self
                .client
                .retrieve_payment_intent(id, &[])
                .await
                .map(|pi| self.write(|tx| kinds::store_payment(tx, &self.account_id, &pi))),
            Kind::Charges => self
                .client
                .retrieve_charge(id, &[])
                .await
                .map(|c| self.write(|tx| kinds::store_charge(tx, &self.account_id, &c))),
            Kind::CheckoutSessions => self
                .client
                .retrieve_checkout_session(id, &["line_items"])
                .await
                .map(|s| self.write(|tx| kinds::store_session(tx, &self.account_id, &s))),
            Kind::Refunds => self.client.retrieve_refund(id).await.map(|r| {
                self.write(|tx| {
                    till_store::table::refunds::upsert(tx, &self.account_id, &rows::refund(&r))
                })
            }),
            Kind::Customers => self.client.retrieve_customer(id).await.map(|c| {
                self.write(|tx| {
                    till_store::table::customers::upsert(tx, &self.account_id, &rows::customer(&c))
                })
            }),
            Kind::Payouts | Kind::BalanceTransactions => return Ok(()),
        };
        match found {
            Ok(written) => written,
            Err(StripeError::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Fees Stripe had not booked when a charge was stored, and every balance
    /// transaction a charge, refund or payout names that the cache lacks:
    /// Stripe sends no event for those. Returns how many were found.
    pub async fn late_fees(&self, limit: usize) -> Step<usize> {
        let waiting = charges::fee_pending(self.lock().conn(), &self.account_id, limit)?;
        for charge in waiting {
            // As a list sends it: the balance transaction as an id.
            let fresh = self.client.retrieve_charge(&charge.id, &[]).await?;
            self.write(|tx| kinds::store_charge(tx, &self.account_id, &fresh))?;
        }
        let missing =
            balance_transactions::missing_referenced(self.lock().conn(), &self.account_id, limit)?;
        let mut found = 0;
        for id in missing {
            let bt = match self.client.retrieve_balance_transaction(&id).await {
                Ok(bt) => bt,
                Err(StripeError::NotFound { .. }) => continue,
                Err(err) => return Err(err.into()),
            };
            self.write(|tx| {
                balance_transactions::upsert(tx, &self.account_id, &rows::balance_transaction(&bt))
            })?;
            found += 1;
        }
        Ok(found)
    }

    /// Which balance transactions each recent payout paid out.
    pub async fn match_payouts(&self, limit: usize) -> Step<usize> {
        let waiting = payouts::unmatched(self.lock().conn(), &self.account_id, limit)?;
        for payout in &waiting {
            let mut ids = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = match &after {
                    Some(id) => till_stripe::Page::after(100, id.clone()),
                    None => till_stripe::Page::first(100),
                };
                let list = self
                    .client
                    .list_balance_transactions(Some(&payout.id), &page)
                    .await?;
                after = list.data.last().map(|bt| bt.id.clone());
                ids.extend(list.data.into_iter().map(|bt| bt.object.id));
                if !list.has_more || after.is_none() {
                    break;
                }
            }
            self.write(|tx| {
                balance_transactions::assign_payout(tx, &self.account_id, &ids, &payout.id)?;
                payouts::mark_matched(tx, &self.account_id, &payout.id)
            })?;
        }
        Ok(waiting.len())
    }

    /// Lists the last 31 days of every type again: catches events that never came.
    pub async fn reconcile(&self) -> Step<i64> {
        let since = unix_now() - self.options.recent_days * 86_400;
        let mut stored = 0i64;
        for kind in self.options.kinds.clone() {
            let mut after: Option<String> = None;
            loop {
                self.check()?;
                let page = match kinds::fetch(
                    &self.client,
                    kind,
                    Some(CreatedRange::since(since)),
                    after.as_deref(),
                    self.options.page_size,
                )
                .await
                {
                    Ok(page) => page,
                    Err(StripeError::Permission { .. }) => break,
                    Err(err) => return Err(err.into()),
                };
                stored += i64::try_from(page.len()).unwrap_or(0);
                self.write(|tx| kinds::store(tx, &self.account_id, &page.batch))?;
                match page.last {
                    Some((id, _)) if page.has_more => after = Some(id),
                    _ => break,
                }
            }
        }
        self.refresh_balance().await?;
        Ok(stored)
    }

    /// Everything, once, without waiting: the newest pages, the backfill,
    /// the events since, the late fees and payouts. For tests and for the
    /// first run of a command-line sync.
    pub async fn sync_once(&self) -> Result<i64, Error> {
        let run = async {
            let mut stored = self.newest().await?;
            stored += self.backfill().await?;
            self.catch_up().await?;
            self.late_fees(500).await?;
            self.match_payouts(50).await?;
            Ok::<i64, Stop>(stored)
        };
        match run.await {
            Ok(stored) => Ok(stored),
            Err(Stop::Canceled) => Err(Error::internal("the sync was canceled")),
            Err(Stop::Failed(err)) => Err(err),
        }
    }

    fn interval(&self, last_activity: Instant) -> Duration {
        use std::sync::atomic::Ordering::Relaxed;
        let o = &self.options;
        if self.controls.pending_actions.load(Relaxed) > 0 || last_activity.elapsed() < o.active_for
        {
            o.poll_active
        } else if self.controls.focused.load(Relaxed) {
            o.poll_idle
        } else {
            o.poll_background
        }
    }

    /// Waits `duration`, or less when nudged or canceled. True when nudged.
    async fn wait(&self, duration: Duration) -> bool {
        let mut cancel = self.controls.cancel.subscribe();
        tokio::select! {
            () = tokio::time::sleep(duration) => false,
            () = self.controls.nudge.notified() => true,
            _ = cancel.changed() => false,
        }
    }

    /// Runs until canceled: first value, backfill, then events, adapting the
    /// polling to what the user is doing. Offline, it waits and tries again.
    pub async fn run(self) {
        let mut offline_since: Option<i64> = None;
        let mut backoff = Duration::from_secs(2);
        let mut last_activity = Instant::now();
        let mut last_reconcile = Instant::now();
        let mut started = false;
        loop {
            let step = async {
                if !started {
                    self.newest().await?;
                    self.backfill().await?;
                    started = true;
                }
                let applied = self.catch_up().await?;
                self.late_fees(20).await?;
                self.match_payouts(5).await?;
                if last_reconcile.elapsed() >= self.options.reconcile_every {
                    self.reconcile().await?;
                    last_reconcile = Instant::now();
                }
                Ok::<usize, Stop>(applied)
            };
            match step.await {
                Ok(applied) => {
                    offline_since = None;
                    backoff = Duration::from_secs(2);
                    if applied > 0 {
                        last_activity = Instant::now();
                    }
                    self.report(
                        SyncPhase::Live,
                        i64::try_from(applied).unwrap_or(0),
                        None,
                        Instant::now(),
                    );
                    if self.wait(self.interval(last_activity)).await {
                        last_activity = Instant::now();
                    }
                }
                Err(Stop::Canceled) => break,
                Err(Stop::Failed(err)) => {
                    let since = *offline_since.get_or_insert_with(unix_now);
                    tracing::warn!(account = %self.account_id, error = %err, "sync paused");
                    self.listener.progress(&SyncProgress {
                        account_id: self.account_id.clone(),
                        phase: SyncPhase::Offline,
                        done: 0,
                        remaining: None,
                        rate: 0.0,
                        last_synced_at: None,
                        offline_since: Some(since),
                        problem: Some(err.to_string()),
                    });
                    self.wait(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(120));
                }
            }
            if self.controls.is_canceled() {
                break;
            }
        }
        self.listener.progress(&SyncProgress {
            account_id: self.account_id.clone(),
            phase: SyncPhase::Canceled,
            done: 0,
            remaining: None,
            rate: 0.0,
            last_synced_at: None,
            offline_since: None,
            problem: None,
        });
    }
}

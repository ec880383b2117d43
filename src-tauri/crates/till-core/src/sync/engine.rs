//! One account's sync: the newest page of every type first, then the last
//! 31 days of payments, then the rest of the history in parallel windows,
//! then events as they come. Every page is stored in one transaction with
//! the cursor that covers it, so a crash or a quit resumes where it stopped.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use till_store::table::sync_state;
use till_store::{Store, StoreError};
use till_stripe::{StripeClient, StripeError};

use super::events::{self, EventCursor, Followups, Polled};
use super::health::{self, KindStatus, Pause, SyncProblem};
use super::kinds::{self, Kind};
pub use super::status::{
    CLOCK_SKEW_SHOWN, Controls, Quiet, SyncListener, SyncOptions, SyncPhase, SyncProgress, unix_now,
};
use crate::{Error, rows};

/// When the newest pages were last compared with Stripe, for a key that
/// cannot read events.
const LISTS: &str = "lists";

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

pub(super) type Step<T> = Result<T, Stop>;

impl Syncer {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn check(&self) -> Step<()> {
        if self.controls.is_canceled() {
            Err(Stop::Canceled)
        } else {
            Ok(())
        }
    }

    /// Runs one closure in one transaction.
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Step<T> {
        let mut store = self.lock();
        let tx = store.conn_mut().transaction().map_err(StoreError::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    pub(super) fn report(
        &self,
        phase: SyncPhase,
        done: i64,
        remaining: Option<i64>,
        started: Instant,
    ) {
        let elapsed = started.elapsed().as_secs_f32().max(0.001);
        let last_synced_at = self.last_synced();
        self.listener.progress(&SyncProgress {
            account_id: self.account_id.clone(),
            phase,
            done: u32::try_from(done.max(0)).unwrap_or(u32::MAX),
            remaining: remaining.map(|r| u32::try_from(r.max(0)).unwrap_or(u32::MAX)),
            rate: done as f32 / elapsed,
            last_synced_at,
            problem: None,
            kinds: self.kind_statuses(),
            clock_skew: self.clock_skew(),
        });
    }

    /// The progress of a paused sync.
    fn report_problem(&self, problem: Option<SyncProblem>, phase: SyncPhase) {
        if self.controls.replaced.load(Relaxed) {
            return;
        }
        self.listener.progress(&SyncProgress {
            account_id: self.account_id.clone(),
            phase,
            done: 0,
            remaining: None,
            rate: 0.0,
            last_synced_at: self.last_synced(),
            problem,
            kinds: self.kind_statuses(),
            clock_skew: self.clock_skew(),
        });
    }

    pub(super) fn kind_statuses(&self) -> Vec<KindStatus> {
        self.controls.health.statuses()
    }

    /// Stripe's clock against this computer's, when it is far enough off to say.
    fn clock_skew(&self) -> Option<i64> {
        self.client
            .clock_skew()
            .filter(|skew| skew.abs() > CLOCK_SKEW_SHOWN)
    }

    /// Notes what a page says of its kind's health: objects unreadable, and
    /// those read again.
    pub(super) fn note_page(&self, kind: Kind, page: &kinds::Fetched) {
        self.controls
            .health
            .note_page(kind, &page.unreadable, page.batch.ids());
    }

    /// Events cannot be read with this key or from this server (refused,
    /// 404, an answer Till cannot read): the newest pages are followed
    /// instead. Anything else (the network, 429, 5xx) is the whole sync's.
    fn events_unavailable(&self, err: &StripeError) -> bool {
        if health::is_refusal(err) {
            if !self.controls.events_refused.swap(true, Relaxed) {
                tracing::warn!(account = %self.account_id, error = %err, "events cannot be read: following the newest pages instead");
            }
            true
        } else {
            false
        }
    }

    /// When Stripe last answered a poll for events: the cache matched it then.
    fn last_synced(&self) -> Option<i64> {
        let conn = self.lock();
        [events::STREAM, LISTS]
            .into_iter()
            .filter_map(|stream| {
                sync_state::get(conn.conn(), &self.account_id, stream)
                    .ok()
                    .flatten()
            })
            .map(|row| row.updated_at)
            .max()
    }

    /// The newest page of every type, in parallel; sets the events cursor
    /// first (if there is none) so that nothing falls between the two.
    pub async fn newest(&self) -> Step<i64> {
        let started = Instant::now();
        let has_cursor = EventCursor::load(self.lock().conn(), &self.account_id)?.is_some();
        if !has_cursor {
            match events::newest(&self.client).await {
                Ok(Some(cursor)) => {
                    self.write(|tx| cursor.save(tx, &self.account_id, unix_now()))?;
                }
                Ok(None) => {}
                // A restricted key may not read events: followed by lists.
                Err(err) if self.events_unavailable(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        let mut done = 0i64;
        for page in self.newest_pages().await {
            let page = page?;
            self.note_page(page.batch.kind(), &page);
            done += i64::try_from(page.len()).unwrap_or(0);
            self.write(|tx| kinds::store(tx, &self.account_id, &page.batch))?;
        }
        self.refresh_balance().await?;
        self.listener
            .changed(&self.account_id, u32::try_from(done).unwrap_or(u32::MAX));
        self.report(SyncPhase::Newest, done, None, started);
        Ok(done)
    }

    /// The newest page of every type the key may read, fetched in parallel,
    /// in the order of the options' types. A type Stripe refuses is noted
    /// (not asked again this run for a 403, for a while otherwise) and left
    /// out: the others carry on.
    async fn newest_pages(&self) -> Vec<Step<kinds::Fetched>> {
        let readable = self.controls.readable(&self.options.kinds);
        let pages = futures_util::future::join_all(
            readable
                .iter()
                .map(|kind| kinds::fetch(&self.client, *kind, None, None, self.options.page_size)),
        )
        .await;
        readable
            .iter()
            .zip(pages)
            .filter_map(|(kind, page)| match page {
                Ok(page) => Some(Ok(page)),
                Err(err) if health::is_refusal(&err) => {
                    self.controls.health.refuse(*kind, &err);
                    None
                }
                Err(err) => Some(Err(err.into())),
            })
            .collect()
    }

    /// Reads new events and applies them; fetches what they were not enough
    /// for. Returns how many events changed the cache.
    pub async fn catch_up(&self) -> Step<usize> {
        if self.controls.events_refused.load(Relaxed) {
            return self.follow_by_lists().await;
        }
        let cursor = EventCursor::load(self.lock().conn(), &self.account_id)?;
        let Some(cursor) = cursor else {
            match events::newest(&self.client).await {
                Ok(Some(cursor)) => {
                    self.write(|tx| cursor.save(tx, &self.account_id, unix_now()))?;
                }
                Ok(None) => {}
                Err(err) if self.events_unavailable(&err) => {
                    return self.follow_by_lists().await;
                }
                Err(err) => return Err(err.into()),
            }
            return Ok(0);
        };
        let polled = match events::poll(&self.client, &cursor).await {
            Ok(polled) => polled,
            Err(err) if self.events_unavailable(&err) => {
                return self.follow_by_lists().await;
            }
            Err(err) => return Err(err.into()),
        };
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
            let list = match self
                .client
                .list_refunds(&request, &till_stripe::Page::first(100))
                .await
            {
                Ok(list) => list,
                Err(err) if health::is_refusal(&err) => {
                    self.controls.health.refuse(Kind::Refunds, &err);
                    continue;
                }
                Err(err) => return Err(err.into()),
            };
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
        if followups.transactions && self.controls.health.readable(Kind::BalanceTransactions) {
            match kinds::fetch(
                &self.client,
                Kind::BalanceTransactions,
                None,
                None,
                self.options.page_size,
            )
            .await
            {
                Ok(page) => {
                    self.note_page(Kind::BalanceTransactions, &page);
                    self.write(|tx| kinds::store(tx, &self.account_id, &page.batch))?;
                }
                Err(err) if health::is_refusal(&err) => {
                    self.controls.health.refuse(Kind::BalanceTransactions, &err);
                }
                Err(err) => return Err(err.into()),
            }
        }
        if followups.balance || followups.transactions {
            self.refresh_balance().await?;
        }
        if applied > 0 {
            self.listener
                .changed(&self.account_id, u32::try_from(applied).unwrap_or(u32::MAX));
        }
        Ok(applied)
    }

    /// For a key that may not read events (a front desk's restricted key):
    /// the newest page of every type it can read, stored when it differs
    /// from the cache. Older objects that change are caught by the periodic
    /// re-list of the last 31 days. Returns how many objects changed.
    async fn follow_by_lists(&self) -> Step<usize> {
        let mut changed = 0usize;
        for page in self.newest_pages().await {
            let page = page?;
            self.note_page(page.batch.kind(), &page);
            changed += self.write(|tx| {
                let changed = kinds::changed(tx, &self.account_id, &page.batch)?;
                if changed > 0 {
                    kinds::store(tx, &self.account_id, &page.batch)?;
                }
                Ok(changed)
            })?;
        }
        self.write(|tx| {
            sync_state::put(
                tx,
                &self.account_id,
                &sync_state::CursorRow {
                    stream: LISTS.to_owned(),
                    updated_at: unix_now(),
                    ..sync_state::CursorRow::default()
                },
            )
        })?;
        if changed > 0 {
            self.refresh_balance().await?;
            self.listener
                .changed(&self.account_id, u32::try_from(changed).unwrap_or(u32::MAX));
        }
        Ok(changed)
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
            // Every paid payout's transactions, once: a one-off after a backfill.
            while self.match_payouts(50).await? > 0 {}
            Ok::<i64, Stop>(stored)
        };
        match run.await {
            Ok(stored) => Ok(stored),
            Err(Stop::Canceled) => Err(Error::internal("the sync was canceled")),
            Err(Stop::Failed(err)) => Err(err),
        }
    }

    fn interval(&self, last_activity: Instant) -> Duration {
        let o = &self.options;
        if self.controls.pending_actions.load(Relaxed) > 0
            || last_activity.elapsed() < o.active_for
            || self.controls.follow_until.load(Relaxed) > super::status::unix_now()
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

    /// Waits until Retry is pressed, the sync is canceled, or `until`
    /// (Unix time) passes: a refusal is not asked again sooner.
    async fn wait_for_retry(&self, until: i64) {
        let mut cancel = self.controls.cancel.subscribe();
        let seconds = u64::try_from((until - unix_now()).max(1)).unwrap_or(u64::MAX);
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(seconds.min(365 * 86_400))) => {},
            () = self.controls.retry.notified() => {},
            _ = cancel.changed() => {},
        }
    }

    /// Runs until canceled: first value, backfill, then events, adapting the
    /// polling to what the user is doing. Unreachable, 429 or 5xx, it waits
    /// longer and longer and tries again; refused, it waits for Retry, a new
    /// key or 30 minutes. A kind refused on its own never pauses the rest.
    pub async fn run(self) {
        let mut since: Option<i64> = None;
        let mut backoff = Duration::from_secs(2);
        let mut last_activity = Instant::now();
        let mut last_reconcile = Instant::now();
        let mut started = false;
        loop {
            let step = async {
                if !started {
                    self.newest().await?;
                    started = true;
                }
                // Also picks up the history of a kind refused before, once
                // it may be asked again.
                self.backfill().await?;
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
                    since = None;
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
                    let (problem, pause) =
                        SyncProblem::of(&err, *since.get_or_insert_with(unix_now));
                    tracing::warn!(account = %self.account_id, error = %err, ?pause, "sync paused");
                    self.report_problem(Some(problem), SyncPhase::Offline);
                    match pause {
                        Pause::Backoff => {
                            self.wait(backoff).await;
                            backoff = (backoff * 2).min(Duration::from_secs(120));
                        }
                        Pause::Until(until) => self.wait_for_retry(until).await,
                    }
                }
            }
            if self.controls.is_canceled() {
                break;
            }
        }
        if !self.controls.replaced.load(Relaxed) {
            self.report_problem(None, SyncPhase::Canceled);
        }
    }
}

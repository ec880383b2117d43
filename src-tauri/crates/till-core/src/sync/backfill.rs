//! The backfill: the account's history cut into `created` windows fetched
//! in parallel under the rate budget, each page handed to the writer with
//! the plan that covers it, so a crash or a quit resumes where it stopped.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use till_store::table::sync_state;
use till_stripe::requests::CreatedRange;

use super::engine::{Step, Stop, Syncer};
use super::events;
use super::health;
use super::kinds::{self, Kind};
use super::status::{SyncPhase, unix_now};
use super::windows::Plan;
use super::writer::{Commits, PageWriter};
use crate::Error;

/// The start of history when Stripe will not say when the account opened.
const STRIPE_EPOCH: i64 = 1_293_840_000; // 2011-01-01

/// A worker found the writer gone; the writer's own error is what the
/// backfill returns.
fn writer_stopped() -> Stop {
    Stop::Failed(Error::Internal {
        detail: "the sync's writer stopped".to_owned(),
    })
}

impl Syncer {
    /// The plan of a new backfill: payments of the last `recent_days` first.
    pub(super) async fn plan(&self) -> Step<Plan> {
        let opened = match self.client.account().await {
            Ok(account) => account.created.unwrap_or(STRIPE_EPOCH),
            // A restricted key, or a server without `/v1/account`: the
            // whole of history is asked.
            Err(err) if health::is_refusal(&err) => STRIPE_EPOCH,
            Err(err) => return Err(err.into()),
        };
        // Stripe's now, which the newest event tells (the local clock may be
        // behind it), and a day past it: objects made while the backfill runs
        // are still in a window.
        let newest_event = match events::newest(&self.client).await {
            Ok(newest) => newest,
            Err(err) if health::is_refusal(&err) => None,
            Err(err) => return Err(err.into()),
        };
        let stripe_now = newest_event.map_or(unix_now(), |e| e.created.max(unix_now()));
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
        Ok(self.backfill_counted().await?.0)
    }

    /// [`Syncer::backfill`], also telling how its pages were committed.
    /// A kind Stripe refuses is set aside and the others are filled; its
    /// windows stay in the plan until it may be asked again. A kind whose
    /// date filter is refused is read without it.
    pub async fn backfill_counted(&self) -> Step<(i64, Commits)> {
        let loaded = Plan::load(self.lock().conn(), &self.account_id)?;
        let done_before = sync_state::get(self.lock().conn(), &self.account_id, "backfill")?
            .is_some_and(|row| row.done);
        let mut stored = 0i64;
        let mut commits = Commits::default();
        if !done_before || loaded.is_some() {
            let mut plan = match loaded {
                Some(plan) => plan,
                None => {
                    let plan = self.plan().await?;
                    self.write(|tx| plan.save(tx, &self.account_id, unix_now()))?;
                    plan
                }
            };
            self.set_aside(&mut plan);
            if plan.takeable() {
                let (objects, pages, plan) = self.fill(plan).await?;
                stored += objects;
                commits = pages;
                self.finish(&plan, objects)?;
            } else if !plan.pending() {
                self.finish(&plan, 0)?;
            }
        }
        for kind in self.unfiltered_pending()? {
            stored += self.read_unfiltered(kind).await?;
        }
        Ok((stored, commits))
    }

    /// Windows of kinds read without their filter are not asked with it;
    /// those of kinds refused for now wait.
    fn set_aside(&self, plan: &mut Plan) {
        for kind in &self.options.kinds {
            if self.controls.health.unfiltered(*kind) {
                plan.skip_kind(*kind);
            } else if !self.controls.health.readable(*kind) {
                plan.hold_kind(*kind);
            }
        }
    }

    /// Reads the plan's windows in parallel. Returns the objects stored,
    /// how the pages were committed, and the plan as it ended.
    async fn fill(&self, plan: Plan) -> Step<(i64, Commits, Plan)> {
        let recent_hi = unix_now() - self.options.recent_days * 86_400;
        let plan = Arc::new(Mutex::new(plan));
        let started = Instant::now();
        let writer = self.page_writer()?;
        let workers = (0..self.options.parallel.max(1))
            .map(|_| self.worker(&plan, &writer, recent_hi, started));
        let results = futures_util::future::join_all(workers).await;
        // What was fetched is kept even when a worker stopped on an error.
        let commits = writer.finish().await.map_err(Stop::Failed)?;
        tracing::debug!(?commits, "backfill pages committed");
        for result in results {
            result?;
        }
        let plan = std::mem::take(&mut *plan.lock().unwrap_or_else(PoisonError::into_inner));
        let objects = plan.objects();
        self.listener
            .changed(&self.account_id, u32::try_from(objects).unwrap_or(u32::MAX));
        Ok((objects, commits, plan))
    }

    /// Ends the windowed backfill when no window is left: one set aside
    /// keeps the plan for when its kind may be asked again.
    fn finish(&self, plan: &Plan, objects: i64) -> Step<()> {
        if plan.pending() {
            return Ok(());
        }
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
        })
    }

    /// The backfill's writer; screens reload after its commits, at most
    /// once a second while pages pour in.
    fn page_writer(&self) -> Step<PageWriter> {
        let listener = Arc::clone(&self.listener);
        let account_id = self.account_id.clone();
        let mut last_changed = Instant::now();
        let mut stored = 0usize;
        let writer = PageWriter::start(
            Arc::clone(&self.store),
            self.account_id.clone(),
            move |objects| {
                stored += objects;
                if last_changed.elapsed() >= Duration::from_secs(1) {
                    last_changed = Instant::now();
                    listener.changed(&account_id, u32::try_from(stored).unwrap_or(u32::MAX));
                }
            },
        )
        .map_err(Stop::Failed)?;
        Ok(writer)
    }

    async fn worker(
        &self,
        plan: &Arc<Mutex<Plan>>,
        writer: &PageWriter,
        recent_hi: i64,
        started: Instant,
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
                // Room at the writer first: a page fetched is a page kept.
                let Some(room) = writer.room().await else {
                    return Err(writer_stopped());
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
                    Err(err) if health::is_refusal(&err) => {
                        // Refused for its filter: the kind is read without
                        // it after the windows. Refused itself (a 403, a
                        // 404): its windows wait. The others carry on.
                        if let Some(w) = locked().get_mut(index) {
                            w.busy = false;
                        }
                        if self.refused_with_filter(window.kind, &err).await? {
                            locked().skip_kind(window.kind);
                        } else {
                            locked().hold_kind(window.kind);
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
                self.note_page(window.kind, &page);
                // The page goes to the writer with the plan that now covers it.
                let (done, remaining, recent, finished, sent) = {
                    let mut plan = locked();
                    // Split while the page was on its way: the window may now
                    // start above where the page ended, and is then complete.
                    let lo = plan.get(index).map_or(window.lo, |w| w.lo);
                    let finished = !page.has_more
                        || page.last.as_ref().is_none_or(|(_, created)| *created < lo);
                    if let Some(w) = plan.get_mut(index) {
                        w.objects += i64::try_from(page.len()).unwrap_or(0);
                        // Only a window's first page says where its pages
                        // start: a plan saved before `top` existed keeps its
                        // window's upper bound instead.
                        if w.after.is_none() {
                            w.top = page.newest;
                        }
                        if let Some(last) = page.last.clone() {
                            w.after = Some(last);
                        }
                        if finished {
                            w.done = true;
                            w.busy = false;
                        }
                    }
                    // A window of older history steps aside after a page
                    // while another is unread or one is stretched, so that
                    // windows are read early and the estimate comes soon.
                    // Recent payments keep their worker; nothing is
                    // fetched twice.
                    let stays =
                        finished || (window.kind == Kind::PaymentIntents && window.hi > recent_hi);
                    let step_aside = !stays && plan.wants_samples();
                    if let Some(w) = plan.get_mut(index).filter(|_| step_aside) {
                        w.busy = false;
                    }
                    let objects = page.len();
                    let sent = writer.send(room, page.batch, objects, &plan);
                    let recent = plan
                        .windows
                        .iter()
                        .any(|w| w.kind == Kind::PaymentIntents && w.hi > recent_hi && !w.done);
                    (
                        plan.objects(),
                        plan.estimate_remaining(),
                        recent,
                        finished || step_aside,
                        sent,
                    )
                };
                if !sent {
                    return Err(writer_stopped());
                }
                let phase = if recent {
                    SyncPhase::Recent
                } else {
                    SyncPhase::Backfill
                };
                self.report(phase, done, remaining, started);
                if finished {
                    break;
                }
            }
        }
    }
}

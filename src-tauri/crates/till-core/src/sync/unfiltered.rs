//! Kinds whose list refused its date filter (`created[gte]`…): some
//! Stripe-compatible servers, and older API versions of some lists (the
//! pinned spec's Checkout Sessions list has no `created`), refuse it. Such a
//! kind is read without the filter: its history newest first, page after
//! page, with a cursor saved with every page so a quit resumes it; and
//! later, newest first down to what is cached.

use till_store::table::sync_state::{self, CursorRow};
use till_stripe::StripeError;

use super::engine::{Step, Syncer};
use super::health;
use super::kinds::{self, Kind};
use super::status::{SyncPhase, unix_now};

/// The stream of a kind's history read without the filter.
const PREFIX: &str = "unfiltered:";

fn stream(kind: Kind) -> String {
    format!("{PREFIX}{}", kind.name())
}

impl Syncer {
    /// Stripe refused a list of `kind` asked with a date filter. Its newest
    /// page, asked without the filter, tells whether the filter was at
    /// fault: then the kind is read without it from now on (true);
    /// otherwise the kind itself is refused for a while (false).
    pub(super) async fn refused_with_filter(&self, kind: Kind, err: &StripeError) -> Step<bool> {
        match kinds::fetch(&self.client, kind, None, None, 1).await {
            Ok(_) => {
                self.controls.health.refuse_filter(kind, err);
                Ok(true)
            }
            Err(probe) if health::is_refusal(&probe) => {
                self.controls.health.refuse(kind, &probe);
                Ok(false)
            }
            Err(probe) => Err(probe.into()),
        }
    }

    /// A page of `kind` without the filter, after `after`; `None` when Stripe
    /// refused it (the kind is then set aside).
    async fn unfiltered_page(
        &self,
        kind: Kind,
        after: Option<&str>,
    ) -> Step<Option<kinds::Fetched>> {
        match kinds::fetch(&self.client, kind, None, after, self.options.page_size).await {
            Ok(page) => {
                self.note_page(kind, &page);
                Ok(Some(page))
            }
            Err(err) if health::is_refusal(&err) => {
                self.controls.health.refuse(kind, &err);
                Ok(None)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The kinds whose history is still to read without the filter: those
    /// found so this run, and those whose reading a quit cut short.
    pub(super) fn unfiltered_pending(&self) -> Step<Vec<Kind>> {
        let conn = self.lock();
        let mut pending = Vec::new();
        for kind in &self.options.kinds {
            let saved = sync_state::get(conn.conn(), &self.account_id, &stream(*kind))?;
            let started = saved.as_ref().is_some_and(|row| !row.done);
            let found = self.controls.health.unfiltered(*kind) && saved.is_none();
            if (started || found) && self.controls.health.readable(*kind) {
                pending.push(*kind);
            }
        }
        Ok(pending)
    }

    /// Reads a kind's whole history without the filter, newest first, from
    /// where it stopped. Returns the objects stored.
    pub(super) async fn read_unfiltered(&self, kind: Kind) -> Step<i64> {
        let stream = stream(kind);
        let saved = sync_state::get(self.lock().conn(), &self.account_id, &stream)?;
        let mut after = saved.as_ref().and_then(|row| row.cursor.clone());
        let mut stored = saved.map_or(0, |row| row.objects_done);
        let started = std::time::Instant::now();
        loop {
            self.check()?;
            let Some(page) = self.unfiltered_page(kind, after.as_deref()).await? else {
                return Ok(stored);
            };
            stored += i64::try_from(page.len()).unwrap_or(0);
            let finished = !page.has_more || page.last.is_none();
            if let Some((id, _)) = &page.last {
                after = Some(id.clone());
            }
            self.write(|tx| {
                kinds::store(tx, &self.account_id, &page.batch)?;
                sync_state::put(
                    tx,
                    &self.account_id,
                    &CursorRow {
                        stream: stream.clone(),
                        cursor: after.clone(),
                        done: finished,
                        objects_done: stored,
                        updated_at: unix_now(),
                    },
                )
            })?;
            self.report(SyncPhase::Backfill, stored, None, started);
            if finished {
                break;
            }
        }
        self.listener
            .changed(&self.account_id, u32::try_from(stored).unwrap_or(u32::MAX));
        Ok(stored)
    }

    /// A kind read without the filter, newest first down to the first page
    /// that changes nothing in the cache: what a window of recent days
    /// would have found. Returns the objects stored.
    pub(super) async fn newest_down_to_cached(&self, kind: Kind) -> Step<i64> {
        let mut after: Option<String> = None;
        let mut stored = 0i64;
        loop {
            self.check()?;
            let Some(page) = self.unfiltered_page(kind, after.as_deref()).await? else {
                return Ok(stored);
            };
            let changed = self.write(|tx| {
                let changed = kinds::changed(tx, &self.account_id, &page.batch)?;
                if changed > 0 {
                    kinds::store(tx, &self.account_id, &page.batch)?;
                }
                Ok(changed)
            })?;
            stored += i64::try_from(changed).unwrap_or(0);
            match page.last {
                Some((id, _)) if page.has_more && changed > 0 => after = Some(id),
                _ => break,
            }
        }
        Ok(stored)
    }
}

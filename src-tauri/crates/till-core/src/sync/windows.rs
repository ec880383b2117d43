//! The backfill's plan: each object type's history cut into `created`
//! windows that are fetched in parallel. A window is `[lo, hi)` and a cursor
//! (the last object stored); when a worker runs out of windows it splits the
//! largest one still in flight, so the parallelism lasts to the end however
//! the history is spread. The plan is saved with every page, in the page's
//! transaction, so a crash resumes where it stopped.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use till_store::StoreError;
use till_store::table::sync_state::{self, CursorRow};

use super::kinds::Kind;

/// No split below this span: an hour of history is one page or two.
const MIN_SPLIT_SECONDS: i64 = 3_600;

pub const PREFIX: &str = "window:";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub id: u64,
    pub kind: Kind,
    pub lo: i64,
    pub hi: i64,
    /// The last object stored: id and creation time.
    pub after: Option<(String, i64)>,
    pub done: bool,
    pub objects: i64,
    #[serde(skip)]
    pub busy: bool,
}

impl Window {
    /// Where the not-yet-fetched part of the window ends.
    pub fn upper(&self) -> i64 {
        self.after.as_ref().map_or(self.hi, |(_, created)| *created)
    }

    fn remaining(&self) -> i64 {
        if self.done {
            0
        } else {
            (self.upper() - self.lo).max(0)
        }
    }

    fn stream(&self) -> String {
        format!("{PREFIX}{}:{}", self.kind.name(), self.id)
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::from_name(&name).ok_or_else(|| serde::de::Error::custom("unknown kind"))
    }
}

#[derive(Debug, Default)]
pub struct Plan {
    pub windows: Vec<Window>,
    next_id: u64,
}

impl Plan {
    /// `pieces` windows per type over `[lo, hi)`.
    pub fn new(kinds: &[(Kind, i64, i64)], pieces: usize) -> Self {
        let mut plan = Self::default();
        let pieces = i64::try_from(pieces.max(1)).unwrap_or(1);
        for (kind, lo, hi) in kinds {
            if hi <= lo {
                continue;
            }
            let step = ((hi - lo) / pieces).max(1);
            let mut start = *lo;
            while start < *hi {
                let end = if hi - start < 2 * step {
                    *hi
                } else {
                    start + step
                };
                plan.push(*kind, start, end);
                start = end;
            }
        }
        plan
    }

    fn push(&mut self, kind: Kind, lo: i64, hi: i64) -> usize {
        self.next_id += 1;
        self.windows.push(Window {
            id: self.next_id,
            kind,
            lo,
            hi,
            after: None,
            done: false,
            objects: 0,
            busy: false,
        });
        self.windows.len() - 1
    }

    pub fn is_done(&self) -> bool {
        self.windows.iter().all(|w| w.done)
    }

    pub fn objects(&self) -> i64 {
        self.windows.iter().map(|w| w.objects).sum()
    }

    /// The objects still to fetch, from each window's density so far.
    pub fn estimate_remaining(&self) -> i64 {
        let mut seen = 0i64;
        let mut covered = 0i64;
        for w in &self.windows {
            seen += w.objects;
            covered += w.hi - w.upper();
        }
        let remaining: i64 = self.windows.iter().map(Window::remaining).sum();
        if covered <= 0 {
            return 0;
        }
        let estimate = (seen as f64) * (remaining as f64) / (covered as f64);
        estimate.round() as i64
    }

    /// A window for a worker: an idle one, else a new half of the largest busy one.
    pub fn take(&mut self) -> Option<usize> {
        if let Some(index) = self.windows.iter().position(|w| !w.done && !w.busy) {
            self.windows[index].busy = true;
            return Some(index);
        }
        let (index, _) = self
            .windows
            .iter()
            .enumerate()
            .filter(|(_, w)| w.busy && w.remaining() >= 2 * MIN_SPLIT_SECONDS)
            .max_by_key(|(_, w)| w.remaining())?;
        let window = &mut self.windows[index];
        let mid = window.lo + (window.upper() - window.lo) / 2;
        let (kind, lo) = (window.kind, window.lo);
        // The busy window keeps its cursor, which lies above `mid`.
        window.lo = mid;
        let new = self.push(kind, lo, mid);
        self.windows[new].busy = true;
        Some(new)
    }

    /// Marks every window of `kind` done: the key cannot read that type,
    /// so no window of it needs asking again.
    pub fn skip_kind(&mut self, kind: Kind) {
        for window in self.windows.iter_mut().filter(|w| w.kind == kind) {
            window.done = true;
            window.busy = false;
        }
    }

    pub fn get(&self, index: usize) -> Option<&Window> {
        self.windows.get(index)
    }

    pub fn get_mut(&mut self, index: usize) -> Option<&mut Window> {
        self.windows.get_mut(index)
    }

    /// Saves every window. Call in the transaction of the page it covers.
    pub fn save(&self, conn: &Connection, account_id: &str, now: i64) -> Result<(), StoreError> {
        Self::save_windows(conn, account_id, &self.windows, now)
    }

    /// Saves these windows (the ones a commit changed).
    pub fn save_windows(
        conn: &Connection,
        account_id: &str,
        windows: &[Window],
        now: i64,
    ) -> Result<(), StoreError> {
        for window in windows {
            sync_state::put(
                conn,
                account_id,
                &CursorRow {
                    stream: window.stream(),
                    cursor: serde_json::to_string(window).ok(),
                    done: window.done,
                    objects_done: window.objects,
                    updated_at: now,
                },
            )?;
        }
        Ok(())
    }

    /// The saved plan, if a backfill was under way.
    pub fn load(conn: &Connection, account_id: &str) -> Result<Option<Self>, StoreError> {
        let mut plan = Self::default();
        for row in sync_state::all(conn, account_id)? {
            if !row.stream.starts_with(PREFIX) {
                continue;
            }
            if let Some(window) = row
                .cursor
                .as_deref()
                .and_then(|json| serde_json::from_str::<Window>(json).ok())
            {
                plan.next_id = plan.next_id.max(window.id);
                plan.windows.push(window);
            }
        }
        if plan.windows.is_empty() {
            return Ok(None);
        }
        plan.windows.sort_by_key(|w| w.id);
        Ok(Some(plan))
    }

    /// Forgets the windows once the backfill is complete.
    pub fn clear(conn: &Connection, account_id: &str) -> Result<(), StoreError> {
        for row in sync_state::all(conn, account_id)? {
            if row.stream.starts_with(PREFIX) {
                sync_state::remove(conn, account_id, &row.stream)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_covers_each_range_without_gaps() {
        let plan = Plan::new(
            &[(Kind::PaymentIntents, 0, 1000), (Kind::Charges, 0, 10)],
            4,
        );
        let mut pi: Vec<_> = plan
            .windows
            .iter()
            .filter(|w| w.kind == Kind::PaymentIntents)
            .map(|w| (w.lo, w.hi))
            .collect();
        pi.sort_unstable();
        assert_eq!(pi, vec![(0, 250), (250, 500), (500, 750), (750, 1000)]);
        assert!(pi.windows(2).all(|w| w[0].1 == w[1].0));
    }

    #[test]
    fn an_idle_worker_splits_the_largest_busy_window() {
        let mut plan = Plan::new(&[(Kind::PaymentIntents, 0, 100_000)], 1);
        let first = plan.take().unwrap();
        plan.get_mut(first).unwrap().after = Some(("pi_x".into(), 80_000));
        let second = plan.take().unwrap();
        let (a, b) = (plan.get(first).unwrap(), plan.get(second).unwrap());
        assert_eq!((b.lo, b.hi), (0, 40_000), "the lower half of what is left");
        assert_eq!(a.lo, 40_000);
        assert!(
            a.after.as_ref().unwrap().1 > a.lo,
            "the cursor stays inside"
        );
        // Too small to split further: no window.
        let mut tiny = Plan::new(&[(Kind::Charges, 0, 100)], 1);
        tiny.take().unwrap();
        assert_eq!(tiny.take(), None);
    }

    #[test]
    fn a_plan_survives_a_save_and_load() {
        let store = till_store::Store::in_memory().unwrap();
        let mut plan = Plan::new(&[(Kind::Refunds, 0, 50_000)], 3);
        plan.windows[1].after = Some(("re_1".into(), 30_000));
        plan.windows[1].objects = 100;
        plan.windows[2].done = true;
        plan.save(store.conn(), "acct", 1).unwrap();
        let loaded = Plan::load(store.conn(), "acct").unwrap().unwrap();
        assert_eq!(loaded.windows, plan.windows);
        assert!(Plan::load(store.conn(), "other").unwrap().is_none());
        Plan::clear(store.conn(), "acct").unwrap();
        assert!(Plan::load(store.conn(), "acct").unwrap().is_none());
    }
}

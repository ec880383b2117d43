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

/// How far the estimate may stretch the pages of a type's oldest window:
/// what is left of it over what they covered. Beyond it, its lower half is
/// read first. Windows with history below them are extrapolated freely.
const STRETCH: i64 = 4;

/// The least span a window's pages count as covering. A page can come from
/// one second (customers imported at once); as its own span it would make a
/// density of thousands an hour over what is left of the window. A window
/// too short to split (two hours) is then estimated at no more than eight
/// pages. Pages denser than 100 in 15 minutes (3.5 million a year of one
/// type) are underestimated until more of them are read.
const MIN_COVER: i64 = 900;

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
    /// When the window's newest object was created: with the cursor, the
    /// span its pages covered, for the estimate. (Plans saved before this
    /// was kept load without it.)
    #[serde(default)]
    pub top: Option<i64>,
    /// Cut off another window: until its own first page, it is estimated
    /// at the density of the window it came from (if that one has a
    /// density and is not done).
    #[serde(default)]
    pub half: bool,
    #[serde(skip)]
    pub busy: bool,
    /// Set aside this run: Stripe refused its kind. Kept in the plan, so
    /// the kind's history is filled once it may be asked again.
    #[serde(skip)]
    pub held: bool,
}

impl Window {
    /// Where the not-yet-fetched part of the window ends.
    pub fn upper(&self) -> i64 {
        self.after.as_ref().map_or(self.hi, |(_, created)| *created)
    }

    /// Whether a page of the window has been read: its density is known.
    pub fn sampled(&self) -> bool {
        self.done || self.after.is_some()
    }

    /// The seconds its pages covered, once it has some and is not done.
    fn covered(&self) -> Option<i64> {
        let (_, oldest) = self.after.as_ref().filter(|_| !self.done)?;
        Some((self.top.unwrap_or(self.hi) - oldest).max(0))
    }

    /// Objects a second in the part already fetched.
    fn density(&self) -> Option<f64> {
        if self.done {
            return Some(0.0);
        }
        Some(self.objects as f64 / self.covered()?.max(MIN_COVER) as f64)
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

#[derive(Debug, Default)]
pub struct Plan {
    pub windows: Vec<Window>,
    next_id: u64,
    /// The last estimate of all objects, kept while a late split is read.
    estimated_total: Option<i64>,
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
            top: None,
            half: false,
            busy: false,
            held: false,
        });
        self.windows.len() - 1
    }

    pub fn is_done(&self) -> bool {
        self.windows.iter().all(|w| w.done)
    }

    pub fn objects(&self) -> i64 {
        self.windows.iter().map(|w| w.objects).sum()
    }

    /// The objects still to fetch, or `None` while that would be a guess:
    /// until every window has been read once and none is stretched or having
    /// its lower half read to find out.
    /// Each window is extrapolated from its own pages: densities differ by
    /// type and by age (an account often opens long before it sells), so one
    /// density for all would be far off. A half split off a window takes the
    /// density of the window it came from.
    pub fn estimate_remaining(&mut self) -> Option<i64> {
        let objects = self.objects();
        match self.fresh_estimate() {
            Some(remaining) => {
                self.estimated_total = Some(objects + remaining);
                Some(remaining)
            }
            // A split late in the backfill is in doubt for a page: the
            // total said before stands rather than vanishing from the screen.
            None => self.estimated_total.map(|total| (total - objects).max(0)),
        }
    }

    fn fresh_estimate(&self) -> Option<i64> {
        let mut estimate = 0.0;
        for w in self.windows.iter().filter(|w| !w.done) {
            if self.in_doubt(w) {
                return None;
            }
            let density = w.density().or_else(|| {
                self.windows
                    .iter()
                    .find(|above| w.half && above.kind == w.kind && above.lo == w.hi)
                    // A done window's density is of its own span, which the
                    // half no longer shares: no estimate until its page.
                    .filter(|above| !above.done)
                    .and_then(Window::density)
            })?;
            estimate += density * w.remaining() as f64;
        }
        Some(estimate.round() as i64)
    }

    /// A window for a worker, in this order: an idle one never read; the
    /// lower half of a stretched one (see [`Plan::stretched`]); any idle
    /// one; a new half of the largest busy one.
    pub fn take(&mut self) -> Option<usize> {
        let idle = |w: &Window| !w.done && !w.busy && !w.held;
        if let Some(index) = self.windows.iter().position(|w| idle(w) && !w.sampled()) {
            self.windows[index].busy = true;
            return Some(index);
        }
        if let Some(index) = self
            .windows
            .iter()
            .position(|w| !w.held && self.stretched(w))
        {
            return Some(self.split(index));
        }
        if let Some(index) = self.windows.iter().position(idle) {
            self.windows[index].busy = true;
            return Some(index);
        }
        let (index, _) = self
            .windows
            .iter()
            .enumerate()
            .filter(|(_, w)| w.busy && !w.held && w.remaining() >= 2 * MIN_SPLIT_SECONDS)
            .max_by_key(|(_, w)| w.remaining())?;
        Some(self.split(index))
    }

    /// Cuts off the lower half of what is left of a window, as a new busy
    /// window. The window keeps its cursor, which lies above the cut.
    fn split(&mut self, index: usize) -> usize {
        let window = &mut self.windows[index];
        let mid = window.lo + (window.upper() - window.lo) / 2;
        let (kind, lo) = (window.kind, window.lo);
        window.lo = mid;
        let new = self.push(kind, lo, mid);
        self.windows[new].busy = true;
        self.windows[new].half = true;
        new
    }

    /// Whether the estimate would stretch this window's pages far below
    /// them, over what may be empty: the window holds its type's oldest
    /// objects found so far (nothing or nothing found below it), and what
    /// is left of it is much longer than what its pages covered. History
    /// is usually unbroken from a type's first object to now, so only this
    /// edge is probed (by reading its lower half first), a few requests a
    /// type, most of them for objects that are fetched anyway.
    pub fn stretched(&self, w: &Window) -> bool {
        self.far(w) && self.at_edge(w)
    }

    /// Nothing, or nothing found, below it: it holds its type's oldest
    /// objects found so far.
    fn at_edge(&self, w: &Window) -> bool {
        self.below(w).is_none_or(|b| b.done && b.objects == 0)
    }

    /// Stretched, or its lower half is being read to find out.
    fn in_doubt(&self, w: &Window) -> bool {
        self.far(w) && self.maybe_edge(w)
    }

    /// At the edge, or what is below it has not been read yet.
    fn maybe_edge(&self, w: &Window) -> bool {
        self.below(w)
            .is_none_or(|b| (b.done && b.objects == 0) || !b.sampled())
    }

    /// What is left of the window is much longer than what its pages covered.
    fn far(&self, w: &Window) -> bool {
        let Some(covered) = w.covered() else {
            return false;
        };
        let left = w.remaining();
        left >= 2 * MIN_SPLIT_SECONDS && left > STRETCH * covered.max(MIN_COVER)
    }

    /// The window of the same type that ends where this one starts.
    fn below(&self, w: &Window) -> Option<&Window> {
        self.windows
            .iter()
            .find(|b| b.kind == w.kind && b.hi == w.lo)
    }

    /// Whether a worker should leave its window after a page, for the
    /// estimate's samples: a window is unread or one is stretched.
    pub fn wants_samples(&self) -> bool {
        self.windows
            .iter()
            .filter(|w| !w.held)
            .any(|w| (!w.busy && !w.sampled()) || self.stretched(w))
    }

    /// Marks every window of `kind` done: the key cannot read that type,
    /// so no window of it needs asking again.
    pub fn skip_kind(&mut self, kind: Kind) {
        for window in self.windows.iter_mut().filter(|w| w.kind == kind) {
            window.done = true;
            window.busy = false;
        }
    }

    /// Sets every window of `kind` aside for this run: Stripe refused it.
    pub fn hold_kind(&mut self, kind: Kind) {
        for window in self.windows.iter_mut().filter(|w| w.kind == kind) {
            window.held = true;
            window.busy = false;
        }
    }

    /// Whether a window is left to read this run.
    pub fn takeable(&self) -> bool {
        self.windows.iter().any(|w| !w.done && !w.held)
    }

    /// Whether a window is left at all, set aside or not.
    pub fn pending(&self) -> bool {
        self.windows.iter().any(|w| !w.done)
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

    /// Reads a page of 100 from `created` times (newest first) as a worker
    /// would, and records it in the window.
    fn read_page(plan: &mut Plan, index: usize, history: &[i64]) {
        let w = plan.get(index).unwrap().clone();
        let page: Vec<i64> = history
            .iter()
            .rev()
            .copied()
            .filter(|t| *t >= w.lo && *t < w.upper())
            .take(101)
            .collect();
        let more = page.len() > 100;
        let page = &page[..page.len().min(100)];
        let w = plan.get_mut(index).unwrap();
        w.objects += page.len() as i64;
        if w.after.is_none() {
            w.top = page.first().copied();
        }
        if let Some(last) = page.last() {
            w.after = Some((format!("pi_{last}"), *last));
        }
        w.done = !more;
        w.busy = false;
    }

    #[test]
    fn the_estimate_waits_for_every_window_and_then_is_near_the_truth() {
        // An account opened at 0 that sold nothing until 900,000, then one
        // payment every 10 s, for two types: 20,000 objects.
        let history: Vec<i64> = (900_000..1_000_000).step_by(10).collect();
        let mut plan = Plan::new(
            &[
                (Kind::PaymentIntents, 0, 1_086_400),
                (Kind::Charges, 0, 1_086_400),
            ],
            4,
        );
        assert_eq!(plan.estimate_remaining(), None, "nothing read yet");
        // Each window is read once, in the order workers take them.
        let mut first = Vec::new();
        while plan.windows.iter().any(|w| !w.sampled()) {
            assert_eq!(plan.estimate_remaining(), None, "a window is unread");
            let index = plan.take().unwrap();
            assert!(
                !first.contains(&index),
                "a window was read twice before all once"
            );
            first.push(index);
            read_page(&mut plan, index, &history);
        }
        assert_eq!(first.len(), 8);
        // Then the oldest edge is probed until no window is stretched.
        let mut probes = 0;
        while let Some(index) = plan.windows.iter().position(|w| plan.stretched(w)) {
            assert_eq!(plan.estimate_remaining(), None, "an edge is not found yet");
            let half = plan.take().unwrap();
            assert_eq!(plan.get(half).unwrap().hi, plan.get(index).unwrap().lo);
            read_page(&mut plan, half, &history);
            probes += 1;
        }
        assert!(probes <= 16, "{probes} probes");
        let total = plan.objects() + plan.estimate_remaining().unwrap();
        assert!(
            (16_000..=24_000).contains(&total),
            "estimated {total} objects of 20,000 once every window was read and the edge probed"
        );
        // Read to the end: the estimate follows and ends at nothing left.
        while let Some(index) = plan.take() {
            read_page(&mut plan, index, &history);
            let total = plan.objects() + plan.estimate_remaining().unwrap();
            assert!((16_000..=24_000).contains(&total), "estimated {total}");
        }
        assert_eq!(plan.objects(), 20_000);
        assert_eq!(plan.estimate_remaining(), Some(0));
    }

    #[test]
    fn a_split_half_takes_the_density_of_its_window() {
        let mut plan = Plan::new(&[(Kind::PaymentIntents, 0, 100_000)], 1);
        let first = plan.take().unwrap();
        let w = plan.get_mut(first).unwrap();
        (w.after, w.top, w.objects) = (Some(("pi_x".into(), 80_000)), Some(100_000), 200);
        let second = plan.take().unwrap();
        assert!(!plan.get(second).unwrap().sampled());
        // 200 objects over 20,000 s, and 80,000 s left in the two halves.
        assert_eq!(plan.estimate_remaining(), Some(800));
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

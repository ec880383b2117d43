//! Deterministic crash points for the `kill -9` fault campaign
//! (`tests/fault_campaign.rs`). Compiled in only with the `fault-points`
//! feature, which the app never enables; without it [`hit`] is an empty
//! function.
//!
//! With the feature, `TILL_CRASH_AT=<point>:<n>` makes the process send
//! itself `SIGKILL` (a real `kill -9`: no unwinding, no destructors, no
//! flush) the `n`th time it reaches `<point>`. Nothing happens when the
//! variable is unset.

/// A place in a money movement where a crash is interesting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// The journal row is committed as pending; nothing is marked sent.
    AfterJournal,
    /// The row is committed as sent; the request has not gone out.
    AfterMarkSent,
    /// Stripe's answer (or error) is in hand; the journal does not know it.
    AfterResponse,
}

impl Point {
    pub const ALL: [Self; 3] = [Self::AfterJournal, Self::AfterMarkSent, Self::AfterResponse];

    /// The name `TILL_CRASH_AT` uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::AfterJournal => "after_journal",
            Self::AfterMarkSent => "after_mark_sent",
            Self::AfterResponse => "after_response",
        }
    }
}

/// Reached `point`: dies here if `TILL_CRASH_AT` says so.
#[cfg(feature = "fault-points")]
pub fn hit(point: Point) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    static PLAN: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);
    let plan = PLAN.get_or_init(|| {
        let text = std::env::var("TILL_CRASH_AT").ok()?;
        let (name, n) = text.split_once(':')?;
        Some((name.to_owned(), n.parse().ok()?))
    });
    let Some((name, n)) = plan else { return };
    if name != point.name() || HITS.fetch_add(1, Ordering::SeqCst) + 1 != *n {
        return;
    }
    kill_self();
}

#[cfg(not(feature = "fault-points"))]
#[inline(always)]
pub fn hit(_point: Point) {}

#[cfg(all(feature = "fault-points", unix))]
fn kill_self() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let _ = kill(Pid::this(), Signal::SIGKILL);
    // SIGKILL is delivered before the call returns to this thread; should
    // another thread run on for an instant, this one never goes further.
    loop {
        std::thread::park();
    }
}

#[cfg(all(feature = "fault-points", not(unix)))]
fn kill_self() {
    std::process::abort();
}

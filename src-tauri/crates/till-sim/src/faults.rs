//! Faults a test or benchmark can switch on through the controls: latency,
//! error answers, dropped connections and stored 500s. Each comes as a rate
//! (a share of requests, drawn from the simulator's seeded generator) and as
//! a count of the next requests it hits, for deterministic tests.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    /// Requests per second per account; 0 switches the limiter off.
    pub rate_limit: Option<u32>,
    pub error_429_rate: f64,
    pub error_500_rate: f64,
    pub error_503_rate: f64,
    pub error_429_next: u32,
    pub error_500_next: u32,
    pub error_503_next: u32,
    /// POSTs whose connection drops before anything is committed.
    pub drop_before_commit_rate: f64,
    pub drop_before_commit_next: u32,
    /// POSTs whose connection drops after the change and its idempotent
    /// result are committed, before the answer is sent.
    pub drop_after_commit_rate: f64,
    pub drop_after_commit_next: u32,
    /// POSTs that commit their change but answer (and store under the
    /// idempotency key) a 500, as Stripe does when it fails mid-request: the
    /// client cannot know whether the change happened.
    pub stored_500_rate: f64,
    pub stored_500_next: u32,

    // Realistic imperfections, for sync tests.
    /// A new charge shows no `balance_transaction` for this long.
    pub late_fee_seconds: i64,
    /// This share of events is listed only `event_delay_seconds` after it
    /// happened, so it arrives after newer ones.
    pub event_delay_rate: f64,
    pub event_delay_seconds: i64,
    /// This share of events is never emitted.
    pub event_drop_rate: f64,
    /// Search sees a PaymentIntent only this long after its last change.
    pub search_lag_seconds: i64,
}

/// The imperfections a handler needs, copied out of [`Faults`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Imperfections {
    pub late_fee_seconds: i64,
    pub event_delay_rate: f64,
    pub event_delay_seconds: i64,
    pub event_drop_rate: f64,
    pub search_lag_seconds: i64,
}

impl Faults {
    pub fn imperfections(&self) -> Imperfections {
        Imperfections {
            late_fee_seconds: self.late_fee_seconds,
            event_delay_rate: self.event_delay_rate,
            event_delay_seconds: self.event_delay_seconds,
            event_drop_rate: self.event_drop_rate,
            search_lag_seconds: self.search_lag_seconds,
        }
    }
}

/// Takes one from a `*_next` counter, or draws against a rate.
pub fn hit(next: &mut u32, rate: f64, rng: &mut fastrand::Rng) -> bool {
    if *next > 0 {
        *next -= 1;
        return true;
    }
    rate > 0.0 && rng.f64() < rate
}

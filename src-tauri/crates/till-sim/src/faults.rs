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
}

/// Takes one from a `*_next` counter, or draws against a rate.
pub fn hit(next: &mut u32, rate: f64, rng: &mut fastrand::Rng) -> bool {
    if *next > 0 {
        *next -= 1;
        return true;
    }
    rate > 0.0 && rng.f64() < rate
}

//! Faults a test or benchmark can switch on through the controls: latency,
//! error answers, dropped connections and stored 500s. Each comes as a rate
//! (a share of requests, drawn from the simulator's seeded generator) and as
//! a count of the next requests it hits, for deterministic tests.
//!
//! Others make the simulator unlike Stripe, as a Stripe-compatible server or
//! proxy may be, or as Stripe is on a bad day: a list that refuses a filter
//! ([`Faults::refuse_params`]), objects missing a field
//! ([`Faults::omit_fields`]), a path that is not there
//! ([`Faults::not_found_paths`]) and a clock that is wrong
//! ([`Faults::clock_skew_seconds`]).
//!
//! In-process only, [`AfterCommit`] lets a test act at the instant a POST
//! has committed and its answer is not yet sent (the fault campaign kills
//! its client there): see [`crate::Simulator::set_after_commit`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// Requests held `slow_ms` before they are processed (on top of the
    /// latency): a client with a shorter timeout gives up while the request
    /// carries on and, for a POST, commits, as at Stripe. Meanwhile the same
    /// idempotency key answers 409 `idempotency_key_in_use`.
    pub slow_rate: f64,
    pub slow_next: u32,
    pub slow_ms: u64,

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

    // A server unlike Stripe, for sync tests.
    /// A GET on exactly one of these paths that carries the parameter in any
    /// form (`created`, `created[gte]`…) answers 400 `parameter_unknown`,
    /// "Received unknown parameter: created[gte]", `param` as sent.
    pub refuse_params: Vec<RefusedParam>,
    /// These top-level fields are left out of every object of the type, in
    /// every answer: retrieves, lists, search, POST answers, expanded
    /// objects, events' `data.object`, errors' objects.
    pub omit_fields: Vec<OmittedField>,
    /// A request to one of these paths or below it (`/v1/account` and
    /// `/v1/account/…`, not `/v1/accounts`) answers 404 with Stripe's
    /// unrecognized-URL error.
    pub not_found_paths: Vec<String>,
    /// The simulator's clock runs this many seconds ahead (behind when
    /// negative): objects' times (`created`, `expires_at`…), everything that
    /// falls due, and every answer's `Date` header.
    pub clock_skew_seconds: i64,
}

/// See [`Faults::refuse_params`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RefusedParam {
    /// A request path, e.g. `/v1/checkout/sessions`.
    pub path: String,
    /// A parameter's name without brackets, e.g. `created`.
    pub param: String,
}

/// See [`Faults::omit_fields`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OmittedField {
    /// The object type, as its `object` field names it: `payment_intent`.
    pub object: String,
    /// A top-level field: `amount_received`.
    pub field: String,
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

    /// The parameter, as the query spells it (`created[gte]`), for which a
    /// request is refused under [`Self::refuse_params`].
    pub fn refused_param(&self, method: &str, path: &str, query: &str) -> Option<String> {
        if method != "GET" {
            return None;
        }
        let refused: Vec<&str> = self
            .refuse_params
            .iter()
            .filter(|r| r.path == path)
            .map(|r| r.param.as_str())
            .collect();
        if refused.is_empty() {
            return None;
        }
        form_urlencoded::parse(query.as_bytes())
            .map(|(key, _)| key.into_owned())
            .find(|key| {
                refused.iter().any(|param| {
                    key.strip_prefix(param)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
                })
            })
    }

    /// Whether `path` is one of [`Self::not_found_paths`] or below one.
    pub fn path_not_found(&self, path: &str) -> bool {
        self.not_found_paths.iter().any(|gone| {
            let gone = gone.trim_end_matches('/');
            path.strip_prefix(gone)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

/// Takes [`Faults::omit_fields`] out of every object within `value`: an
/// object is known by its `object` field, at any depth.
pub fn omit_fields(omitted: &[OmittedField], value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(kind) = map.get("object").and_then(Value::as_str) {
                let fields: Vec<&str> = omitted
                    .iter()
                    .filter(|o| o.object == kind)
                    .map(|o| o.field.as_str())
                    .collect();
                for field in fields {
                    map.remove(field);
                }
            }
            for child in map.values_mut() {
                omit_fields(omitted, child);
            }
        }
        Value::Array(items) => {
            for item in items {
                omit_fields(omitted, item);
            }
        }
        _ => {}
    }
}

/// How many times each fault was injected, by name (`error_429`,
/// `error_500`, `error_503`, `slow`, `drop_before_commit`,
/// `drop_after_commit`, `stored_500`): [`crate::Simulator::injected`].
#[derive(Debug, Default)]
pub struct Tally(Mutex<BTreeMap<&'static str, u64>>);

impl Tally {
    pub fn add(&self, fault: &'static str) {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *counts.entry(fault).or_default() += 1;
    }

    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(name, n)| ((*name).to_owned(), *n))
            .collect()
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

/// A POST the simulator has just committed: its change made and its answer
/// stored under its idempotency key, the answer not sent yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub method: String,
    pub path: String,
    /// The answer's status (a stored 500 is a commit too).
    pub status: u16,
    pub idempotency_key: Option<String>,
    /// Held by the slow fault: its client may have given up long ago.
    pub slow: bool,
}

/// Called on the simulator's thread after each commit, before the answer is
/// sent; returning `true` drops the connection instead of answering.
#[derive(Clone)]
pub struct AfterCommit(pub Arc<dyn Fn(&Committed) -> bool + Send + Sync>);

impl std::fmt::Debug for AfterCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AfterCommit(..)")
    }
}

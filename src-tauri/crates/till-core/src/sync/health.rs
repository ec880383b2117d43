//! What a sync knows is wrong, in words the status line and Settings show:
//! for the whole sync (unreachable, refused, asked to slow down, Stripe's
//! own trouble), and for each kind on its own (a filter refused and read
//! without it, a list refused, objects that could not be read). One kind's
//! trouble never stops the others.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use specta::Type;
use till_stripe::StripeError;
use till_stripe::models::Unreadable;

use super::kinds::Kind;
use super::status::unix_now;
use crate::Error;

/// How long a refusal stands before it is asked again by itself: a refusal
/// does not go away by asking sooner (Retry and a new key ask at once).
pub const REFUSED_FOR_SECONDS: i64 = 30 * 60;

/// Why the whole sync is paused.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SyncProblem {
    /// The network, or the server, could not be reached: retried with
    /// growing pauses.
    Offline { since: i64, detail: String },
    /// Stripe refused a request every kind needs (4xx other than 429), or
    /// answered in a shape Till cannot read: asked again on Retry, when the
    /// key changes, or at `retry_at`.
    Refused {
        since: i64,
        request: Option<String>,
        status: Option<u16>,
        message: String,
        request_id: Option<String>,
        retry_at: i64,
    },
    /// Stripe answered 429 still after waiting: backing off.
    SlowDown { since: i64, request: Option<String> },
    /// Stripe answered 5xx: backing off.
    StripeTrouble {
        since: i64,
        request: Option<String>,
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The account's key is not in the keychain: nothing can be asked until
    /// it is put back.
    KeyMissing,
    /// This computer failed (the database, the data folder).
    Local { detail: String },
}

/// How a pause ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    /// Growing pauses (unreachable, 429, 5xx).
    Backoff,
    /// Until Retry, a new key, or this Unix time.
    Until(i64),
}

impl SyncProblem {
    /// The problem an error is, and how the sync waits after it.
    pub fn of(err: &Error, since: i64) -> (Self, Pause) {
        let refused = |status: Option<u16>,
                       request: Option<&String>,
                       message: &str,
                       request_id: Option<&String>| {
            let retry_at = unix_now() + REFUSED_FOR_SECONDS;
            (
                Self::Refused {
                    since,
                    request: request.cloned(),
                    status,
                    message: message.to_owned(),
                    request_id: request_id.cloned(),
                    retry_at,
                },
                Pause::Until(retry_at),
            )
        };
        match err {
            Error::Stripe {
                detail,
                request,
                request_id,
                kind,
            } => match kind {
                StripeFailure::Unreachable => (
                    Self::Offline {
                        since,
                        detail: detail.clone(),
                    },
                    Pause::Backoff,
                ),
                StripeFailure::ServerError { status } => (
                    Self::StripeTrouble {
                        since,
                        request: request.clone(),
                        status: *status,
                        message: detail.clone(),
                        request_id: request_id.clone(),
                    },
                    Pause::Backoff,
                ),
                StripeFailure::Unreadable | StripeFailure::Other => {
                    refused(None, request.as_ref(), detail, request_id.as_ref())
                }
            },
            Error::StripeRefused { refusal } => {
                if refusal.kind == crate::error::StripeProblem::RateLimited {
                    (
                        Self::SlowDown {
                            since,
                            request: refusal.request.clone(),
                        },
                        Pause::Backoff,
                    )
                } else {
                    refused(
                        refusal.status,
                        refusal.request.as_ref(),
                        &refusal.message,
                        refusal.request_id.as_ref(),
                    )
                }
            }
            Error::KeyMissing { .. } => (Self::KeyMissing, Pause::Until(i64::MAX)),
            other => (
                Self::Local {
                    detail: other.to_string(),
                },
                Pause::Backoff,
            ),
        }
    }
}

pub use crate::error::StripeFailure;

/// Something wrong with one kind; the others carry on.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum KindNote {
    /// Stripe refused a filter of the kind's list (`created`): it is read
    /// without it, newest first, down to what is cached, until the app
    /// quits or the key changes.
    FilterRefused {
        filter: String,
        request: Option<String>,
        message: String,
    },
    /// Stripe refused the kind's list: asked again on Retry, when the key
    /// changes, or at `retry_at`.
    Refused {
        request: Option<String>,
        status: Option<u16>,
        message: String,
        request_id: Option<String>,
        retry_at: i64,
    },
    /// The key may not read the kind (403): not asked again this run.
    NotPermitted { permission: Option<String> },
    /// Objects Stripe sent that Till could not read (a field it needs for
    /// money missing): never stored, and never stored as zero.
    Unreadable {
        count: u32,
        /// The field missing, when one was: `amount_received`.
        missing: Option<String>,
        /// One of them, for the log and support.
        example_id: Option<String>,
    },
}

/// A kind and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KindStatus {
    pub kind: Kind,
    #[serde(flatten)]
    pub note: KindNote,
}

/// What this run learned about each kind. Lives in the sync's controls: a
/// new key or a restart starts afresh.
#[derive(Debug, Default)]
pub struct Health {
    inner: Mutex<Kinds>,
}

#[derive(Debug, Default)]
struct Kinds {
    /// Kinds read without their date filter, and why.
    unfiltered: BTreeMap<Kind, KindNote>,
    /// Kinds refused for a while, or for the run (403).
    refused: BTreeMap<Kind, KindNote>,
    /// Objects that could not be read, by kind: id → the field missing.
    unreadable: BTreeMap<Kind, BTreeMap<String, Option<String>>>,
}

impl Health {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kinds> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `kind` may be asked now: not refused, or its refusal is old.
    pub fn readable(&self, kind: Kind) -> bool {
        let mut kinds = self.lock();
        match kinds.refused.get(&kind) {
            None => true,
            Some(KindNote::Refused { retry_at, .. }) if *retry_at <= unix_now() => {
                kinds.refused.remove(&kind);
                true
            }
            Some(_) => false,
        }
    }

    pub fn unfiltered(&self, kind: Kind) -> bool {
        self.lock().unfiltered.contains_key(&kind)
    }

    /// Stripe refused the kind's date filter.
    pub fn refuse_filter(&self, kind: Kind, err: &StripeError) {
        tracing::warn!(kind = kind.name(), error = %err, "Stripe refused the date filter; reading without it");
        let note = KindNote::FilterRefused {
            filter: "created".to_owned(),
            request: err.request().map(str::to_owned),
            message: err
                .refusal()
                .map_or_else(|| err.to_string(), |r| r.message.to_owned()),
        };
        self.lock().unfiltered.insert(kind, note);
    }

    /// Stripe refused the kind's list: a 403 for the run, anything else for
    /// [`REFUSED_FOR_SECONDS`].
    pub fn refuse(&self, kind: Kind, err: &StripeError) {
        tracing::warn!(kind = kind.name(), error = %err, "Stripe refused a kind; the others carry on");
        let note = match err {
            StripeError::Permission { permission, .. } => KindNote::NotPermitted {
                permission: permission.clone(),
            },
            other => KindNote::Refused {
                request: other.request().map(str::to_owned),
                status: crate::error::http_status(other),
                message: other
                    .refusal()
                    .map_or_else(|| other.to_string(), |r| r.message.to_owned()),
                request_id: other.request_id().map(str::to_owned),
                retry_at: unix_now() + REFUSED_FOR_SECONDS,
            },
        };
        self.lock().refused.insert(kind, note);
    }

    /// The person pressed Retry: refusals (not 403s) are asked again now.
    pub fn forget_refusals(&self) {
        self.lock()
            .refused
            .retain(|_, note| matches!(note, KindNote::NotPermitted { .. }));
    }

    /// Objects of a page that could not be read, and those that were (an
    /// object read now is no longer counted).
    pub fn note_page<'a>(
        &self,
        kind: Kind,
        unreadable: &[Unreadable],
        read: impl IntoIterator<Item = &'a str>,
    ) {
        let mut kinds = self.lock();
        let entry = kinds.unreadable.entry(kind).or_default();
        for id in read {
            entry.remove(id);
        }
        for why in unreadable {
            let id = why.id.clone().unwrap_or_else(|| "(no id)".to_owned());
            tracing::warn!(kind = kind.name(), id = %id, missing = why.missing.as_deref().unwrap_or(""), reason = %why.reason, "an object Stripe sent could not be read; it is not stored");
            entry.insert(id, why.missing.clone());
        }
        if entry.is_empty() {
            kinds.unreadable.remove(&kind);
        }
    }

    /// Every kind with something wrong, in the kinds' order.
    pub fn statuses(&self) -> Vec<KindStatus> {
        let kinds = self.lock();
        let mut out = Vec::new();
        for kind in Kind::ALL {
            if let Some(note) = kinds.unfiltered.get(&kind) {
                out.push(KindStatus {
                    kind,
                    note: note.clone(),
                });
            }
            if let Some(note) = kinds.refused.get(&kind) {
                out.push(KindStatus {
                    kind,
                    note: note.clone(),
                });
            }
            if let Some(ids) = kinds.unreadable.get(&kind) {
                // The field most of them miss, said once.
                let mut fields: BTreeMap<&str, u32> = BTreeMap::new();
                for missing in ids.values().flatten() {
                    *fields.entry(missing.as_str()).or_default() += 1;
                }
                let missing = fields
                    .into_iter()
                    .max_by_key(|(_, n)| *n)
                    .map(|(f, _)| f.to_owned());
                out.push(KindStatus {
                    kind,
                    note: KindNote::Unreadable {
                        count: u32::try_from(ids.len()).unwrap_or(u32::MAX),
                        missing,
                        example_id: ids.keys().next().cloned(),
                    },
                });
            }
        }
        out
    }
}

/// Whether an error is about the request itself (Stripe refused it, or
/// answered in a shape Till cannot read), so that it concerns one kind:
/// not the network, not a 429, not a 5xx.
pub fn is_refusal(err: &StripeError) -> bool {
    matches!(
        err,
        StripeError::InvalidRequest { .. }
            | StripeError::NotFound { .. }
            | StripeError::Permission { .. }
            | StripeError::Decode { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(param: &str) -> StripeError {
        StripeError::InvalidRequest {
            error_type: None,
            code: None,
            param: Some(param.to_owned()),
            message: format!("Received unknown parameter: {param}"),
            request_id: Some("req_1".to_owned()),
            request: "GET /v1/checkout/sessions".to_owned(),
        }
    }

    #[test]
    fn a_refused_kind_waits_and_retry_asks_again() {
        let health = Health::default();
        assert!(health.readable(Kind::CheckoutSessions));
        health.refuse(Kind::CheckoutSessions, &refused("limit"));
        assert!(!health.readable(Kind::CheckoutSessions));
        assert!(health.readable(Kind::Charges), "the others carry on");
        let statuses = health.statuses();
        assert_eq!(statuses.len(), 1);
        let KindNote::Refused {
            request, retry_at, ..
        } = &statuses[0].note
        else {
            panic!("{statuses:?}");
        };
        assert_eq!(request.as_deref(), Some("GET /v1/checkout/sessions"));
        assert!(*retry_at >= unix_now() + REFUSED_FOR_SECONDS - 5);
        health.forget_refusals();
        assert!(health.readable(Kind::CheckoutSessions));
    }

    #[test]
    fn unreadable_objects_are_counted_by_id_until_read() {
        let health = Health::default();
        let missing = |id: &str| Unreadable {
            id: Some(id.to_owned()),
            created: Some(1),
            missing: Some("amount_received".to_owned()),
            reason: "missing field `amount_received`".to_owned(),
        };
        health.note_page(
            Kind::PaymentIntents,
            &[missing("pi_1"), missing("pi_2")],
            [],
        );
        // The same object read again is not counted twice.
        health.note_page(Kind::PaymentIntents, &[missing("pi_1")], ["pi_3"]);
        let statuses = health.statuses();
        assert_eq!(
            statuses[0].note,
            KindNote::Unreadable {
                count: 2,
                missing: Some("amount_received".to_owned()),
                example_id: Some("pi_1".to_owned()),
            }
        );
        health.note_page(Kind::PaymentIntents, &[], ["pi_1", "pi_2"]);
        assert!(health.statuses().is_empty());
    }
}

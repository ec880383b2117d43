//! The journal engine: the one way Till moves money at Stripe.
//!
//! A money movement ([`Movement`]) says four things: how it is checked
//! against the cache, the request it sends, how to find it at Stripe when
//! its answer was lost, and what it stores. The engine does the rest, the
//! same way for every kind:
//!
//! 1. checks the movement (nothing is sent that Stripe would refuse for a
//!    reason Till can see);
//! 2. writes it to the journal as pending, with its idempotency key, and
//!    commits **before** anything is sent;
//! 3. marks it sent, then sends it with that key and `till_operation_id`;
//! 4. records what happened: success, a definite failure, or an unknown
//!    outcome;
//! 5. settles what a crash or a lost answer left open ([`resolve_open`]):
//!    inside Stripe's 24-hour idempotency window by sending again with the
//!    same key, after it by looking for what the movement made.
//!
//! Adding a kind of movement: a [`Kind`], a type implementing [`Movement`]
//! (with an [`Answer`], usually one that already exists), and an arm in
//! [`settle::dispatch`]. See `docs/ARCHITECTURE.md`.

use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;
use till_store::table::operations::{self, Kind, OperationRow, State};
use till_store::{Store, StoreError};
use till_stripe::{Idempotency, StripeClient, StripeError};

use crate::Error;
use crate::error::ActionProblem;
use crate::fault_points::{self, Point};
use crate::operations::Actor;

mod audit;
mod settle;
mod unsettled;

pub use audit::{OperationEntry, entries, journal_csv};
pub use settle::{Settled, discard, resolve_open, send_pending, settle_unsettled};
pub use unsettled::{
    MovementKind, MovementListener, MovementOutcome, SettledMovement, Unsettled, in_flight,
    unsettled,
};

/// Stripe keeps an idempotency key's answer this long.
pub const IDEMPOTENCY_WINDOW: i64 = 24 * 3600;

/// What the journal says of an operation its lookup did not find at Stripe:
/// past the window it did not happen; inside it, it may yet.
pub(crate) const NOT_FOUND_FINAL: &str =
    "not found at Stripe after the idempotency window: it did not happen";
pub(crate) const NOT_FOUND_YET: &str =
    "not found at Stripe yet: sent again with the same key later";

/// Where a movement runs: the account's client and the database.
#[derive(Debug, Clone, Copy)]
pub struct On<'a> {
    pub client: &'a StripeClient,
    pub store: &'a Mutex<Store>,
    pub account_id: &'a str,
}

/// What the journal records of a movement besides its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Entry {
    /// The object acted on; empty for one that creates it.
    pub target: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
}

/// What looking for a movement at Stripe showed.
#[derive(Debug)]
pub(crate) struct Lookup<A> {
    /// What Stripe showed, stored whatever the verdict (it is current).
    pub seen: Option<A>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It happened: this is what it made or changed.
    Happened { result_id: String },
    /// No trace of it. Final only past the idempotency window.
    NotFound,
    /// Stripe shows it cannot have happened, and cannot now: why.
    Refuted(String),
}

/// What Stripe answered a movement that went through: what the journal
/// stores, names as its result and tells the caller. Movements that answer
/// alike (the payment ones; the checkout ones) share one.
pub(crate) trait Answer: Send + Sync + Sized {
    /// What the caller is told.
    type Done;

    /// Caches what Stripe answered.
    fn store(&self, tx: &rusqlite::Connection, account_id: &str) -> Result<(), StoreError>;

    /// What the journal names as the movement's result.
    fn result_id(&self, op: &OperationRow) -> String;

    /// What the caller is told, once stored.
    fn done(&self, store: &Mutex<Store>, op: &OperationRow) -> Result<Self::Done, Error>;
}

/// One kind of money movement. Its value is the request's parameters, kept
/// in the journal's `params` as JSON.
pub(crate) trait Movement: Serialize + DeserializeOwned + Send + Sync {
    const KIND: Kind;
    type Answer: Answer;

    /// Checks the movement against the cache, on `target`. Nothing is
    /// written and nothing sent. Run again before a pending entry is sent
    /// at the user's word: the object may have changed since.
    fn check(&self, on: On<'_>, target: &str, now: i64) -> Result<Entry, Error>;

    /// Written in the same transaction as the journal entry.
    fn journal_also(
        &self,
        _tx: &rusqlite::Connection,
        _account_id: &str,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Sends the request with its key. An error means the request itself
    /// failed; once Stripe has made the change, nothing after it may turn
    /// into an error (a redo would do it twice): follow-up reads are best
    /// effort.
    fn send(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        key: Idempotency,
    ) -> impl Future<Output = Result<Self::Answer, StripeError>> + Send;

    /// Looks for what the movement made (its `till_operation_id`, or the
    /// state it leaves), for an answer that was lost.
    fn find(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        now: i64,
    ) -> impl Future<Output = Result<Lookup<Self::Answer>, StripeError>> + Send;
}

/// What a movement tells its caller.
pub(crate) type Done<M> = <<M as Movement>::Answer as Answer>::Done;

pub(crate) fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` in one transaction and commits it.
pub(crate) fn write<T>(
    store: &Mutex<Store>,
    f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
) -> Result<T, Error> {
    let mut store = lock(store);
    let tx = store.conn_mut().transaction().map_err(StoreError::from)?;
    let out = f(&tx)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(out)
}

/// Checks, journals and sends one money movement.
pub(crate) async fn perform<M: Movement>(
    on: On<'_>,
    target: &str,
    movement: M,
    actor: Actor,
    now: i64,
) -> Result<Done<M>, Error> {
    let entry = movement.check(on, target, now)?;
    let op = OperationRow {
        id: format!("op_{}", uuid::Uuid::new_v4().simple()),
        account_id: on.account_id.to_owned(),
        kind: M::KIND,
        target: entry.target,
        params: serde_json::to_string(&movement).map_err(Error::internal)?,
        amount: entry.amount,
        currency: entry.currency,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        operator: actor.operator.filter(|o| !o.trim().is_empty()),
        note: actor.note.filter(|n| !n.trim().is_empty()),
        state: State::Pending,
        created_at: now,
        ..OperationRow::default()
    };
    // This process sends it: nothing else settles it meanwhile, and it is
    // not shown as unsettled while its answer is on its way.
    let _sending = unsettled::claim(&op.id);
    // Written and committed before anything is sent.
    write(on.store, |tx| {
        movement.journal_also(tx, on.account_id)?;
        operations::insert_pending(tx, &op)
    })?;
    fault_points::hit(Point::AfterJournal);
    execute(on, &op, &movement, now).await
}

/// Sends (or sends again) a journaled movement and records what happened.
pub(crate) async fn execute<M: Movement>(
    on: On<'_>,
    op: &OperationRow,
    movement: &M,
    now: i64,
) -> Result<Done<M>, Error> {
    mark_sent(on.store, op, now)?;
    fault_points::hit(Point::AfterMarkSent);
    let key = Idempotency::Operation {
        key: op.idempotency_key.clone(),
        operation_id: op.id.clone(),
    };
    let answer = movement.send(on.client, op, key).await;
    fault_points::hit(Point::AfterResponse);
    match answer {
        Ok(answer) => {
            write(on.store, |tx| {
                answer.store(tx, &op.account_id)?;
                let result = answer.result_id(op);
                operations::finish(tx, &op.id, State::Succeeded, now, None, Some(&result), None)
            })?;
            answer.done(on.store, op)
        }
        Err(err) => Err(record_failure(on.store, op, &err, now)?),
    }
}

/// Settles a sent or unknown movement: inside the idempotency window by
/// sending again with the same key (Stripe answers as the first time, or
/// does it once); after it, by looking for what it made.
pub(crate) async fn settle<M: Movement>(
    on: On<'_>,
    op: &OperationRow,
    movement: &M,
    now: i64,
) -> Result<(), Error> {
    if now - op.sent_at.unwrap_or(op.created_at) >= IDEMPOTENCY_WINDOW {
        return settle_by_lookup(on, op, movement, now, true).await;
    }
    match execute(on, op, movement, now).await {
        Ok(_) => Ok(()),
        // Stripe keeps answering this key with the same error (a stored
        // 500): what the movement made tells. Not finding it proves nothing
        // yet: the first request may still be running (409
        // `idempotency_key_in_use`), so it stays unknown, safe to send again
        // with its key.
        Err(Error::OutcomeUnknown { .. }) => settle_by_lookup(on, op, movement, now, false).await,
        // Stripe's refusal is in the journal already (failed); anything
        // else (the database) left the row open.
        Err(err) => Err(err),
    }
}

/// Did it happen? Not found settles it as failed only when
/// `absent_is_final` (past the idempotency window); otherwise it stays
/// unknown. A lookup that fails leaves the journal as it was.
async fn settle_by_lookup<M: Movement>(
    on: On<'_>,
    op: &OperationRow,
    movement: &M,
    now: i64,
    absent_is_final: bool,
) -> Result<(), Error> {
    let Lookup { seen, verdict } = movement.find(on.client, op, now).await?;
    let (state, result, error) = match verdict {
        Verdict::Happened { result_id } => (State::Succeeded, Some(result_id), None),
        // Final inside the window too: the key cannot make it happen now.
        Verdict::Refuted(why) => (State::Failed, None, Some(why)),
        Verdict::NotFound if absent_is_final => {
            (State::Failed, None, Some(NOT_FOUND_FINAL.to_owned()))
        }
        Verdict::NotFound => (State::Unknown, None, Some(NOT_FOUND_YET.to_owned())),
    };
    write(on.store, |tx| {
        if let Some(seen) = &seen {
            seen.store(tx, &op.account_id)?;
        }
        operations::finish(
            tx,
            &op.id,
            state,
            now,
            None,
            result.as_deref(),
            error.as_deref(),
        )
    })?;
    Ok(())
}

/// Whether Stripe's answer settles the operation as failed (it was refused
/// and nothing happened) rather than leaving its outcome unknown. Sent
/// again (`resend`), a refused key says nothing of the first request:
/// Stripe checks the key before it replays, so a key revoked or stripped of
/// a permission since would turn a refund that happened into "failed".
pub(crate) fn definite(err: &StripeError, resend: bool) -> bool {
    match err {
        StripeError::Authentication { .. } | StripeError::Permission { .. } => !resend,
        StripeError::Card { .. }
        | StripeError::InvalidRequest { .. }
        | StripeError::NotFound { .. }
        | StripeError::IdempotencyMismatch { .. } => true,
        _ => false,
    }
}

/// Marks an operation sent, or refuses to send one that is no longer open
/// (discarded or finished meanwhile, e.g. by a second click).
fn mark_sent(store: &Mutex<Store>, op: &OperationRow, now: i64) -> Result<(), Error> {
    if write(store, |tx| operations::mark_sent(tx, &op.id, now))? {
        Ok(())
    } else {
        Err(Error::ActionRefused {
            reason: ActionProblem::AlreadySent,
            detail: format!("{} was discarded or has finished: not sent", op.id),
        })
    }
}

/// Records a request that failed: failed when Stripe's answer settles it
/// (nothing happened), else unknown, to be resolved with the same key.
/// Returns the error to report.
fn record_failure(
    store: &Mutex<Store>,
    op: &OperationRow,
    err: &StripeError,
    now: i64,
) -> Result<Error, Error> {
    let (state, error) = if definite(err, op.sent_at.is_some()) {
        (State::Failed, Error::from(err.clone()))
    } else {
        (
            State::Unknown,
            Error::OutcomeUnknown {
                operation_id: op.id.clone(),
                detail: err.to_string(),
            },
        )
    };
    write(store, |tx| {
        operations::finish(
            tx,
            &op.id,
            state,
            now,
            err.request_id(),
            None,
            Some(&err.to_string()),
        )
    })?;
    Ok(error)
}

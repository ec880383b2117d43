//! Settling what a crash or a lost answer left open: at start-up, at the
//! user's word (send or discard a never-sent entry), or by looking at
//! Stripe. Every kind of movement is reached through [`dispatch`].

use std::sync::Mutex;

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::operations::{self, Kind, OperationRow, State};
use till_stripe::StripeClient;

use super::unsettled::{SettledMovement, claim};
use super::{Movement, On, execute, lock, settle, write};
use crate::Error;
use crate::checkouts::journal::{CreateCheckout, ExpireCheckout};
use crate::error::ActionProblem;
use crate::operations::{Capture, Refund, Release};

/// How start-up settled an open operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    pub operation_id: String,
    pub kind: String,
    pub target: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// The journal's state after the attempt: `succeeded`, `failed`,
    /// `unknown` or `sent` (still open: Stripe could not be asked or did not
    /// tell; tried again at the next start), or `pending` (never sent: the
    /// user decides).
    pub state: String,
}

/// What to do with an open entry, whatever its kind.
#[derive(Clone, Copy)]
enum Act {
    /// Settle a sent or unknown one.
    Settle,
    /// Send a pending one at the user's word, checked again first.
    SendPending,
}

/// The movement an entry holds, from its parameters.
fn movement<M: Movement>(op: &OperationRow) -> Result<M, Error> {
    serde_json::from_str(&op.params).map_err(|err| {
        Error::internal(format!("the journal entry {} cannot be read: {err}", op.id))
    })
}

async fn act<M: Movement>(on: On<'_>, op: &OperationRow, act: Act, now: i64) -> Result<(), Error> {
    let movement: M = movement(op)?;
    match act {
        Act::Settle => settle(on, op, &movement, now).await,
        Act::SendPending => {
            movement.check(on, &op.target, now)?;
            execute(on, op, &movement, now).await.map(drop)
        }
    }
}

/// The one place that knows which movement each kind is.
async fn dispatch(on: On<'_>, op: &OperationRow, what: Act, now: i64) -> Result<(), Error> {
    match op.kind {
        Kind::Capture => act::<Capture>(on, op, what, now).await,
        Kind::Release => act::<Release>(on, op, what, now).await,
        Kind::Refund => act::<Refund>(on, op, what, now).await,
        Kind::CreateCheckout => act::<CreateCheckout>(on, op, what, now).await,
        Kind::ExpireCheckout => act::<ExpireCheckout>(on, op, what, now).await,
    }
}

/// Settles an account's sent or unknown operations (see [`super::settle`]).
/// Pending ones (never sent) are left for the user.
///
/// Every open operation is tried: one that cannot be settled now (Stripe
/// unreachable, a lookup refused, the database failing) stays as it was and
/// the others carry on. Each is reported in the state the journal holds
/// after its attempt, read back, so the report never says more than the
/// journal does.
pub async fn resolve_open(
    client: &StripeClient,
    store: &Mutex<Store>,
    account_id: &str,
    now: i64,
) -> Result<Vec<Settled>, Error> {
    Ok(attempt_open(client, store, account_id, now)
        .await?
        .into_iter()
        .map(|(_, op)| Settled {
            operation_id: op.id,
            kind: op.kind.as_str().to_owned(),
            target: op.target,
            amount: op.amount,
            currency: op.currency,
            state: op.state.as_str().to_owned(),
        })
        .collect())
}

/// Settles what [`resolve_open`] settles and tells only what it settled:
/// each movement whose outcome was unknown and is now known, with how and
/// when.
pub async fn settle_unsettled(
    client: &StripeClient,
    store: &Mutex<Store>,
    account_id: &str,
    now: i64,
) -> Result<Vec<SettledMovement>, Error> {
    Ok(attempt_open(client, store, account_id, now)
        .await?
        .into_iter()
        .filter(|(before, _)| before.is_unsettled())
        .filter_map(|(_, after)| SettledMovement::of(&after))
        .collect())
}

/// Tries to settle each open operation of the account; returns the state
/// each was found in and its row as the journal holds it after the attempt. One being
/// sent or settled by this process already is left to that (its key is not
/// sent twice at once).
async fn attempt_open(
    client: &StripeClient,
    store: &Mutex<Store>,
    account_id: &str,
    now: i64,
) -> Result<Vec<(State, OperationRow)>, Error> {
    let open = operations::open(lock(store).conn(), account_id)?;
    let on = On {
        client,
        store,
        account_id,
    };
    let mut tried = Vec::with_capacity(open.len());
    for op in open {
        if op.state.is_unsettled()
            && let Some(_settling) = claim(&op.id)
            && let Err(err) = dispatch(on, &op, Act::Settle, now).await
        {
            tracing::warn!(
                operation = %op.id,
                error = %err,
                "an open operation could not be settled now; it is tried again later"
            );
        }
        // What the journal says now. Unreadable, it is reported as it was
        // found: open, never settled by guess.
        let before = op.state;
        let after = match operations::get(lock(store).conn(), &op.id) {
            Ok(Some(row)) => row,
            Ok(None) => op,
            Err(err) => {
                tracing::warn!(operation = %op.id, error = %err, "the journal could not be read back");
                op
            }
        };
        tried.push((before, after));
    }
    Ok(tried)
}

/// Sends an operation the user chose to send after it was left pending
/// (written, never sent: a crash came in between). Checked again first:
/// the payment or checkout may have changed since. Returns its id.
pub async fn send_pending(on: On<'_>, operation_id: &str, now: i64) -> Result<String, Error> {
    let op = operations::get(lock(on.store).conn(), operation_id)?
        .filter(|op| op.account_id == on.account_id && op.state == State::Pending)
        .ok_or_else(|| Error::NotFound {
            id: operation_id.to_owned(),
        })?;
    // A second click while the first sends it: not sent twice.
    let _sending = claim(&op.id).ok_or_else(|| Error::ActionRefused {
        reason: ActionProblem::AlreadySent,
        detail: format!("{} is being sent already", op.id),
    })?;
    dispatch(on, &op, Act::SendPending, now).await?;
    Ok(op.id)
}

/// Drops an operation that was never sent, at the user's word.
pub fn discard(
    store: &Mutex<Store>,
    account_id: &str,
    operation_id: &str,
    now: i64,
) -> Result<(), Error> {
    let op = operations::get(lock(store).conn(), operation_id)?
        .filter(|op| op.account_id == account_id)
        .ok_or_else(|| Error::NotFound {
            id: operation_id.to_owned(),
        })?;
    if !write(store, |tx| operations::discard(tx, &op.id, now))? {
        return Err(Error::ActionRefused {
            reason: ActionProblem::AlreadySent,
            detail: "only an operation that was never sent can be discarded".to_owned(),
        });
    }
    Ok(())
}

//! Money movements whose outcome is not known yet, as the screens show
//! them: a stored 500, a timeout, a dropped connection, or a crash left them
//! sent without an answer. The UI keeps the object they acted on in view
//! with a word on it until the journal settles them, and is told how
//! ([`SettledMovement`], through a [`MovementListener`]).
//!
//! A movement this process is sending or settling right now is *claimed*
//! ([`claim`]): it is not unsettled (its answer is on its way), and a
//! second settling skips it instead of sending its key again meanwhile.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::operations::{self, Kind, OperationRow, State};

use crate::Error;

/// What kind of movement, in the journal's own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Capture,
    Release,
    Refund,
    /// A new checkout.
    Checkout,
    /// A checkout closed before its time.
    CheckoutExpire,
}

impl From<Kind> for MovementKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Capture => Self::Capture,
            Kind::Release => Self::Release,
            Kind::Refund => Self::Refund,
            Kind::CreateCheckout => Self::Checkout,
            Kind::ExpireCheckout => Self::CheckoutExpire,
        }
    }
}

/// A movement sent to Stripe whose answer Till does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Unsettled {
    pub operation_id: String,
    pub kind: MovementKind,
    /// The payment or checkout acted on; empty for a new checkout.
    pub target: String,
    /// Minor units of `currency`.
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// When it was asked for (Unix seconds).
    pub asked_at: i64,
    /// What went wrong with the answer, as the journal recorded it.
    pub detail: Option<String>,
}

/// How Stripe settled a movement whose outcome was unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum MovementOutcome {
    /// It happened, once.
    Succeeded,
    /// It did not happen, and will not.
    Failed,
}

/// A movement the journal has just settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettledMovement {
    pub account_id: String,
    pub operation_id: String,
    pub kind: MovementKind,
    /// The payment or checkout acted on (a new checkout: the one made).
    pub target: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub outcome: MovementOutcome,
    /// When Stripe's side was established (Unix seconds).
    pub settled_at: i64,
    /// What it made or changed (a refund's id, the payment).
    pub result_id: Option<String>,
    /// Why it did not happen, for a failed one.
    pub detail: Option<String>,
}

impl SettledMovement {
    /// The settled movement a journal row records, if it is settled.
    pub(crate) fn of(op: &OperationRow) -> Option<Self> {
        let outcome = match op.state {
            State::Succeeded => MovementOutcome::Succeeded,
            State::Failed => MovementOutcome::Failed,
            _ => return None,
        };
        Some(Self {
            account_id: op.account_id.clone(),
            operation_id: op.id.clone(),
            kind: op.kind.into(),
            target: if op.target.is_empty() {
                op.result_id.clone().unwrap_or_default()
            } else {
                op.target.clone()
            },
            amount: op.amount,
            currency: op.currency.clone(),
            outcome,
            settled_at: op.finished_at.unwrap_or(op.created_at),
            result_id: op.result_id.clone(),
            detail: op.error.clone(),
        })
    }
}

/// Told of each movement the journal settles after its answer was lost.
pub trait MovementListener: Send + Sync {
    fn settled(&self, settled: &SettledMovement);
}

/// The operations this process is sending or settling now.
static CLAIMED: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

fn claimed() -> std::sync::MutexGuard<'static, HashSet<String>> {
    CLAIMED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Held while an operation is being sent or settled; released on drop,
/// whatever happened (an error, a cancelled task).
#[derive(Debug)]
pub(crate) struct Claim(String);

impl Drop for Claim {
    fn drop(&mut self) {
        claimed().remove(&self.0);
    }
}

/// Claims an operation, or `None` when it is claimed already.
pub(crate) fn claim(operation_id: &str) -> Option<Claim> {
    claimed()
        .insert(operation_id.to_owned())
        .then(|| Claim(operation_id.to_owned()))
}

pub(crate) fn is_claimed(operation_id: &str) -> bool {
    claimed().contains(operation_id)
}

/// An account's movements whose outcome is not known, oldest first: sent
/// (or left unknown) and not being sent or settled by this process now.
/// Never-sent ones are not here: they wait for the user (see
/// [`super::send_pending`]).
pub fn unsettled(store: &Store, account_id: &str) -> Result<Vec<Unsettled>, Error> {
    Ok(operations::open(store.conn(), account_id)?
        .into_iter()
        .filter(|op| op.state.is_unsettled() && !is_claimed(&op.id))
        .map(|op| Unsettled {
            kind: op.kind.into(),
            asked_at: op.created_at,
            operation_id: op.id,
            target: op.target,
            amount: op.amount,
            currency: op.currency,
            detail: op.error,
        })
        .collect())
}

/// How many of an account's movements are in flight: sent and not settled,
/// or being sent by this process now. What must be zero before Till restarts
/// (an update), so that no answer is left to a later start.
pub fn in_flight(store: &Store, account_id: &str) -> Result<usize, Error> {
    Ok(operations::open(store.conn(), account_id)?
        .iter()
        .filter(|op| op.state.is_unsettled() || is_claimed(&op.id))
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, kind: Kind, state: State) -> OperationRow {
        OperationRow {
            id: id.into(),
            account_id: "acct_1".into(),
            kind,
            target: "pi_1".into(),
            params: "{}".into(),
            amount: Some(6_000),
            currency: Some("eur".into()),
            idempotency_key: format!("key-{id}"),
            created_at: 100,
            state,
            ..OperationRow::default()
        }
    }

    fn store_with(rows: &[OperationRow]) -> Store {
        let store = Store::in_memory().unwrap();
        for op in rows {
            operations::insert_pending(store.conn(), op).unwrap();
            if op.state != State::Pending {
                operations::mark_sent(store.conn(), &op.id, 101).unwrap();
            }
            if matches!(op.state, State::Unknown | State::Succeeded | State::Failed) {
                operations::finish(
                    store.conn(),
                    &op.id,
                    op.state,
                    102,
                    None,
                    None,
                    Some("HTTP 500"),
                )
                .unwrap();
            }
        }
        store
    }

    #[test]
    fn sent_and_unknown_movements_are_unsettled_unless_claimed() {
        let store = store_with(&[
            row("op_u1", Kind::Capture, State::Unknown),
            row("op_u2", Kind::Refund, State::Sent),
            row("op_u3", Kind::Release, State::Pending),
            row("op_u4", Kind::Refund, State::Succeeded),
            row("op_u5", Kind::ExpireCheckout, State::Failed),
        ]);
        let ids =
            |list: Vec<Unsettled>| list.into_iter().map(|u| u.operation_id).collect::<Vec<_>>();
        let found = unsettled(&store, "acct_1").unwrap();
        assert_eq!(
            found[0],
            Unsettled {
                operation_id: "op_u1".into(),
                kind: MovementKind::Capture,
                target: "pi_1".into(),
                amount: Some(6_000),
                currency: Some("eur".into()),
                asked_at: 100,
                detail: Some("HTTP 500".into()),
            }
        );
        assert_eq!(ids(found), vec!["op_u1", "op_u2"]);
        // Being sent or settled by this process: its answer is on its way.
        let held = claim("op_u2").unwrap();
        assert!(claim("op_u2").is_none(), "one claim at a time");
        assert_eq!(ids(unsettled(&store, "acct_1").unwrap()), vec!["op_u1"]);
        drop(held);
        assert_eq!(
            ids(unsettled(&store, "acct_1").unwrap()),
            vec!["op_u1", "op_u2"]
        );
        assert!(unsettled(&store, "acct_other").unwrap().is_empty());
    }

    #[test]
    fn in_flight_counts_the_unsettled_and_those_being_sent_now() {
        let store = store_with(&[
            row("op_f1", Kind::Capture, State::Unknown),
            row("op_f2", Kind::Refund, State::Sent),
            row("op_f3", Kind::Release, State::Pending),
            row("op_f4", Kind::Refund, State::Succeeded),
            row("op_f5", Kind::ExpireCheckout, State::Failed),
        ]);
        // A pending one never sent waits for the user: not in flight.
        assert_eq!(in_flight(&store, "acct_1").unwrap(), 2);
        // Claimed while its request is on its way: in flight, though not
        // listed as unsettled.
        let sending = claim("op_f3").unwrap();
        let held = claim("op_f2").unwrap();
        assert_eq!(in_flight(&store, "acct_1").unwrap(), 3);
        drop((sending, held));
        assert_eq!(in_flight(&store, "acct_1").unwrap(), 2);
        assert_eq!(in_flight(&store, "acct_other").unwrap(), 0);
        let settled = store_with(&[row("op_f6", Kind::Refund, State::Succeeded)]);
        assert_eq!(in_flight(&settled, "acct_1").unwrap(), 0);
    }

    #[test]
    fn a_settled_row_says_how_and_when_and_an_open_one_says_nothing() {
        let mut op = row("op_s1", Kind::Capture, State::Succeeded);
        op.finished_at = Some(200);
        op.result_id = Some("pi_1".into());
        let settled = SettledMovement::of(&op).unwrap();
        assert_eq!(settled.outcome, MovementOutcome::Succeeded);
        assert_eq!(settled.settled_at, 200);
        assert_eq!(settled.kind, MovementKind::Capture);
        assert!(SettledMovement::of(&row("op_s2", Kind::Refund, State::Unknown)).is_none());
        // A new checkout names the one Stripe made.
        let mut created = row("op_s3", Kind::CreateCheckout, State::Failed);
        created.target = String::new();
        created.result_id = Some("cs_1".into());
        let settled = SettledMovement::of(&created).unwrap();
        assert_eq!(
            (settled.target.as_str(), settled.outcome),
            ("cs_1", MovementOutcome::Failed)
        );
        assert_eq!(
            serde_json::to_value(MovementKind::CheckoutExpire).unwrap(),
            "checkout_expire",
            "the journal's own name"
        );
    }
}

//! Money movements through the journal: capture, release and refund.
//!
//! Each one is checked against the cache first (nothing is sent that Stripe
//! would refuse for a reason Till can see), then written to the journal as
//! pending with its idempotency key and committed, then marked sent, then
//! sent. Whatever happens next is recorded: success, a definite failure, or
//! an unknown outcome that [`resolve_open`] settles later with the same key
//! (inside Stripe's 24-hour idempotency window) or by finding the object
//! through its `till_operation_id`.

use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::table::operations::{self, OperationRow, State};
use till_store::table::{payment_intents, refunds};
use till_store::{Store, StoreError};
use till_stripe::models::{PaymentIntent, Raw, Refund};
use till_stripe::requests::{
    CancelPaymentIntent, CancellationReason, CapturePaymentIntent, CreateRefund, ListRefunds,
    RefundReason, RefundTarget,
};
use till_stripe::{Currency, Idempotency, Money, MoneyError, Page, StripeClient, StripeError};

use crate::error::{ActionProblem, AmountProblem};
use crate::fault_points::{self, Point};
use crate::payments::PaymentSummary;
use crate::sync::kinds;
use crate::{Error, rows};

/// Stripe keeps an idempotency key's answer this long.
pub const IDEMPOTENCY_WINDOW: i64 = 24 * 3600;

/// What the journal says of an operation its lookup did not find at Stripe:
/// past the window it did not happen; inside it, it may yet.
pub(crate) const NOT_FOUND_FINAL: &str =
    "not found at Stripe after the idempotency window: it did not happen";
pub(crate) const NOT_FOUND_YET: &str =
    "not found at Stripe yet: sent again with the same key later";

/// Who did it and why, for the audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub operator: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ReleaseReason {
    RequestedByCustomer,
    Duplicate,
    Fraudulent,
    Abandoned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum RefundWhy {
    RequestedByCustomer,
    Duplicate,
    Fraudulent,
}

/// Where an operation runs: the account's client and the database.
#[derive(Debug, Clone, Copy)]
pub struct On<'a> {
    pub client: &'a StripeClient,
    pub store: &'a Mutex<Store>,
    pub account_id: &'a str,
}

/// What a money movement did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Done {
    pub operation_id: String,
    /// The payment as Stripe left it.
    pub payment: PaymentSummary,
    /// The refund made, for a refund.
    pub refund_id: Option<String>,
}

/// The request an operation sends, as kept in the journal's `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Request {
    Capture {
        amount: i64,
    },
    Release {
        reason: Option<ReleaseReason>,
    },
    Refund {
        amount: i64,
        reason: Option<RefundWhy>,
    },
}

impl Request {
    fn kind(&self) -> &'static str {
        match self {
            Self::Capture { .. } => "capture",
            Self::Release { .. } => "release",
            Self::Refund { .. } => "refund",
        }
    }
}

fn amount_error(err: MoneyError) -> Error {
    let reason = match err {
        MoneyError::NotANumber(_) => AmountProblem::NotANumber,
        MoneyError::TooManyDecimals { .. } => AmountProblem::TooManyDecimals,
        MoneyError::NotMultipleOfTen(_) => AmountProblem::NotMultipleOfTen,
        MoneyError::NotPositive => AmountProblem::NotPositive,
        MoneyError::TooLarge { .. } => AmountProblem::AboveMaximum,
    };
    Error::AmountRefused {
        reason,
        detail: err.to_string(),
    }
}

fn refused(reason: ActionProblem, detail: impl Into<String>) -> Error {
    Error::ActionRefused {
        reason,
        detail: detail.into(),
    }
}

/// An amount typed in the currency's major unit ("12.50"), or everything.
fn amount(text: Option<&str>, all: i64, currency: &str) -> Result<i64, Error> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(all),
        Some(text) => Ok(Money::parse_major(text, &Currency::new(currency))
            .map_err(amount_error)?
            .amount),
    }
}

pub(crate) fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

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

/// The cached payment an action is about, or `NotFound`.
fn cached_payment(
    store: &Mutex<Store>,
    account_id: &str,
    payment_id: &str,
) -> Result<payment_intents::PaymentRow, Error> {
    payment_intents::get(lock(store).conn(), account_id, payment_id)?.ok_or_else(|| {
        Error::NotFound {
            id: payment_id.to_owned(),
        }
    })
}

/// Refunded or being refunded: what no longer can be.
fn refunded(store: &Mutex<Store>, account_id: &str, payment_id: &str) -> Result<i64, Error> {
    Ok(
        refunds::for_payment_intent(lock(store).conn(), account_id, payment_id)?
            .iter()
            .filter(|r| r.counts_as_refunded())
            .map(|r| r.amount)
            .sum(),
    )
}

/// Checks a request against the cached payment. Nothing is written.
fn check(
    store: &Mutex<Store>,
    account_id: &str,
    target: &str,
    request: &Request,
    now: i64,
) -> Result<payment_intents::PaymentRow, Error> {
    let row = cached_payment(store, account_id, target)?;
    let money = |amount: i64| Money::new(amount, Currency::new(&row.currency));
    match request {
        Request::Capture { .. } | Request::Release { .. } if row.status != "requires_capture" => {
            return Err(refused(
                ActionProblem::NotAHold,
                format!("{} is {}, not a hold", row.id, row.status),
            ));
        }
        Request::Capture { amount } => {
            if let Some(until) = row.capture_before.filter(|until| *until <= now) {
                return Err(refused(
                    ActionProblem::HoldExpired,
                    format!("the hold on {} expired at {until} (Unix time)", row.id),
                ));
            }
            money(*amount).check_chargeable().map_err(amount_error)?;
            if *amount > row.amount_capturable {
                return Err(Error::AmountRefused {
                    reason: AmountProblem::AboveCapturable,
                    detail: format!(
                        "{} is more than the {} held",
                        money(*amount).display_major(),
                        money(row.amount_capturable).display_major()
                    ),
                });
            }
        }
        Request::Release { .. } => {}
        Request::Refund { amount, .. } => {
            if row.status == "requires_capture" {
                return Err(refused(
                    ActionProblem::UncapturedUseRelease,
                    format!("{} is a hold: capture less or release it", row.id),
                ));
            }
            money(*amount).check_chargeable().map_err(amount_error)?;
            let refunded = refunded(store, account_id, target)?;
            let refundable = (row.amount_received - refunded).max(0);
            if refundable == 0 {
                return Err(refused(
                    ActionProblem::NothingToRefund,
                    format!("{} is fully refunded", row.id),
                ));
            }
            if *amount > refundable {
                return Err(Error::AmountRefused {
                    reason: AmountProblem::AboveRefundable,
                    detail: format!(
                        "{} is more than the {} still refundable",
                        money(*amount).display_major(),
                        money(refundable).display_major()
                    ),
                });
            }
        }
    }
    Ok(row)
}

/// What Stripe answered a request that went through.
struct Answer {
    /// The payment as Stripe left it. For a refund it is read again after
    /// the refund, best effort: `None` when that read failed (a restricted
    /// key that may not read PaymentIntents, a 404, a network error).
    payment: Option<Raw<PaymentIntent>>,
    /// The refund made, for a refund.
    refund: Option<Raw<Refund>>,
}

fn cancellation_reason(reason: ReleaseReason) -> CancellationReason {
    match reason {
        ReleaseReason::RequestedByCustomer => CancellationReason::RequestedByCustomer,
        ReleaseReason::Duplicate => CancellationReason::Duplicate,
        ReleaseReason::Fraudulent => CancellationReason::Fraudulent,
        ReleaseReason::Abandoned => CancellationReason::Abandoned,
    }
}

/// Sends an operation's request with its key. An error means the request
/// itself failed; once Stripe has made the change, nothing after it turns
/// into an error (a redo would do it twice).
async fn send(
    client: &StripeClient,
    op: &OperationRow,
    request: &Request,
) -> Result<Answer, StripeError> {
    let key = Idempotency::Operation {
        key: op.idempotency_key.clone(),
        operation_id: op.id.clone(),
    };
    match request {
        Request::Capture { amount } => {
            let capture = CapturePaymentIntent {
                amount_to_capture: Some(*amount),
                ..CapturePaymentIntent::default()
            };
            let pi = client
                .capture_payment_intent(&op.target, &capture, key)
                .await?;
            Ok(Answer {
                payment: Some(pi),
                refund: None,
            })
        }
        Request::Release { reason } => {
            let cancel = CancelPaymentIntent {
                reason: reason.map(cancellation_reason),
            };
            let pi = client
                .cancel_payment_intent(&op.target, &cancel, key)
                .await?;
            Ok(Answer {
                payment: Some(pi),
                refund: None,
            })
        }
        Request::Refund { amount, reason } => {
            let refund = client
                .create_refund(
                    &CreateRefund {
                        target: RefundTarget::PaymentIntent(op.target.clone()),
                        amount: Some(*amount),
                        reason: reason.map(|r| match r {
                            RefundWhy::RequestedByCustomer => RefundReason::RequestedByCustomer,
                            RefundWhy::Duplicate => RefundReason::Duplicate,
                            RefundWhy::Fraudulent => RefundReason::Fraudulent,
                        }),
                        metadata: Default::default(),
                    },
                    key,
                )
                .await?;
            // The refund is made. The payment is read again for the drawer,
            // best effort: whatever that read answers, the refund stands.
            let payment = match client.retrieve_payment_intent(&op.target, &[]).await {
                Ok(pi) => Some(pi),
                Err(err) => {
                    tracing::warn!(
                        operation = %op.id,
                        refund = %refund.id,
                        error = %err,
                        "refund made; its payment could not be read again"
                    );
                    None
                }
            };
            Ok(Answer {
                payment,
                refund: Some(refund),
            })
        }
    }
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
pub(crate) fn mark_sent(store: &Mutex<Store>, op: &OperationRow, now: i64) -> Result<(), Error> {
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
pub(crate) fn record_failure(
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

/// Sends (or sends again) a journaled operation and records what happened.
async fn execute(
    client: &StripeClient,
    store: &Mutex<Store>,
    op: &OperationRow,
    request: &Request,
    now: i64,
) -> Result<Done, Error> {
    mark_sent(store, op, now)?;
    fault_points::hit(Point::AfterMarkSent);
    let answer = send(client, op, request).await;
    fault_points::hit(Point::AfterResponse);
    match answer {
        Ok(Answer { payment, refund }) => {
            let refund_id = refund.as_ref().map(|r| r.id.clone());
            // The charge changed too (captured, released or refunded): the
            // drawer's figures come from it. Best effort: the sync brings it
            // anyway, and the operation has succeeded whatever happens here.
            // A refund names its charge when the payment could not be read.
            let charge_id = payment
                .as_ref()
                .and_then(|pi| pi.latest_charge.as_ref())
                .or_else(|| refund.as_ref().and_then(|r| r.charge.as_ref()))
                .map(|charge| charge.id().to_owned());
            let charge = match charge_id {
                Some(id) => client.retrieve_charge(&id, &[]).await.ok(),
                None => None,
            };
            write(store, |tx| {
                if let Some(charge) = &charge {
                    kinds::store_charge(tx, &op.account_id, charge)?;
                }
                if let Some(pi) = &payment {
                    kinds::store_payment(tx, &op.account_id, pi)?;
                }
                if let Some(refund) = &refund {
                    refunds::upsert(tx, &op.account_id, &rows::refund(refund))?;
                }
                let result = refund_id.as_deref().unwrap_or(&op.target);
                operations::finish(tx, &op.id, State::Succeeded, now, None, Some(result), None)
            })?;
            let payment = {
                let store = lock(store);
                let row = payment_intents::get(store.conn(), &op.account_id, &op.target)?;
                crate::payments::summaries(store.conn(), &op.account_id, row.into_iter().collect())?
                    .pop()
                    .ok_or_else(|| Error::NotFound {
                        id: op.target.clone(),
                    })?
            };
            Ok(Done {
                operation_id: op.id.clone(),
                payment,
                refund_id,
            })
        }
        Err(err) => Err(record_failure(store, op, &err, now)?),
    }
}

fn request_of(op: &OperationRow) -> Option<Request> {
    serde_json::from_str(&op.params).ok()
}

/// Checks, journals and sends one money movement.
async fn perform(
    on: On<'_>,
    target: &str,
    request: Request,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    let row = check(on.store, on.account_id, target, &request, now)?;
    let amount = match &request {
        Request::Capture { amount } | Request::Refund { amount, .. } => Some(*amount),
        Request::Release { .. } => Some(row.amount_capturable),
    };
    let op = OperationRow {
        id: format!("op_{}", uuid::Uuid::new_v4().simple()),
        account_id: on.account_id.to_owned(),
        kind: request.kind().to_owned(),
        target: target.to_owned(),
        params: serde_json::to_string(&request).map_err(Error::internal)?,
        amount,
        currency: Some(row.currency.clone()),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        operator: actor.operator.filter(|o| !o.trim().is_empty()),
        note: actor.note.filter(|n| !n.trim().is_empty()),
        created_at: now,
        ..OperationRow::default()
    };
    // Written and committed before anything is sent.
    write(on.store, |tx| operations::insert_pending(tx, &op))?;
    fault_points::hit(Point::AfterJournal);
    execute(on.client, on.store, &op, &request, now).await
}

pub async fn capture(
    on: On<'_>,
    payment_id: &str,
    amount_text: Option<&str>,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    let row = cached_payment(on.store, on.account_id, payment_id)?;
    let amount = amount(amount_text, row.amount_capturable, &row.currency)?;
    perform(on, payment_id, Request::Capture { amount }, actor, now).await
}

pub async fn release(
    on: On<'_>,
    payment_id: &str,
    reason: Option<ReleaseReason>,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    perform(on, payment_id, Request::Release { reason }, actor, now).await
}

pub async fn refund(
    on: On<'_>,
    payment_id: &str,
    amount_text: Option<&str>,
    reason: Option<RefundWhy>,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    let row = cached_payment(on.store, on.account_id, payment_id)?;
    let refunded = refunded(on.store, on.account_id, payment_id)?;
    let all = (row.amount_received - refunded).max(0);
    let amount = amount(amount_text, all, &row.currency)?;
    perform(
        on,
        payment_id,
        Request::Refund { amount, reason },
        actor,
        now,
    )
    .await
}

mod audit;
mod settle;

pub use audit::{OperationEntry, entries, journal_csv};
pub use settle::{Settled, discard, resolve_open, send_pending};

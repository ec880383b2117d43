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
            let payment = payment_intents::get(lock(store).conn(), &op.account_id, &op.target)?
                .map(PaymentSummary::from)
                .ok_or_else(|| Error::NotFound {
                    id: op.target.clone(),
                })?;
            Ok(Done {
                operation_id: op.id.clone(),
                payment,
                refund_id,
            })
        }
        Err(err) => {
            let (state, error) = if definite(&err, op.sent_at.is_some()) {
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
            Err(error)
        }
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

/// Settles an account's sent or unknown operations: inside the idempotency
/// window by sending again with the same key (Stripe answers as the first
/// time, or does it once); after it, by looking for what the operation made.
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
    let open = operations::open(lock(store).conn(), account_id)?;
    let mut settled = Vec::with_capacity(open.len());
    for op in open {
        let on = On {
            client,
            store,
            account_id,
        };
        let attempt = match (op.state.as_str(), request_of(&op)) {
            ("pending", _) => Ok(()),
            _ if crate::checkouts::journal::is_checkout(&op.kind) => {
                crate::checkouts::journal::resolve(on, &op, now)
                    .await
                    .map(drop)
            }
            (_, None) => Ok(()),
            (_, Some(request))
                if now - op.sent_at.unwrap_or(op.created_at) < IDEMPOTENCY_WINDOW =>
            {
                match execute(client, store, &op, &request, now).await {
                    Ok(_) => Ok(()),
                    // Stripe keeps answering this key with the same error (a
                    // stored 500): what the operation made tells. Not
                    // finding it proves nothing yet: the first request may
                    // still be running (409 `idempotency_key_in_use`), so it
                    // stays unknown, safe to send again with its key.
                    Err(Error::OutcomeUnknown { .. }) => {
                        settle_by_lookup(client, store, &op, &request, now, false).await
                    }
                    // Stripe's refusal is in the journal already (failed);
                    // anything else (the database) left the row open.
                    Err(err) => Err(err),
                }
            }
            (_, Some(request)) => settle_by_lookup(client, store, &op, &request, now, true).await,
        };
        if let Err(err) = &attempt {
            tracing::warn!(
                operation = %op.id,
                error = %err,
                "an open operation could not be settled now; it is tried again at the next start"
            );
        }
        // What the journal says now. Unreadable, it is reported as it was
        // found: open, never settled by guess.
        let state = match operations::get(lock(store).conn(), &op.id) {
            Ok(Some(row)) => row.state,
            Ok(None) => op.state.clone(),
            Err(err) => {
                tracing::warn!(operation = %op.id, error = %err, "the journal could not be read back");
                op.state.clone()
            }
        };
        settled.push(Settled {
            operation_id: op.id.clone(),
            kind: op.kind.clone(),
            target: op.target.clone(),
            amount: op.amount,
            currency: op.currency.clone(),
            state,
        });
    }
    Ok(settled)
}

/// Sends an operation the user chose to send after it was left pending
/// (written, never sent: a crash came in between).
pub async fn send_pending(on: On<'_>, operation_id: &str, now: i64) -> Result<Done, Error> {
    let op = operations::get(lock(on.store).conn(), operation_id)?
        .filter(|op| op.account_id == on.account_id && op.state == "pending")
        .ok_or_else(|| Error::NotFound {
            id: operation_id.to_owned(),
        })?;
    let request =
        request_of(&op).ok_or_else(|| Error::internal("the journal entry cannot be read"))?;
    // Checked again: the payment may have changed since.
    check(on.store, on.account_id, &op.target, &request, now)?;
    execute(on.client, on.store, &op, &request, now).await
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

/// Did the operation happen? A refund carries its operation id in metadata
/// (all the payment's refunds are read, page by page); a capture leaves it
/// on the PaymentIntent; a release shows as the PaymentIntent canceled for
/// the reason it gave (a hold that lapsed is canceled `automatic` by Stripe:
/// the release did not happen). Not found settles it as failed only when
/// `absent_is_final` (past the idempotency window); otherwise it stays
/// unknown. A lookup that fails leaves the journal as it was.
async fn settle_by_lookup(
    client: &StripeClient,
    store: &Mutex<Store>,
    op: &OperationRow,
    request: &Request,
    now: i64,
    absent_is_final: bool,
) -> Result<(), Error> {
    let pi = client.retrieve_payment_intent(&op.target, &[]).await?;
    let marked = |metadata: &till_stripe::models::Metadata| {
        metadata
            .get(till_stripe::OPERATION_METADATA_KEY)
            .map(String::as_str)
            == Some(op.id.as_str())
    };
    let mut made = None;
    // Why it did not happen, when Stripe shows it cannot have.
    let mut refuted: Option<String> = None;
    let (happened, result) = match request {
        Request::Capture { .. } => (marked(&pi.metadata), Some(pi.id.clone())),
        // A cancel takes no metadata: the hold released for our reason is
        // the sign.
        Request::Release { reason } => {
            let canceled = pi.status.as_str() == "canceled";
            let why = pi.cancellation_reason.as_deref();
            let ours = match reason {
                Some(reason) => why == Some(cancellation_reason(*reason).as_str()),
                None => why != Some(LAPSED),
            };
            if canceled && why == Some(LAPSED) {
                refuted = Some(format!(
                    "the hold lapsed: Stripe canceled {} itself (reason {LAPSED}), so the release did not happen",
                    pi.id
                ));
            }
            (canceled && ours, Some(pi.id.clone()))
        }
        Request::Refund { .. } => {
            let list = ListRefunds {
                payment_intent: Some(op.target.clone()),
                ..ListRefunds::default()
            };
            let mut page = Page::first(100);
            made = loop {
                let refunds = client.list_refunds(&list, &page).await?;
                let found = refunds.data.iter().find(|r| marked(&r.metadata)).cloned();
                match (found.is_none() && refunds.has_more, refunds.data.last()) {
                    (true, Some(last)) => page = Page::after(100, last.id.clone()),
                    _ => break found,
                }
            };
            let found = made.as_ref().map(|r| r.id.clone());
            (found.is_some(), found)
        }
    };
    let (state, error) = match (happened, refuted, absent_is_final) {
        (true, _, _) => (State::Succeeded, None),
        // Final inside the window too: the key cannot make it happen now.
        (false, Some(why), _) => (State::Failed, Some(why)),
        (false, None, true) => (
            State::Failed,
            Some("not found at Stripe after the idempotency window: it did not happen".to_owned()),
        ),
        (false, None, false) => (
            State::Unknown,
            Some("not found at Stripe yet: sent again with the same key later".to_owned()),
        ),
    };
    write(store, |tx| {
        kinds::store_payment(tx, &op.account_id, &pi)?;
        // The refund found is cached too: what is left to refund counts it.
        if let Some(refund) = &made {
            refunds::upsert(tx, &op.account_id, &rows::refund(refund))?;
        }
        operations::finish(
            tx,
            &op.id,
            state,
            now,
            None,
            result.as_deref().filter(|_| happened),
            error.as_deref(),
        )
    })?;
    Ok(())
}

/// The `cancellation_reason` Stripe gives a hold that lapsed uncaptured.
const LAPSED: &str = "automatic";

/// One line of the audit view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OperationEntry {
    pub id: String,
    /// `capture`, `release`, `refund`, `checkout`, `checkout_expire`.
    pub kind: String,
    pub target: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub operator: Option<String>,
    pub note: Option<String>,
    /// `pending`, `sent`, `succeeded`, `failed`, `unknown`, `discarded`.
    pub state: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
    pub request_id: Option<String>,
}

/// The journal, newest first.
pub fn entries(
    store: &Store,
    account_id: &str,
    limit: usize,
) -> Result<Vec<OperationEntry>, Error> {
    Ok(operations::list(store.conn(), account_id, limit)?
        .into_iter()
        .map(|op| OperationEntry {
            id: op.id,
            kind: op.kind,
            // A new checkout has no target until Stripe names it.
            target: if op.target.is_empty() {
                op.result_id.unwrap_or_default()
            } else {
                op.target
            },
            amount: op.amount,
            currency: op.currency,
            operator: op.operator,
            note: op.note,
            state: op.state,
            created_at: op.created_at,
            finished_at: op.finished_at,
            error: op.error,
            request_id: op.request_id,
        })
        .collect())
}

/// One CSV field, quoted when it must be (RFC 4180), and never read as a
/// formula by a spreadsheet (a leading `=`, `+`, `-` or `@` gets a `'`).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The journal as CSV, newest first, times in UTC (ISO 8601), amounts in
/// the currency's major unit.
pub fn journal_csv(entries: &[OperationEntry]) -> String {
    let mut out = String::from(
        "created_utc,operation,kind,target,amount,currency,operator,note,outcome,finished_utc,stripe_request,error\n",
    );
    let time = |t: i64| {
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    };
    for e in entries {
        let amount = match (e.amount, &e.currency) {
            (Some(amount), Some(currency)) => Money::new(amount, Currency::new(currency))
                .display_major()
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        };
        let fields = [
            time(e.created_at),
            e.id.clone(),
            e.kind.clone(),
            e.target.clone(),
            amount,
            e.currency.clone().unwrap_or_default().to_uppercase(),
            e.operator.clone().unwrap_or_default(),
            e.note.clone().unwrap_or_default(),
            e.state.clone(),
            e.finished_at.map(time).unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
            e.error.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_csv_quotes_what_it_must_and_disarms_formulas() {
        let entry = OperationEntry {
            id: "op_1".into(),
            kind: "refund".into(),
            target: "pi_1".into(),
            amount: Some(1250),
            currency: Some("usd".into()),
            operator: Some("Ada, front desk".into()),
            note: Some("=HYPERLINK(\"x\")".into()),
            state: "succeeded".into(),
            created_at: 1_795_380_000,
            finished_at: Some(1_795_380_001),
            error: None,
            request_id: Some("req_1".into()),
        };
        let csv = journal_csv(&[entry]);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with("2026-11-22T"), "{line}");
        assert!(line.contains(",12.50,USD,\"Ada, front desk\","), "{line}");
        assert!(line.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{line}");
        assert_eq!(csv.lines().count(), 2);
        assert_eq!(csv_field("-5"), "'-5");
    }
}

//! The payment movements: capture, release and refund, each a small
//! [`Movement`] of the journal engine ([`crate::journal`]), which checks,
//! journals, sends and settles them.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::table::operations::{Kind, OperationRow};
use till_store::table::{payment_intents, refunds};
use till_store::{Store, StoreError};
use till_stripe::models::{self, Charge, PaymentIntent, Raw};
use till_stripe::requests::{
    CancelPaymentIntent, CancellationReason, CapturePaymentIntent, CreateRefund, ListRefunds,
    RefundReason, RefundTarget,
};
use till_stripe::{
    Currency, Idempotency, Money, MoneyError, OPERATION_METADATA_KEY, Page, StripeClient,
    StripeError,
};

use crate::error::{ActionProblem, AmountProblem};
use crate::journal::{self, Entry, Lookup, Movement, Verdict, lock};
use crate::payments::PaymentSummary;
use crate::sync::kinds;
use crate::{Error, rows};

pub use crate::journal::{
    IDEMPOTENCY_WINDOW, On, OperationEntry, Settled, discard, entries, journal_csv, resolve_open,
    send_pending,
};

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

/// An amount as the person confirmed it: integer minor units of
/// `currency` (cents; yen), parsed once where it was typed (the UI in their
/// locale, the command line's arguments). Travels as integers from there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    pub minor: i64,
    pub currency: String,
}

impl Amount {
    pub fn new(minor: i64, currency: &str) -> Self {
        Self {
            minor,
            currency: currency.to_owned(),
        }
    }
}

/// The amount asked for, in the payment's currency, or everything.
fn amount(asked: Option<Amount>, all: i64, currency: &str) -> Result<i64, Error> {
    let Some(asked) = asked else {
        return Ok(all);
    };
    if !asked.currency.trim().eq_ignore_ascii_case(currency) {
        return Err(Error::AmountRefused {
            reason: AmountProblem::WrongCurrency,
            detail: format!(
                "the amount is in {}, the payment in {}",
                asked.currency.trim().to_uppercase(),
                currency.to_uppercase()
            ),
        });
    }
    Ok(asked.minor)
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

/// A cached hold, or why it is not one that can be acted on.
fn cached_hold(on: On<'_>, payment_id: &str) -> Result<payment_intents::PaymentRow, Error> {
    let row = cached_payment(on.store, on.account_id, payment_id)?;
    if row.status != "requires_capture" {
        return Err(refused(
            ActionProblem::NotAHold,
            format!("{} is {}, not a hold", row.id, row.status),
        ));
    }
    Ok(row)
}

fn entry(row: &payment_intents::PaymentRow, amount: i64) -> Entry {
    Entry {
        target: row.id.clone(),
        amount: Some(amount),
        currency: Some(row.currency.clone()),
    }
}

/// What Stripe answered a payment movement that went through.
pub(crate) struct Answer {
    /// The payment as Stripe left it. For a refund it is read again after
    /// the refund, best effort: `None` when that read failed (a restricted
    /// key that may not read PaymentIntents, a 404, a network error).
    payment: Option<Raw<PaymentIntent>>,
    /// The refund made, for a refund.
    refund: Option<Raw<models::Refund>>,
    /// The charge as it is now (captured, released or refunded): the
    /// drawer's figures come from it. Best effort: the sync brings it too.
    charge: Option<Raw<Charge>>,
}

impl Answer {
    /// Completes an answer with its charge, best effort. A refund names its
    /// charge when the payment could not be read.
    async fn with_charge(mut self, client: &StripeClient) -> Self {
        let charge_id = self
            .payment
            .as_ref()
            .and_then(|pi| pi.latest_charge.as_ref())
            .or_else(|| self.refund.as_ref().and_then(|r| r.charge.as_ref()))
            .map(|charge| charge.id().to_owned());
        if let Some(id) = charge_id {
            self.charge = client.retrieve_charge(&id, &[]).await.ok();
        }
        self
    }

    fn payment(pi: Raw<PaymentIntent>) -> Self {
        Self {
            payment: Some(pi),
            refund: None,
            charge: None,
        }
    }
}

/// What every payment movement stores, names and answers: the charge, the
/// payment and the refund as Stripe left them; the refund made, else the
/// payment; the payment as the list shows it.
impl journal::Answer for Answer {
    type Done = Done;

    fn store(&self, tx: &rusqlite::Connection, account_id: &str) -> Result<(), StoreError> {
        if let Some(charge) = &self.charge {
            kinds::store_charge(tx, account_id, charge)?;
        }
        if let Some(pi) = &self.payment {
            kinds::store_payment(tx, account_id, pi)?;
        }
        // The refund is cached too: what is left to refund counts it.
        if let Some(refund) = &self.refund {
            refunds::upsert(tx, account_id, &rows::refund(refund))?;
        }
        Ok(())
    }

    fn result_id(&self, op: &OperationRow) -> String {
        self.refund
            .as_ref()
            .map_or_else(|| op.target.clone(), |r| r.id.clone())
    }

    fn done(&self, store: &Mutex<Store>, op: &OperationRow) -> Result<Done, Error> {
        let store = lock(store);
        let row = payment_intents::get(store.conn(), &op.account_id, &op.target)?;
        let payment =
            crate::payments::summaries(store.conn(), &op.account_id, row.into_iter().collect())?
                .pop()
                .ok_or_else(|| Error::NotFound {
                    id: op.target.clone(),
                })?;
        Ok(Done {
            operation_id: op.id.clone(),
            payment,
            refund_id: self.refund.as_ref().map(|r| r.id.clone()),
        })
    }
}

fn marked(metadata: &till_stripe::models::Metadata, op: &OperationRow) -> bool {
    metadata.get(OPERATION_METADATA_KEY).map(String::as_str) == Some(op.id.as_str())
}

/// Captures `amount` of a hold; Stripe releases the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Capture {
    amount: i64,
}

impl Movement for Capture {
    const KIND: Kind = Kind::Capture;
    type Answer = Answer;

    fn check(&self, on: On<'_>, target: &str, now: i64) -> Result<Entry, Error> {
        let row = cached_hold(on, target)?;
        if let Some(until) = row.capture_before.filter(|until| *until <= now) {
            return Err(refused(
                ActionProblem::HoldExpired,
                format!("the hold on {} expired at {until} (Unix time)", row.id),
            ));
        }
        let money = |amount: i64| Money::new(amount, Currency::new(&row.currency));
        money(self.amount)
            .check_chargeable()
            .map_err(amount_error)?;
        if self.amount > row.amount_capturable {
            return Err(Error::AmountRefused {
                reason: AmountProblem::AboveCapturable,
                detail: format!(
                    "{} is more than the {} held",
                    money(self.amount).display_major(),
                    money(row.amount_capturable).display_major()
                ),
            });
        }
        Ok(entry(&row, self.amount))
    }

    async fn send(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        key: Idempotency,
    ) -> Result<Answer, StripeError> {
        let capture = CapturePaymentIntent {
            amount_to_capture: Some(self.amount),
            ..CapturePaymentIntent::default()
        };
        let pi = client
            .capture_payment_intent(&op.target, &capture, key)
            .await?;
        Ok(Answer::payment(pi).with_charge(client).await)
    }

    /// A capture leaves its operation id on the PaymentIntent.
    async fn find(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        _now: i64,
    ) -> Result<Lookup<Answer>, StripeError> {
        let pi = client.retrieve_payment_intent(&op.target, &[]).await?;
        let verdict = if marked(&pi.metadata, op) {
            Verdict::Happened {
                result_id: pi.id.clone(),
            }
        } else {
            Verdict::NotFound
        };
        Ok(Lookup {
            seen: Some(Answer::payment(pi)),
            verdict,
        })
    }
}

/// Lets a hold go: the customer's money is released, none is taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Release {
    reason: Option<ReleaseReason>,
}

fn cancellation_reason(reason: ReleaseReason) -> CancellationReason {
    match reason {
        ReleaseReason::RequestedByCustomer => CancellationReason::RequestedByCustomer,
        ReleaseReason::Duplicate => CancellationReason::Duplicate,
        ReleaseReason::Fraudulent => CancellationReason::Fraudulent,
        ReleaseReason::Abandoned => CancellationReason::Abandoned,
    }
}

/// The `cancellation_reason` Stripe gives a hold that lapsed uncaptured.
const LAPSED: &str = "automatic";

impl Movement for Release {
    const KIND: Kind = Kind::Release;
    type Answer = Answer;

    fn check(&self, on: On<'_>, target: &str, _now: i64) -> Result<Entry, Error> {
        let row = cached_hold(on, target)?;
        Ok(entry(&row, row.amount_capturable))
    }

    async fn send(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        key: Idempotency,
    ) -> Result<Answer, StripeError> {
        let cancel = CancelPaymentIntent {
            reason: self.reason.map(cancellation_reason),
        };
        let pi = client
            .cancel_payment_intent(&op.target, &cancel, key)
            .await?;
        Ok(Answer::payment(pi).with_charge(client).await)
    }

    /// A cancel takes no metadata: the hold released for our reason is the
    /// sign. A hold that lapsed is canceled `automatic` by Stripe: the
    /// release did not happen, and cannot now.
    async fn find(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        _now: i64,
    ) -> Result<Lookup<Answer>, StripeError> {
        let pi = client.retrieve_payment_intent(&op.target, &[]).await?;
        let canceled = pi.status.as_str() == "canceled";
        let why = pi.cancellation_reason.as_deref();
        let ours = match self.reason {
            Some(reason) => why == Some(cancellation_reason(reason).as_str()),
            None => why != Some(LAPSED),
        };
        let verdict = if canceled && why == Some(LAPSED) {
            Verdict::Refuted(format!(
                "the hold lapsed: Stripe canceled {} itself (reason {LAPSED}), so the release did not happen",
                pi.id
            ))
        } else if canceled && ours {
            Verdict::Happened {
                result_id: pi.id.clone(),
            }
        } else {
            Verdict::NotFound
        };
        Ok(Lookup {
            seen: Some(Answer::payment(pi)),
            verdict,
        })
    }
}

/// Pays back `amount` of a captured payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Refund {
    amount: i64,
    reason: Option<RefundWhy>,
}

/// What is still refundable on a payment (see [`crate::refundable`]).
fn refundable(on: On<'_>, row: &payment_intents::PaymentRow) -> Result<i64, Error> {
    Ok(crate::refundable::of(lock(on.store).conn(), on.account_id, row)?.refundable)
}

impl Movement for Refund {
    const KIND: Kind = Kind::Refund;
    type Answer = Answer;

    fn check(&self, on: On<'_>, target: &str, _now: i64) -> Result<Entry, Error> {
        let row = cached_payment(on.store, on.account_id, target)?;
        if row.status == "requires_capture" {
            return Err(refused(
                ActionProblem::UncapturedUseRelease,
                format!("{} is a hold: capture less or release it", row.id),
            ));
        }
        let money = |amount: i64| Money::new(amount, Currency::new(&row.currency));
        money(self.amount)
            .check_chargeable()
            .map_err(amount_error)?;
        let refundable = refundable(on, &row)?;
        if refundable == 0 {
            return Err(refused(
                ActionProblem::NothingToRefund,
                format!("{} is fully refunded", row.id),
            ));
        }
        if self.amount > refundable {
            return Err(Error::AmountRefused {
                reason: AmountProblem::AboveRefundable,
                detail: format!(
                    "{} is more than the {} still refundable",
                    money(self.amount).display_major(),
                    money(refundable).display_major()
                ),
            });
        }
        Ok(entry(&row, self.amount))
    }

    async fn send(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        key: Idempotency,
    ) -> Result<Answer, StripeError> {
        let refund = client
            .create_refund(
                &CreateRefund {
                    target: RefundTarget::PaymentIntent(op.target.clone()),
                    amount: Some(self.amount),
                    reason: self.reason.map(|r| match r {
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
        let answer = Answer {
            payment,
            refund: Some(refund),
            charge: None,
        };
        Ok(answer.with_charge(client).await)
    }

    /// A refund carries its operation id in metadata: every page of the
    /// payment's refunds is read.
    async fn find(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        _now: i64,
    ) -> Result<Lookup<Answer>, StripeError> {
        let pi = client.retrieve_payment_intent(&op.target, &[]).await?;
        let list = ListRefunds {
            payment_intent: Some(op.target.clone()),
            ..ListRefunds::default()
        };
        let mut page = Page::first(100);
        let made = loop {
            let refunds = client.list_refunds(&list, &page).await?;
            let found = refunds
                .data
                .iter()
                .find(|r| marked(&r.metadata, op))
                .cloned();
            match (found.is_none() && refunds.has_more, refunds.data.last()) {
                (true, Some(last)) => page = Page::after(100, last.id.clone()),
                _ => break found,
            }
        };
        let verdict = match &made {
            Some(refund) => Verdict::Happened {
                result_id: refund.id.clone(),
            },
            None => Verdict::NotFound,
        };
        Ok(Lookup {
            seen: Some(Answer {
                payment: Some(pi),
                refund: made,
                charge: None,
            }),
            verdict,
        })
    }
}

/// Captures all of a hold, or `amount` of it.
pub async fn capture(
    on: On<'_>,
    payment_id: &str,
    amount_asked: Option<Amount>,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    let row = cached_payment(on.store, on.account_id, payment_id)?;
    let amount = amount(amount_asked, row.amount_capturable, &row.currency)?;
    journal::perform(on, payment_id, Capture { amount }, actor, now).await
}

pub async fn release(
    on: On<'_>,
    payment_id: &str,
    reason: Option<ReleaseReason>,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    journal::perform(on, payment_id, Release { reason }, actor, now).await
}

/// Refunds all that is refundable, or `amount`.
pub async fn refund(
    on: On<'_>,
    payment_id: &str,
    amount_asked: Option<Amount>,
    reason: Option<RefundWhy>,
    actor: Actor,
    now: i64,
) -> Result<Done, Error> {
    let row = cached_payment(on.store, on.account_id, payment_id)?;
    let all = refundable(on, &row)?;
    let amount = amount(amount_asked, all, &row.currency)?;
    journal::perform(on, payment_id, Refund { amount, reason }, actor, now).await
}

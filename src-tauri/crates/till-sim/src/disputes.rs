//! Disputes, on the simulated clock.
//!
//! - **Opening** (`POST /_sim/disputes`, or the seed): a chargeback is
//!   `needs_response`; at once one `adjustment` balance transaction
//!   (category `dispute`) withdraws the disputed amount, converted like the
//!   charge when the charge's currency is not settled, with Stripe's
//!   dispute fee, 15.00 in the settlement currency, as its `fee` (so a
//!   100.00 dispute nets −115.00). An inquiry (`inquiry: true`) is
//!   `warning_needs_response` and moves no money. Events
//!   `charge.dispute.created`, then for a chargeback
//!   `charge.dispute.funds_withdrawn`. The charge shows `disputed: true`.
//! - **The deadline**: `evidence_details.due_by` is the end (23:59:59 UTC) of
//!   the seventh day after the dispute opened.
//! - **Evidence and the verdict**: a dispute opened with an `outcome` gets
//!   its evidence two days later (`under_review`, `has_evidence`,
//!   `submission_count: 1`, `charge.dispute.updated`) and is decided when
//!   its verdict falls due (by default 45 days after it opened;
//!   `POST /_sim/disputes/{id}/close` decides it now). One opened without
//!   an outcome is never answered and is lost once past `due_by`. Closing
//!   sends `charge.dispute.closed`; an inquiry closes as `warning_closed`.
//! - **A won chargeback** adds one `adjustment` row, category
//!   `dispute_reversal`, that returns the disputed amount
//!   (`charge.dispute.funds_reinstated`). **The dispute fee is not
//!   returned**: the simulated account is a US account, and Stripe returns
//!   the fee only in some countries. A lost one returns nothing.
//! - **Refunds**: while `is_charge_refundable` is false (every chargeback:
//!   its funds were already withdrawn) a refund of the charge is refused
//!   with `charge_disputed`; an inquiry's charge can still be refunded.

use serde_json::{Value, json};

use crate::api::Ctx;
use crate::api::error::ApiError;
use crate::ledger::{DAY, Timer, book, immediate, next_midnight, settle};
use crate::objects::Metadata;
use crate::objects::charge::Charge;
use crate::objects::dispute::{Dispute, Verdict};

/// Stripe's dispute fee, in the settlement currency's smallest unit.
pub const DISPUTE_FEE: i64 = 1_500;

/// When the evidence of a dispute that will be answered goes in.
const EVIDENCE_AFTER: i64 = 2 * DAY;

/// By default a dispute is decided this long after it opened.
pub const DECIDED_AFTER: i64 = 45 * DAY;

/// What opening a dispute needs.
#[derive(Debug, Clone)]
pub struct Opening {
    pub charge: String,
    pub reason: String,
    pub inquiry: bool,
    /// `None`: nobody answers and it is lost past `due_by`.
    pub verdict: Option<Verdict>,
}

/// The dispute as the API shows it, with its balance transactions.
pub fn render(ctx: &Ctx<'_>, dispute: &Dispute) -> Value {
    let now = ctx.now;
    let transactions = dispute
        .balance_transactions
        .iter()
        .filter_map(|id| ctx.account.ledger.transactions.get(id))
        .map(|bt| bt.to_json(now))
        .collect();
    dispute.to_json(transactions)
}

fn snapshot(ctx: &Ctx<'_>, id: &str) -> Value {
    ctx.account
        .disputes
        .get(id)
        .map(|d| render(ctx, d))
        .unwrap_or(Value::Null)
}

/// The refusal of a refund of a charge whose dispute forbids it.
pub fn refund_refusal(ctx: &Ctx<'_>, charge: &Charge) -> Result<(), ApiError> {
    let refusable = charge
        .dispute
        .as_deref()
        .and_then(|id| ctx.account.disputes.get(id))
        .is_some_and(|d| !d.is_charge_refundable);
    if refusable {
        return Err(ApiError::invalid_request(format!(
            "Charge {} has been charged back; cannot issue a refund.",
            charge.id
        ))
        .with_code("charge_disputed"));
    }
    Ok(())
}

/// What is left to dispute: captured, less the refunds that moved money.
fn disputable(ctx: &Ctx<'_>, charge: &Charge) -> i64 {
    let refunded: i64 = charge
        .refunds
        .iter()
        .filter_map(|id| ctx.account.refunds.get(id))
        .filter(|r| !r.release && matches!(r.status, "succeeded" | "pending"))
        .map(|r| r.amount)
        .sum();
    charge.amount_captured - refunded
}

/// Opens a dispute on a charge; returns its id.
pub fn open(ctx: &mut Ctx<'_>, opening: Opening) -> Result<String, ApiError> {
    let Opening {
        charge: charge_id,
        reason,
        inquiry,
        verdict,
    } = opening;
    let charge = ctx
        .account
        .charges
        .get(&charge_id)
        .cloned()
        .ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge"))?;
    if !charge.paid() || !charge.captured {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} was not captured: there is nothing to dispute."
        )));
    }
    if charge.dispute.is_some() {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} has already been disputed."
        )));
    }
    let amount = disputable(ctx, &charge);
    if amount <= 0 {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} was refunded in full: there is nothing to dispute."
        )));
    }
    let id = ctx.new_id("dp");
    let now = ctx.now;
    let mut balance_transactions = Vec::new();
    if !inquiry {
        let (settlement, settled, rate) = settle(&charge.currency, amount);
        let mut bt = immediate(
            ctx,
            "adjustment",
            "dispute",
            -settled,
            &settlement,
            Some(&id),
            &format!("Chargeback withdrawal for {charge_id}"),
        );
        bt.exchange_rate = rate;
        bt.fee = DISPUTE_FEE;
        bt.net = -settled - DISPUTE_FEE;
        bt.fee_description = "Dispute fee";
        balance_transactions.push(book(ctx, bt));
    }
    let dispute = Dispute {
        id: id.clone(),
        created: now,
        livemode: ctx.livemode,
        amount,
        currency: charge.currency.clone(),
        charge: charge_id.clone(),
        payment_intent: charge.payment_intent.clone(),
        reason,
        status: if inquiry {
            "warning_needs_response"
        } else {
            "needs_response"
        },
        inquiry,
        due_by: next_midnight(now) + 7 * DAY - 1,
        has_evidence: false,
        submission_count: 0,
        is_charge_refundable: inquiry,
        balance_transactions,
        metadata: Metadata::new(),
        card_brand: charge.card.brand,
        verdict,
    };
    let next = match verdict {
        Some(v) => v.at.min(now + EVIDENCE_AFTER),
        None => dispute.due_by + 1,
    };
    ctx.account
        .ledger
        .timers
        .insert((next.max(now), Timer::Dispute(id.clone())));
    ctx.account.disputes.insert(id.clone(), dispute);
    if let Some(c) = ctx.account.charges.get_mut(&charge_id) {
        c.dispute = Some(id.clone());
    }
    let object = snapshot(ctx, &id);
    ctx.emit("charge.dispute.created", object.clone(), None);
    if !inquiry {
        ctx.emit("charge.dispute.funds_withdrawn", object, None);
    }
    Ok(id)
}

/// The clock reached a dispute's next step.
pub fn on_timer(ctx: &mut Ctx<'_>, id: &str) {
    let Some(dispute) = ctx.account.disputes.get(id).cloned() else {
        return;
    };
    if dispute.closed() {
        return;
    }
    let now = ctx.now;
    match dispute.verdict {
        Some(verdict) => {
            if !dispute.has_evidence {
                submit_evidence(ctx, id);
            }
            if now >= verdict.at {
                decide(ctx, id, verdict.won);
            } else {
                ctx.account
                    .ledger
                    .timers
                    .insert((verdict.at, Timer::Dispute(id.to_owned())));
            }
        }
        None if now > dispute.due_by => decide(ctx, id, false),
        None => {
            ctx.account
                .ledger
                .timers
                .insert((dispute.due_by + 1, Timer::Dispute(id.to_owned())));
        }
    }
}

fn submit_evidence(ctx: &mut Ctx<'_>, id: &str) {
    let Some(dispute) = ctx.account.disputes.get_mut(id) else {
        return;
    };
    let previous = dispute.status;
    dispute.has_evidence = true;
    dispute.submission_count = 1;
    dispute.status = if dispute.inquiry {
        "warning_under_review"
    } else {
        "under_review"
    };
    let object = snapshot(ctx, id);
    ctx.emit(
        "charge.dispute.updated",
        object,
        Some(json!({ "status": previous })),
    );
}

/// The network decides: won (the amount comes back) or lost.
pub fn decide(ctx: &mut Ctx<'_>, id: &str, won: bool) {
    let Some(dispute) = ctx.account.disputes.get(id).cloned() else {
        return;
    };
    if dispute.closed() {
        return;
    }
    let reinstated = won && !dispute.inquiry;
    if reinstated {
        let (settlement, settled, rate) = settle(&dispute.currency, dispute.amount);
        let mut bt = immediate(
            ctx,
            "adjustment",
            "dispute_reversal",
            settled,
            &settlement,
            Some(id),
            &format!("Chargeback reversal for {}", dispute.charge),
        );
        bt.exchange_rate = rate;
        let bt_id = book(ctx, bt);
        if let Some(d) = ctx.account.disputes.get_mut(id) {
            d.balance_transactions.push(bt_id);
        }
    }
    if let Some(d) = ctx.account.disputes.get_mut(id) {
        d.status = match (d.inquiry, won) {
            (true, _) => "warning_closed",
            (false, true) => "won",
            (false, false) => "lost",
        };
        d.verdict = None;
    }
    let object = snapshot(ctx, id);
    if reinstated {
        ctx.emit("charge.dispute.funds_reinstated", object.clone(), None);
    }
    ctx.emit(
        "charge.dispute.closed",
        object,
        Some(json!({ "status": dispute.status })),
    );
}

//! Payouts: the daily automatic sweep, manual payouts, arrival,
//! reconciliation and failure (see [`crate::ledger`] for the rules).

use serde_json::{Value, json};

use super::{DAY, RECONCILIATION_DELAY, SETTLES, Timer, book, immediate};
use crate::api::Ctx;
use crate::api::error::ApiError;
use crate::objects::Metadata;
use crate::objects::balance::{Payout, PayoutFailure};

/// Stripe's fee for an Instant Payout: 1.5%, at least 50 (minor units).
fn instant_fee(amount: i64) -> i64 {
    ((amount * 150 + 5_000) / 10_000).max(50)
}

/// Stripe's words for the failure codes the simulator uses.
fn failure_message(code: &str) -> &'static str {
    match code {
        "account_closed" => "The bank account has been closed.",
        "account_frozen" => "The bank account has been frozen.",
        "no_account" => {
            "The bank account details on file are probably incorrect. No bank account could be located with those details."
        }
        "insufficient_funds" => "Your Stripe account has insufficient funds to cover the payout.",
        "invalid_account_number" => "The bank account number appears to be invalid.",
        _ => "The bank could not process this payout.",
    }
}

/// The failure codes accepted by [`fail_payout`].
pub const FAILURE_CODES: &[&str] = &[
    "account_closed",
    "account_frozen",
    "no_account",
    "insufficient_funds",
    "invalid_account_number",
    "could_not_process",
];

pub(super) fn sweep(ctx: &mut Ctx<'_>, midnight: i64) {
    let currencies: Vec<String> = ctx.account.ledger.unswept.keys().cloned().collect();
    for currency in currencies {
        let ids = ctx
            .account
            .ledger
            .unswept
            .remove(&currency)
            .unwrap_or_default();
        if ids.is_empty() {
            continue;
        }
        let total: i64 = ids
            .iter()
            .filter_map(|id| ctx.account.ledger.transactions.get(id))
            .map(|bt| bt.net)
            .sum();
        // Nothing to pay out; or a deficit the sales still pending will
        // cover: carried over, netted against the next payouts. Only a
        // deficit they cannot cover is debited from the bank.
        let covered = total < 0 && total + ctx.account.ledger.pending(&currency) >= 0;
        if total == 0 || covered {
            ctx.account.ledger.unswept.insert(currency, ids);
            continue;
        }
        let payout_id = ctx.new_id("po");
        for id in &ids {
            if let Some(bt) = ctx.account.ledger.transactions.get_mut(id) {
                bt.payout = Some(payout_id.clone());
            }
        }
        let now = ctx.now;
        ctx.now = midnight;
        let bt = immediate(
            ctx,
            "payout",
            "payout",
            -total,
            &currency,
            Some(&payout_id),
            "STRIPE PAYOUT",
        );
        ctx.now = now;
        let bt_id = bt.id.clone();
        // An automatic payout's own row is not among what it pays out.
        ctx.account.ledger.add(bt, midnight, false);
        let arrival_date = midnight + 2 * DAY;
        let payout = Payout {
            id: payout_id.clone(),
            created: midnight,
            arrival_date,
            livemode: ctx.livemode,
            amount: total,
            currency,
            balance_transaction: bt_id,
            automatic: true,
            method: "standard",
            description: Some("STRIPE PAYOUT".to_owned()),
            statement_descriptor: None,
            metadata: Metadata::new(),
            reconciled_at: Some(arrival_date + RECONCILIATION_DELAY),
            failure: None,
        };
        schedule(ctx, &payout);
        let object = payout.to_json(midnight);
        ctx.account.ledger.payouts.insert(payout_id, payout);
        ctx.emit("payout.created", object, None);
    }
}

fn schedule(ctx: &mut Ctx<'_>, payout: &Payout) {
    let timers = &mut ctx.account.ledger.timers;
    timers.insert((payout.arrival_date, Timer::PayoutArrives(payout.id.clone())));
    if let Some(at) = payout.reconciled_at {
        timers.insert((at, Timer::PayoutReconciled(payout.id.clone())));
    }
}

fn rendered(ctx: &Ctx<'_>, id: &str, at: i64) -> Value {
    ctx.account
        .ledger
        .payouts
        .get(id)
        .map(|p| p.to_json(at))
        .unwrap_or(Value::Null)
}

pub(super) fn arrive(ctx: &mut Ctx<'_>, id: &str, at: i64) {
    if ctx
        .account
        .ledger
        .payouts
        .get(id)
        .is_none_or(|p| p.failure.is_some())
    {
        return;
    }
    let object = rendered(ctx, id, at);
    ctx.emit(
        "payout.paid",
        object,
        Some(json!({ "status": "in_transit" })),
    );
}

pub(super) fn reconciled(ctx: &mut Ctx<'_>, id: &str, at: i64) {
    let object = rendered(ctx, id, at);
    ctx.emit(
        "payout.reconciliation_completed",
        object,
        Some(json!({ "reconciliation_status": "in_progress" })),
    );
}

/// Schedules a payout's failure: `days_after_paid` after it arrives, or now
/// if that time has passed. Stripe's payouts can fail up to five business
/// days after they show `paid`.
pub fn fail_payout(
    ctx: &mut Ctx<'_>,
    id: &str,
    code: &str,
    days_after_paid: i64,
) -> Result<i64, ApiError> {
    let payout = ctx
        .account
        .ledger
        .payouts
        .get(id)
        .ok_or_else(|| ApiError::no_such("payout", id, "payout"))?;
    if payout.failure.is_some() {
        return Err(ApiError::invalid_request(format!(
            "Payout {id} has already failed."
        )));
    }
    if !FAILURE_CODES.contains(&code) {
        return Err(ApiError::invalid_param(
            "failure_code",
            format!("Unknown failure code {code}: use one of {FAILURE_CODES:?}."),
        ));
    }
    if !(0..=7).contains(&days_after_paid) {
        return Err(ApiError::invalid_param(
            "days_after_paid",
            "A payout fails within days of being paid: 0 to 7.".to_owned(),
        ));
    }
    let at = (payout.arrival_date + days_after_paid * DAY).max(ctx.now);
    ctx.account.ledger.timers.insert((
        at,
        Timer::PayoutFails {
            payout: id.to_owned(),
            code: code.to_owned(),
        },
    ));
    Ok(at)
}

/// The bank returns a payout: the money comes back to the balance.
pub(super) fn bounce(ctx: &mut Ctx<'_>, id: &str, code: &str) {
    let Some(payout) = ctx.account.ledger.payouts.get(id).cloned() else {
        return;
    };
    if payout.failure.is_some() {
        return;
    }
    let bt = immediate(
        ctx,
        "payout_failure",
        "payout_reversal",
        payout.amount,
        &payout.currency,
        Some(id),
        "STRIPE PAYOUT FAILURE",
    );
    let bt_id = book(ctx, bt);
    let previous = payout.status(ctx.now);
    if let Some(p) = ctx.account.ledger.payouts.get_mut(id) {
        p.failure = Some(PayoutFailure {
            code: code.to_owned(),
            message: failure_message(code).to_owned(),
            balance_transaction: bt_id,
        });
    }
    let object = rendered(ctx, id, ctx.now);
    ctx.emit(
        "payout.failed",
        object,
        Some(json!({
            "status": previous,
            "failure_balance_transaction": null,
            "failure_code": null,
            "failure_message": null,
        })),
    );
}

/// What `POST /v1/payouts` asks for.
#[derive(Debug, Clone)]
pub struct ManualPayout {
    pub amount: i64,
    pub currency: String,
    /// `standard` or `instant`.
    pub method: &'static str,
    pub description: Option<String>,
    pub statement_descriptor: Option<String>,
    pub metadata: Metadata,
}

/// A payout made on request (`automatic: false`); returns its id.
pub fn create_manual_payout(ctx: &mut Ctx<'_>, request: ManualPayout) -> Result<String, ApiError> {
    let ManualPayout {
        amount,
        currency,
        method,
        description,
        statement_descriptor,
        metadata,
    } = request;
    if amount <= 0 {
        return Err(ApiError::invalid_param(
            "amount",
            "Amount must be a positive integer.".to_owned(),
        ));
    }
    if !SETTLES.contains(&currency.as_str()) {
        return Err(ApiError::invalid_param(
            "currency",
            format!(
                "You have no {currency} balance: payouts can be made in {}.",
                SETTLES.join(", ")
            ),
        ));
    }
    let instant = method == "instant";
    let fee = if instant { instant_fee(amount) } else { 0 };
    let ledger = &ctx.account.ledger;
    let payable = if instant {
        ledger.available(&currency) + ledger.pending(&currency)
    } else {
        ledger.available(&currency)
    };
    if amount + fee > payable {
        return Err(ApiError::invalid_request(
            "You have insufficient funds in your Stripe account for this transfer. Your card balance is too low. You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).",
        )
        .with_code("balance_insufficient"));
    }
    let payout_id = ctx.new_id("po");
    let mut bt = immediate(
        ctx,
        "payout",
        "payout",
        -amount,
        &currency,
        Some(&payout_id),
        description.as_deref().unwrap_or("STRIPE PAYOUT"),
    );
    bt.fee = fee;
    bt.net = -amount - fee;
    bt.fee_description = "Instant Payouts fee";
    // Swept into the next automatic payout, which pays out that much less.
    let bt_id = book(ctx, bt);
    let arrival_date = if instant {
        ctx.now + 1800
    } else {
        ctx.now + 2 * DAY
    };
    let payout = Payout {
        id: payout_id.clone(),
        created: ctx.now,
        arrival_date,
        livemode: ctx.livemode,
        amount,
        currency,
        balance_transaction: bt_id,
        automatic: false,
        method,
        description,
        statement_descriptor,
        metadata,
        reconciled_at: None,
        failure: None,
    };
    schedule(ctx, &payout);
    let object = payout.to_json(ctx.now);
    ctx.account.ledger.payouts.insert(payout_id.clone(), payout);
    ctx.emit("payout.created", object, None);
    Ok(payout_id)
}

#[cfg(test)]
mod tests {
    use super::instant_fee;

    #[test]
    fn an_instant_payout_costs_one_and_a_half_percent_at_least_fifty() {
        assert_eq!(instant_fee(10_000), 150);
        assert_eq!(instant_fee(1_000), 50);
        assert_eq!(instant_fee(3_333), 50);
        assert_eq!(instant_fee(100_033), 1_500);
    }
}

//! Refunds: by payment intent or charge, never above what was captured and
//! not yet refunded. A refund of an uncaptured payment releases the whole
//! hold, whatever amount was asked for, as Stripe does (see the crate docs).

use serde_json::Value;

use super::charges::render_charge_expanded;
use super::error::ApiError;
use super::form::Params;
use super::payment_intents::cancel_intent;
use super::{Ctx, Route, expand, paginate};
use crate::objects::payment_intent::PiStatus;
use crate::objects::refund::Refund;
use crate::state::Access;

pub const ROUTES: [Route; 3] = [
    Route {
        method: "POST",
        path: "/v1/refunds",
        resource: "refund",
        access: Access::Write,
        handler: create,
    },
    Route {
        method: "GET",
        path: "/v1/refunds",
        resource: "refund",
        access: Access::Read,
        handler: list,
    },
    Route {
        method: "GET",
        path: "/v1/refunds/{refund}",
        resource: "refund",
        access: Access::Read,
        handler: retrieve,
    },
];

fn create(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let payment_intent = params.string("payment_intent")?.filter(|s| !s.is_empty());
    let charge = params.string("charge")?.filter(|s| !s.is_empty());
    let amount = params.integer("amount")?;
    let reason = params.one_of(
        "reason",
        &["duplicate", "fraudulent", "requested_by_customer"],
    )?;
    let metadata = params.metadata()?.unwrap_or_default();
    let expand = expand::object(&mut params, "refund")?;
    params.finish()?;
    let refund_id = refund(ctx, payment_intent, charge, amount, reason, metadata)?;
    render(ctx, &refund_id, &expand)
}

/// Refunds a charge (found directly or through its PaymentIntent); returns
/// the refund's id.
pub fn refund(
    ctx: &mut Ctx<'_>,
    payment_intent: Option<String>,
    charge: Option<String>,
    amount: Option<i64>,
    reason: Option<String>,
    metadata: crate::objects::Metadata,
) -> Result<String, ApiError> {
    let charge_id = match (&payment_intent, &charge) {
        (None, None) => {
            return Err(ApiError::invalid_request("One of the following params should be provided for this request: payment_intent or charge.")
                .with_code("parameter_missing"));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_request(
                "You can only pass one of payment_intent or charge.",
            ));
        }
        (Some(pi_id), None) => {
            let pi = ctx
                .account
                .payment_intents
                .get(pi_id)
                .ok_or_else(|| ApiError::no_such("payment_intent", pi_id, "payment_intent"))?;
            let latest = pi
                .latest_charge
                .clone()
                .filter(|id| ctx.account.charges.get(id).is_some_and(|c| c.paid()));
            latest.ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "This PaymentIntent ({pi_id}) does not have a successful charge to refund."
                ))
                .with_code("charge_not_refundable")
                .with_param("payment_intent")
            })?
        }
        (None, Some(ch_id)) => {
            ctx.account
                .charges
                .get(ch_id)
                .ok_or_else(|| ApiError::no_such("charge", ch_id, "charge"))?;
            ch_id.clone()
        }
    };
    let charge = ctx
        .account
        .charges
        .get(&charge_id)
        .cloned()
        .ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge"))?;
    if !charge.paid() {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} has not succeeded and cannot be refunded."
        ))
        .with_code("charge_not_refundable"));
    }
    crate::disputes::refund_refusal(ctx, &charge)?;
    if let Some(amount) = amount
        && amount <= 0
    {
        return Err(ApiError::invalid_param(
            "amount",
            "The refund amount must be a positive integer.".to_owned(),
        ));
    }

    // An uncaptured payment: the request releases the whole hold.
    if !charge.captured {
        let pi_id = charge.payment_intent.clone().unwrap_or_default();
        let held = ctx
            .account
            .payment_intents
            .get(&pi_id)
            .is_some_and(|pi| pi.status == PiStatus::RequiresCapture);
        if !held {
            return Err(ApiError::invalid_request(format!(
                "Charge {charge_id} has already been refunded."
            ))
            .with_code("charge_already_refunded"));
        }
        cancel_intent(ctx, &pi_id, None, reason.as_deref());
        let refund_id = ctx
            .account
            .charges
            .get(&charge_id)
            .and_then(|c| c.refunds.last().cloned())
            .unwrap_or_default();
        if let Some(refund) = ctx.account.refunds.get_mut(&refund_id) {
            refund.metadata = metadata;
        }
        return Ok(refund_id);
    }

    // The released rest of a partial capture sits in `amount_refunded` too
    // (see `record_release`), so the authorized amount is the bound: after
    // capturing 60 of 100, 40 is released and 60 stays refundable.
    let refundable = charge.amount - charge.amount_refunded;
    if refundable <= 0 {
        return Err(ApiError::invalid_request(format!(
            "Charge {charge_id} has already been refunded."
        ))
        .with_code("charge_already_refunded"));
    }
    let amount = amount.unwrap_or(refundable);
    if amount > refundable {
        return Err(ApiError::invalid_request(format!(
            "Refund amount ({amount}) is greater than unrefunded amount on charge ({refundable})"
        ))
        .with_code("amount_too_large")
        .with_param("amount"));
    }
    let refund_id = ctx.new_id("re");
    let refund = Refund {
        id: refund_id.clone(),
        created: ctx.now,
        amount,
        currency: charge.currency.clone(),
        charge: charge_id.clone(),
        payment_intent: charge.payment_intent.clone(),
        reason,
        status: "succeeded",
        metadata,
        balance_transaction: None,
        release: false,
        failure_reason: None,
        failure_balance_transaction: None,
    };
    let currency = refund.currency.clone();
    ctx.account.refunds.insert(refund_id.clone(), refund);
    if let Some(charge) = ctx.account.charges.get_mut(&charge_id) {
        charge.amount_refunded += amount;
        charge.refunds.push(refund_id.clone());
    }
    // Paid from the available balance; when it is short the refund waits.
    match crate::ledger::try_record_refund(ctx, &refund_id, amount, &currency) {
        Some(bt) => {
            if let Some(refund) = ctx.account.refunds.get_mut(&refund_id) {
                refund.balance_transaction = Some(bt);
            }
        }
        None => {
            if let Some(refund) = ctx.account.refunds.get_mut(&refund_id) {
                refund.status = "pending";
            }
            ctx.account.ledger.waiting_refunds.push(refund_id.clone());
        }
    }
    let charge = crate::api::payment_intents::charge_snapshot(ctx, &charge_id);
    ctx.emit("charge.refunded", charge, None);
    Ok(refund_id)
}

fn render(ctx: &Ctx<'_>, id: &str, expand: &[String]) -> Result<Value, ApiError> {
    let refund = ctx
        .account
        .refunds
        .get(id)
        .ok_or_else(|| ApiError::no_such("refund", id, "refund"))?;
    let mut value = refund.to_json();
    if expand::wants(expand, "charge")
        && let Some(charge) = ctx.account.charges.get(&refund.charge)
    {
        value["charge"] = render_charge_expanded(ctx, charge, &expand::under(expand, "charge"));
    }
    if expand::wants(expand, "payment_intent")
        && let Some(pi) = refund
            .payment_intent
            .as_deref()
            .and_then(|id| ctx.account.payment_intents.get(id))
    {
        value["payment_intent"] =
            super::payment_intents::render(ctx, pi, &expand::under(expand, "payment_intent"));
    }
    Ok(value)
}

fn retrieve(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let expand = expand::object(&mut params, "refund")?;
    params.finish()?;
    render(ctx, &args[0], &expand)
}

fn list(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let charge = params.string("charge")?;
    let payment_intent = params.string("payment_intent")?;
    let expand = expand::list(&mut params, "refund")?;
    let ctx_ref: &Ctx<'_> = ctx;
    let page = paginate(
        &mut params,
        "/v1/refunds",
        "refund",
        ctx_ref.account.refunds.newest_first().filter(|(_, r)| {
            created.is_none_or(|range| range.contains(r.created))
                && charge.as_ref().is_none_or(|c| &r.charge == c)
                && payment_intent
                    .as_ref()
                    .is_none_or(|p| r.payment_intent.as_ref() == Some(p))
        }),
        |refund| render(ctx_ref, &refund.id, &expand).unwrap_or(Value::Null),
    )?;
    params.finish()?;
    Ok(page)
}

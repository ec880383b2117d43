//! Charges: read-only here; PaymentIntents create and change them.

use serde_json::{Value, json};

use super::error::ApiError;
use super::form::Params;
use super::{Ctx, Route, expand, paginate};
use crate::objects::charge::Charge;
use crate::objects::refund::Refund;
use crate::state::Access;

pub const ROUTES: [Route; 2] = [
    Route {
        method: "GET",
        path: "/v1/charges",
        resource: "charge",
        access: Access::Read,
        handler: list_charges,
    },
    Route {
        method: "GET",
        path: "/v1/charges/{charge}",
        resource: "charge",
        access: Access::Read,
        handler: retrieve_charge,
    },
];

pub fn render_charge(ctx: &Ctx<'_>, charge: &Charge) -> Value {
    let refunds: Vec<Value> = charge
        .refunds
        .iter()
        .rev()
        .filter_map(|id| ctx.account.refunds.get(id))
        .map(Refund::to_json)
        .collect();
    let list = json!({
        "object": "list",
        "data": refunds,
        "has_more": false,
        "url": format!("/v1/charges/{}/refunds", charge.id),
    });
    let mut value = charge.to_json(list);
    if ctx.now < charge.balance_transaction_from {
        value["balance_transaction"] = Value::Null;
    }
    value
}

/// A charge with the expansions `expand` asks for (checked by
/// [`expand::object`]): its `balance_transaction`, once there is one.
pub fn render_charge_expanded(ctx: &Ctx<'_>, charge: &Charge, expand: &[String]) -> Value {
    let mut value = render_charge(ctx, charge);
    if expand::wants(expand, "balance_transaction")
        && let Some(bt) = value["balance_transaction"]
            .as_str()
            .and_then(|id| ctx.account.ledger.transactions.get(id))
    {
        value["balance_transaction"] = bt.to_json(ctx.now);
    }
    value
}

fn retrieve_charge(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let expand = expand::object(&mut params, "charge")?;
    params.finish()?;
    let charge = ctx
        .account
        .charges
        .get(&args[0])
        .ok_or_else(|| ApiError::no_such("charge", &args[0], "charge"))?;
    Ok(render_charge_expanded(ctx, charge, &expand))
}

fn list_charges(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let customer = params.string("customer")?;
    let payment_intent = params.string("payment_intent")?;
    let expand = expand::list(&mut params, "charge")?;
    let ctx_ref: &Ctx<'_> = ctx;
    let page = paginate(
        &mut params,
        "/v1/charges",
        "charge",
        ctx_ref.account.charges.newest_first().filter(|(_, c)| {
            created.is_none_or(|r| r.contains(c.created))
                && customer
                    .as_ref()
                    .is_none_or(|x| c.customer.as_ref() == Some(x))
                && payment_intent
                    .as_ref()
                    .is_none_or(|x| c.payment_intent.as_ref() == Some(x))
        }),
        |charge| render_charge_expanded(ctx_ref, charge, &expand),
    )?;
    params.finish()?;
    Ok(page)
}

/// A captured amount reaches the balance: its balance transaction, with the
/// fee (for a partial capture, the whole `authorized` amount: see
/// [`crate::ledger`]). With the late-fee imperfection on, the charge shows no
/// `balance_transaction` for a while, as Stripe's sometimes do.
pub fn collect_funds(
    ctx: &mut Ctx<'_>,
    charge_id: &str,
    authorized: i64,
    captured: i64,
    currency: &str,
) {
    let created = ctx.now;
    let bt = crate::ledger::record_charge(ctx, charge_id, authorized, captured, currency, created);
    let delay = ctx.imperfections.late_fee_seconds;
    if let Some(charge) = ctx.account.charges.get_mut(charge_id) {
        charge.balance_transaction = Some(bt);
        charge.balance_transaction_from = created + delay;
    }
}

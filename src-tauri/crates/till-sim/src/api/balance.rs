//! Balance transactions and payouts, for reconciliation.

use serde_json::Value;

use super::error::ApiError;
use super::form::Params;
use super::{Ctx, Route, expansions, paginate};
use crate::state::Access;

pub const ROUTES: [Route; 4] = [
    Route {
        method: "GET",
        path: "/v1/balance_transactions",
        resource: "balance_transaction",
        access: Access::Read,
        handler: list_transactions,
    },
    Route {
        method: "GET",
        path: "/v1/balance_transactions/{id}",
        resource: "balance_transaction",
        access: Access::Read,
        handler: retrieve_transaction,
    },
    Route {
        method: "GET",
        path: "/v1/payouts",
        resource: "payout",
        access: Access::Read,
        handler: list_payouts,
    },
    Route {
        method: "GET",
        path: "/v1/payouts/{payout}",
        resource: "payout",
        access: Access::Read,
        handler: retrieve_payout,
    },
];

fn list_transactions(
    ctx: &mut Ctx<'_>,
    _: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let payout = params.string("payout")?;
    let kind = params.string("type")?;
    let currency = params.string("currency")?;
    let source = params.string("source")?;
    let _expand = params.strings("expand")?;
    let now = ctx.now;
    // Stripe lists by payout only what an automatic payout paid out, once
    // its reconciliation completed (see crate::ledger).
    let mut unreconciled = false;
    if let Some(id) = &payout {
        let found = ctx
            .account
            .ledger
            .payouts
            .get(id)
            .ok_or_else(|| ApiError::no_such("payout", id, "payout"))?;
        if !found.automatic {
            return Err(ApiError::invalid_request(
                "Balance transaction history can only be filtered on automatic transfers, not manual.",
            )
            .with_param("payout"));
        }
        unreconciled = !found.reconciled(now);
    }
    let page = paginate(
        &mut params,
        "/v1/balance_transactions",
        "balance_transaction",
        ctx.account
            .ledger
            .transactions
            .newest_first()
            .filter(|(_, bt)| {
                !unreconciled
                    && created.is_none_or(|r| r.contains(bt.created))
                    && payout
                        .as_ref()
                        .is_none_or(|p| bt.payout.as_ref() == Some(p))
                    && kind.as_ref().is_none_or(|k| bt.kind == k)
                    && currency.as_ref().is_none_or(|c| &bt.currency == c)
                    && source
                        .as_ref()
                        .is_none_or(|s| bt.source.as_ref() == Some(s))
            }),
        |bt| bt.to_json(now),
    )?;
    params.finish()?;
    Ok(page)
}

fn retrieve_transaction(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let _expand = expansions(&mut params, &[])?;
    params.finish()?;
    let now = ctx.now;
    ctx.account
        .ledger
        .transactions
        .get(&args[0])
        .map(|bt| bt.to_json(now))
        .ok_or_else(|| ApiError::no_such("balance_transaction", &args[0], "id"))
}

fn list_payouts(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let arrival = params.range("arrival_date")?;
    let status = params.one_of(
        "status",
        &["pending", "paid", "failed", "canceled", "in_transit"],
    )?;
    let _destination = params.string("destination")?;
    let _expand = params.strings("expand")?;
    let now = ctx.now;
    let page = paginate(
        &mut params,
        "/v1/payouts",
        "payout",
        ctx.account.ledger.payouts.newest_first().filter(|(_, p)| {
            created.is_none_or(|r| r.contains(p.created))
                && arrival.is_none_or(|r| r.contains(p.arrival_date))
                && status.as_deref().is_none_or(|s| p.status(now) == s)
        }),
        |p| p.to_json(now),
    )?;
    params.finish()?;
    Ok(page)
}

fn retrieve_payout(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let _expand = expansions(&mut params, &[])?;
    params.finish()?;
    let now = ctx.now;
    ctx.account
        .ledger
        .payouts
        .get(&args[0])
        .map(|p| p.to_json(now))
        .ok_or_else(|| ApiError::no_such("payout", &args[0], "payout"))
}

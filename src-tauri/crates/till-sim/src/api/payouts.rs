//! Manual payouts: `POST /v1/payouts` (the rules are in [`crate::ledger`]).
//! Listing and retrieving payouts is in [`super::balance`].

use serde_json::Value;

use super::error::ApiError;
use super::form::Params;
use super::{Ctx, Route, expand};
use crate::ledger::{ManualPayout, create_manual_payout};
use crate::money;
use crate::state::Access;

pub const ROUTES: [Route; 1] = [Route {
    method: "POST",
    path: "/v1/payouts",
    resource: "payout",
    access: Access::Write,
    handler: create,
}];

fn create(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let amount = params.required_integer("amount")?;
    let currency = money::currency("currency", &params.required_string("currency")?)?;
    let description = params.string("description")?.filter(|s| !s.is_empty());
    let destination = params.string("destination")?.filter(|s| !s.is_empty());
    let metadata = params.metadata()?.unwrap_or_default();
    let method = params.one_of("method", &["standard", "instant"])?;
    let _source_type = params.one_of("source_type", &["bank_account", "card", "fpx"])?;
    let statement_descriptor = params
        .string("statement_descriptor")?
        .filter(|s| !s.is_empty());
    let _expand = expand::object(&mut params, "payout")?;
    params.finish()?;
    if let Some(destination) = destination
        && destination != "ba_sim_bank_account"
    {
        return Err(ApiError::no_such(
            "external account",
            &destination,
            "destination",
        ));
    }
    if statement_descriptor
        .as_ref()
        .is_some_and(|s| s.chars().count() > 22)
    {
        return Err(ApiError::invalid_param(
            "statement_descriptor",
            "The statement descriptor must be at most 22 characters.".to_owned(),
        ));
    }
    let id = create_manual_payout(
        ctx,
        ManualPayout {
            amount,
            currency,
            method: if method.as_deref() == Some("instant") {
                "instant"
            } else {
                "standard"
            },
            description,
            statement_descriptor,
            metadata,
        },
    )?;
    let now = ctx.now;
    ctx.account
        .ledger
        .payouts
        .get(&id)
        .map(|p| p.to_json(now))
        .ok_or_else(|| ApiError::no_such("payout", &id, "payout"))
}

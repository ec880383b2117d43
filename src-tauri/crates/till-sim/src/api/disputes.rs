//! Disputes: listed and retrieved. They are opened by customers (here, the
//! controls and the seed) and run on the clock: see [`crate::disputes`].

use serde_json::Value;

use super::error::ApiError;
use super::form::Params;
use super::{Ctx, Route, expand, paginate};
use crate::disputes::render;
use crate::state::Access;

pub const ROUTES: [Route; 2] = [
    Route {
        method: "GET",
        path: "/v1/disputes",
        resource: "dispute",
        access: Access::Read,
        handler: list,
    },
    Route {
        method: "GET",
        path: "/v1/disputes/{dispute}",
        resource: "dispute",
        access: Access::Read,
        handler: retrieve,
    },
];

fn list(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let charge = params.string("charge")?;
    let payment_intent = params.string("payment_intent")?;
    // Nothing within a dispute is rendered expanded yet: refused, saying so.
    let _expand = expand::list(&mut params, "dispute")?;
    let ctx_ref: &Ctx<'_> = ctx;
    let page = paginate(
        &mut params,
        "/v1/disputes",
        "dispute",
        ctx_ref.account.disputes.newest_first().filter(|(_, d)| {
            created.is_none_or(|r| r.contains(d.created))
                && charge.as_ref().is_none_or(|c| &d.charge == c)
                && payment_intent
                    .as_ref()
                    .is_none_or(|p| d.payment_intent.as_ref() == Some(p))
        }),
        |dispute| render(ctx_ref, dispute),
    )?;
    params.finish()?;
    Ok(page)
}

fn retrieve(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let _expand = expand::object(&mut params, "dispute")?;
    params.finish()?;
    ctx.account
        .disputes
        .get(&args[0])
        .map(|d| render(ctx, d))
        .ok_or_else(|| ApiError::no_such("dispute", &args[0], "dispute"))
}

//! Controls for what happens to money outside the merchant's requests: a
//! customer disputes a charge, the network decides it, the bank returns a
//! payout, Stripe takes a fee. Guarded like every control (the token).
//!
//! - `POST /_sim/disputes` `{"charge": "ch_…", "reason": "fraudulent",
//!   "inquiry": false, "outcome": "won" | "lost" | null, "decide_after_days": 45}`
//!   opens a dispute on a captured charge and answers it (see
//!   [`crate::disputes`]). `reason` defaults to `fraudulent`; without
//!   `outcome` nobody answers and it is lost past its `due_by`.
//! - `POST /_sim/disputes/{id}/close` `{"outcome": "won" | "lost"}` decides
//!   it now.
//! - `POST /_sim/payouts/{id}/fail` `{"failure_code": "account_closed",
//!   "days_after_paid": 2}` makes a payout fail that long after it is paid
//!   (now if that has passed); answers `{"fails_at": …}`.
//! - `POST /_sim/stripe_fees` `{"key": "sk_…", "amount": 500,
//!   "currency": "usd", "description": "…"}` books a stand-alone Stripe fee
//!   now.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::Ctx;
use crate::api::error::ApiError;
use crate::disputes::{DECIDED_AFTER, Opening};
use crate::ledger::DAY;
use crate::objects::dispute::{REASONS, Verdict};
use crate::server::{Shared, lock};
use crate::state::Account;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDispute {
    charge: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    inquiry: bool,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    decide_after_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseDispute {
    outcome: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailPayout {
    #[serde(default)]
    failure_code: Option<String>,
    #[serde(default)]
    days_after_paid: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeFee {
    key: String,
    amount: i64,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::invalid_request(message)
}

fn won(outcome: &str) -> Result<bool, ApiError> {
    match outcome {
        "won" => Ok(true),
        "lost" => Ok(false),
        other => Err(bad(format!("Unknown outcome {other}: use won or lost"))),
    }
}

/// Runs `act` on the account `holds` finds, brought up to the clock first.
fn on_account(
    shared: &Shared,
    request_id: &str,
    holds: impl Fn(&Account) -> bool,
    missing: ApiError,
    act: impl FnOnce(&mut Ctx<'_>) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    // Faults first: the server takes that lock before the world's, never after.
    let imperfections = lock(&shared.faults).imperfections();
    let now = shared.now();
    let mut world = lock(&shared.world);
    let mut rng = lock(&shared.rng);
    let Some(account_id) = world
        .accounts
        .values()
        .find(|a| holds(a))
        .map(|a| a.id.clone())
    else {
        return Err(missing);
    };
    let livemode = world
        .keys
        .values()
        .any(|k| k.account == account_id && k.live);
    let account = world.accounts.get_mut(&account_id).ok_or(missing)?;
    let mut ctx = Ctx::at(
        account,
        &mut rng,
        &shared.base_url,
        now,
        livemode,
        request_id,
    );
    ctx.imperfections = imperfections;
    crate::time::advance(&mut ctx);
    act(&mut ctx)
}

pub fn open_dispute(
    shared: &Shared,
    request: OpenDispute,
    request_id: &str,
) -> Result<Value, ApiError> {
    let reason = request.reason.unwrap_or_else(|| "fraudulent".to_owned());
    if !REASONS.contains(&reason.as_str()) {
        return Err(bad(format!("Unknown dispute reason {reason}")));
    }
    let outcome = request.outcome.as_deref().map(won).transpose()?;
    let after = request
        .decide_after_days
        .map_or(DECIDED_AFTER, |days| days * DAY);
    if after <= 0 {
        return Err(bad("decide_after_days must be positive"));
    }
    let charge = request.charge.clone();
    on_account(
        shared,
        request_id,
        |a| a.charges.get(&charge).is_some(),
        ApiError::no_such("charge", &charge, "charge"),
        |ctx| {
            let verdict = outcome.map(|won| Verdict {
                won,
                at: ctx.now + after,
            });
            let id = crate::disputes::open(
                ctx,
                Opening {
                    charge: request.charge,
                    reason,
                    inquiry: request.inquiry,
                    verdict,
                },
            )?;
            Ok(dispute_json(ctx, &id))
        },
    )
}

fn dispute_json(ctx: &Ctx<'_>, id: &str) -> Value {
    ctx.account
        .disputes
        .get(id)
        .map(|d| crate::disputes::render(ctx, d))
        .unwrap_or(Value::Null)
}

pub fn close_dispute(
    shared: &Shared,
    id: &str,
    request: CloseDispute,
    request_id: &str,
) -> Result<Value, ApiError> {
    let won = won(&request.outcome)?;
    on_account(
        shared,
        request_id,
        |a| a.disputes.get(id).is_some(),
        ApiError::no_such("dispute", id, "dispute"),
        |ctx| {
            if ctx.account.disputes.get(id).is_some_and(|d| d.closed()) {
                return Err(bad(format!("Dispute {id} is already closed")));
            }
            crate::disputes::decide(ctx, id, won);
            Ok(dispute_json(ctx, id))
        },
    )
}

pub fn fail_payout(
    shared: &Shared,
    id: &str,
    request: FailPayout,
    request_id: &str,
) -> Result<Value, ApiError> {
    let code = request
        .failure_code
        .unwrap_or_else(|| "account_closed".to_owned());
    let days = request.days_after_paid.unwrap_or(2);
    on_account(
        shared,
        request_id,
        |a| a.ledger.payouts.get(id).is_some(),
        ApiError::no_such("payout", id, "payout"),
        |ctx| {
            let at = crate::ledger::fail_payout(ctx, id, &code, days)?;
            // A failure due now happens now.
            crate::time::advance(ctx);
            Ok(json!({ "payout": id, "fails_at": at }))
        },
    )
}

pub fn stripe_fee(
    shared: &Shared,
    request: StripeFee,
    request_id: &str,
) -> Result<Value, ApiError> {
    let account = lock(&shared.world)
        .keys
        .get(&request.key)
        .map(|k| k.account.clone())
        .ok_or_else(|| bad("No such key"))?;
    if request.amount <= 0 {
        return Err(bad("A fee is a positive amount"));
    }
    let currency = request.currency.unwrap_or_else(|| "usd".to_owned());
    if !crate::ledger::SETTLES.contains(&currency.as_str()) {
        return Err(bad(format!(
            "Fees are taken in a settlement currency, not {currency}"
        )));
    }
    let description = request
        .description
        .unwrap_or_else(|| "Radar for Fraud Teams".to_owned());
    on_account(
        shared,
        request_id,
        |a| a.id == account,
        bad("No such account"),
        |ctx| {
            let id = crate::ledger::record_stripe_fee(ctx, request.amount, &currency, &description);
            let now = ctx.now;
            Ok(ctx
                .account
                .ledger
                .transactions
                .get(&id)
                .map(|bt| bt.to_json(now))
                .unwrap_or(Value::Null))
        },
    )
}

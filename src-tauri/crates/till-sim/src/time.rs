//! The simulated clock's consequences. Whenever an account is touched (a
//! request, a clock advance), everything that fell due since is done in
//! time order: holds lapse at `capture_before` (the charge is refunded with
//! `expired_uncaptured_charge`, the intent canceled `automatic`), open
//! sessions expire at `expires_at`, funds mature, midnights pay out,
//! payouts arrive; then idempotency keys older than 24 hours are forgotten
//! and events older than 30 days fall out of the list.

use crate::api::Ctx;
use crate::api::checkout::expire_session;
use crate::api::payment_intents::cancel_intent;
use crate::ledger;
use crate::objects::payment_intent::PiStatus;
use crate::state::Idempotent;

const IDEMPOTENCY_TTL: i64 = 24 * 3600;
const EVENT_RETENTION: i64 = 30 * 24 * 3600;

fn next_deadline(ctx: &Ctx<'_>) -> Option<i64> {
    let hold = ctx.account.open_holds.first().map(|(at, _)| *at);
    let session = ctx.account.open_sessions.first().map(|(at, _)| *at);
    [hold, session, ctx.account.ledger.next_deadline()]
        .into_iter()
        .flatten()
        .min()
}

/// Brings the account up to `ctx.now`.
pub fn advance(ctx: &mut Ctx<'_>) {
    let now = ctx.now;
    if ctx.account.ledger.swept_until.is_none() {
        ledger::step(ctx);
    }
    while let Some(at) = next_deadline(ctx).filter(|at| *at <= now) {
        ctx.now = at;
        expire_holds(ctx, at);
        expire_sessions(ctx, at);
        ledger::step(ctx);
    }
    ctx.now = now;
    ledger::step(ctx);
    if now - ctx.account.last_pruned >= 3600 {
        prune(ctx);
    }
}

fn expire_holds(ctx: &mut Ctx<'_>, at: i64) {
    while let Some((due, id)) = ctx.account.open_holds.first().cloned() {
        if due > at {
            break;
        }
        ctx.account.open_holds.pop_first();
        let held = ctx
            .account
            .payment_intents
            .get(&id)
            .is_some_and(|pi| pi.status == PiStatus::RequiresCapture);
        if !held {
            continue;
        }
        let charge_id = ctx
            .account
            .payment_intents
            .get(&id)
            .and_then(|pi| pi.latest_charge.clone());
        cancel_intent(
            ctx,
            &id,
            Some("automatic"),
            Some("expired_uncaptured_charge"),
        );
        if let Some(charge_id) = charge_id {
            let object = crate::api::payment_intents::charge_snapshot(ctx, &charge_id);
            ctx.emit("charge.expired", object, None);
        }
    }
}

fn expire_sessions(ctx: &mut Ctx<'_>, at: i64) {
    while let Some((due, id)) = ctx.account.open_sessions.first().cloned() {
        if due > at {
            break;
        }
        ctx.account.open_sessions.pop_first();
        if ctx
            .account
            .sessions
            .get(&id)
            .is_some_and(|s| s.status == "open")
        {
            expire_session(ctx, &id);
        }
    }
}

fn prune(ctx: &mut Ctx<'_>) {
    let now = ctx.now;
    ctx.account.last_pruned = now;
    ctx.account.idempotency.retain(|_, entry| match entry {
        Idempotent::Done { created, .. } => now - *created < IDEMPOTENCY_TTL,
        Idempotent::InFlight { .. } => true,
    });
    // Events are kept in creation order: rebuild only when the oldest is due.
    let due = ctx
        .account
        .events
        .oldest()
        .is_some_and(|event| now - event.created >= EVENT_RETENTION);
    if due {
        ctx.account
            .events
            .retain(|event| now - event.created < EVENT_RETENTION);
    }
}

//! PaymentIntents and their charges: confirm with Stripe's test cards,
//! capture (in full or in part), cancel, list.

use serde_json::{Value, json};

pub use super::charges::render_charge;
use super::charges::render_charge_expanded;
use super::confirmation::test_payment_method;
pub use super::confirmation::{hold_seconds, run_confirmation};
use super::error::ApiError;
use super::form::Params;
use super::{Ctx, Route, expand, paginate};
use crate::money;
use crate::objects::merge_metadata;
use crate::objects::payment_intent::{PaymentIntent, PiStatus};
use crate::objects::refund::Refund;
use crate::state::Access;

pub const ROUTES: [Route; 8] = [
    Route {
        method: "POST",
        path: "/v1/payment_intents",
        resource: "payment_intent",
        access: Access::Write,
        handler: create,
    },
    Route {
        method: "GET",
        path: "/v1/payment_intents",
        resource: "payment_intent",
        access: Access::Read,
        handler: list,
    },
    Route {
        method: "GET",
        path: "/v1/payment_intents/search",
        resource: "payment_intent",
        access: Access::Read,
        handler: super::search::payment_intents,
    },
    Route {
        method: "GET",
        path: "/v1/payment_intents/{intent}",
        resource: "payment_intent",
        access: Access::Read,
        handler: retrieve,
    },
    Route {
        method: "POST",
        path: "/v1/payment_intents/{intent}",
        resource: "payment_intent",
        access: Access::Write,
        handler: update,
    },
    Route {
        method: "POST",
        path: "/v1/payment_intents/{intent}/confirm",
        resource: "payment_intent",
        access: Access::Write,
        handler: confirm,
    },
    Route {
        method: "POST",
        path: "/v1/payment_intents/{intent}/capture",
        resource: "payment_intent",
        access: Access::Write,
        handler: capture,
    },
    Route {
        method: "POST",
        path: "/v1/payment_intents/{intent}/cancel",
        resource: "payment_intent",
        access: Access::Write,
        handler: cancel,
    },
];

/// A PaymentIntent with the expansions `expand` asks for (checked by
/// [`expand::object`] or [`expand::list`]).
pub fn render(ctx: &Ctx<'_>, pi: &PaymentIntent, expand: &[String]) -> Value {
    let mut value = pi.to_json();
    if expand::wants(expand, "latest_charge")
        && let Some(charge) = pi
            .latest_charge
            .as_deref()
            .and_then(|id| ctx.account.charges.get(id))
    {
        value["latest_charge"] =
            render_charge_expanded(ctx, charge, &expand::under(expand, "latest_charge"));
    }
    if expand::wants(expand, "customer")
        && let Some(customer) = pi
            .customer
            .as_deref()
            .and_then(|id| ctx.account.customers.get(id))
    {
        value["customer"] = customer.to_json();
    }
    value
}

pub fn find<'a>(ctx: &'a mut Ctx<'_>, id: &str) -> Result<&'a mut PaymentIntent, ApiError> {
    ctx.account
        .payment_intents
        .get_mut(id)
        .ok_or_else(|| ApiError::no_such("payment_intent", id, "intent"))
}

pub fn snapshot(ctx: &Ctx<'_>, id: &str) -> Value {
    if !ctx.recording() {
        return Value::Null;
    }
    if ctx.lazy_events {
        return json!({ "id": id, "object": "payment_intent" });
    }
    ctx.account
        .payment_intents
        .get(id)
        .map(PaymentIntent::to_json)
        .unwrap_or(Value::Null)
}

pub fn charge_snapshot(ctx: &Ctx<'_>, id: &str) -> Value {
    if !ctx.recording() {
        return Value::Null;
    }
    if ctx.lazy_events {
        return json!({ "id": id, "object": "charge" });
    }
    ctx.account
        .charges
        .get(id)
        .map(|c| render_charge(ctx, c))
        .unwrap_or(Value::Null)
}

fn create(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let amount = params.required_integer("amount")?;
    let currency = money::currency("currency", &params.required_string("currency")?)?;
    money::charge_amount("amount", amount, &currency)?;
    let manual = params
        .one_of(
            "capture_method",
            &["automatic", "automatic_async", "manual"],
        )?
        .as_deref()
        == Some("manual");
    let confirm_now = params.boolean("confirm")?.unwrap_or(false);
    let off_session = params.boolean("off_session")?.unwrap_or(false);
    let customer = params.string("customer")?.filter(|c| !c.is_empty());
    let description = params.string("description")?.filter(|d| !d.is_empty());
    let receipt_email = params.string("receipt_email")?.filter(|e| !e.is_empty());
    let payment_method = params.string("payment_method")?.filter(|p| !p.is_empty());
    let _types = params.strings("payment_method_types")?;
    let metadata = params.metadata()?.unwrap_or_default();
    let expand = expand::object(&mut params, "payment_intent")?;
    params.finish()?;
    if let Some(id) = &customer
        && ctx.account.customers.get(id).is_none()
    {
        return Err(ApiError::no_such("customer", id, "customer"));
    }
    if let Some(pm) = &payment_method
        && test_payment_method(pm).is_none()
    {
        return Err(ApiError::no_such("PaymentMethod", pm, "payment_method"));
    }
    let id = ctx.new_id("pi");
    let pi = PaymentIntent {
        status: if payment_method.is_some() {
            PiStatus::RequiresConfirmation
        } else {
            PiStatus::RequiresPaymentMethod
        },
        manual_capture: manual,
        customer,
        description,
        receipt_email,
        metadata,
        payment_method,
        ..PaymentIntent::new(id.clone(), ctx.now, ctx.livemode, amount, currency)
    };
    ctx.account.payment_intents.insert(id.clone(), pi);
    let created = snapshot(ctx, &id);
    ctx.emit("payment_intent.created", created, None);
    if confirm_now {
        run_confirmation(ctx, &id, off_session)?;
    }
    let pi = find(ctx, &id)?.clone();
    Ok(render(ctx, &pi, &expand))
}

fn retrieve(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let expand = expand::object(&mut params, "payment_intent")?;
    let _secret = params.string("client_secret")?;
    params.finish()?;
    let pi = find(ctx, &args[0])?.clone();
    Ok(render(ctx, &pi, &expand))
}

fn update(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let amount = params.integer("amount")?;
    let currency = params
        .string("currency")?
        .map(|c| money::currency("currency", &c))
        .transpose()?;
    let description = params.string("description")?;
    let receipt_email = params.string("receipt_email")?;
    let customer = params.string("customer")?;
    let payment_method = params.string("payment_method")?;
    let metadata = params.metadata()?;
    let expand = expand::object(&mut params, "payment_intent")?;
    params.finish()?;
    let id = args[0].clone();
    let before = find(ctx, &id)?.clone();
    let editable = matches!(
        before.status,
        PiStatus::RequiresPaymentMethod | PiStatus::RequiresConfirmation | PiStatus::RequiresAction
    );
    if (amount.is_some() || currency.is_some() || payment_method.is_some()) && !editable {
        return Err(ApiError::unexpected_state(format!(
            "You cannot update this PaymentIntent's amount, currency or payment method because it has a status of {}.",
            before.status.as_str()
        )));
    }
    if let Some(pm) = payment_method.as_deref().filter(|p| !p.is_empty())
        && test_payment_method(pm).is_none()
    {
        return Err(ApiError::no_such("PaymentMethod", pm, "payment_method"));
    }
    let check_currency = currency.clone().unwrap_or_else(|| before.currency.clone());
    if let Some(amount) = amount {
        money::charge_amount("amount", amount, &check_currency)?;
    }
    let now = ctx.now;
    let pi = find(ctx, &id)?;
    pi.updated = now;
    if let Some(amount) = amount {
        pi.amount = amount;
    }
    if let Some(currency) = currency {
        pi.currency = currency;
    }
    if let Some(text) = description {
        pi.description = Some(text).filter(|t| !t.is_empty());
    }
    if let Some(email) = receipt_email {
        pi.receipt_email = Some(email).filter(|t| !t.is_empty());
    }
    if let Some(customer) = customer {
        pi.customer = Some(customer).filter(|t| !t.is_empty());
    }
    if let Some(pm) = payment_method {
        pi.payment_method = Some(pm).filter(|t| !t.is_empty());
        if pi.payment_method.is_some() && pi.status == PiStatus::RequiresPaymentMethod {
            pi.status = PiStatus::RequiresConfirmation;
        }
    }
    if let Some(update) = metadata {
        merge_metadata(&mut pi.metadata, update);
    }
    let after = pi.clone();
    ctx.emit("payment_intent.updated", after.to_json(), Some(json!({})));
    Ok(render(ctx, &after, &expand))
}

fn confirm(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let payment_method = params.string("payment_method")?.filter(|p| !p.is_empty());
    let off_session = params.boolean("off_session")?.unwrap_or(false);
    let _return_url = params.string("return_url")?;
    let receipt_email = params.string("receipt_email")?;
    let expand = expand::object(&mut params, "payment_intent")?;
    params.finish()?;
    let id = args[0].clone();
    if let Some(pm) = &payment_method
        && test_payment_method(pm).is_none()
    {
        return Err(ApiError::no_such("PaymentMethod", pm, "payment_method"));
    }
    let pi = find(ctx, &id)?;
    if !matches!(
        pi.status,
        PiStatus::RequiresPaymentMethod | PiStatus::RequiresConfirmation | PiStatus::RequiresAction
    ) {
        return Err(ApiError::unexpected_state(format!(
            "You cannot confirm this PaymentIntent because it has a status of {}.",
            pi.status.as_str()
        )));
    }
    if let Some(pm) = payment_method {
        pi.payment_method = Some(pm);
    }
    if let Some(email) = receipt_email {
        pi.receipt_email = Some(email).filter(|e| !e.is_empty());
    }
    if pi.payment_method.is_none() {
        return Err(ApiError::invalid_request(
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_…, specify a payment method attached to this customer along with the customer ID.",
        )
        .with_code("payment_intent_unexpected_state"));
    }
    run_confirmation(ctx, &id, off_session)?;
    let pi = find(ctx, &id)?.clone();
    Ok(render(ctx, &pi, &expand))
}

fn capture(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let amount = params.integer("amount_to_capture")?;
    let metadata = params.metadata()?;
    let _descriptor = params.string("statement_descriptor")?;
    let _suffix = params.string("statement_descriptor_suffix")?;
    let expand = expand::object(&mut params, "payment_intent")?;
    params.finish()?;
    let id = args[0].clone();
    capture_intent(ctx, &id, amount, metadata)?;
    let pi = find(ctx, &id)?.clone();
    Ok(render(ctx, &pi, &expand))
}

/// Captures all or part of a hold; the rest is released onto the charge.
pub fn capture_intent(
    ctx: &mut Ctx<'_>,
    id: &str,
    amount: Option<i64>,
    metadata: Option<crate::objects::Metadata>,
) -> Result<(), ApiError> {
    let id = id.to_owned();
    let pi = find(ctx, &id)?.clone();
    let charge_id = pi.latest_charge.clone().unwrap_or_default();
    // A hold past `capture_before` (canceled `automatic` when it lapsed)
    // answers as its charge does: the authorization expired.
    let expired = ctx
        .account
        .charges
        .get(&charge_id)
        .and_then(|c| c.capture_before)
        .is_some_and(|at| at <= ctx.now);
    let lapsed = pi.status == PiStatus::RequiresCapture
        || (pi.status == PiStatus::Canceled
            && pi.cancellation_reason.as_deref() == Some("automatic"));
    if expired && lapsed {
        return Err(expired_for_capture(&charge_id));
    }
    if pi.status != PiStatus::RequiresCapture {
        return Err(ApiError::unexpected_state(format!(
            "This PaymentIntent could not be captured because it has a status of {}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
            pi.status.as_str()
        )));
    }
    let to_capture = amount.unwrap_or(pi.amount_capturable);
    if to_capture <= 0 {
        return Err(ApiError::invalid_param(
            "amount_to_capture",
            "The amount to capture must be a positive integer.".to_owned(),
        ));
    }
    // A capture is a charge: at least Stripe's minimum for the currency.
    money::at_least_minimum("amount_to_capture", to_capture, &pi.currency)?;
    if to_capture > pi.amount_capturable {
        return Err(ApiError::invalid_request(format!(
            "The amount_to_capture ({to_capture}) is greater than the amount_capturable ({}) of this PaymentIntent.",
            pi.amount_capturable
        ))
        .with_code("amount_too_large")
        .with_param("amount_to_capture"));
    }
    let released = pi.amount_capturable - to_capture;
    let capture_before = ctx
        .account
        .charges
        .get(&charge_id)
        .and_then(|c| c.capture_before);
    if let Some(due) = capture_before {
        ctx.account.open_holds.remove(&(due, id.clone()));
    }
    if let Some(charge) = ctx.account.charges.get_mut(&charge_id) {
        charge.captured = true;
        charge.amount_captured = to_capture;
    }
    crate::api::charges::collect_funds(
        ctx,
        &charge_id,
        pi.amount_capturable,
        to_capture,
        &pi.currency,
    );
    if released > 0 {
        record_release(ctx, &charge_id, released, None, true);
    }
    let now_of_capture = ctx.now;
    let pi_mut = find(ctx, &id)?;
    pi_mut.status = PiStatus::Succeeded;
    pi_mut.updated = now_of_capture;
    pi_mut.amount_received = to_capture;
    pi_mut.amount_capturable = 0;
    if let Some(update) = metadata {
        merge_metadata(&mut pi_mut.metadata, update);
    }
    let charge = charge_snapshot(ctx, &charge_id);
    ctx.emit("charge.captured", charge, None);
    let object = snapshot(ctx, &id);
    ctx.emit("payment_intent.succeeded", object, None);
    Ok(())
}

fn expired_for_capture(charge_id: &str) -> ApiError {
    ApiError::invalid_request(format!(
        "Charge {charge_id} cannot be captured because the charge has expired. You will need to create a new payment to collect the funds."
    ))
    .with_code("charge_expired_for_capture")
}

/// Records an uncaptured amount handed back to the customer: a refund on the
/// charge, as the API reference describes. No money moved, but the rest of a
/// partial capture (`reversal`) is booked against the whole authorization
/// that the charge's balance transaction took in (see [`crate::ledger`]).
pub fn record_release(
    ctx: &mut Ctx<'_>,
    charge_id: &str,
    amount: i64,
    reason: Option<&str>,
    reversal: bool,
) {
    let refund_id = ctx.new_id("re");
    let Some(charge) = ctx.account.charges.get_mut(charge_id) else {
        return;
    };
    charge.amount_refunded += amount;
    charge.refunds.push(refund_id.clone());
    let refund = Refund {
        id: refund_id.clone(),
        created: ctx.now,
        amount,
        currency: charge.currency.clone(),
        charge: charge_id.to_owned(),
        payment_intent: charge.payment_intent.clone(),
        reason: reason.map(str::to_owned),
        status: "succeeded",
        metadata: Default::default(),
        balance_transaction: None,
        release: true,
        failure_reason: None,
        failure_balance_transaction: None,
    };
    let currency = refund.currency.clone();
    ctx.account.refunds.insert(refund_id.clone(), refund);
    if reversal {
        let bt = crate::ledger::record_partial_capture_reversal(ctx, &refund_id, amount, &currency);
        if let Some(refund) = ctx.account.refunds.get_mut(&refund_id) {
            refund.balance_transaction = Some(bt);
        }
    }
    let charge = charge_snapshot(ctx, charge_id);
    ctx.emit("charge.refunded", charge, None);
}

fn cancel(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let reason = params.one_of(
        "cancellation_reason",
        &[
            "duplicate",
            "fraudulent",
            "requested_by_customer",
            "abandoned",
        ],
    )?;
    let expand = expand::object(&mut params, "payment_intent")?;
    params.finish()?;
    let id = args[0].clone();
    let pi = find(ctx, &id)?.clone();
    if !matches!(
        pi.status,
        PiStatus::RequiresPaymentMethod
            | PiStatus::RequiresCapture
            | PiStatus::RequiresConfirmation
            | PiStatus::RequiresAction
    ) {
        return Err(ApiError::unexpected_state(format!(
            "You cannot cancel this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.",
            pi.status.as_str()
        )));
    }
    cancel_intent(ctx, &id, reason.as_deref(), None);
    let pi = find(ctx, &id)?.clone();
    Ok(render(ctx, &pi, &expand))
}

/// Cancels an intent; a held amount is released onto the charge.
pub fn cancel_intent(
    ctx: &mut Ctx<'_>,
    id: &str,
    reason: Option<&str>,
    release_reason: Option<&str>,
) {
    let Some(pi) = ctx.account.payment_intents.get(id).cloned() else {
        return;
    };
    if pi.status == PiStatus::RequiresCapture
        && let Some(charge_id) = pi.latest_charge.as_deref()
    {
        if let Some(due) = ctx
            .account
            .charges
            .get(charge_id)
            .and_then(|c| c.capture_before)
        {
            ctx.account.open_holds.remove(&(due, id.to_owned()));
        }
        record_release(ctx, charge_id, pi.amount_capturable, release_reason, false);
    }
    let now = ctx.now;
    if let Some(pi) = ctx.account.payment_intents.get_mut(id) {
        pi.status = PiStatus::Canceled;
        pi.updated = now;
        pi.amount_capturable = 0;
        pi.canceled_at = Some(now);
        pi.cancellation_reason = reason.map(str::to_owned);
        pi.next_action = None;
    }
    let object = snapshot(ctx, id);
    ctx.emit("payment_intent.canceled", object, None);
}

fn list(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let customer = params.string("customer")?;
    let expand = expand::list(&mut params, "payment_intent")?;
    let ctx_ref: &Ctx<'_> = ctx;
    let page = paginate(
        &mut params,
        "/v1/payment_intents",
        "payment_intent",
        ctx_ref
            .account
            .payment_intents
            .newest_first()
            .filter(|(_, pi)| {
                created.is_none_or(|r| r.contains(pi.created))
                    && customer
                        .as_ref()
                        .is_none_or(|c| pi.customer.as_ref() == Some(c))
            }),
        |pi| render(ctx_ref, pi, &expand),
    )?;
    params.finish()?;
    Ok(page)
}

//! Confirming a PaymentIntent with one of Stripe's test payment methods:
//! the charge it creates and the state it moves the intent to.

use serde_json::json;

use super::Ctx;
use super::error::ApiError;
use super::payment_intents::{charge_snapshot, find, snapshot};
use crate::objects::charge::{Card, Charge};
use crate::objects::payment_intent::PiStatus;

/// What a test payment method does when confirmed.
pub enum Outcome {
    Approve(Card),
    /// A 402 `card_error` with Stripe's `code` (`card_declined`, or for a
    /// few cards a code of their own: `expired_card`, `incorrect_cvc`,
    /// `processing_error`) and the issuer's `decline_code`.
    Decline {
        card: Card,
        code: &'static str,
        decline_code: &'static str,
        message: &'static str,
    },
    /// 3D Secure: `requires_action` for a customer present; confirmed
    /// off-session the bank declines with `authentication_required`.
    Authenticate(Card),
}

const fn declined(
    last4: &'static str,
    code: &'static str,
    decline_code: &'static str,
    message: &'static str,
) -> Outcome {
    Outcome::Decline {
        card: card("visa", last4, "credit"),
        code,
        decline_code,
        message,
    }
}

const DECLINED: &str = "Your card was declined.";

const fn card(brand: &'static str, last4: &'static str, funding: &'static str) -> Card {
    Card {
        brand,
        last4,
        funding,
        country: "US",
        exp_month: 12,
        exp_year: 2034,
    }
}

pub fn test_payment_method(pm: &str) -> Option<Outcome> {
    Some(match pm {
        "pm_card_visa" => Outcome::Approve(card("visa", "4242", "credit")),
        "pm_card_visa_debit" => Outcome::Approve(card("visa", "5556", "debit")),
        "pm_card_mastercard" => Outcome::Approve(card("mastercard", "4444", "credit")),
        "pm_card_amex" => Outcome::Approve(card("amex", "8431", "credit")),
        "pm_card_discover" => Outcome::Approve(card("discover", "1117", "credit")),
        // Succeeds; a refund of it fails a day later (see crate::ledger).
        "pm_card_refundFail" => Outcome::Approve(card("visa", "5126", "credit")),
        "pm_card_chargeDeclined" | "pm_card_visa_chargeDeclined" => {
            declined("0002", "card_declined", "generic_decline", DECLINED)
        }
        "pm_card_chargeDeclinedInsufficientFunds"
        | "pm_card_visa_chargeDeclinedInsufficientFunds" => declined(
            "9995",
            "card_declined",
            "insufficient_funds",
            "Your card has insufficient funds.",
        ),
        "pm_card_chargeDeclinedLostCard" | "pm_card_visa_chargeDeclinedLostCard" => {
            declined("9987", "card_declined", "lost_card", DECLINED)
        }
        "pm_card_chargeDeclinedStolenCard" | "pm_card_visa_chargeDeclinedStolenCard" => {
            declined("9979", "card_declined", "stolen_card", DECLINED)
        }
        "pm_card_chargeDeclinedExpiredCard" => declined(
            "0069",
            "expired_card",
            "expired_card",
            "Your card has expired.",
        ),
        "pm_card_chargeDeclinedIncorrectCvc" => declined(
            "0127",
            "incorrect_cvc",
            "incorrect_cvc",
            "Your card's security code is incorrect.",
        ),
        "pm_card_chargeDeclinedProcessingError" => declined(
            "0119",
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little while.",
        ),
        "pm_card_visa_chargeDeclinedVelocityLimitExceeded" => {
            declined("6975", "card_declined", "card_velocity_exceeded", DECLINED)
        }
        "pm_card_radarBlock" => declined("0019", "card_declined", "fraudulent", DECLINED),
        "pm_card_authenticationRequired" => Outcome::Authenticate(card("visa", "3184", "credit")),
        _ => return None,
    })
}

/// How long an authorization holds: Visa merchant-initiated 4 days 18 hours,
/// every other online card 7 days (docs.stripe.com/payments/place-a-hold-on-a-payment-method).
pub fn hold_seconds(brand: &str, merchant_initiated: bool) -> i64 {
    if brand == "visa" && merchant_initiated {
        (4 * 24 + 18) * 3600
    } else {
        7 * 24 * 3600
    }
}

/// Confirms with the intent's payment method: creates the charge and moves
/// the intent on. A decline changes state *and* answers 402, as Stripe does.
pub fn run_confirmation(
    ctx: &mut Ctx<'_>,
    id: &str,
    merchant_initiated: bool,
) -> Result<(), ApiError> {
    let pi = find(ctx, id)?.clone();
    let pm = pi.payment_method.clone().unwrap_or_default();
    let Some(outcome) = test_payment_method(&pm) else {
        return Err(ApiError::no_such("PaymentMethod", &pm, "payment_method"));
    };
    let (card, declined) = match outcome {
        // Off-session the customer cannot authenticate: the bank declines.
        Outcome::Authenticate(card) if merchant_initiated => (
            card,
            Some((
                "authentication_required",
                "authentication_required",
                "Your card was declined. This transaction requires authentication.",
            )),
        ),
        Outcome::Authenticate(_) => {
            let now = ctx.now;
            let pi = find(ctx, id)?;
            pi.status = PiStatus::RequiresAction;
            pi.updated = now;
            pi.next_action = Some(json!({ "type": "use_stripe_sdk", "use_stripe_sdk": {} }));
            let object = snapshot(ctx, id);
            ctx.emit("payment_intent.requires_action", object, None);
            return Ok(());
        }
        Outcome::Approve(card) => (card, None),
        Outcome::Decline {
            card,
            code,
            decline_code,
            message,
        } => (card, Some((code, decline_code, message))),
    };
    let charge_id = ctx.new_id("ch");
    let approved = declined.is_none();
    let captured = approved && !pi.manual_capture;
    let charge = Charge {
        id: charge_id.clone(),
        created: ctx.now,
        livemode: ctx.livemode,
        amount: pi.amount,
        currency: pi.currency.clone(),
        payment_intent: Some(pi.id.clone()),
        payment_method: Some(pm.clone()),
        customer: pi.customer.clone(),
        description: pi.description.clone(),
        metadata: pi.metadata.clone(),
        status: if approved { "succeeded" } else { "failed" },
        captured,
        amount_captured: if captured { pi.amount } else { 0 },
        amount_refunded: 0,
        failure_code: declined.map(|(code, _, _)| code.to_owned()),
        failure_message: declined.map(|(_, _, message)| message.to_owned()),
        decline_code: declined.map(|(_, decline_code, _)| decline_code.to_owned()),
        capture_before: (approved && pi.manual_capture)
            .then(|| ctx.now + hold_seconds(card.brand, merchant_initiated)),
        card,
        balance_transaction: None,
        balance_transaction_from: 0,
        refunds: Vec::new(),
        dispute: None,
    };
    ctx.account.charges.insert(charge_id.clone(), charge);
    let (now, livemode) = (ctx.now, ctx.livemode);
    let pi_mut = find(ctx, id)?;
    pi_mut.updated = now;
    pi_mut.latest_charge = Some(charge_id.clone());
    pi_mut.next_action = None;
    if let Some((code, decline_code, message)) = declined {
        let error = json!({
            "charge": charge_id,
            "code": code,
            "decline_code": decline_code,
            "doc_url": format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-")),
            "message": message,
            "payment_method": {
                "id": pm,
                "object": "payment_method",
                "billing_details": { "address": null, "email": null, "name": null, "phone": null },
                "created": now,
                "customer": null,
                "livemode": livemode,
                "metadata": {},
                "type": "card",
            },
            "type": "card_error",
        });
        pi_mut.status = PiStatus::RequiresPaymentMethod;
        pi_mut.last_payment_error = Some(error);
        let charge = charge_snapshot(ctx, &charge_id);
        ctx.emit("charge.failed", charge, None);
        let object = snapshot(ctx, id);
        ctx.emit("payment_intent.payment_failed", object.clone(), None);
        return Err(ApiError::card_declined(code, decline_code, message)
            .with_extra("charge", json!(charge_id))
            .with_extra("payment_intent", object));
    }
    pi_mut.last_payment_error = None;
    if pi_mut.manual_capture {
        pi_mut.status = PiStatus::RequiresCapture;
        pi_mut.amount_capturable = pi_mut.amount;
    } else {
        pi_mut.status = PiStatus::Succeeded;
        pi_mut.amount_received = pi_mut.amount;
    }
    let (manual, amount, currency) = (
        pi_mut.manual_capture,
        pi_mut.amount,
        pi_mut.currency.clone(),
    );
    if manual {
        let due = ctx
            .account
            .charges
            .get(&charge_id)
            .and_then(|c| c.capture_before)
            .unwrap_or(now);
        ctx.account.open_holds.insert((due, id.to_owned()));
    } else {
        crate::api::charges::collect_funds(ctx, &charge_id, amount, amount, &currency);
    }
    let charge = charge_snapshot(ctx, &charge_id);
    ctx.emit("charge.succeeded", charge, None);
    let object = snapshot(ctx, id);
    if manual {
        ctx.emit("payment_intent.amount_capturable_updated", object, None);
    } else {
        ctx.emit("payment_intent.succeeded", object, None);
    }
    Ok(())
}

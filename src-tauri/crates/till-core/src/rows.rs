//! Stripe's objects as the cache keeps them: the columns the screens filter,
//! sort and add up, and the exact JSON Stripe sent beside them. One function
//! per object type; the refresh and the sync engine both go through here.

use till_store::table::balance_transactions::BalanceTransactionRow;
use till_store::table::charges::ChargeRow;
use till_store::table::checkout_sessions::{LineItemRow, SessionRow};
use till_store::table::customers::CustomerRow;
use till_store::table::disputes::DisputeRow;
use till_store::table::payment_intents::PaymentRow;
use till_store::table::payouts::PayoutRow;
use till_store::table::refunds::RefundRow;
use till_stripe::models::{
    BalanceTransaction, Charge, CheckoutSession, Customer, Dispute, LineItem, PaymentIntent,
    Payout, Raw, Refund, RefundStatus,
};

/// What a PaymentIntent's row takes from its charge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub capture_before: Option<i64>,
    pub email: Option<String>,
}

impl Card {
    pub fn of(charge: &Charge) -> Self {
        let card = charge.card();
        Self {
            brand: card.and_then(|c| c.brand.clone()),
            last4: card.and_then(|c| c.last4.clone()),
            capture_before: card.and_then(|c| c.capture_before),
            email: charge_email(charge),
        }
    }
}

/// A PaymentIntent, with its latest charge's card when known (the card and
/// the billing email live on the charge).
pub fn payment(pi: &Raw<PaymentIntent>, card: Option<Card>) -> PaymentRow {
    let card = card.unwrap_or_default();
    PaymentRow {
        id: pi.id.clone(),
        created: pi.created,
        amount: pi.amount,
        amount_capturable: pi.amount_capturable,
        amount_received: pi.amount_received,
        currency: pi.currency.code().to_owned(),
        status: pi.status.as_str().to_owned(),
        capture_method: None,
        customer_id: pi.customer.as_ref().map(|c| c.id().to_owned()),
        customer_email: pi.receipt_email.clone().or(card.email),
        description: pi.description.clone(),
        latest_charge: pi.latest_charge.as_ref().map(|c| c.id().to_owned()),
        capture_before: card.capture_before,
        card_brand: card.brand,
        card_last4: card.last4,
        order_id: pi.metadata.get("order_id").cloned(),
        extra_words: pi.metadata.values().cloned().collect(),
        raw: pi.json.get().to_owned(),
    }
}

fn charge_email(charge: &Charge) -> Option<String> {
    charge.receipt_email.clone().or_else(|| {
        charge
            .billing_details
            .as_ref()
            .and_then(|b| b.email.clone())
    })
}

pub fn charge(charge: &Raw<Charge>) -> ChargeRow {
    let card = charge.card();
    ChargeRow {
        id: charge.id.clone(),
        created: charge.created,
        amount: charge.amount,
        amount_captured: charge.amount_captured,
        amount_refunded: charge.amount_refunded,
        currency: charge.currency.code().to_owned(),
        status: charge.status.clone(),
        captured: charge.captured,
        payment_intent: charge.payment_intent.as_ref().map(|p| p.id().to_owned()),
        customer_id: charge.customer.as_ref().map(|c| c.id().to_owned()),
        balance_transaction: charge
            .balance_transaction
            .as_ref()
            .map(|b| b.id().to_owned()),
        card_brand: card.and_then(|c| c.brand.clone()),
        card_last4: card.and_then(|c| c.last4.clone()),
        email: charge_email(charge),
        extra_words: charge
            .billing_details
            .as_ref()
            .and_then(|b| b.name.clone())
            .into_iter()
            .collect(),
        raw: charge.json.get().to_owned(),
    }
}

pub fn refund_status(status: Option<RefundStatus>) -> &'static str {
    match status {
        Some(RefundStatus::Pending) => "pending",
        Some(RefundStatus::RequiresAction) => "requires_action",
        Some(RefundStatus::Succeeded) => "succeeded",
        Some(RefundStatus::Failed) => "failed",
        Some(RefundStatus::Canceled) => "canceled",
        Some(RefundStatus::Unknown) | None => "unknown",
    }
}

pub fn refund(refund: &Raw<Refund>) -> RefundRow {
    RefundRow {
        id: refund.id.clone(),
        created: refund.created,
        amount: refund.amount,
        currency: refund.currency.code().to_owned(),
        status: refund_status(refund.status).to_owned(),
        reason: refund.reason.clone(),
        charge: refund.charge.as_ref().map(|c| c.id().to_owned()),
        payment_intent: refund.payment_intent.as_ref().map(|p| p.id().to_owned()),
        failure_reason: refund.failure_reason.clone(),
        balance_transaction: refund
            .balance_transaction
            .as_ref()
            .map(|b| b.id().to_owned()),
        // Known from its balance transaction's category, in the cache.
        released_rest: false,
        raw: refund.json.get().to_owned(),
    }
}

pub fn balance_transaction(bt: &Raw<BalanceTransaction>) -> BalanceTransactionRow {
    // `source` is an id, or the object when expanded.
    let source_id = bt.source.as_ref().and_then(|source| {
        source
            .as_str()
            .or_else(|| source.get("id").and_then(serde_json::Value::as_str))
            .map(str::to_owned)
    });
    BalanceTransactionRow {
        id: bt.id.clone(),
        created: bt.created,
        available_on: bt.available_on,
        amount: bt.amount,
        fee: bt.fee,
        net: bt.net,
        currency: bt.currency.code().to_owned(),
        kind: bt.kind.clone(),
        reporting_category: bt.reporting_category.clone().unwrap_or_default(),
        status: bt.status.clone(),
        source_id,
        payout_id: None,
        payment_intent_id: None,
        customer_id: None,
        raw: bt.json.get().to_owned(),
    }
}

pub fn payout(payout: &Raw<Payout>) -> PayoutRow {
    PayoutRow {
        id: payout.id.clone(),
        created: payout.created,
        arrival_date: payout.arrival_date,
        amount: payout.amount,
        currency: payout.currency.code().to_owned(),
        status: payout.status.clone(),
        automatic: payout.automatic,
        balance_transaction: payout
            .balance_transaction
            .as_ref()
            .map(|b| b.id().to_owned()),
        reconciliation_status: payout.reconciliation_status.clone(),
        failure_code: payout.failure_code.clone(),
        failure_message: payout.failure_message.clone(),
        raw: payout.json.get().to_owned(),
    }
}

pub fn dispute(dispute: &Raw<Dispute>) -> DisputeRow {
    DisputeRow {
        id: dispute.id.clone(),
        created: dispute.created,
        amount: dispute.amount,
        currency: dispute.currency.code().to_owned(),
        charge: dispute.charge.id().to_owned(),
        payment_intent: dispute.payment_intent.as_ref().map(|p| p.id().to_owned()),
        reason: dispute.reason.clone(),
        status: dispute.status.clone(),
        due_by: dispute.evidence_details.as_ref().and_then(|e| e.due_by),
        is_charge_refundable: dispute.is_charge_refundable,
        raw: dispute.json.get().to_owned(),
    }
}

pub fn customer(customer: &Raw<Customer>) -> CustomerRow {
    CustomerRow {
        id: customer.id.clone(),
        created: customer.created,
        email: customer.email.clone(),
        name: customer.name.clone(),
        phone: customer.phone.clone(),
        deleted: customer.deleted,
        extra_words: customer.metadata.values().cloned().collect(),
        raw: customer.json.get().to_owned(),
    }
}

pub fn checkout_session(session: &Raw<CheckoutSession>) -> SessionRow {
    SessionRow {
        id: session.id.clone(),
        created: session.created,
        expires_at: session.expires_at,
        status: session.status.clone().unwrap_or_else(|| "open".to_owned()),
        payment_status: session.payment_status.clone(),
        mode: session.mode.clone(),
        amount_total: session.amount_total,
        currency: session.currency.as_ref().map(|c| c.code().to_owned()),
        customer_id: session.customer.as_ref().map(|c| c.id().to_owned()),
        customer_email: session.customer_email.clone().or_else(|| {
            session
                .customer_details
                .as_ref()
                .and_then(|d| d.email.clone())
        }),
        client_reference_id: session.client_reference_id.clone(),
        payment_intent: session.payment_intent.as_ref().map(|p| p.id().to_owned()),
        url: session.url.clone(),
        raw: session.json.get().to_owned(),
        // The sync stores them next: its payment's words are written once.
        lines_follow: session.line_items.is_some(),
    }
}

/// A session's line item; their order is kept by the order they are stored in.
pub fn line_item(item: &Raw<LineItem>) -> LineItemRow {
    LineItemRow {
        id: item.id.clone(),
        description: item.description.clone(),
        quantity: item.quantity,
        amount_subtotal: item.amount_subtotal,
        amount_total: item.amount_total,
        currency: item.currency.code().to_owned(),
        price_id: item.price.as_ref().map(|p| p.id.clone()),
        raw: item.json.get().to_owned(),
    }
}

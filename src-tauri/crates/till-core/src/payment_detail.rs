//! One payment in full, for the detail drawer: its timeline, the money
//! (captured, refunded, refundable, fee and net), the customer and card,
//! metadata, Stripe's JSON and where it is in the Dashboard. All from the
//! cache, so the drawer opens at once and offline.

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::{balance_transactions, charges, payment_intents, refunds};
use till_stripe::models::{Charge, PaymentIntent};

use crate::Error;
use crate::payments::PaymentSummary;

/// What happened to a payment, in the merchant's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    Created,
    /// The card was authorized and the money is held, not yet taken.
    Authorized,
    /// Charged in one go (automatic capture).
    Paid,
    Captured,
    Failed,
    /// The hold was let go (a canceled PaymentIntent): no money moved.
    Released,
    /// The hold lapses at this time unless captured.
    HoldExpires,
    Refunded,
    RefundPending,
    RefundFailed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    pub at: i64,
    pub step: Step,
    /// The amount this step moved, when it moved one.
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// Stripe's reason or message, when there is one.
    pub detail: Option<String>,
}

/// Stripe's fee for a payment, once Stripe has worked it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Fee {
    /// In the settlement currency, which may differ from the payment's.
    #[serde(rename_all = "camelCase")]
    Known {
        currency: String,
        fee: i64,
        net: i64,
    },
    /// Captured, but the balance transaction is not known yet.
    Pending,
    /// Nothing captured, so no fee.
    None,
    /// This account's restricted key cannot read the charges and balance
    /// transactions where Stripe books fees.
    Hidden,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MetadataEntry {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundSummary {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub reason: Option<String>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetail {
    pub payment: PaymentSummary,
    /// Still held and capturable, in minor units.
    pub amount_capturable: i64,
    pub captured: i64,
    /// Refunded or being refunded.
    pub refunded: i64,
    /// What a refund may still return.
    pub refundable: i64,
    pub fee: Fee,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub cancellation_reason: Option<String>,
    pub metadata: Vec<MetadataEntry>,
    pub timeline: Vec<TimelineEntry>,
    pub refunds: Vec<RefundSummary>,
    /// Stripe's JSON for the PaymentIntent, indented.
    pub raw_json: String,
    /// None for the demo account, which is not on Stripe.
    pub dashboard_url: Option<String>,
}

/// Where an account's objects live in Stripe's Dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dashboard {
    Live,
    Test,
    /// The offline demo: nothing to link to.
    None,
}

impl Dashboard {
    pub fn payment_url(self, id: &str) -> Option<String> {
        match self {
            Self::Live => Some(format!("https://dashboard.stripe.com/payments/{id}")),
            Self::Test => Some(format!("https://dashboard.stripe.com/test/payments/{id}")),
            Self::None => None,
        }
    }
}

fn entry(at: i64, step: Step, amount: Option<i64>, currency: &str) -> TimelineEntry {
    TimelineEntry {
        at,
        step,
        amount,
        currency: amount.map(|_| currency.to_owned()),
        detail: None,
    }
}

fn pretty(raw: &str) -> String {
    serde_json::from_str::<serde_json::Value>(raw)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or_else(|_| raw.to_owned())
}

pub fn detail(
    store: &Store,
    account_id: &str,
    id: &str,
    dashboard: Dashboard,
) -> Result<PaymentDetail, Error> {
    let conn = store.conn();
    let row = payment_intents::get(conn, account_id, id)?
        .ok_or_else(|| Error::NotFound { id: id.to_owned() })?;
    // The cached JSON holds what the columns leave out.
    let intent: Option<PaymentIntent> = serde_json::from_str(&row.raw).ok();
    let charge_rows = charges::for_payment_intent(conn, account_id, id)?;
    let refund_rows = refunds::for_payment_intent(conn, account_id, id)?;
    let figures = crate::refundable::compute(&row, &charge_rows, &refund_rows);
    let currency = row.currency.clone();

    let mut timeline = vec![entry(
        row.created,
        Step::Created,
        Some(row.amount),
        &currency,
    )];
    let mut fee_total: Option<(String, i64, i64)> = None;
    let mut fee_pending = false;
    for charge_row in &charge_rows {
        let charge: Option<Charge> = serde_json::from_str(&charge_row.raw).ok();
        if charge_row.status == "failed" {
            let mut failed = entry(charge_row.created, Step::Failed, None, &currency);
            failed.detail = charge.as_ref().and_then(|c| c.failure_message.clone());
            timeline.push(failed);
            continue;
        }
        if charge_row.status != "succeeded" {
            continue;
        }
        let transaction = match &charge_row.balance_transaction {
            Some(bt) => balance_transactions::get(conn, account_id, bt)?,
            None => None,
        };
        let automatic = intent
            .as_ref()
            .is_some_and(|pi| pi.capture_method != till_stripe::models::CaptureMethod::Manual);
        if charge_row.captured && automatic {
            timeline.push(entry(
                charge_row.created,
                Step::Paid,
                Some(charge_row.amount_captured),
                &currency,
            ));
        } else {
            timeline.push(entry(
                charge_row.created,
                Step::Authorized,
                Some(charge_row.amount),
                &currency,
            ));
            if charge_row.captured {
                // The balance transaction is made at capture: its time is the capture's.
                let at = transaction
                    .as_ref()
                    .map_or(charge_row.created, |t| t.created);
                timeline.push(entry(
                    at,
                    Step::Captured,
                    Some(charge_row.amount_captured),
                    &currency,
                ));
                // A partial capture lets the rest of the hold go.
                let rest = charge_row.amount - charge_row.amount_captured;
                if rest > 0 {
                    timeline.push(entry(at, Step::Released, Some(rest), &currency));
                }
            }
        }
        if charge_row.captured {
            match transaction {
                Some(t) => {
                    let (_, fee, net) = fee_total.get_or_insert((t.currency.clone(), 0, 0));
                    *fee += t.fee;
                    *net += t.net;
                }
                None => fee_pending = true,
            }
        }
    }
    if let Some(pi) = &intent
        && let Some(canceled_at) = pi.canceled_at
    {
        let mut released = entry(canceled_at, Step::Released, None, &currency);
        released.detail = pi.cancellation_reason.clone();
        timeline.push(released);
    }
    if row.status == "requires_capture"
        && let Some(until) = row.capture_before
    {
        timeline.push(entry(until, Step::HoldExpires, None, &currency));
    }
    // A hold let go is recorded by Stripe as a refund that moved no money:
    // a release, not a refund.
    let refund_rows: Vec<_> = refund_rows
        .into_iter()
        .filter(|r| r.moved_money())
        .collect();
    for refund in &refund_rows {
        let step = match refund.status.as_str() {
            "succeeded" => Step::Refunded,
            "failed" | "canceled" => Step::RefundFailed,
            _ => Step::RefundPending,
        };
        let mut item = entry(refund.created, step, Some(refund.amount), &refund.currency);
        item.detail = refund.failure_reason.clone().or(refund.reason.clone());
        timeline.push(item);
    }
    timeline.sort_by_key(|e| e.at);

    let fee = match (fee_total, fee_pending) {
        (_, true) => Fee::Pending,
        (Some((currency, fee, net)), false) => Fee::Known { currency, fee, net },
        (None, false) if row.amount_received > 0 => Fee::Pending,
        (None, false) => Fee::None,
    };
    let metadata = intent
        .as_ref()
        .map(|pi| {
            pi.metadata
                .iter()
                .map(|(key, value)| MetadataEntry {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let customer_name = charge_rows.iter().find_map(|c| {
        serde_json::from_str::<Charge>(&c.raw)
            .ok()
            .and_then(|c| c.billing_details.and_then(|b| b.name))
    });
    Ok(PaymentDetail {
        amount_capturable: row.amount_capturable,
        captured: figures.captured,
        refunded: figures.refunded,
        refundable: figures.refundable,
        fee,
        customer_id: row.customer_id.clone(),
        customer_name,
        cancellation_reason: intent
            .as_ref()
            .and_then(|pi| pi.cancellation_reason.clone()),
        metadata,
        timeline,
        refunds: refund_rows
            .into_iter()
            .map(|r| RefundSummary {
                id: r.id,
                created: r.created,
                amount: r.amount,
                currency: r.currency,
                status: r.status,
                reason: r.reason,
                failure_reason: r.failure_reason,
            })
            .collect(),
        raw_json: pretty(&row.raw),
        dashboard_url: dashboard.payment_url(&row.id),
        payment: PaymentSummary {
            amount_refunded: figures.refunded,
            ..PaymentSummary::from(row)
        },
    })
}

#[cfg(test)]
mod tests {
    use till_store::table::balance_transactions::BalanceTransactionRow;
    use till_store::table::charges::ChargeRow;
    use till_store::table::payment_intents::PaymentRow;

    use super::*;

    fn cached(with_fee: bool) -> Store {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        payment_intents::upsert(
            conn,
            "a",
            &PaymentRow {
                id: "pi_1".into(),
                created: 100,
                amount: 5000,
                amount_received: 5000,
                currency: "usd".into(),
                status: "succeeded".into(),
                latest_charge: Some("ch_1".into()),
                raw: r#"{"id":"pi_1","object":"payment_intent","amount":5000,"amount_capturable":0,"amount_received":5000,"currency":"usd","status":"succeeded","capture_method":"automatic","created":100,"metadata":{"order_id":"42"}}"#.into(),
                ..PaymentRow::default()
            },
        )
        .unwrap();
        charges::upsert(
            conn,
            "a",
            &ChargeRow {
                id: "ch_1".into(),
                created: 101,
                amount: 5000,
                amount_captured: 5000,
                amount_refunded: 1000,
                currency: "usd".into(),
                status: "succeeded".into(),
                captured: true,
                payment_intent: Some("pi_1".into()),
                balance_transaction: with_fee.then(|| "txn_1".into()),
                raw: "{}".into(),
                ..ChargeRow::default()
            },
        )
        .unwrap();
        if with_fee {
            balance_transactions::upsert(
                conn,
                "a",
                &BalanceTransactionRow {
                    id: "txn_1".into(),
                    created: 101,
                    amount: 5000,
                    fee: 175,
                    net: 4825,
                    currency: "usd".into(),
                    kind: "charge".into(),
                    raw: "{}".into(),
                    ..BalanceTransactionRow::default()
                },
            )
            .unwrap();
        }
        store
    }

    #[test]
    fn the_fee_is_pending_until_its_balance_transaction_is_cached() {
        let pending = detail(&cached(false), "a", "pi_1", Dashboard::Test).unwrap();
        assert_eq!(pending.fee, Fee::Pending);
        let known = detail(&cached(true), "a", "pi_1", Dashboard::Test).unwrap();
        assert_eq!(
            known.fee,
            Fee::Known {
                currency: "usd".into(),
                fee: 175,
                net: 4825
            }
        );
        assert_eq!(known.refundable, 4000, "captured less refunded");
        assert_eq!(known.timeline[0].step, Step::Created);
        assert!(known.timeline.iter().any(|e| e.step == Step::Paid));
        assert_eq!(known.metadata[0].value, "42");
        assert_eq!(
            known.dashboard_url.as_deref(),
            Some("https://dashboard.stripe.com/test/payments/pi_1")
        );
        assert!(matches!(
            detail(&cached(true), "b", "pi_1", Dashboard::Test),
            Err(Error::NotFound { .. })
        ));
    }
}

//! Payments as the lists show them: fetched from Stripe into the cache, read
//! from the cache. (The sync engine will keep the cache current by itself;
//! until then a refresh pulls the newest payments.)

use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::payment_intents::{self, Cursor, Filter, PaymentRow, Sort};
use till_stripe::StripeClient;
use till_stripe::models::{Charge, PaymentIntent, Raw};
use till_stripe::requests::{ListCharges, ListPaymentIntents};

use crate::Error;

/// One row of the Payments list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSummary {
    pub id: String,
    pub created: i64,
    /// In the currency's smallest unit.
    pub amount: i64,
    pub amount_received: i64,
    pub currency: String,
    pub status: String,
    pub customer_email: Option<String>,
    pub description: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub capture_before: Option<i64>,
}

impl From<PaymentRow> for PaymentSummary {
    fn from(row: PaymentRow) -> Self {
        Self {
            id: row.id,
            created: row.created,
            amount: row.amount,
            amount_received: row.amount_received,
            currency: row.currency,
            status: row.status,
            customer_email: row.customer_email,
            description: row.description,
            card_brand: row.card_brand,
            card_last4: row.card_last4,
            capture_before: row.capture_before,
        }
    }
}

/// A page of the list and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPage {
    pub rows: Vec<PaymentSummary>,
    /// Pass back to get the next page; none at the end.
    pub next: Option<PageCursor>,
    /// How many payments match, in all.
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageCursor {
    pub created: i64,
    pub id: String,
}

fn row_of(pi: &Raw<PaymentIntent>, charge: Option<&Charge>) -> PaymentRow {
    let card = charge.and_then(Charge::card);
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
        customer_email: pi.receipt_email.clone().or_else(|| {
            charge
                .and_then(|c| c.billing_details.as_ref())
                .and_then(|b| b.email.clone())
        }),
        description: pi.description.clone(),
        latest_charge: pi.latest_charge.as_ref().map(|c| c.id().to_owned()),
        capture_before: card.and_then(|c| c.capture_before),
        card_brand: card.and_then(|c| c.brand.clone()),
        card_last4: card.and_then(|c| c.last4.clone()),
        order_id: pi.metadata.get("order_id").cloned(),
        extra_words: pi.metadata.values().cloned().collect(),
        raw: pi.json.get().to_owned(),
    }
}

/// Pulls up to `limit` of the newest payments (and their charges, for the
/// card) into the cache. Returns how many were stored.
pub async fn refresh(
    client: &StripeClient,
    store: &std::sync::Mutex<Store>,
    account_id: &str,
    limit: usize,
) -> Result<usize, Error> {
    let mut charges = std::collections::HashMap::new();
    let mut stream = Box::pin(client.all_charges(&ListCharges::default()).take(limit));
    while let Some(charge) = stream.next().await {
        let charge = charge?;
        charges.insert(charge.id.clone(), charge.object);
    }
    let mut intents = Vec::new();
    let mut stream = Box::pin(
        client
            .all_payment_intents(&ListPaymentIntents::default())
            .take(limit),
    );
    while let Some(pi) = stream.next().await {
        intents.push(pi?);
    }
    let mut store = store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let tx = store
        .conn_mut()
        .transaction()
        .map_err(till_store::StoreError::from)?;
    for pi in &intents {
        let charge = pi.latest_charge.as_ref().and_then(|c| charges.get(c.id()));
        payment_intents::upsert(&tx, account_id, &row_of(pi, charge))?;
    }
    tx.commit().map_err(till_store::StoreError::from)?;
    Ok(intents.len())
}

/// A page of the cached list, newest first, optionally by status.
pub fn page(
    store: &Store,
    account_id: &str,
    statuses: Vec<String>,
    after: Option<PageCursor>,
    limit: usize,
) -> Result<PaymentPage, Error> {
    let filter = Filter {
        statuses,
        ..Filter::default()
    };
    let cursor = after.map(|c| Cursor {
        value: c.created,
        id: c.id,
    });
    let page = payment_intents::page(
        store.conn(),
        account_id,
        &filter,
        Sort::NewestFirst,
        cursor.as_ref(),
        limit.clamp(1, 500),
    )?;
    let total = u32::try_from(payment_intents::count(store.conn(), account_id, &filter)?)
        .unwrap_or(u32::MAX);
    Ok(PaymentPage {
        rows: page.rows.into_iter().map(PaymentSummary::from).collect(),
        next: page.next.map(|c| PageCursor {
            created: c.value,
            id: c.id,
        }),
        total,
    })
}

/// Full-text search over the cached payments.
pub fn search(
    store: &Store,
    account_id: &str,
    text: &str,
    limit: usize,
) -> Result<Vec<PaymentSummary>, Error> {
    Ok(
        payment_intents::search(store.conn(), account_id, text, limit.clamp(1, 200))?
            .into_iter()
            .map(PaymentSummary::from)
            .collect(),
    )
}

/// Money taken in one currency over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    pub currency: String,
    /// Received by succeeded payments, in minor units.
    pub gross: i64,
    pub count: i64,
}

/// One of the Overview's periods ("today", "7 days"…), from `since` to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PeriodTotals {
    pub since: i64,
    pub totals: Vec<CurrencyTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub periods: Vec<PeriodTotals>,
    /// Holds whose authorization lapses within 24 hours, soonest first.
    pub holds_expiring: Vec<PaymentSummary>,
}

/// The Overview from the cache. `periods` are start times the UI computed
/// in the user's time zone (local midnight, 7 and 30 days back).
pub fn overview(
    store: &Store,
    account_id: &str,
    periods: &[i64],
    now: i64,
) -> Result<Overview, Error> {
    let mut out = Vec::with_capacity(periods.len());
    for since in periods {
        let totals = payment_intents::totals(store.conn(), account_id, *since, now + 1)?
            .into_iter()
            .map(|t| CurrencyTotal {
                currency: t.currency,
                gross: t.gross,
                count: t.count,
            })
            .collect();
        out.push(PeriodTotals {
            since: *since,
            totals,
        });
    }
    let holds = payment_intents::holds_expiring(store.conn(), account_id, now + 24 * 3600)?;
    Ok(Overview {
        periods: out,
        holds_expiring: holds.into_iter().map(PaymentSummary::from).collect(),
    })
}

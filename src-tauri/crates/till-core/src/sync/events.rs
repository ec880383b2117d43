//! Keeping up: `/v1/events` from the last event applied. The list is read
//! from a little before the cursor, because Stripe may show an event later
//! than it was created; events already applied are skipped by id. An event
//! changes the cache only if it is newer than what the cache holds for its
//! object; when two changes share a second, the object is fetched instead.

use std::collections::BTreeSet;

use rusqlite::Connection;
use serde_json::Value;
use till_store::StoreError;
use till_store::table::{customers, disputes, payouts, refunds, sync_state};
use till_stripe::models::{Event, Raw};
use till_stripe::requests::{CreatedRange, ListEvents};
use till_stripe::{Page, StripeClient, StripeError};

use super::kinds::{self, Kind};
use crate::rows;

/// How far before the cursor each poll reads again.
pub const OVERLAP_SECONDS: i64 = 600;
/// How long a seen event id is remembered (past the overlap).
pub const SEEN_FOR_SECONDS: i64 = 2 * 86_400;
pub const STREAM: &str = "events";

/// The last event applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCursor {
    pub id: String,
    pub created: i64,
}

impl EventCursor {
    pub fn load(conn: &Connection, account_id: &str) -> Result<Option<Self>, StoreError> {
        Ok(sync_state::get(conn, account_id, STREAM)?
            .and_then(|row| row.cursor)
            .and_then(|text| {
                let (created, id) = text.split_once('@')?;
                Some(Self {
                    id: id.to_owned(),
                    created: created.parse().ok()?,
                })
            }))
    }

    pub fn save(&self, conn: &Connection, account_id: &str, now: i64) -> Result<(), StoreError> {
        sync_state::put(
            conn,
            account_id,
            &sync_state::CursorRow {
                stream: STREAM.to_owned(),
                cursor: Some(format!("{}@{}", self.created, self.id)),
                done: false,
                objects_done: 0,
                updated_at: now,
            },
        )
    }
}

/// What a poll found.
#[derive(Debug)]
pub enum Polled {
    /// Events in chronological order, newest cursor last.
    Events(Vec<Raw<Event>>),
    /// The cursor's event is gone: older than Stripe keeps events (30 days).
    Expired,
}

/// The newest event, to start following from (nothing before it is applied:
/// a backfill covers that).
pub async fn newest(client: &StripeClient) -> Result<Option<EventCursor>, StripeError> {
    let page = client
        .list_events(&ListEvents::default(), &Page::first(1))
        .await?;
    Ok(page.data.first().map(|e| EventCursor {
        id: e.id.clone(),
        created: e.created,
    }))
}

/// Every event from a little before `cursor`, oldest first.
pub async fn poll(client: &StripeClient, cursor: &EventCursor) -> Result<Polled, StripeError> {
    let request = ListEvents {
        created: Some(CreatedRange::since(cursor.created - OVERLAP_SECONDS)),
        types: Vec::new(),
    };
    let mut all: Vec<Raw<Event>> = Vec::new();
    let mut page = Page::first(100);
    loop {
        let list = client.list_events(&request, &page).await?;
        let last = list.data.last().map(|e| e.id.clone());
        all.extend(list.data);
        match last {
            Some(id) if list.has_more => page = Page::after(100, id),
            _ => break,
        }
    }
    if !all.iter().any(|e| e.id == cursor.id) {
        return Ok(Polled::Expired);
    }
    all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Ok(Polled::Events(all))
}

/// What applying needs fetched afterwards, outside the transaction.
#[derive(Debug, Default)]
pub struct Followups {
    /// Objects whose event was not enough: (type, id).
    pub refetch: BTreeSet<(Kind, String)>,
    /// Charges refunded: their refunds are listed (a 2023 event names the
    /// charge, not the new refund).
    pub refunds_of: BTreeSet<String>,
    pub balance: bool,
    /// A payout failed or a dispute moved money: Stripe sends no event for
    /// the balance transactions it booked, so the newest are read.
    pub transactions: bool,
}

fn parse<T: serde::de::DeserializeOwned>(object: &Value) -> Option<Raw<T>> {
    serde_json::to_string(object)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
}

/// Applies one event. Call inside the transaction that also saves the cursor.
pub fn apply(
    conn: &Connection,
    account_id: &str,
    event: &Event,
    followups: &mut Followups,
) -> Result<bool, StoreError> {
    if !sync_state::mark_seen(conn, account_id, &event.id, event.created)? {
        return Ok(false);
    }
    if event.kind.starts_with("balance.") {
        followups.balance = true;
        return Ok(true);
    }
    let (Some(object_type), Some(object_id)) = (event.object_type(), event.object_id()) else {
        return Ok(false);
    };
    let kind = match object_type {
        "payment_intent" => Kind::PaymentIntents,
        "charge" => Kind::Charges,
        "refund" => Kind::Refunds,
        "checkout.session" => Kind::CheckoutSessions,
        "payout" => Kind::Payouts,
        "customer" => Kind::Customers,
        "dispute" => Kind::Disputes,
        _ => return Ok(false),
    };
    if event.kind == "charge.refunded" {
        followups.refunds_of.insert(object_id.to_owned());
    }
    // A refund that failed gives its charge's `amount_refunded` back, with
    // no charge event of its own.
    if event.kind == "charge.refund.updated"
        && let Some(charge) = event.data.object.get("charge").and_then(Value::as_str)
    {
        followups.refetch.insert((Kind::Charges, charge.to_owned()));
    }
    if matches!(
        event.kind.as_str(),
        "payout.failed" | "charge.dispute.funds_withdrawn" | "charge.dispute.funds_reinstated"
    ) || (event.kind == "charge.dispute.created" && kind == Kind::Disputes)
    {
        followups.transactions = true;
    }
    let version = sync_state::version(conn, account_id, object_id)?;
    match version {
        Some(v) if v > event.created => return Ok(false),
        // Two changes in one second: which is newer cannot be told, so ask Stripe.
        Some(v) if v == event.created => {
            followups.refetch.insert((kind, object_id.to_owned()));
            return Ok(true);
        }
        _ => {}
    }
    let object = &event.data.object;
    let stored = match kind {
        Kind::PaymentIntents => parse(object)
            .map(|pi| kinds::store_payment(conn, account_id, &pi))
            .transpose()?,
        Kind::Charges => parse(object)
            .map(|c| kinds::store_charge(conn, account_id, &c))
            .transpose()?,
        Kind::Refunds => parse(object)
            .map(|r| refunds::upsert(conn, account_id, &rows::refund(&r)))
            .transpose()?,
        Kind::Payouts => parse(object)
            .map(|p| payouts::upsert(conn, account_id, &rows::payout(&p)))
            .transpose()?,
        Kind::Customers => parse(object)
            .map(|c| customers::upsert(conn, account_id, &rows::customer(&c)))
            .transpose()?,
        Kind::Disputes => {
            // The charge turns `disputed` without an event of its own.
            if let Some(charge) = object.get("charge").and_then(Value::as_str) {
                followups.refetch.insert((Kind::Charges, charge.to_owned()));
            }
            parse(object)
                .map(|d| disputes::upsert(conn, account_id, &rows::dispute(&d)))
                .transpose()?
        }
        // A session's line items are not in its events: fetch it whole.
        Kind::CheckoutSessions | Kind::BalanceTransactions => {
            followups.refetch.insert((kind, object_id.to_owned()));
            None
        }
    };
    if stored.is_none() && !matches!(kind, Kind::CheckoutSessions) {
        followups.refetch.insert((kind, object_id.to_owned()));
    }
    sync_state::record_version(conn, account_id, object_id, event.created)?;
    Ok(true)
}

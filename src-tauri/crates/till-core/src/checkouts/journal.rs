//! Creating and expiring checkouts through the operations journal, with the
//! guarantees of captures and refunds: checked, written and committed with
//! an idempotency key before sending, resent with the same key, settled by
//! looking at Stripe after the key's 24 hours.

use std::sync::Mutex;

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::operations::{self, OperationRow, State};
use till_store::table::{checkout_defaults, checkout_sessions, customers};
use till_stripe::models::{CheckoutSession, Raw};
use till_stripe::requests::{CreatedRange, ListCheckoutSessions, ListPrices};
use till_stripe::{Idempotency, OPERATION_METADATA_KEY, Page, StripeClient, StripeError};

use super::draft::{self, CheckoutDraft, CheckoutRequest, Context, DraftItem, KnownPrice};
use super::{CatalogPrice, CheckoutDetail};
use crate::Error;
use crate::error::CheckoutProblem;
use crate::operations::{
    Actor, IDEMPOTENCY_WINDOW, NOT_FOUND_FINAL, NOT_FOUND_YET, On, lock, mark_sent, record_failure,
    write,
};
use crate::sync::kinds;

pub const CREATE: &str = "checkout";
/// Seconds kept inside Stripe's expiry bounds.
const EXPIRY_MARGIN: i64 = 120;
pub const EXPIRE: &str = "checkout_expire";

/// Whether a journal entry is one of these.
pub fn is_checkout(kind: &str) -> bool {
    kind == CREATE || kind == EXPIRE
}

/// What creating or expiring did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutDone {
    pub operation_id: String,
    pub detail: CheckoutDetail,
}

/// The account's active one-time prices, with their products' names.
pub async fn catalog(client: &StripeClient) -> Result<Vec<CatalogPrice>, Error> {
    let mut names = std::collections::HashMap::new();
    let mut page = Page::first(100);
    loop {
        let products = client.list_products(None, &page).await?;
        for product in &products.data {
            names.insert(product.id.clone(), product.name.clone());
        }
        match (products.has_more, products.data.last()) {
            (true, Some(last)) => page.starting_after = Some(last.id.clone()),
            _ => break,
        }
    }
    let mut out = Vec::new();
    let mut page = Page::first(100);
    let active = ListPrices {
        active: Some(true),
        ..ListPrices::default()
    };
    loop {
        let prices = client.list_prices(&active, &page).await?;
        for price in &prices.data {
            let Some(unit_amount) = price.unit_amount.filter(|_| price.kind == "one_time") else {
                continue;
            };
            out.push(CatalogPrice {
                id: price.id.clone(),
                product_name: names
                    .get(price.product.id())
                    .cloned()
                    .unwrap_or_else(|| price.product.id().to_owned()),
                nickname: price.nickname.clone(),
                unit_amount,
                currency: price.currency.code().to_owned(),
            });
        }
        match (prices.has_more, prices.data.last()) {
            (true, Some(last)) => page.starting_after = Some(last.id.clone()),
            _ => break,
        }
    }
    out.sort_by(|a, b| a.product_name.cmp(&b.product_name).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Looks up the catalog prices a draft names, as Stripe has them now.
async fn prices_of(client: &StripeClient, draft: &CheckoutDraft) -> Result<Vec<KnownPrice>, Error> {
    let mut known = Vec::new();
    for (index, item) in draft.items.iter().enumerate() {
        let DraftItem::Price { price_id, .. } = item else {
            continue;
        };
        if known.iter().any(|k: &KnownPrice| k.id == *price_id) {
            continue;
        }
        match client.retrieve_price(price_id).await {
            Ok(price) => known.push(KnownPrice {
                id: price.id.clone(),
                unit_amount: price.unit_amount,
                currency: price.currency.code().to_owned(),
                active: price.active,
                one_time: price.kind == "one_time",
            }),
            Err(StripeError::NotFound { .. }) => {
                return Err(Error::CheckoutRefused {
                    reason: CheckoutProblem::UnknownPrice,
                    item: u32::try_from(index).ok(),
                    detail: format!("line {}: no price {price_id} in this account", index + 1),
                });
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(known)
}

/// Whether the draft's customer exists (cache first, then Stripe).
async fn customer_known(on: On<'_>, draft: &CheckoutDraft) -> Result<bool, Error> {
    let Some(id) = draft
        .customer_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return Ok(true);
    };
    if let Some(found) = customers::get(lock(on.store).conn(), on.account_id, id)? {
        return Ok(!found.deleted);
    }
    match on.client.retrieve_customer(id).await {
        Ok(customer) => Ok(!customer.deleted),
        Err(StripeError::NotFound { .. }) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

fn detail_of(store: &Mutex<Store>, account_id: &str, id: &str) -> Result<CheckoutDetail, Error> {
    super::detail(&lock(store), account_id, id)
}

/// Sends (or sends again) a journaled checkout operation and records what
/// happened.
async fn execute(on: On<'_>, op: &OperationRow, now: i64) -> Result<CheckoutDone, Error> {
    mark_sent(on.store, op, now)?;
    let key = Idempotency::Operation {
        key: op.idempotency_key.clone(),
        operation_id: op.id.clone(),
    };
    let sent: Result<Raw<CheckoutSession>, StripeError> = if op.kind == CREATE {
        match serde_json::from_str::<CheckoutRequest>(&op.params) {
            Ok(request) => {
                on.client
                    .create_checkout_session(&request.to_stripe(), key)
                    .await
            }
            Err(err) => return Err(Error::internal(format!("the journal entry: {err}"))),
        }
    } else {
        on.client.expire_checkout_session(&op.target, key).await
    };
    match sent {
        Ok(session) => {
            // With its lines for the list; best effort, the sync brings them too.
            let full = on
                .client
                .retrieve_checkout_session(&session.id, &["line_items"])
                .await
                .unwrap_or(session);
            write(on.store, |tx| {
                kinds::store_session(tx, &op.account_id, &full)?;
                operations::finish(
                    tx,
                    &op.id,
                    State::Succeeded,
                    now,
                    None,
                    Some(&full.id),
                    None,
                )
            })?;
            Ok(CheckoutDone {
                operation_id: op.id.clone(),
                detail: detail_of(on.store, &op.account_id, &full.id)?,
            })
        }
        Err(err) => Err(record_failure(on.store, op, &err, now)?),
    }
}

fn journal(on: On<'_>, op: &OperationRow) -> Result<(), Error> {
    write(on.store, |tx| operations::insert_pending(tx, op))
}

fn new_row(on: On<'_>, kind: &str, target: &str, actor: Actor, now: i64) -> OperationRow {
    OperationRow {
        id: format!("op_{}", uuid::Uuid::new_v4().simple()),
        account_id: on.account_id.to_owned(),
        kind: kind.to_owned(),
        target: target.to_owned(),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        operator: actor.operator.filter(|o| !o.trim().is_empty()),
        note: actor.note.filter(|n| !n.trim().is_empty()),
        created_at: now,
        ..OperationRow::default()
    }
}

/// Checks a draft, remembers its URLs as the account's defaults, journals
/// the checkout and creates it.
pub async fn create(
    on: On<'_>,
    draft: &CheckoutDraft,
    actor: Actor,
    now: i64,
) -> Result<CheckoutDone, Error> {
    let prices = prices_of(on.client, draft).await?;
    let customer_known = customer_known(on, draft).await?;
    let defaults = checkout_defaults::get(lock(on.store).conn(), on.account_id)?;
    let mut request = draft::check(
        draft,
        Context {
            prices: &prices,
            customer_known,
            defaults: defaults.as_ref(),
        },
    )?;
    // Stripe takes 30 min to 24 h from its own clock, at its receipt: a
    // little inside both edges, so latency or a second of clock skew never
    // turns the form's "30 minutes" or "24 hours" into a refusal.
    request.expires_at = now
        + request.expires_in_seconds.clamp(
            i64::from(draft::MIN_EXPIRY_MINUTES) * 60 + EXPIRY_MARGIN,
            i64::from(draft::MAX_EXPIRY_MINUTES) * 60 - EXPIRY_MARGIN,
        );
    let remembered = checkout_defaults::CheckoutDefaults {
        success_url: request.success_url.clone(),
        cancel_url: request.cancel_url.clone(),
    };
    let mut op = new_row(on, CREATE, "", actor, now);
    op.params = serde_json::to_string(&request).map_err(Error::internal)?;
    op.amount = Some(request.total);
    op.currency = Some(request.currency.clone());
    // The journal entry and the remembered URLs, committed before sending.
    write(on.store, |tx| {
        if defaults.as_ref() != Some(&remembered) {
            checkout_defaults::set(tx, on.account_id, &remembered)?;
        }
        operations::insert_pending(tx, &op)
    })?;
    execute(on, &op, now).await
}

/// Expires an open session: its link stops working.
pub async fn expire(
    on: On<'_>,
    session_id: &str,
    actor: Actor,
    now: i64,
) -> Result<CheckoutDone, Error> {
    let row = checkout_sessions::get(lock(on.store).conn(), on.account_id, session_id)?
        .ok_or_else(|| Error::NotFound {
            id: session_id.to_owned(),
        })?;
    if row.status != "open" || row.expires_at <= now {
        return Err(Error::CheckoutRefused {
            reason: CheckoutProblem::NotOpen,
            item: None,
            detail: format!(
                "{session_id} is {}, not open",
                if row.status == "open" {
                    "expired"
                } else {
                    &row.status
                }
            ),
        });
    }
    let mut op = new_row(on, EXPIRE, session_id, actor, now);
    op.params = "{}".to_owned();
    op.amount = row.amount_total;
    op.currency = row.currency.clone();
    journal(on, &op)?;
    execute(on, &op, now).await
}

/// Sends a checkout operation the user chose to send after a crash left it
/// unsent. A checkout must still have 30 minutes ahead of it.
pub async fn send_pending(on: On<'_>, op: &OperationRow, now: i64) -> Result<CheckoutDone, Error> {
    if op.kind == CREATE {
        let request: CheckoutRequest = serde_json::from_str(&op.params)
            .map_err(|err| Error::internal(format!("the journal entry: {err}")))?;
        if request.expires_at - now < i64::from(draft::MIN_EXPIRY_MINUTES) * 60 {
            return Err(Error::CheckoutRefused {
                reason: CheckoutProblem::ExpiryOutOfRange,
                item: None,
                detail: "this checkout waited too long to be sent: discard it and create it again"
                    .to_owned(),
            });
        }
    }
    execute(on, op, now).await
}

/// Settles a sent checkout operation whose answer was lost (see
/// [`crate::operations::resolve_open`]); returns the state it ends in.
pub async fn resolve(on: On<'_>, op: &OperationRow, now: i64) -> Result<String, Error> {
    if now - op.sent_at.unwrap_or(op.created_at) < IDEMPOTENCY_WINDOW {
        return match execute(on, op, now).await {
            Ok(_) => Ok("succeeded".to_owned()),
            // Not finding it proves nothing inside the window: the first
            // request may still be running. It stays unknown, safe to send
            // again with its key.
            Err(Error::OutcomeUnknown { .. }) => settle_by_lookup(on, op, now, false).await,
            Err(_) => Ok("failed".to_owned()),
        };
    }
    settle_by_lookup(on, op, now, true).await
}

/// Did it happen? A created session carries the operation id in its
/// metadata; an expired one is no longer open.
async fn settle_by_lookup(
    on: On<'_>,
    op: &OperationRow,
    now: i64,
    absent_is_final: bool,
) -> Result<String, Error> {
    let found: Option<Raw<CheckoutSession>> = if op.kind == CREATE {
        let list = ListCheckoutSessions {
            // Sent any time up to now (a pending one at the user's word, an
            // unknown one again at start-up): from its journaling to now.
            created: Some(CreatedRange::between(op.created_at - 300, now + 300)),
            ..ListCheckoutSessions::default()
        };
        let mut page = Page::first(100);
        loop {
            let sessions = on.client.list_checkout_sessions(&list, &page).await?;
            let found = sessions
                .data
                .iter()
                .find(|s| {
                    s.metadata
                        .as_ref()
                        .and_then(|m| m.get(OPERATION_METADATA_KEY))
                        .is_some_and(|id| *id == op.id)
                })
                .cloned();
            match (found.is_none() && sessions.has_more, sessions.data.last()) {
                (true, Some(last)) => page.starting_after = Some(last.id.clone()),
                _ => break found,
            }
        }
    } else {
        let session = on.client.retrieve_checkout_session(&op.target, &[]).await?;
        (session.status.as_deref() == Some("expired")).then_some(session)
    };
    let state = match (&found, absent_is_final) {
        (Some(_), _) => State::Succeeded,
        (None, true) => State::Failed,
        (None, false) => State::Unknown,
    };
    write(on.store, |tx| {
        if let Some(session) = &found {
            kinds::store_session(tx, &op.account_id, session)?;
        }
        operations::finish(
            tx,
            &op.id,
            state,
            now,
            None,
            found.as_ref().map(|s| s.id.as_str()),
            match state {
                State::Failed => Some(NOT_FOUND_FINAL),
                State::Unknown => Some(NOT_FOUND_YET),
                _ => None,
            },
        )
    })?;
    Ok(state.as_str().to_owned())
}

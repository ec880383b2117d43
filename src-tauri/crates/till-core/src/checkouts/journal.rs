//! Creating and expiring checkouts: two [`Movement`]s of the journal
//! engine, with the guarantees of captures and refunds (checked, written
//! and committed with an idempotency key before sending, resent with the
//! same key, settled by looking at Stripe after the key's 24 hours).

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::table::operations::{Kind, OperationRow};
use till_store::table::{checkout_defaults, checkout_sessions, customers};
use till_store::{Store, StoreError};
use till_stripe::models::{CheckoutSession, Raw};
use till_stripe::requests::{CreatedRange, ListCheckoutSessions, ListPrices};
use till_stripe::{Idempotency, OPERATION_METADATA_KEY, Page, StripeClient, StripeError};

use super::draft::{self, CheckoutDraft, CheckoutRequest, Context, DraftItem, KnownPrice};
use super::{CatalogPrice, CheckoutDetail};
use crate::Error;
use crate::error::CheckoutProblem;
use crate::journal::{self, Entry, Lookup, Movement, On, Verdict, lock};
use crate::operations::Actor;
use crate::sync::kinds;

/// Seconds kept inside Stripe's expiry bounds.
const EXPIRY_MARGIN: i64 = 120;

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

/// A created or expired session, read again with its lines for the list;
/// best effort, the sync brings them too.
async fn with_lines(client: &StripeClient, session: Raw<CheckoutSession>) -> Raw<CheckoutSession> {
    client
        .retrieve_checkout_session(&session.id, &["line_items"])
        .await
        .unwrap_or(session)
}

/// What both checkout movements store, name and answer: the session.
impl journal::Answer for Raw<CheckoutSession> {
    type Done = CheckoutDone;

    fn store(&self, tx: &rusqlite::Connection, account_id: &str) -> Result<(), StoreError> {
        kinds::store_session(tx, account_id, self)
    }

    fn result_id(&self, _op: &OperationRow) -> String {
        self.id.clone()
    }

    fn done(&self, store: &Mutex<Store>, op: &OperationRow) -> Result<CheckoutDone, Error> {
        Ok(CheckoutDone {
            operation_id: op.id.clone(),
            detail: detail_of(store, &op.account_id, &self.id)?,
        })
    }
}

/// Creates a checkout session from a checked draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct CreateCheckout(CheckoutRequest);

impl Movement for CreateCheckout {
    const KIND: Kind = Kind::CreateCheckout;
    type Answer = Raw<CheckoutSession>;

    /// A checkout must still have 30 minutes ahead of it when it is sent
    /// (it may have waited, pending, since a crash).
    fn check(&self, _on: On<'_>, _target: &str, now: i64) -> Result<Entry, Error> {
        if self.0.expires_at - now < i64::from(draft::MIN_EXPIRY_MINUTES) * 60 {
            return Err(Error::CheckoutRefused {
                reason: CheckoutProblem::ExpiryOutOfRange,
                item: None,
                detail: "this checkout waited too long to be sent: discard it and create it again"
                    .to_owned(),
            });
        }
        Ok(Entry {
            target: String::new(),
            amount: Some(self.0.total),
            currency: Some(self.0.currency.clone()),
        })
    }

    /// The URLs it uses become the account's defaults, with the entry.
    fn journal_also(&self, tx: &rusqlite::Connection, account_id: &str) -> Result<(), StoreError> {
        let remembered = checkout_defaults::CheckoutDefaults {
            success_url: self.0.success_url.clone(),
            cancel_url: self.0.cancel_url.clone(),
        };
        if checkout_defaults::get(tx, account_id)?.as_ref() != Some(&remembered) {
            checkout_defaults::set(tx, account_id, &remembered)?;
        }
        Ok(())
    }

    async fn send(
        &self,
        client: &StripeClient,
        _op: &OperationRow,
        key: Idempotency,
    ) -> Result<Raw<CheckoutSession>, StripeError> {
        let session = client
            .create_checkout_session(&self.0.to_stripe(), key)
            .await?;
        Ok(with_lines(client, session).await)
    }

    /// A created session carries the operation id in its metadata. It was
    /// sent any time from its journaling to now (a pending one at the
    /// user's word, an unknown one again at start-up).
    async fn find(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        now: i64,
    ) -> Result<Lookup<Raw<CheckoutSession>>, StripeError> {
        let from = op.created_at - 300;
        let mut list = ListCheckoutSessions {
            created: Some(CreatedRange::between(from, now + 300)),
            ..ListCheckoutSessions::default()
        };
        let mut page = Page::first(100);
        let found = loop {
            let sessions = match client.list_checkout_sessions(&list, &page).await {
                // A server (or API version) without the date filter: newest
                // first without it, down to the movement's time.
                Err(StripeError::InvalidRequest { .. }) if list.created.is_some() => {
                    list.created = None;
                    page = Page::first(100);
                    continue;
                }
                other => other?,
            };
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
            let older = sessions.data.last().is_some_and(|s| s.created < from);
            match (
                found.is_none() && sessions.has_more && !older,
                sessions.data.last(),
            ) {
                (true, Some(last)) => page.starting_after = Some(last.id.clone()),
                _ => break found,
            }
        };
        let verdict = match &found {
            Some(session) => Verdict::Happened {
                result_id: session.id.clone(),
            },
            None => Verdict::NotFound,
        };
        Ok(Lookup {
            seen: found,
            verdict,
        })
    }
}

/// Expires an open session: its link stops working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ExpireCheckout {}

impl Movement for ExpireCheckout {
    const KIND: Kind = Kind::ExpireCheckout;
    type Answer = Raw<CheckoutSession>;

    fn check(&self, on: On<'_>, target: &str, now: i64) -> Result<Entry, Error> {
        let row = checkout_sessions::get(lock(on.store).conn(), on.account_id, target)?
            .ok_or_else(|| Error::NotFound {
                id: target.to_owned(),
            })?;
        if row.status != "open" || row.expires_at <= now {
            return Err(Error::CheckoutRefused {
                reason: CheckoutProblem::NotOpen,
                item: None,
                detail: format!(
                    "{target} is {}, not open",
                    if row.status == "open" {
                        "expired"
                    } else {
                        &row.status
                    }
                ),
            });
        }
        Ok(Entry {
            target: target.to_owned(),
            amount: row.amount_total,
            currency: row.currency.clone(),
        })
    }

    async fn send(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        key: Idempotency,
    ) -> Result<Raw<CheckoutSession>, StripeError> {
        let session = client.expire_checkout_session(&op.target, key).await?;
        Ok(with_lines(client, session).await)
    }

    /// An expired session is no longer open.
    async fn find(
        &self,
        client: &StripeClient,
        op: &OperationRow,
        _now: i64,
    ) -> Result<Lookup<Raw<CheckoutSession>>, StripeError> {
        let session = client.retrieve_checkout_session(&op.target, &[]).await?;
        let verdict = if session.status.as_deref() == Some("expired") {
            Verdict::Happened {
                result_id: session.id.clone(),
            }
        } else {
            Verdict::NotFound
        };
        Ok(Lookup {
            seen: Some(session),
            verdict,
        })
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
    journal::perform(on, "", CreateCheckout(request), actor, now).await
}

/// Expires an open session: its link stops working.
pub async fn expire(
    on: On<'_>,
    session_id: &str,
    actor: Actor,
    now: i64,
) -> Result<CheckoutDone, Error> {
    journal::perform(on, session_id, ExpireCheckout {}, actor, now).await
}

//! New checkouts (hosted payment pages) and the Checkouts section: the
//! form's checks ([`draft`]), creating and expiring through the journal
//! ([`journal`]), and the cached sessions as the UI lists them.

pub mod draft;
pub mod journal;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use specta::Type;
use till_store::Store;
use till_store::table::checkout_sessions::{self, LineItemRow, SessionRow};
use till_stripe::OPERATION_METADATA_KEY;

pub use draft::{CheckoutDraft, DraftItem, MetadataEntry};

use crate::Error;

/// One line of a session, as sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutLine {
    pub description: String,
    pub quantity: i64,
    /// Per unit, in the smallest unit of `currency`.
    pub unit_amount: i64,
    pub amount_total: i64,
    pub currency: String,
    pub price_id: Option<String>,
}

/// A session as the Checkouts section shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSummary {
    pub id: String,
    /// `open`, `complete` or `expired`.
    pub status: String,
    /// `unpaid`, `paid` or `no_payment_required`.
    pub payment_status: String,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub created: i64,
    pub expires_at: i64,
    pub customer_id: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference: Option<String>,
    /// The payment it made, once paid (or held).
    pub payment_id: Option<String>,
    /// The payment's own status (`succeeded`, `requires_capture`…).
    pub payment_state: Option<String>,
    /// The hosted page, while it is open.
    pub url: Option<String>,
    pub lines: Vec<CheckoutLine>,
}

/// A session and, while it is open, its link as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutDetail {
    pub checkout: CheckoutSummary,
    pub qr_svg: Option<String>,
}

/// A price of the account's catalog, for the form's picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CatalogPrice {
    pub id: String,
    pub product_name: String,
    pub nickname: Option<String>,
    pub unit_amount: i64,
    pub currency: String,
}

/// The account's checkout settings, for Settings and the form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSettings {
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
}

fn line(row: &LineItemRow) -> CheckoutLine {
    let quantity = row.quantity.unwrap_or(1).max(1);
    CheckoutLine {
        description: row.description.clone().unwrap_or_default(),
        quantity,
        unit_amount: row.amount_subtotal / quantity,
        amount_total: row.amount_total,
        currency: row.currency.clone(),
        price_id: row.price_id.clone(),
    }
}

fn summary(store: &Store, account_id: &str, row: SessionRow) -> Result<CheckoutSummary, Error> {
    let conn = store.conn();
    let lines = checkout_sessions::line_items(conn, account_id, &row.id)?
        .iter()
        .map(line)
        .collect();
    let payment_state = match &row.payment_intent {
        Some(id) => {
            till_store::table::payment_intents::get(conn, account_id, id)?.map(|p| p.status)
        }
        None => None,
    };
    Ok(CheckoutSummary {
        url: row.url.filter(|_| row.status == "open"),
        id: row.id,
        status: row.status,
        payment_status: row.payment_status,
        amount_total: row.amount_total,
        currency: row.currency,
        created: row.created,
        expires_at: row.expires_at,
        customer_id: row.customer_id,
        customer_email: row.customer_email,
        client_reference: row.client_reference_id,
        payment_id: row.payment_intent,
        payment_state,
        lines,
    })
}

/// Which sessions the section lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CheckoutFilter {
    All,
    Open,
    Complete,
    Expired,
}

/// The section's list: the newest checkouts that match, and how many do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutList {
    pub rows: Vec<CheckoutSummary>,
    /// How many checkouts match, in all (not only those listed).
    pub total: u32,
}

/// Newest first, at most `limit`, of one status or all, whose id, email,
/// reference, payment or a line's name holds every word of `search` (any
/// case). Every cached checkout is searched, not only those listed.
pub fn list(
    store: &Store,
    account_id: &str,
    filter: CheckoutFilter,
    search: &str,
    limit: usize,
) -> Result<CheckoutList, Error> {
    let status = match filter {
        CheckoutFilter::All => None,
        CheckoutFilter::Open => Some("open"),
        CheckoutFilter::Complete => Some("complete"),
        CheckoutFilter::Expired => Some("expired"),
    };
    let search = checkout_sessions::Search {
        status: status.map(str::to_owned),
        text: search.to_owned(),
    };
    let (rows, total) =
        checkout_sessions::search(store.conn(), account_id, &search, limit.clamp(1, 500))?;
    Ok(CheckoutList {
        rows: rows
            .into_iter()
            .map(|row| summary(store, account_id, row))
            .collect::<Result<_, _>>()?,
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

pub fn detail(store: &Store, account_id: &str, id: &str) -> Result<CheckoutDetail, Error> {
    let row = checkout_sessions::get(store.conn(), account_id, id)?
        .ok_or_else(|| Error::NotFound { id: id.to_owned() })?;
    let checkout = summary(store, account_id, row)?;
    let qr_svg = match &checkout.url {
        Some(url) => Some(crate::qr::svg(url)?),
        None => None,
    };
    Ok(CheckoutDetail { checkout, qr_svg })
}

/// A past session as a new draft: the same lines (catalog prices stay
/// catalog prices), customer, reference, metadata and options.
pub fn duplicate(
    store: &Store,
    account_id: &str,
    id: &str,
    catalog: &[CatalogPrice],
) -> Result<CheckoutDraft, Error> {
    let conn = store.conn();
    let row = checkout_sessions::get(conn, account_id, id)?
        .ok_or_else(|| Error::NotFound { id: id.to_owned() })?;
    let raw: serde_json::Value = serde_json::from_str(&row.raw).unwrap_or_default();
    let items = checkout_sessions::line_items(conn, account_id, id)?
        .iter()
        .map(|item| {
            let line = line(item);
            let quantity = u32::try_from(line.quantity).unwrap_or(1);
            match line
                .price_id
                .as_ref()
                .filter(|p| catalog.iter().any(|c| c.id == **p))
            {
                Some(price_id) => DraftItem::Price {
                    price_id: price_id.clone(),
                    quantity,
                },
                None => DraftItem::Adhoc {
                    name: line.description.clone(),
                    unit_amount: line.unit_amount,
                    currency: line.currency,
                    quantity,
                },
            }
        })
        .collect();
    let metadata = raw["metadata"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != OPERATION_METADATA_KEY)
                .map(|(k, v)| MetadataEntry {
                    key: k.clone(),
                    value: v.as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let minutes = u32::try_from((row.expires_at - row.created) / 60).unwrap_or(0);
    Ok(CheckoutDraft {
        items,
        customer_id: row.customer_id,
        customer_email: raw["customer_email"].as_str().map(str::to_owned),
        client_reference: row.client_reference_id,
        metadata,
        allow_promotion_codes: raw["allow_promotion_codes"].as_bool().unwrap_or(false),
        collect_billing_address: raw["billing_address_collection"].as_str() == Some("required"),
        collect_phone: raw["phone_number_collection"]["enabled"]
            .as_bool()
            .unwrap_or(false),
        manual_capture: false,
        expires_in_minutes: minutes.clamp(draft::MIN_EXPIRY_MINUTES, draft::MAX_EXPIRY_MINUTES),
        success_url: None,
        cancel_url: None,
    })
}

pub fn settings(store: &Store, account_id: &str) -> Result<CheckoutSettings, Error> {
    let found = till_store::table::checkout_defaults::get(store.conn(), account_id)?;
    Ok(CheckoutSettings {
        success_url: found.as_ref().map(|d| d.success_url.clone()),
        cancel_url: found.and_then(|d| d.cancel_url),
    })
}

/// Saves the account's URLs; a success URL is required, as Stripe requires it.
pub fn save_settings(
    store: &Store,
    account_id: &str,
    settings: &CheckoutSettings,
) -> Result<(), Error> {
    let success_url = settings
        .success_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Error::CheckoutRefused {
            reason: crate::error::CheckoutProblem::SuccessUrlMissing,
            item: None,
            detail: "a success URL is required".to_owned(),
        })?;
    let defaults = till_store::table::checkout_defaults::CheckoutDefaults {
        success_url: draft::check_url(success_url, "the success")?,
        cancel_url: match settings.cancel_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => Some(draft::check_url(url, "the cancel")?),
            _ => None,
        },
    };
    till_store::table::checkout_defaults::set(store.conn(), account_id, &defaults)?;
    Ok(())
}

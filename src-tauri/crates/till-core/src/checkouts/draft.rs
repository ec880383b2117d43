//! A checkout as the owner fills it in, checked into the request Till
//! journals and sends. Everything Stripe would refuse for a reason Till can
//! see is refused here, with the line at fault, before anything is written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use specta::Type;
use till_stripe::models::Metadata;
use till_stripe::requests::{CreateCheckoutSession, LineItemInput};
use till_stripe::{Currency, Money, MoneyError, OPERATION_METADATA_KEY};

use crate::Error;
use crate::error::CheckoutProblem;

/// Stripe's bounds on a session's `expires_at`, from creation.
pub const MIN_EXPIRY_MINUTES: u32 = 30;
pub const MAX_EXPIRY_MINUTES: u32 = 24 * 60;
const MAX_ITEMS: usize = 100;

/// One line of a new checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum DraftItem {
    /// Typed in for this checkout: a name and a unit price in minor units
    /// of `currency` (1250 for €12.50; 1200 for ¥1,200), parsed where it
    /// was typed.
    Adhoc {
        name: String,
        unit_amount: i64,
        currency: String,
        quantity: u32,
    },
    /// A price from the account's catalog.
    Price { price_id: String, quantity: u32 },
}

pub use crate::payment_detail::MetadataEntry;

/// A new checkout as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutDraft {
    pub items: Vec<DraftItem>,
    /// An existing customer (`cus_…`), or none.
    pub customer_id: Option<String>,
    /// Prefills the payment page when there is no customer.
    pub customer_email: Option<String>,
    /// The owner's own reference (an order number), kept on the session.
    pub client_reference: Option<String>,
    pub metadata: Vec<MetadataEntry>,
    pub allow_promotion_codes: bool,
    pub collect_billing_address: bool,
    pub collect_phone: bool,
    /// The payment becomes a hold, captured later from Holds.
    pub manual_capture: bool,
    pub expires_in_minutes: u32,
    /// When given, these become the account's defaults; when not, the
    /// defaults are used.
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
}

/// A catalog price as checking needs it (fetched from Stripe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPrice {
    pub id: String,
    pub unit_amount: Option<i64>,
    pub currency: String,
    pub active: bool,
    pub one_time: bool,
}

/// The checked request, as kept in the journal: enough to send it again
/// with the same key and to explain it in the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    pub items: Vec<RequestItem>,
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub expires_in_seconds: i64,
    /// Unix time; set when the request is sent the first time.
    pub expires_at: i64,
    pub allow_promotion_codes: bool,
    pub require_billing_address: bool,
    pub collect_phone: bool,
    pub manual_capture: bool,
    pub total: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestItem {
    Price {
        price: String,
        quantity: i64,
    },
    Adhoc {
        name: String,
        unit_amount: i64,
        currency: String,
        quantity: i64,
    },
}

impl CheckoutRequest {
    pub fn to_stripe(&self) -> CreateCheckoutSession {
        let metadata: Metadata = self.metadata.clone().into_iter().collect();
        CreateCheckoutSession {
            line_items: self
                .items
                .iter()
                .map(|item| match item {
                    RequestItem::Price { price, quantity } => LineItemInput::Price {
                        price: price.clone(),
                        quantity: *quantity,
                    },
                    RequestItem::Adhoc {
                        name,
                        unit_amount,
                        currency,
                        quantity,
                    } => LineItemInput::Adhoc {
                        name: name.clone(),
                        unit_amount: *unit_amount,
                        currency: Currency::new(currency),
                        quantity: *quantity,
                    },
                })
                .collect(),
            customer: self.customer.clone(),
            customer_email: self.customer_email.clone(),
            client_reference_id: self.client_reference_id.clone(),
            metadata,
            success_url: self.success_url.clone(),
            cancel_url: self.cancel_url.clone(),
            expires_at: Some(self.expires_at),
            allow_promotion_codes: self.allow_promotion_codes,
            require_billing_address: self.require_billing_address,
            collect_phone: self.collect_phone,
            manual_capture: self.manual_capture,
        }
    }
}

fn refused(reason: CheckoutProblem, item: Option<usize>, detail: impl Into<String>) -> Error {
    Error::CheckoutRefused {
        reason,
        item: item.and_then(|i| u32::try_from(i).ok()),
        detail: detail.into(),
    }
}

fn trimmed(text: Option<&String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// An absolute http(s) URL with a host, as Stripe requires. Stripe's
/// `{CHECKOUT_SESSION_ID}` template is allowed.
pub fn check_url(text: &str, which: &str) -> Result<String, Error> {
    let text = text.trim();
    let parsed = url::Url::parse(text).map_err(|err| {
        refused(
            CheckoutProblem::MalformedUrl,
            None,
            format!("{which} URL: {err}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(refused(
            CheckoutProblem::MalformedUrl,
            None,
            format!("{which} URL must start with https:// (or http://) and name a site"),
        ));
    }
    Ok(text.to_owned())
}

fn check_email(text: &str) -> Result<String, Error> {
    let text = text.trim();
    let ok = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(text.to_owned())
    } else {
        Err(refused(
            CheckoutProblem::MalformedEmail,
            None,
            format!("{text} is not an email address"),
        ))
    }
}

fn price_problem(err: &MoneyError) -> CheckoutProblem {
    match err {
        MoneyError::NotPositive => CheckoutProblem::PriceNotPositive,
        _ => CheckoutProblem::PriceInvalid,
    }
}

fn check_metadata(entries: &[MetadataEntry]) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    for entry in entries {
        let key = entry.key.trim();
        if key.is_empty() && entry.value.trim().is_empty() {
            continue; // An empty row the form keeps for typing.
        }
        let problem = if key.is_empty() {
            Some("a metadata value needs a key".to_owned())
        } else if key.chars().count() > 40 {
            Some(format!(
                "the metadata key {key} is longer than 40 characters"
            ))
        } else if entry.value.chars().count() > 500 {
            Some(format!("the value of {key} is longer than 500 characters"))
        } else if key == OPERATION_METADATA_KEY {
            Some(format!("{key} is Till's own key"))
        } else if out.contains_key(key) {
            Some(format!("{key} is there twice"))
        } else {
            None
        };
        if let Some(detail) = problem {
            return Err(refused(CheckoutProblem::MetadataInvalid, None, detail));
        }
        out.insert(key.to_owned(), entry.value.trim().to_owned());
    }
    // One key is Till's (the operation id).
    if out.len() > 49 {
        return Err(refused(
            CheckoutProblem::MetadataInvalid,
            None,
            "at most 49 metadata keys",
        ));
    }
    Ok(out)
}

/// Checks one line; returns it as sent, its total and currency.
fn check_item(
    index: usize,
    item: &DraftItem,
    prices: &[KnownPrice],
) -> Result<(RequestItem, i64, String), Error> {
    let at = Some(index);
    let quantity = match item {
        DraftItem::Adhoc { quantity, .. } | DraftItem::Price { quantity, .. } => *quantity,
    };
    if quantity == 0 {
        return Err(refused(
            CheckoutProblem::QuantityNotPositive,
            at,
            format!("line {}: the quantity must be at least 1", index + 1),
        ));
    }
    let quantity = i64::from(quantity);
    match item {
        DraftItem::Adhoc {
            name,
            unit_amount,
            currency,
            ..
        } => {
            let name = name.trim();
            if name.is_empty() {
                return Err(refused(
                    CheckoutProblem::ItemUnnamed,
                    at,
                    format!("line {} needs a name", index + 1),
                ));
            }
            let code = currency.trim().to_ascii_lowercase();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(refused(
                    CheckoutProblem::UnknownCurrency,
                    at,
                    format!("{currency} is not a currency code"),
                ));
            }
            let money = Money::new(*unit_amount, Currency::new(&code));
            let money = money.check_chargeable().map(|()| money).map_err(|err| {
                refused(
                    price_problem(&err),
                    at,
                    format!("line {} ({name}): {err}", index + 1),
                )
            })?;
            Ok((
                RequestItem::Adhoc {
                    name: name.to_owned(),
                    unit_amount: money.amount,
                    currency: code.clone(),
                    quantity,
                },
                money.amount.saturating_mul(quantity),
                code,
            ))
        }
        DraftItem::Price { price_id, .. } => {
            let known = prices
                .iter()
                .find(|p| p.id == *price_id)
                .filter(|p| p.active && p.one_time);
            let Some((known, unit)) = known.and_then(|p| Some((p, p.unit_amount?))) else {
                return Err(refused(
                    CheckoutProblem::UnknownPrice,
                    at,
                    format!(
                        "line {}: {price_id} is not an active one-time price of this account",
                        index + 1
                    ),
                ));
            };
            if unit <= 0 {
                return Err(refused(
                    CheckoutProblem::PriceNotPositive,
                    at,
                    format!("line {}: {price_id} has no positive price", index + 1),
                ));
            }
            Ok((
                RequestItem::Price {
                    price: known.id.clone(),
                    quantity,
                },
                unit.saturating_mul(quantity),
                known.currency.to_ascii_lowercase(),
            ))
        }
    }
}

/// What checking needs besides the draft.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The catalog prices the draft names, as Stripe has them.
    pub prices: &'a [KnownPrice],
    /// Whether the draft's customer exists in the account.
    pub customer_known: bool,
    pub defaults: Option<&'a till_store::table::checkout_defaults::CheckoutDefaults>,
}

/// Checks a draft into the request to send. `expires_at` is left 0: it is
/// set from the clock when the request is sent the first time.
pub fn check(draft: &CheckoutDraft, context: Context<'_>) -> Result<CheckoutRequest, Error> {
    if draft.items.is_empty() {
        return Err(refused(
            CheckoutProblem::NoItems,
            None,
            "add at least one line to sell",
        ));
    }
    if draft.items.len() > MAX_ITEMS {
        return Err(refused(
            CheckoutProblem::TooManyItems,
            None,
            format!("a checkout takes at most {MAX_ITEMS} lines"),
        ));
    }
    let mut items = Vec::with_capacity(draft.items.len());
    let mut total: i64 = 0;
    let mut currency: Option<String> = None;
    for (index, item) in draft.items.iter().enumerate() {
        let (request, line_total, line_currency) = check_item(index, item, context.prices)?;
        match &currency {
            Some(first) if *first != line_currency => {
                return Err(refused(
                    CheckoutProblem::MixedCurrencies,
                    Some(index),
                    format!(
                        "line {} is in {}, the others in {}: one checkout is paid in one currency",
                        index + 1,
                        line_currency.to_ascii_uppercase(),
                        first.to_ascii_uppercase()
                    ),
                ));
            }
            Some(_) => {}
            None => currency = Some(line_currency),
        }
        total = total.saturating_add(line_total);
        items.push(request);
    }
    let currency = currency.unwrap_or_default();
    Money::new(total, Currency::new(&currency))
        .check_chargeable()
        .map_err(|err| {
            refused(
                CheckoutProblem::TotalTooLarge,
                None,
                format!("the total: {err}"),
            )
        })?;
    if !(MIN_EXPIRY_MINUTES..=MAX_EXPIRY_MINUTES).contains(&draft.expires_in_minutes) {
        return Err(refused(
            CheckoutProblem::ExpiryOutOfRange,
            None,
            format!(
                "a checkout stays open between 30 minutes and 24 hours, not {} minutes",
                draft.expires_in_minutes
            ),
        ));
    }
    let customer = trimmed(draft.customer_id.as_ref());
    if customer.is_some() && !context.customer_known {
        return Err(refused(
            CheckoutProblem::UnknownCustomer,
            None,
            format!(
                "no customer {} in this account",
                customer.unwrap_or_default()
            ),
        ));
    }
    // Stripe takes one or the other: the customer's own email wins.
    let customer_email = match (&customer, trimmed(draft.customer_email.as_ref())) {
        (None, Some(email)) => Some(check_email(&email)?),
        _ => None,
    };
    let success_url = match (trimmed(draft.success_url.as_ref()), context.defaults) {
        (Some(url), _) => check_url(&url, "the success")?,
        (None, Some(defaults)) => defaults.success_url.clone(),
        (None, None) => {
            return Err(refused(
                CheckoutProblem::SuccessUrlMissing,
                None,
                "where should the customer land after paying? Give a success URL once; Till remembers it",
            ));
        }
    };
    let cancel_url = match trimmed(draft.cancel_url.as_ref()) {
        Some(url) => Some(check_url(&url, "the cancel")?),
        None if trimmed(draft.success_url.as_ref()).is_some() => None,
        None => context.defaults.and_then(|d| d.cancel_url.clone()),
    };
    Ok(CheckoutRequest {
        items,
        customer,
        customer_email,
        client_reference_id: trimmed(draft.client_reference.as_ref()),
        metadata: check_metadata(&draft.metadata)?,
        success_url,
        cancel_url,
        expires_in_seconds: i64::from(draft.expires_in_minutes) * 60,
        expires_at: 0,
        allow_promotion_codes: draft.allow_promotion_codes,
        require_billing_address: draft.collect_billing_address,
        collect_phone: draft.collect_phone,
        manual_capture: draft.manual_capture,
        total,
        currency,
    })
}

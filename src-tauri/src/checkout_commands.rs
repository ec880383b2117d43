//! The Checkouts section's commands, each one call into `till-core`.

use std::sync::Arc;

use till_core::Error;
use till_core::checkouts::journal::CheckoutDone;
use till_core::checkouts::{
    CatalogPrice, CheckoutDetail, CheckoutDraft, CheckoutFilter, CheckoutList, CheckoutSettings,
};
use till_core::operations::Actor;

use crate::commands::{Core, blocking};

/// The account's active one-time prices, to sell from.
#[tauri::command]
#[specta::specta]
pub async fn checkout_catalog(
    till: Core<'_>,
    account_id: String,
) -> Result<Vec<CatalogPrice>, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move { till.checkout_catalog(&account_id).await })
        .await
        .map_err(Error::internal)?
}

/// Checks, journals and creates a hosted checkout; returns its link and QR code.
#[tauri::command]
#[specta::specta]
pub async fn create_checkout(
    till: Core<'_>,
    account_id: String,
    draft: CheckoutDraft,
    actor: Actor,
) -> Result<CheckoutDone, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(
        async move { till.create_checkout(&account_id, &draft, actor).await },
    )
    .await
    .map_err(Error::internal)?
}

/// Expires an open checkout through the journal: its link stops working.
#[tauri::command]
#[specta::specta]
pub async fn expire_checkout(
    till: Core<'_>,
    account_id: String,
    checkout_id: String,
    actor: Actor,
) -> Result<CheckoutDone, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move {
        till.expire_checkout(&account_id, &checkout_id, actor).await
    })
    .await
    .map_err(Error::internal)?
}

/// The newest checkouts of a status (or all) whose id, email, reference,
/// payment or a line's name holds every word of `search`, and how many.
#[tauri::command]
#[specta::specta]
pub async fn list_checkouts(
    till: Core<'_>,
    account_id: String,
    filter: CheckoutFilter,
    search: String,
    limit: u32,
) -> Result<CheckoutList, Error> {
    blocking(&till, move |till| {
        let limit = usize::try_from(limit).unwrap_or(100);
        till.checkouts(&account_id, filter, &search, limit)
    })
    .await?
}

#[tauri::command]
#[specta::specta]
pub async fn checkout_detail(
    till: Core<'_>,
    account_id: String,
    checkout_id: String,
) -> Result<CheckoutDetail, Error> {
    blocking(&till, move |till| {
        till.checkout_detail(&account_id, &checkout_id)
    })
    .await?
}

/// A past checkout as a new draft for the form.
#[tauri::command]
#[specta::specta]
pub async fn duplicate_checkout(
    till: Core<'_>,
    account_id: String,
    checkout_id: String,
) -> Result<CheckoutDraft, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(
        async move { till.duplicate_checkout(&account_id, &checkout_id).await },
    )
    .await
    .map_err(Error::internal)?
}

#[tauri::command]
#[specta::specta]
pub async fn checkout_settings(
    till: Core<'_>,
    account_id: String,
) -> Result<CheckoutSettings, Error> {
    blocking(&till, move |till| till.checkout_settings(&account_id)).await?
}

#[tauri::command]
#[specta::specta]
pub async fn save_checkout_settings(
    till: Core<'_>,
    account_id: String,
    settings: CheckoutSettings,
) -> Result<(), Error> {
    blocking(&till, move |till| {
        till.save_checkout_settings(&account_id, &settings)
    })
    .await?
}

/// While a checkout is on screen the sync polls quickly (for 15 minutes at most).
#[tauri::command]
#[specta::specta]
pub async fn follow_checkouts(
    till: Core<'_>,
    account_id: String,
    following: bool,
) -> Result<(), Error> {
    blocking(&till, move |till| {
        till.follow_checkouts(&account_id, following)
    })
    .await
}

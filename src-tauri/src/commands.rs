//! The IPC surface. Each command is one call into `till-core`; blocking core
//! calls run on Tauri's blocking pool so the UI thread never waits on D-Bus,
//! SQLite or the network.

use std::sync::Arc;

use tauri::State;
use tauri_specta::Event;
use till_core::accounts::Account;
use till_core::payments::{Overview, PageCursor, PaymentPage, PaymentSummary};
use till_core::{AppInfo, Error, Till};

type Core<'a> = State<'a, Arc<Till>>;

/// Runs a blocking core call off the async runtime.
async fn blocking<T: Send + 'static>(
    till: &Arc<Till>,
    call: impl FnOnce(&Till) -> T + Send + 'static,
) -> Result<T, Error> {
    let till = Arc::clone(till);
    tauri::async_runtime::spawn_blocking(move || call(&till))
        .await
        .map_err(Error::internal)
}

/// The app's name, version, data directory, and whether the OS keychain answers.
#[tauri::command]
#[specta::specta]
pub async fn app_info(till: Core<'_>) -> Result<AppInfo, Error> {
    blocking(&till, Till::app_info).await
}

/// The demo (while no real account exists) and every saved account.
#[tauri::command]
#[specta::specta]
pub async fn list_accounts(till: Core<'_>) -> Result<Vec<Account>, Error> {
    blocking(&till, Till::accounts).await?
}

/// Checks a pasted key with Stripe and saves the account. The key goes to
/// the OS keychain and is never sent back.
#[tauri::command]
#[specta::specta]
pub async fn add_account(till: Core<'_>, key: String) -> Result<Account, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move { till.add_account(&key).await })
        .await
        .map_err(Error::internal)?
}

#[tauri::command]
#[specta::specta]
pub async fn rename_account(
    till: Core<'_>,
    account_id: String,
    display_name: String,
) -> Result<(), Error> {
    blocking(&till, move |till| {
        till.rename_account(&account_id, &display_name)
    })
    .await?
}

/// Removes the account and its keychain entry.
#[tauri::command]
#[specta::specta]
pub async fn remove_account(till: Core<'_>, account_id: String) -> Result<(), Error> {
    blocking(&till, move |till| till.remove_account(&account_id)).await?
}

/// Pulls the account's newest payments into the local cache; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn refresh_payments(
    app: tauri::AppHandle,
    till: Core<'_>,
    account_id: String,
) -> Result<u32, Error> {
    let till = Arc::clone(&till);
    let account = account_id.clone();
    let stored = tauri::async_runtime::spawn(async move { till.refresh_payments(&account).await })
        .await
        .map_err(Error::internal)??;
    // Every screen showing this account reloads from the cache.
    if let Err(err) = (crate::events::CacheChanged { account_id, stored }).emit(&app) {
        tracing::warn!(error = %err, "the cache-changed event was not delivered");
    }
    Ok(stored)
}

/// A page of the cached Payments list, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_payments(
    till: Core<'_>,
    account_id: String,
    statuses: Vec<String>,
    after: Option<PageCursor>,
    limit: u32,
) -> Result<PaymentPage, Error> {
    blocking(&till, move |till| {
        till.payments(&account_id, statuses, after, limit)
    })
    .await?
}

/// Full-text search over the cached payments (ids, emails, descriptions, card last four).
#[tauri::command]
#[specta::specta]
pub async fn search_payments(
    till: Core<'_>,
    account_id: String,
    text: String,
) -> Result<Vec<PaymentSummary>, Error> {
    blocking(&till, move |till| till.search_payments(&account_id, &text)).await?
}

/// Today's, this week's and this month's money and the holds about to
/// lapse, from the cache. `periods` are start times in the user's time zone.
#[tauri::command]
#[specta::specta]
pub async fn overview(
    till: Core<'_>,
    account_id: String,
    periods: Vec<i64>,
) -> Result<Overview, Error> {
    blocking(&till, move |till| till.overview(&account_id, &periods)).await?
}

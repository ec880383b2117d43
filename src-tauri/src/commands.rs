//! The IPC surface. Each command is one call into `till-core`; blocking core
//! calls run on Tauri's blocking pool so the UI thread never waits on D-Bus,
//! SQLite or the network.

use std::sync::Arc;

use tauri::State;
use till_core::accounts::Account;
use till_core::journal::{SettledMovement, Unsettled};
use till_core::jump::Jump;
use till_core::operations::{
    Actor, Amount, Done, OperationEntry, RefundWhy, ReleaseReason, Settled,
};
use till_core::overview::Overview;
use till_core::payment_detail::PaymentDetail;
use till_core::payments::{PageCursor, PaymentPage, PaymentQuery, PaymentSummary};
use till_core::refund_list::{RefundCursor, RefundPage, RefundQuery};
use till_core::search::PaymentSearch;
use till_core::{AppInfo, Error, Till};

pub(crate) type Core<'a> = State<'a, Arc<Till>>;

/// Runs a blocking core call off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
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

/// Removes the account and its keychain entry; its cached data too when
/// `forgetData`.
#[tauri::command]
#[specta::specta]
pub async fn remove_account(
    till: Core<'_>,
    account_id: String,
    forget_data: bool,
) -> Result<(), Error> {
    blocking(&till, move |till| {
        till.remove_account(&account_id, forget_data)
    })
    .await?
}

/// Checks a new key for an existing account (same Stripe account) and swaps
/// it in the keychain.
#[tauri::command]
#[specta::specta]
pub async fn replace_account_key(
    till: Core<'_>,
    account_id: String,
    key: String,
) -> Result<Account, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move { till.replace_account_key(&account_id, &key).await })
        .await
        .map_err(Error::internal)?
}

/// Starts keeping an account's cache equal to Stripe (no-op when it already
/// is): progress arrives as `sync-status` events, changes as `cache-changed`.
#[tauri::command]
#[specta::specta]
pub async fn start_sync(
    app: tauri::AppHandle,
    till: Core<'_>,
    account_id: String,
) -> Result<(), Error> {
    till.start_sync(&account_id, Arc::new(crate::events::ToUi(app)))
}

/// Asks Stripe for news now rather than at the next poll.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(till: Core<'_>, account_id: String) -> Result<(), Error> {
    till.sync_now(&account_id);
    Ok(())
}

/// Stops an account's sync; what is cached stays readable.
#[tauri::command]
#[specta::specta]
pub async fn cancel_sync(till: Core<'_>, account_id: String) -> Result<(), Error> {
    till.cancel_sync(&account_id);
    Ok(())
}

/// The window came to the front or went behind: the sync polls accordingly.
#[tauri::command]
#[specta::specta]
pub async fn set_window_focused(till: Core<'_>, focused: bool) -> Result<(), Error> {
    till.set_focused(focused);
    Ok(())
}

/// A page of the cached Payments list, filtered and sorted.
#[tauri::command]
#[specta::specta]
pub async fn list_payments(
    till: Core<'_>,
    account_id: String,
    query: PaymentQuery,
    after: Option<PageCursor>,
    limit: u32,
) -> Result<PaymentPage, Error> {
    blocking(&till, move |till| {
        till.payments(&account_id, query, after, limit)
    })
    .await?
}

/// The currencies among the cached payments, for the currency filter.
#[tauri::command]
#[specta::specta]
pub async fn payment_currencies(till: Core<'_>, account_id: String) -> Result<Vec<String>, Error> {
    blocking(&till, move |till| till.payment_currencies(&account_id)).await?
}

/// The cached payments matching what was typed: any part of their words,
/// the start of an id, or a query in Stripe's search syntax (a half-typed
/// one answers `incomplete`).
#[tauri::command]
#[specta::specta]
pub async fn search_payments(
    till: Core<'_>,
    account_id: String,
    text: String,
) -> Result<PaymentSearch, Error> {
    blocking(&till, move |till| till.search_payments(&account_id, &text)).await?
}

/// One payment in full, for its drawer.
#[tauri::command]
#[specta::specta]
pub async fn payment_detail(
    till: Core<'_>,
    account_id: String,
    payment_id: String,
) -> Result<PaymentDetail, Error> {
    blocking(&till, move |till| {
        till.payment_detail(&account_id, &payment_id)
    })
    .await?
}

/// Ctrl+K: what an id, email, name, amount or query names in the cache.
#[tauri::command]
#[specta::specta]
pub async fn jump(till: Core<'_>, account_id: String, text: String) -> Result<Jump, Error> {
    blocking(&till, move |till| till.jump(&account_id, &text)).await?
}

/// Money in, refunds, net and fees per local day, the balance, and the
/// holds about to lapse. `midnights` are the days' starts in the user's
/// time zone, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn overview(
    till: Core<'_>,
    account_id: String,
    midnights: Vec<i64>,
) -> Result<Overview, Error> {
    blocking(&till, move |till| till.overview(&account_id, &midnights)).await?
}

/// Opens a payment's page in Stripe's Dashboard in the user's browser.
#[tauri::command]
#[specta::specta]
pub async fn open_in_dashboard(
    app: tauri::AppHandle,
    till: Core<'_>,
    account_id: String,
    payment_id: String,
) -> Result<(), Error> {
    use tauri_plugin_opener::OpenerExt;
    let url = blocking(&till, move |till| {
        till.dashboard_url(&account_id, &payment_id)
    })
    .await??;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(Error::internal)
}

/// Every hold, soonest to lapse first (the Holds queue).
#[tauri::command]
#[specta::specta]
pub async fn list_holds(till: Core<'_>, account_id: String) -> Result<Vec<PaymentSummary>, Error> {
    blocking(&till, move |till| till.holds(&account_id)).await?
}

/// Captures all of a hold, or `amount` of it (minor units, in the currency
/// the person saw): the rest is released to the customer. Journaled before
/// it is sent.
#[tauri::command]
#[specta::specta]
pub async fn capture_hold(
    till: Core<'_>,
    account_id: String,
    payment_id: String,
    amount: Option<Amount>,
    actor: Actor,
) -> Result<Done, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move {
        till.capture(&account_id, &payment_id, amount, actor).await
    })
    .await
    .map_err(Error::internal)?
}

/// Releases a hold: no money is taken. Journaled before it is sent.
#[tauri::command]
#[specta::specta]
pub async fn release_hold(
    till: Core<'_>,
    account_id: String,
    payment_id: String,
    reason: Option<ReleaseReason>,
    actor: Actor,
) -> Result<Done, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move {
        till.release(&account_id, &payment_id, reason, actor).await
    })
    .await
    .map_err(Error::internal)?
}

/// Refunds all that is refundable, or `amount` (minor units, in the
/// currency the person saw). Journaled before it is sent.
#[tauri::command]
#[specta::specta]
pub async fn refund_payment(
    till: Core<'_>,
    account_id: String,
    payment_id: String,
    amount: Option<Amount>,
    reason: Option<RefundWhy>,
    actor: Actor,
) -> Result<Done, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move {
        till.refund(&account_id, &payment_id, amount, reason, actor)
            .await
    })
    .await
    .map_err(Error::internal)?
}

/// Settles money movements a crash or a lost answer left open; says how.
#[tauri::command]
#[specta::specta]
pub async fn resolve_operations(till: Core<'_>, account_id: String) -> Result<Vec<Settled>, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move { till.resolve_open_operations(&account_id).await })
        .await
        .map_err(Error::internal)?
}

/// The account's money movements whose outcome is not known yet (Stripe's
/// answer was lost), oldest first.
#[tauri::command]
#[specta::specta]
pub async fn unsettled_movements(
    till: Core<'_>,
    account_id: String,
) -> Result<Vec<Unsettled>, Error> {
    blocking(&till, move |till| till.unsettled_movements(&account_id)).await?
}

/// Asks Stripe now about the movements whose outcome is unknown; returns
/// those settled (each also sent as a `MovementSettled` event).
#[tauri::command]
#[specta::specta]
pub async fn check_movements(
    till: Core<'_>,
    account_id: String,
) -> Result<Vec<SettledMovement>, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move { till.check_movements(&account_id).await })
        .await
        .map_err(Error::internal)?
}

/// The account's journal of money movements, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_operations(
    till: Core<'_>,
    account_id: String,
) -> Result<Vec<OperationEntry>, Error> {
    blocking(&till, move |till| till.operations(&account_id)).await?
}

/// A page of the account's refunds, newest first, by status, date, amount
/// and currency.
#[tauri::command]
#[specta::specta]
pub async fn list_refunds(
    till: Core<'_>,
    account_id: String,
    query: RefundQuery,
    after: Option<RefundCursor>,
    limit: u32,
) -> Result<RefundPage, Error> {
    blocking(&till, move |till| {
        till.refunds(&account_id, query, after, limit)
    })
    .await?
}

/// Writes the account's journal as CSV to the exports folder; returns where.
#[tauri::command]
#[specta::specta]
pub async fn export_journal(till: Core<'_>, account_id: String) -> Result<String, Error> {
    blocking(&till, move |till| till.export_journal(&account_id)).await?
}

/// Sends an action a crash left unsent, once the user says so.
#[tauri::command]
#[specta::specta]
pub async fn send_operation(
    till: Core<'_>,
    account_id: String,
    operation_id: String,
) -> Result<String, Error> {
    let till = Arc::clone(&till);
    tauri::async_runtime::spawn(async move { till.send_pending(&account_id, &operation_id).await })
        .await
        .map_err(Error::internal)?
}

/// Drops an action a crash left unsent, once the user says so.
#[tauri::command]
#[specta::specta]
pub async fn discard_operation(
    till: Core<'_>,
    account_id: String,
    operation_id: String,
) -> Result<(), Error> {
    blocking(&till, move |till| {
        till.discard_operation(&account_id, &operation_id)
    })
    .await?
}

//! The IPC surface. Each command is one call into `till-core`; blocking core
//! calls run on Tauri's blocking pool so the UI thread never waits on D-Bus,
//! SQLite or the network.

use std::sync::Arc;

use tauri::State;
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

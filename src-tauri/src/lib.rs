//! Till's Tauri shell. It owns the window, the plugins and the IPC surface;
//! everything else is in `till-core`.

pub mod bindings;
mod checkout_commands;
mod commands;
pub mod events;
pub mod hold_warnings;
// Checked by its loopback tests; the commands and the About card that use
// it come next (issue 22), so it is compiled with the tests until then.
#[cfg(test)]
pub mod updates;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::Manager;
use till_core::{DataDir, Till};

/// Starts the app. Errors before the window opens are logged and end the
/// process with a failure code; nothing here panics.
pub fn run() -> ExitCode {
    let data_dir = match DataDir::resolve() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("Till cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let _log_guard = match till_core::logging::init(&data_dir) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("Till cannot start its log: {err}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(version = till_core::VERSION, data_dir = %data_dir.root().display(), "Till starting");

    let specta = bindings::builder();
    let till = match Till::open(data_dir) {
        Ok(till) => Arc::new(till),
        Err(err) => {
            tracing::error!(error = %err, "Till cannot open its data");
            eprintln!("Till cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(Arc::clone(&till))
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            till.set_movement_listener(Arc::new(events::MovementsToUi(app.handle().clone())));
            let nudge = hold_warnings::start(app.handle(), till);
            app.manage(nudge);
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "Till stopped with an error");
            ExitCode::FAILURE
        }
    }
}

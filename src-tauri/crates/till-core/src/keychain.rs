//! The OS keychain: the only place a Stripe key is ever stored.

use serde::Serialize;
use specta::Type;

use crate::APP_IDENTIFIER;

/// Whether the OS keychain answers. Shown on the About card and checked before
/// an account is added: without a keychain Till refuses to store a key, it
/// never falls back to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum KeychainStatus {
    Available,
    Unavailable { detail: String, fix: String },
}

/// What to tell a user whose keychain does not answer, per platform.
pub fn fix_hint() -> String {
    if cfg!(target_os = "linux") {
        "Start a Secret Service provider and unlock it: install and log in to \
         GNOME Keyring (package gnome-keyring) or KWallet, then restart Till."
            .to_owned()
    } else if cfg!(target_os = "macos") {
        "Unlock your login keychain in Keychain Access, then try again.".to_owned()
    } else {
        "Make sure Windows Credential Manager is running, then try again.".to_owned()
    }
}

/// Asks the keychain for an entry that never exists. "No such entry" proves
/// the keychain answered; nothing is written, so no unlock prompt appears.
/// Blocking: it talks to D-Bus on Linux. Call it off the UI thread.
pub fn probe() -> KeychainStatus {
    let answer = keyring::Entry::new(APP_IDENTIFIER, "till-keychain-probe")
        .and_then(|entry| entry.get_password().map(|_| ()));
    match answer {
        Ok(()) | Err(keyring::Error::NoEntry) => KeychainStatus::Available,
        Err(err) => {
            tracing::warn!(error = %err, "the OS keychain did not answer");
            KeychainStatus::Unavailable {
                detail: err.to_string(),
                fix: fix_hint(),
            }
        }
    }
}

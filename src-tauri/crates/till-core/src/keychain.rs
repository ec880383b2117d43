//! The OS keychain: the only place a Stripe key is ever stored.

use serde::Serialize;
use specta::Type;

use crate::STORAGE_NAMESPACE;

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
    let answer = keyring::Entry::new(STORAGE_NAMESPACE, "till-keychain-probe")
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

/// The keychain entry for one account: service [`STORAGE_NAMESPACE`]
/// (`dev.till.desktop` in a release), user
/// name the account id (`secret-tool lookup service dev.till.desktop
/// username acct_…` finds it from outside).
fn entry(account_id: &str) -> Result<keyring::Entry, crate::Error> {
    keyring::Entry::new(STORAGE_NAMESPACE, account_id).map_err(unavailable)
}

fn unavailable(err: keyring::Error) -> crate::Error {
    crate::Error::KeychainUnavailable {
        detail: err.to_string(),
        fix: fix_hint(),
    }
}

/// Stores an account's key, replacing any previous one.
pub fn store_key(account_id: &str, key: &till_stripe::ApiKey) -> Result<(), crate::Error> {
    entry(account_id)?
        .set_password(key.expose_secret())
        .map_err(unavailable)
}

/// Reads an account's key. Called once per account per session; the key
/// then lives in memory in its zeroizing type.
pub fn read_key(account_id: &str) -> Result<till_stripe::ApiKey, crate::Error> {
    match entry(account_id)?.get_password() {
        Ok(text) => till_stripe::ApiKey::parse(&text).map_err(|err| crate::Error::KeyRejected {
            reason: crate::error::KeyProblem::Malformed,
            detail: format!("the key stored in the keychain is not usable: {err}"),
        }),
        Err(keyring::Error::NoEntry) => Err(crate::Error::KeyMissing {
            account_id: account_id.to_owned(),
        }),
        Err(err) => Err(unavailable(err)),
    }
}

/// Deletes an account's key; a missing entry is fine.
pub fn delete_key(account_id: &str) -> Result<(), crate::Error> {
    match entry(account_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(err) => Err(unavailable(err)),
    }
}

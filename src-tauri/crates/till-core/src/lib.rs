//! Till's domain core. It knows nothing of Tauri: the app crate wraps each
//! public operation here in a one-line command, and tests drive it directly.

pub mod accounts;
pub mod app_info;
pub mod checkouts;
pub mod data_dir;
pub mod error;
pub mod fault_points;
pub mod hold_alerts;
pub mod journal;
pub mod jump;
pub mod keychain;
pub mod logging;
pub mod operations;
pub mod overview;
pub mod payment_detail;
pub mod payments;
pub mod qr;
pub mod readers;
pub mod refund_list;
pub mod refundable;
pub mod rows;
pub mod search;
pub mod sync;
pub mod sync_lock;
pub mod till;

/// Stripe's decimals per currency and its largest amount: the one table,
/// which the UI gets through the bindings.
pub mod currencies {
    pub use till_stripe::money::{MAX_AMOUNT, THREE_DECIMAL, ZERO_DECIMAL};
}

pub use app_info::AppInfo;
pub use data_dir::DataDir;
pub use error::{Error, Result};
pub use keychain::KeychainStatus;
pub use till::Till;

/// The application identifier: Tauri's `identifier` (no spaces, by design),
/// and a release's keychain service and data directory name.
pub const APP_IDENTIFIER: &str = "dev.till.desktop";

/// Where this build keeps its keys (the keychain service) and its data (the
/// data directory's name). A development build (debug assertions on: `./dev
/// run`, the tests) has a namespace of its own, so that running Till from a
/// checkout on a merchant's machine never opens the installed release's
/// live keys or cache.
pub const STORAGE_NAMESPACE: &str = storage_namespace(cfg!(debug_assertions));

/// The namespace of a development (`true`) or release build.
pub const fn storage_namespace(development: bool) -> &'static str {
    if development {
        "dev.till.desktop.development"
    } else {
        APP_IDENTIFIER
    }
}

/// Till's version, shown in the UI and sent in the Stripe client's user agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_builds_keep_their_keys_and_data_apart_from_a_release() {
        assert_ne!(storage_namespace(true), storage_namespace(false));
        assert_eq!(storage_namespace(false), APP_IDENTIFIER);
        // The tests are a development build: they use its namespace.
        assert_eq!(STORAGE_NAMESPACE, storage_namespace(cfg!(debug_assertions)));
        if cfg!(debug_assertions) {
            assert_ne!(STORAGE_NAMESPACE, APP_IDENTIFIER);
        }
    }
}

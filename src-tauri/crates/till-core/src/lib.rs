//! Till's domain core. It knows nothing of Tauri: the app crate wraps each
//! public operation here in a one-line command, and tests drive it directly.

pub mod accounts;
pub mod app_info;
pub mod checkouts;
pub mod data_dir;
pub mod error;
pub mod fault_points;
pub mod hold_alerts;
pub mod jump;
pub mod keychain;
pub mod logging;
pub mod operations;
pub mod overview;
pub mod payment_detail;
pub mod payments;
pub mod qr;
pub mod refund_list;
pub mod rows;
pub mod sync;
pub mod till;

pub use app_info::AppInfo;
pub use data_dir::DataDir;
pub use error::{Error, Result};
pub use keychain::KeychainStatus;
pub use till::Till;

/// The application identifier: the keychain service name, the data directory's
/// name and Tauri's `identifier` are all this one string (no spaces, by design).
pub const APP_IDENTIFIER: &str = "dev.till.desktop";

/// Till's version, shown in the UI and sent in the Stripe client's user agent.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

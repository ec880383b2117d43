//! What the About card and the title bar show.

use serde::Serialize;
use specta::Type;

use crate::{DataDir, KeychainStatus, VERSION, keychain};

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Where the database and logs live (honours `TILL_DATA_DIR`).
    pub data_dir: String,
    pub keychain: KeychainStatus,
}

/// Blocking: probes the keychain.
pub fn app_info(data_dir: &DataDir) -> AppInfo {
    AppInfo {
        name: "Till".to_owned(),
        version: VERSION.to_owned(),
        data_dir: data_dir.root().display().to_string(),
        keychain: keychain::probe(),
    }
}

//! `Till`: the core's handle, one per process. The app keeps it in Tauri's
//! state and every command is one call on it. Each part inside carries its own
//! synchronisation; there is no global lock around the whole.

use crate::{AppInfo, DataDir, app_info};

#[derive(Debug)]
pub struct Till {
    data_dir: DataDir,
}

impl Till {
    pub fn new(data_dir: DataDir) -> Self {
        Self { data_dir }
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// Blocking: probes the keychain over D-Bus on Linux.
    pub fn app_info(&self) -> AppInfo {
        app_info::app_info(&self.data_dir)
    }
}

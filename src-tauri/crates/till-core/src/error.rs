//! The domain's error type. It crosses IPC as a tagged union (`code` is the
//! tag), so the UI branches on a code, never on message text.

use serde::Serialize;
use specta::Type;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error the core reports to the UI. Add a variant only when the UI
/// does something different with it; otherwise reuse one with its detail.
#[derive(Debug, thiserror::Error, Serialize, Type)]
#[serde(tag = "code", rename_all = "camelCase")]
// `Error` would shadow JavaScript's own `Error` in the bindings.
#[serde(rename = "TillError")]
pub enum Error {
    /// The OS keychain (Secret Service, Keychain, Credential Manager) did not
    /// answer. `fix` tells the user what to do in their own words.
    #[error("the OS keychain is not available: {detail}")]
    KeychainUnavailable { detail: String, fix: String },

    /// The data directory cannot be created, read or written.
    #[error("the data directory {path} cannot be used: {detail}")]
    DataDirUnusable { path: String, detail: String },

    /// A bug or an environment fault with nothing the user can act on.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

impl Error {
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal {
            detail: detail.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_a_tagged_union() {
        let err = Error::DataDirUnusable {
            path: "/nope".into(),
            detail: "permission denied".into(),
        };
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "dataDirUnusable");
        assert_eq!(json["path"], "/nope");
        assert_eq!(json["detail"], "permission denied");
    }
}

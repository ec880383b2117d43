//! Where Till keeps its database and logs: the platform's data directory, or
//! `TILL_DATA_DIR` when set, so that tests never touch a real user's data.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::{Error, Result, STORAGE_NAMESPACE};

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "TILL_DATA_DIR";

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory for this process: `TILL_DATA_DIR`, else the
    /// platform's (`$XDG_DATA_HOME/dev.till.desktop` on Linux; a development
    /// build's is `dev.till.desktop.development`). Created if missing.
    pub fn resolve() -> Result<Self> {
        Self::from_sources(std::env::var_os(DATA_DIR_ENV), dirs::data_dir())
    }

    fn from_sources(overridden: Option<OsString>, platform: Option<PathBuf>) -> Result<Self> {
        let root = match overridden.filter(|value| !value.is_empty()) {
            Some(value) => PathBuf::from(value),
            None => platform
                .map(|dir| dir.join(STORAGE_NAMESPACE))
                .ok_or_else(|| Error::DataDirUnusable {
                    path: String::new(),
                    detail: format!(
                        "this system reports no data directory; set {DATA_DIR_ENV} to choose one"
                    ),
                })?,
        };
        Self::at(root)
    }

    /// A data directory at an explicit place, created if missing.
    pub fn at(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let dir = Self { root };
        for path in [dir.root.clone(), dir.logs_dir()] {
            std::fs::create_dir_all(&path).map_err(|err| Error::DataDirUnusable {
                path: path.display().to_string(),
                detail: err.to_string(),
            })?;
        }
        Ok(dir)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SQLite cache and journal.
    pub fn database_path(&self) -> PathBuf {
        self.root.join("till.sqlite3")
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// Where exports are written (the journal's CSV, later the accountants' files).
    pub fn exports_dir(&self) -> PathBuf {
        self.root.join("exports")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_variable_wins_over_the_platform_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let chosen = tmp.path().join("chosen");
        let platform = tmp.path().join("platform");
        let dir =
            DataDir::from_sources(Some(chosen.clone().into()), Some(platform.clone())).unwrap();
        assert_eq!(dir.root(), chosen);
        assert!(chosen.join("logs").is_dir());
        assert!(
            !platform.exists(),
            "the platform directory must stay untouched"
        );
    }

    #[test]
    fn without_the_variable_the_platform_directory_is_used() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::from_sources(None, Some(tmp.path().to_path_buf())).unwrap();
        assert_eq!(dir.root(), tmp.path().join(STORAGE_NAMESPACE));
        assert_eq!(
            dir.database_path(),
            tmp.path().join(STORAGE_NAMESPACE).join("till.sqlite3")
        );
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::from_sources(Some(OsString::new()), Some(tmp.path().into())).unwrap();
        assert_eq!(dir.root(), tmp.path().join(STORAGE_NAMESPACE));
    }

    #[test]
    fn no_directory_at_all_is_a_typed_error() {
        let err = DataDir::from_sources(None, None).unwrap_err();
        assert!(matches!(err, Error::DataDirUnusable { .. }), "{err:?}");
    }

    #[test]
    fn an_unwritable_place_is_a_typed_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let err = DataDir::at(file.join("below")).unwrap_err();
        assert!(matches!(err, Error::DataDirUnusable { .. }), "{err:?}");
    }
}

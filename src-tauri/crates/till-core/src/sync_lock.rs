//! One sync per account across processes: the app and the command line
//! take this lock before syncing an account, so they never sync it at once.
//! It is an advisory lock on a file in the data directory (`locks/`), which
//! the operating system lets go when the process ends, even killed.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use crate::{DataDir, Error, Result};

/// Held while an account is synced; dropped, the lock is let go.
#[derive(Debug)]
pub struct SyncLock {
    // The open file is the lock: closing it releases it.
    _file: File,
}

fn path(data_dir: &DataDir, account_id: &str) -> PathBuf {
    // Only an account id's own characters reach the file name.
    let safe: String = account_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    data_dir
        .root()
        .join("locks")
        .join(format!("sync-{safe}.lock"))
}

fn unusable(path: &std::path::Path, err: &std::io::Error) -> Error {
    Error::DataDirUnusable {
        path: path.display().to_string(),
        detail: err.to_string(),
    }
}

fn open(data_dir: &DataDir, account_id: &str) -> Result<File> {
    let path = path(data_dir, account_id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| unusable(dir, &err))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|err| unusable(&path, &err))
}

impl SyncLock {
    /// The account's sync lock, or `None` when another process (or another
    /// sync in this one) holds it.
    pub fn try_acquire(data_dir: &DataDir, account_id: &str) -> Result<Option<Self>> {
        let file = open(data_dir, account_id)?;
        // Through fs4, not `File::try_lock`, which is newer than this
        // workspace's Rust version.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(fs4::TryLockError::WouldBlock) => Ok(None),
            Err(fs4::TryLockError::Error(err)) => Err(unusable(&path(data_dir, account_id), &err)),
        }
    }

    /// The account's sync lock, waiting while another process holds it.
    /// Blocking: call it off the async runtime.
    pub fn acquire(data_dir: &DataDir, account_id: &str) -> Result<Self> {
        let file = open(data_dir, account_id)?;
        fs4::FileExt::lock(&file).map_err(|err| unusable(&path(data_dir, account_id), &err))?;
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::at(tmp.path()).unwrap();
        let first = SyncLock::try_acquire(&dir, "acct_1").unwrap();
        assert!(first.is_some());
        assert!(SyncLock::try_acquire(&dir, "acct_1").unwrap().is_none());
        // Another account is its own lock.
        assert!(SyncLock::try_acquire(&dir, "acct_2").unwrap().is_some());
        drop(first);
        assert!(SyncLock::try_acquire(&dir, "acct_1").unwrap().is_some());
    }
}

//! A small pool of read-only connections for the screens, exports and
//! reconciliation: in WAL mode they read the last commit while the sync's
//! writer holds its transaction, instead of queueing behind it on the one
//! writer connection.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use till_store::Store;

use crate::Error;

/// Idle connections kept; more may be open at once, and are closed after.
const KEEP: usize = 4;

#[derive(Debug)]
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Readers {
    /// Readers of the database at `path`, which the writer has opened and
    /// migrated.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A read-only connection, back to the pool when dropped.
    pub fn get(&self) -> Result<Reader<'_>, Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let store = match idle {
            Some(store) => store,
            None => Store::open_reader(&self.path)?,
        };
        Ok(Reader {
            store: Some(store),
            pool: self,
        })
    }
}

/// A connection borrowed from [`Readers`].
#[derive(Debug)]
pub struct Reader<'a> {
    store: Option<Store>,
    pool: &'a Readers,
}

impl Deref for Reader<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        // Only `drop` takes it out.
        #[allow(clippy::unwrap_used)]
        self.store.as_ref().unwrap()
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let mut idle = self
            .pool
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = self.store.take()
            && idle.len() < KEEP
        {
            idle.push(store);
        }
    }
}

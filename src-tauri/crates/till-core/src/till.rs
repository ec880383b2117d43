//! `Till`: the core's handle, one per process. The app keeps it in Tauri's
//! state and every command is one call on it. Each part inside carries its own
//! synchronisation; there is no global lock around the whole.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use till_store::Store;
use till_stripe::Endpoint;

use crate::accounts::{self, Account};
use crate::sync::{Controls, SyncListener, SyncOptions, Syncer};
use crate::{AppInfo, DataDir, Error, Result, app_info};

pub use account::AccountHandle;

mod account;
mod alerts;
mod checkouts;
mod demo;
mod money;
mod reads;
mod settling;

use demo::Demo;
pub use demo::{DEMO_ACCOUNT_ID, DEMO_PORT_ENV, DEMO_TOKEN_ENV};
pub use settling::RECHECK_DELAYS;

#[derive(Debug)]
pub struct Till {
    data_dir: DataDir,
    /// The one writer connection: the sync, the journal, settings.
    store: Arc<Mutex<Store>>,
    /// Read-only connections for the screens: they never wait for the writer.
    readers: crate::readers::Readers,
    endpoint: Endpoint,
    demo: Mutex<Option<Demo>>,
    /// The running syncs, by account.
    syncs: Mutex<HashMap<String, Arc<Controls>>>,
    /// Where each account's sync reports: kept so that a key put back or
    /// replaced restarts it at once.
    listeners: Listeners,
    /// Keys read from the keychain this session, by account: read once,
    /// held in memory zeroized on drop, never written anywhere else.
    keys: Mutex<HashMap<String, till_stripe::ApiKey>>,
    /// One handle per account, made at first use: one client each.
    handles: Mutex<HashMap<String, Arc<AccountHandle>>>,
    /// Holds already announced as expiring within a day, this run.
    hold_alerts: Mutex<crate::hold_alerts::HoldAlerts>,
    /// Money movements whose answer was lost, asked about again.
    rechecks: Arc<settling::Rechecks>,
}

#[derive(Default)]
struct Listeners(Mutex<HashMap<String, Arc<dyn SyncListener>>>);

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners").finish_non_exhaustive()
    }
}

impl Listeners {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<dyn SyncListener>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    i64::try_from(secs).unwrap_or(i64::MAX)
}

impl Till {
    /// Opens the database in the data directory; Stripe's address comes
    /// from `TILL_STRIPE_API_BASE` or is Stripe's own.
    pub fn open(data_dir: DataDir) -> Result<Self> {
        Self::open_with(data_dir, Endpoint::from_env()?)
    }

    /// [`Till::open`] with Stripe's address given (tests point it at a simulator).
    pub fn open_with(data_dir: DataDir, endpoint: Endpoint) -> Result<Self> {
        let store = Store::open(&data_dir.database_path())?;
        let till = Self {
            readers: crate::readers::Readers::new(data_dir.database_path()),
            data_dir,
            store: Arc::new(Mutex::new(store)),
            endpoint,
            demo: Mutex::new(None),
            syncs: Mutex::new(HashMap::new()),
            listeners: Listeners::default(),
            keys: Mutex::new(HashMap::new()),
            handles: Mutex::new(HashMap::new()),
            hold_alerts: Mutex::new(crate::hold_alerts::HoldAlerts::default()),
            rechecks: Arc::default(),
        };
        if till.saved_accounts()?.is_empty() {
            till.start_demo()?;
        }
        Ok(till)
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A read-only connection, for what only reads.
    fn reader(&self) -> Result<crate::readers::Reader<'_>> {
        self.readers.get()
    }

    fn start_demo(&self) -> Result<()> {
        let mut demo = self
            .demo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if demo.is_some() {
            return Ok(());
        }
        *demo = Demo::start(now())?;
        Ok(())
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// Blocking: probes the keychain over D-Bus on Linux.
    pub fn app_info(&self) -> AppInfo {
        app_info::app_info(&self.data_dir)
    }

    fn saved_accounts(&self) -> Result<Vec<Account>> {
        accounts::list(&self.store())
    }

    /// The accounts to switch between: the demo (while there is one) and
    /// every saved account.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut all: Vec<Account> = self
            .demo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|d| d.account.clone())
            .into_iter()
            .collect();
        all.extend(self.saved_accounts()?);
        Ok(all)
    }

    /// Checks a pasted key with Stripe and saves the account (key in the
    /// keychain, the rest in SQLite). Blocks on the keychain at the end. An
    /// account Till already has is not added again: the same key says so
    /// (or puts a missing keychain entry back), another key asks first
    /// (`KeyReplaceAsked`; `replace_account_key` then replaces it).
    pub async fn add_account(&self, key_text: &str) -> Result<Account> {
        let key = accounts::parse_key(key_text)?;
        if let crate::KeychainStatus::Unavailable { detail, fix } = crate::keychain::probe() {
            return Err(Error::KeychainUnavailable { detail, fix });
        }
        let mut validated = accounts::validate(key, self.endpoint.clone()).await?;
        let existing =
            till_store::table::accounts::get(self.store().conn(), &validated.account_id)?;
        if let Some(existing) = existing {
            match crate::keychain::read_key(&existing.id) {
                Ok(stored) if stored.expose_secret() == validated.key.expose_secret() => {
                    return Err(Error::AccountAlreadyAdded {
                        account_id: existing.id,
                        display_name: existing.display_name,
                    });
                }
                Ok(stored) => {
                    return Err(Error::KeyReplaceAsked {
                        account_id: existing.id,
                        display_name: existing.display_name,
                        current_last4: stored.last4(),
                        new_last4: validated.key.last4(),
                        new_restricted: validated.key.kind() == till_stripe::KeyKind::Restricted,
                    });
                }
                // Its keychain entry went missing: the same account's key
                // puts it back, under the name it had.
                Err(Error::KeyMissing { .. }) => validated.display_name = existing.display_name,
                Err(other) => return Err(other),
            }
        }
        let account = accounts::save(&self.store(), &validated, now(), false)?;
        self.remember_key(&account.id, validated.key.clone());
        self.restart_sync(&account.id);
        Ok(account)
    }

    pub fn rename_account(&self, account_id: &str, display_name: &str) -> Result<()> {
        accounts::rename(&self.store(), account_id, display_name)?;
        self.forget_handle(account_id);
        Ok(())
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<String, till_stripe::ApiKey>> {
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember_key(&self, account_id: &str, key: till_stripe::ApiKey) {
        self.keys().insert(account_id.to_owned(), key);
        self.forget_handle(account_id);
    }

    fn handles(&self) -> MutexGuard<'_, HashMap<String, Arc<AccountHandle>>> {
        self.handles
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The account changed (its key, its name) or went: the next command
    /// makes a new handle.
    fn forget_handle(&self, account_id: &str) {
        self.handles().remove(account_id);
    }

    /// The account's key: from memory, else from the keychain (once a session).
    fn key(&self, account_id: &str) -> Result<till_stripe::ApiKey> {
        if let Some(key) = self.keys().get(account_id) {
            return Ok(key.clone());
        }
        let key = crate::keychain::read_key(account_id)?;
        self.remember_key(account_id, key.clone());
        Ok(key)
    }

    /// Removes an account and its keychain entry; its cached data too when
    /// `forget_data`, else the cache stays for when the account comes back.
    pub fn remove_account(&self, account_id: &str, forget_data: bool) -> Result<()> {
        self.cancel_sync(account_id);
        self.listeners.lock().remove(account_id);
        self.keys().remove(account_id);
        self.forget_handle(account_id);
        {
            let store = self.store();
            accounts::remove(&store, account_id)?;
            if forget_data {
                till_store::table::remove_account(store.conn(), account_id)?;
            }
        }
        if self.saved_accounts()?.is_empty() {
            self.start_demo()?;
        }
        Ok(())
    }

    /// Swaps an account's key for a new one (rolled, or with other
    /// permissions). The new key must open the same Stripe account.
    pub async fn replace_account_key(&self, account_id: &str, key_text: &str) -> Result<Account> {
        let existing = till_store::table::accounts::get(self.store().conn(), account_id)?
            .ok_or_else(|| Error::UnknownAccount {
                account_id: account_id.to_owned(),
            })?;
        let key = accounts::parse_key(key_text)?;
        if let crate::KeychainStatus::Unavailable { detail, fix } = crate::keychain::probe() {
            return Err(Error::KeychainUnavailable { detail, fix });
        }
        let mut validated = accounts::validate(key, self.endpoint.clone()).await?;
        if validated.account_id != account_id {
            return Err(Error::KeyRejected {
                reason: crate::error::KeyProblem::OtherAccount,
                detail: format!(
                    "this key opens Stripe account {}, not {account_id}; add it as a new account instead",
                    validated.account_id
                ),
            });
        }
        validated.display_name = existing.display_name;
        let account = accounts::save(&self.store(), &validated, now(), false)?;
        self.remember_key(account_id, validated.key.clone());
        self.restart_sync(account_id);
        Ok(account)
    }

    /// The account's handle, made once and kept (see [`AccountHandle`]):
    /// the demo's simulator, or Stripe with the key from the keychain.
    pub fn account(&self, account_id: &str) -> Result<Arc<AccountHandle>> {
        if let Some(handle) = self.handles().get(account_id) {
            return Ok(Arc::clone(handle));
        }
        let handle = Arc::new(self.make_handle(account_id)?);
        // Two first uses at once: the first one stored wins, so there is
        // only ever one client.
        Ok(Arc::clone(
            self.handles()
                .entry(account_id.to_owned())
                .or_insert(handle),
        ))
    }

    fn make_handle(&self, account_id: &str) -> Result<AccountHandle> {
        let unknown = || Error::UnknownAccount {
            account_id: account_id.to_owned(),
        };
        if account_id == DEMO_ACCOUNT_ID {
            let demo = self
                .demo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let demo = demo.as_ref().ok_or_else(unknown)?;
            return Ok(AccountHandle::new(
                demo.account.clone(),
                demo.client()?,
                Arc::clone(&self.store),
            ));
        }
        let account = accounts::list(&self.store())?
            .into_iter()
            .find(|a| a.id == account_id)
            .ok_or_else(unknown)?;
        let key = self.key(account_id)?;
        let client = till_stripe::StripeClient::builder(key)
            .endpoint(self.endpoint.clone())
            .build()?;
        Ok(AccountHandle::new(account, client, Arc::clone(&self.store)))
    }

    /// The account's client (shared: see [`AccountHandle`]).
    pub fn stripe_client(&self, account_id: &str) -> Result<till_stripe::StripeClient> {
        Ok(self.account(account_id)?.client().clone())
    }

    fn syncer(
        &self,
        account_id: &str,
        listener: Arc<dyn SyncListener>,
        controls: Arc<Controls>,
    ) -> Result<Syncer> {
        Ok(Syncer {
            client: self.stripe_client(account_id)?,
            store: Arc::clone(&self.store),
            account_id: account_id.to_owned(),
            listener,
            options: SyncOptions::default(),
            controls,
        })
    }

    /// Syncs an account once, to the end, without following events after:
    /// the newest pages, the whole history, the events since, late fees.
    /// Returns the objects stored.
    pub async fn sync_once(&self, account_id: &str) -> Result<i64> {
        self.sync_once_with(account_id, Arc::new(crate::sync::Quiet))
            .await
    }

    /// [`Till::sync_once`], telling `listener` its progress (the command
    /// line's progress bar). The caller holds the account's
    /// [`SyncLock`](crate::sync_lock::SyncLock).
    pub async fn sync_once_with(
        &self,
        account_id: &str,
        listener: Arc<dyn SyncListener>,
    ) -> Result<i64> {
        let syncer = self.syncer(account_id, listener, Arc::default())?;
        syncer.sync_once().await
    }

    /// Starts following an account (no-op when it already is). Must be
    /// called from within a Tokio runtime: the sync runs as a task on it.
    /// An account whose key is not in the keychain reports so to
    /// `listener`, and starts once its key is put back.
    pub fn start_sync(&self, account_id: &str, listener: Arc<dyn SyncListener>) -> Result<()> {
        self.listeners
            .lock()
            .insert(account_id.to_owned(), Arc::clone(&listener));
        let mut syncs = self
            .syncs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(controls) = syncs.get(account_id)
            && !controls.is_canceled()
        {
            controls.nudge();
            return Ok(());
        }
        let controls = Arc::new(Controls::default());
        let syncer = match self.syncer(account_id, Arc::clone(&listener), Arc::clone(&controls)) {
            Ok(syncer) => syncer,
            Err(err) => {
                if matches!(err, Error::KeyMissing { .. }) {
                    listener.progress(&crate::sync::SyncProgress::key_missing(account_id));
                }
                return Err(err);
            }
        };
        syncs.insert(account_id.to_owned(), controls);
        let data_dir = self.data_dir.clone();
        let account = account_id.to_owned();
        tokio::spawn(async move {
            // One sync per account across processes: while the command line
            // syncs this account, the app waits for it to finish.
            let lock = tokio::task::spawn_blocking(move || {
                crate::sync_lock::SyncLock::acquire(&data_dir, &account)
            })
            .await;
            match lock {
                Ok(Ok(held)) => {
                    syncer.run().await;
                    drop(held);
                }
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "the sync did not start: its lock could not be taken");
                }
                Err(err) => tracing::warn!(error = %err, "the sync did not start"),
            }
        });
        Ok(())
    }

    /// The account's key changed (put back, or replaced): a sync that was
    /// followed starts again with it, at once, with nothing remembered of
    /// the old key's refusals.
    fn restart_sync(&self, account_id: &str) {
        let Some(listener) = self.listeners.lock().get(account_id).cloned() else {
            return;
        };
        if let Some(old) = self
            .syncs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(account_id)
        {
            old.replace();
        }
        if let Err(err) = self.start_sync(account_id, listener) {
            tracing::warn!(account = account_id, error = %err, "the sync did not restart with the new key");
        }
    }

    fn controls(&self, account_id: &str) -> Option<Arc<Controls>> {
        self.syncs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(account_id)
            .cloned()
    }

    /// Asks Stripe now instead of at the next poll; what Stripe refused is
    /// asked again too (the person pressed Retry or Sync now).
    pub fn sync_now(&self, account_id: &str) {
        if let Some(controls) = self.controls(account_id) {
            controls.retry();
        }
    }

    /// Stops an account's sync; the cache stays as it is.
    pub fn cancel_sync(&self, account_id: &str) {
        if let Some(controls) = self
            .syncs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(account_id)
        {
            controls.cancel();
        }
    }

    /// The window came to the front or went to the back: polling adapts.
    pub fn set_focused(&self, focused: bool) {
        let syncs = self
            .syncs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for controls in syncs.values() {
            controls.set_focused(focused);
        }
    }

    /// Runs a money movement with the account's sync polling quickly meanwhile.
    async fn money_action<T>(
        &self,
        account_id: &str,
        action: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let controls = self.controls(account_id);
        if let Some(c) = &controls {
            c.action_started();
        }
        let out = action.await;
        if let Some(c) = &controls {
            c.action_finished();
        }
        // Stripe's answer was lost: Till asks again until it knows.
        if let Err(Error::OutcomeUnknown { .. }) = &out {
            self.recheck_later(account_id);
        }
        out
    }

    /// The demo simulator's address, while the demo runs (for tests).
    pub fn demo_url(&self) -> Option<String> {
        self.demo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(Demo::url)
    }
}

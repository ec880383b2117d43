//! `Till`: the core's handle, one per process. The app keeps it in Tauri's
//! state and every command is one call on it. Each part inside carries its own
//! synchronisation; there is no global lock around the whole.

use std::sync::{Mutex, MutexGuard};

use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_stripe::Endpoint;

use crate::accounts::{self, Account, Capabilities};
use crate::{AppInfo, DataDir, Error, Result, app_info};

/// The offline demo: a simulator in this process with a café's history.
#[derive(Debug)]
struct Demo {
    sim: Simulator,
    account: Account,
}

pub const DEMO_ACCOUNT_ID: &str = "demo";

#[derive(Debug)]
pub struct Till {
    data_dir: DataDir,
    store: Mutex<Store>,
    endpoint: Endpoint,
    demo: Mutex<Option<Demo>>,
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
        let store = Store::open(&data_dir.database_path())?;
        let endpoint = Endpoint::from_env()?;
        let till = Self {
            data_dir,
            store: Mutex::new(store),
            endpoint,
            demo: Mutex::new(None),
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

    fn start_demo(&self) -> Result<()> {
        let mut demo = self
            .demo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if demo.is_some() {
            return Ok(());
        }
        let sim = Simulator::start(SimConfig {
            history: Some(SeedSpec::demo()),
            ..SimConfig::default()
        })
        .map_err(|err| Error::internal(format!("the demo could not start: {err}")))?;
        let account = Account {
            id: DEMO_ACCOUNT_ID.to_owned(),
            display_name: "Demo (offline)".to_owned(),
            livemode: false,
            restricted: false,
            key_last4: String::new(),
            added_at: now(),
            is_demo: true,
            capabilities: Capabilities::ALL,
        };
        tracing::info!(url = %sim.base_url(), "demo account started");
        *demo = Some(Demo { sim, account });
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
    /// keychain, the rest in SQLite). Blocks on the keychain at the end.
    pub async fn add_account(&self, key_text: &str) -> Result<Account> {
        let key = accounts::parse_key(key_text)?;
        if let crate::KeychainStatus::Unavailable { detail, fix } = crate::keychain::probe() {
            return Err(Error::KeychainUnavailable { detail, fix });
        }
        let validated = accounts::validate(key, self.endpoint.clone()).await?;
        let store = self.store();
        accounts::save(&store, &validated, now(), false)
    }

    pub fn rename_account(&self, account_id: &str, display_name: &str) -> Result<()> {
        accounts::rename(&self.store(), account_id, display_name)
    }

    pub fn remove_account(&self, account_id: &str) -> Result<()> {
        accounts::remove(&self.store(), account_id)?;
        till_store::table::payment_intents::remove_account(self.store().conn(), account_id)?;
        if self.saved_accounts()?.is_empty() {
            self.start_demo()?;
        }
        Ok(())
    }

    /// A client for one account: the demo's simulator, or Stripe with the
    /// key from the keychain.
    fn client(&self, account_id: &str) -> Result<till_stripe::StripeClient> {
        if account_id == DEMO_ACCOUNT_ID {
            let demo = self
                .demo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let demo = demo.as_ref().ok_or_else(|| Error::UnknownAccount {
                account_id: account_id.to_owned(),
            })?;
            let key = till_stripe::ApiKey::parse(demo.sim.demo_key()).map_err(Error::internal)?;
            let endpoint = Endpoint::parse(&demo.sim.base_url())?;
            return Ok(till_stripe::StripeClient::builder(key)
                .endpoint(endpoint)
                .build()?);
        }
        if till_store::table::accounts::get(self.store().conn(), account_id)?.is_none() {
            return Err(Error::UnknownAccount {
                account_id: account_id.to_owned(),
            });
        }
        let key = crate::keychain::read_key(account_id)?;
        Ok(till_stripe::StripeClient::builder(key)
            .endpoint(self.endpoint.clone())
            .build()?)
    }

    /// Pulls the newest payments of an account into the cache.
    pub async fn refresh_payments(&self, account_id: &str) -> Result<u32> {
        let client = self.client(account_id)?;
        let stored = crate::payments::refresh(&client, &self.store, account_id, 5_000).await?;
        Ok(u32::try_from(stored).unwrap_or(u32::MAX))
    }

    pub fn payments(
        &self,
        account_id: &str,
        statuses: Vec<String>,
        after: Option<crate::payments::PageCursor>,
        limit: u32,
    ) -> Result<crate::payments::PaymentPage> {
        crate::payments::page(&self.store(), account_id, statuses, after, limit as usize)
    }

    pub fn search_payments(
        &self,
        account_id: &str,
        text: &str,
    ) -> Result<Vec<crate::payments::PaymentSummary>> {
        crate::payments::search(&self.store(), account_id, text, 50)
    }

    pub fn overview(&self, account_id: &str, periods: &[i64]) -> Result<crate::payments::Overview> {
        crate::payments::overview(&self.store(), account_id, periods, now())
    }

    /// The demo simulator's address, while the demo runs (for tests).
    pub fn demo_url(&self) -> Option<String> {
        self.demo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|d| d.sim.base_url())
    }
}

//! `Till`: the core's handle, one per process. The app keeps it in Tauri's
//! state and every command is one call on it. Each part inside carries its own
//! synchronisation; there is no global lock around the whole.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_stripe::Endpoint;

use crate::accounts::{self, Account, Capabilities};
use crate::sync::{Controls, SyncListener, SyncOptions, Syncer};
use crate::{AppInfo, DataDir, Error, Result, app_info};

mod alerts;
mod checkouts;

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
    store: Arc<Mutex<Store>>,
    endpoint: Endpoint,
    demo: Mutex<Option<Demo>>,
    /// The running syncs, by account.
    syncs: Mutex<HashMap<String, Arc<Controls>>>,
    /// Keys read from the keychain this session, by account: read once,
    /// held in memory zeroized on drop, never written anywhere else.
    keys: Mutex<HashMap<String, till_stripe::ApiKey>>,
    /// Holds already announced as expiring within a day, this run.
    hold_alerts: Mutex<crate::hold_alerts::HoldAlerts>,
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
            data_dir,
            store: Arc::new(Mutex::new(store)),
            endpoint,
            demo: Mutex::new(None),
            syncs: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
            hold_alerts: Mutex::new(crate::hold_alerts::HoldAlerts::default()),
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
        let account = accounts::save(&store, &validated, now(), false)?;
        self.remember_key(&account.id, validated.key.clone());
        Ok(account)
    }

    pub fn rename_account(&self, account_id: &str, display_name: &str) -> Result<()> {
        accounts::rename(&self.store(), account_id, display_name)
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<String, till_stripe::ApiKey>> {
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn remember_key(&self, account_id: &str, key: till_stripe::ApiKey) {
        self.keys().insert(account_id.to_owned(), key);
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
        self.keys().remove(account_id);
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
        Ok(account)
    }

    /// A client for one account: the demo's simulator, or Stripe with the
    /// key from the keychain.
    pub fn stripe_client(&self, account_id: &str) -> Result<till_stripe::StripeClient> {
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
        let key = self.key(account_id)?;
        Ok(till_stripe::StripeClient::builder(key)
            .endpoint(self.endpoint.clone())
            .build()?)
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
        let syncer = self.syncer(account_id, Arc::new(crate::sync::Quiet), Arc::default())?;
        syncer.sync_once().await
    }

    /// Starts following an account (no-op when it already is). Must be
    /// called from within a Tokio runtime: the sync runs as a task on it.
    pub fn start_sync(&self, account_id: &str, listener: Arc<dyn SyncListener>) -> Result<()> {
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
        let syncer = self.syncer(account_id, listener, Arc::clone(&controls))?;
        syncs.insert(account_id.to_owned(), controls);
        tokio::spawn(syncer.run());
        Ok(())
    }

    fn controls(&self, account_id: &str) -> Option<Arc<Controls>> {
        self.syncs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(account_id)
            .cloned()
    }

    /// Asks Stripe now instead of at the next poll.
    pub fn sync_now(&self, account_id: &str) {
        if let Some(controls) = self.controls(account_id) {
            controls.nudge();
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

    /// Refuses an action the account's key does not allow, with the reason.
    fn permitted(
        &self,
        account_id: &str,
        allowed: impl Fn(&Capabilities) -> bool,
        action: &str,
    ) -> Result<()> {
        let account = self
            .accounts()?
            .into_iter()
            .find(|a| a.id == account_id)
            .ok_or_else(|| Error::UnknownAccount {
                account_id: account_id.to_owned(),
            })?;
        if allowed(&account.capabilities) {
            Ok(())
        } else {
            Err(Error::ActionRefused {
                reason: crate::error::ActionProblem::NotPermitted,
                detail: format!("this account's restricted key does not allow {action}"),
            })
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
        out
    }

    fn on<'a>(
        &'a self,
        client: &'a till_stripe::StripeClient,
        account_id: &'a str,
    ) -> crate::operations::On<'a> {
        crate::operations::On {
            client,
            store: &self.store,
            account_id,
        }
    }

    /// Captures all of a hold, or `amount` of it (in major units, "12.50").
    pub async fn capture(
        &self,
        account_id: &str,
        payment_id: &str,
        amount: Option<&str>,
        actor: crate::operations::Actor,
    ) -> Result<crate::operations::Done> {
        self.permitted(account_id, |c| c.capture, "capturing holds")?;
        let client = self.stripe_client(account_id)?;
        self.money_action(
            account_id,
            crate::operations::capture(
                self.on(&client, account_id),
                payment_id,
                amount,
                actor,
                now(),
            ),
        )
        .await
    }

    /// Releases a hold: the customer's money is let go, none is taken.
    pub async fn release(
        &self,
        account_id: &str,
        payment_id: &str,
        reason: Option<crate::operations::ReleaseReason>,
        actor: crate::operations::Actor,
    ) -> Result<crate::operations::Done> {
        self.permitted(account_id, |c| c.capture, "releasing holds")?;
        let client = self.stripe_client(account_id)?;
        self.money_action(
            account_id,
            crate::operations::release(
                self.on(&client, account_id),
                payment_id,
                reason,
                actor,
                now(),
            ),
        )
        .await
    }

    /// Refunds all that is refundable, or `amount` (major units).
    pub async fn refund(
        &self,
        account_id: &str,
        payment_id: &str,
        amount: Option<&str>,
        reason: Option<crate::operations::RefundWhy>,
        actor: crate::operations::Actor,
    ) -> Result<crate::operations::Done> {
        self.permitted(account_id, |c| c.refund, "refunds")?;
        let client = self.stripe_client(account_id)?;
        self.money_action(
            account_id,
            crate::operations::refund(
                self.on(&client, account_id),
                payment_id,
                amount,
                reason,
                actor,
                now(),
            ),
        )
        .await
    }

    /// Sends an operation left pending by a crash, at the user's word.
    /// Returns the operation's id once it went through.
    pub async fn send_pending(&self, account_id: &str, operation_id: &str) -> Result<String> {
        let client = self.stripe_client(account_id)?;
        let op = till_store::table::operations::get(self.store().conn(), operation_id)?;
        if let Some(op) = op.filter(|op| {
            op.account_id == account_id
                && op.state == "pending"
                && crate::checkouts::journal::is_checkout(&op.kind)
        }) {
            let on = self.on(&client, account_id);
            let done = self
                .money_action(
                    account_id,
                    crate::checkouts::journal::send_pending(on, &op, now()),
                )
                .await?;
            return Ok(done.operation_id);
        }
        let done = self
            .money_action(
                account_id,
                crate::operations::send_pending(self.on(&client, account_id), operation_id, now()),
            )
            .await?;
        Ok(done.operation_id)
    }

    /// Drops an operation that was never sent, at the user's word.
    pub fn discard_operation(&self, account_id: &str, operation_id: &str) -> Result<()> {
        crate::operations::discard(&self.store, account_id, operation_id, now())
    }

    /// Settles the money movements a crash or a lost answer left open.
    pub async fn resolve_open_operations(
        &self,
        account_id: &str,
    ) -> Result<Vec<crate::operations::Settled>> {
        let client = self.stripe_client(account_id)?;
        crate::operations::resolve_open(&client, &self.store, account_id, now()).await
    }

    /// Every hold (uncaptured payment), the one that lapses soonest first.
    pub fn holds(&self, account_id: &str) -> Result<Vec<crate::payments::PaymentSummary>> {
        Ok(
            till_store::table::payment_intents::holds(self.store().conn(), account_id)?
                .into_iter()
                .map(crate::payments::PaymentSummary::from)
                .collect(),
        )
    }

    /// A page of the account's refunds, newest first.
    pub fn refunds(
        &self,
        account_id: &str,
        statuses: Vec<String>,
        after: Option<crate::refund_list::RefundCursor>,
        limit: u32,
    ) -> Result<crate::refund_list::RefundPage> {
        crate::refund_list::page(&self.store(), account_id, statuses, after, limit as usize)
    }

    /// Writes the account's journal as CSV into the exports folder; returns
    /// the file's path.
    pub fn export_journal(&self, account_id: &str) -> Result<String> {
        let entries = self.operations(account_id)?;
        let dir = self.data_dir.exports_dir();
        std::fs::create_dir_all(&dir).map_err(|err| Error::DataDirUnusable {
            path: dir.display().to_string(),
            detail: err.to_string(),
        })?;
        let safe: String = account_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let path = dir.join(format!("journal-{safe}-{}.csv", now()));
        std::fs::write(&path, crate::operations::journal_csv(&entries)).map_err(|err| {
            Error::DataDirUnusable {
                path: path.display().to_string(),
                detail: err.to_string(),
            }
        })?;
        Ok(path.display().to_string())
    }

    /// The account's journal, newest first (the audit view).
    pub fn operations(&self, account_id: &str) -> Result<Vec<crate::operations::OperationEntry>> {
        crate::operations::entries(&self.store(), account_id, 1000)
    }

    /// How many objects of each type the cache holds for an account.
    pub fn cache_counts(
        &self,
        account_id: &str,
    ) -> Result<std::collections::BTreeMap<String, i64>> {
        Ok(till_store::table::counts(self.store().conn(), account_id)?)
    }

    pub fn payments(
        &self,
        account_id: &str,
        query: crate::payments::PaymentQuery,
        after: Option<crate::payments::PageCursor>,
        limit: u32,
    ) -> Result<crate::payments::PaymentPage> {
        crate::payments::page(&self.store(), account_id, query, after, limit as usize)
    }

    pub fn payment_currencies(&self, account_id: &str) -> Result<Vec<String>> {
        crate::payments::currencies(&self.store(), account_id)
    }

    pub fn search_payments(
        &self,
        account_id: &str,
        text: &str,
    ) -> Result<Vec<crate::payments::PaymentSummary>> {
        crate::payments::search(&self.store(), account_id, text, 50)
    }

    /// Where an account's objects are in Stripe's Dashboard.
    fn dashboard(&self, account_id: &str) -> Result<crate::payment_detail::Dashboard> {
        use crate::payment_detail::Dashboard;
        if account_id == DEMO_ACCOUNT_ID {
            return Ok(Dashboard::None);
        }
        let row = till_store::table::accounts::get(self.store().conn(), account_id)?.ok_or_else(
            || Error::UnknownAccount {
                account_id: account_id.to_owned(),
            },
        )?;
        Ok(if row.livemode {
            Dashboard::Live
        } else {
            Dashboard::Test
        })
    }

    /// A payment's page in Stripe's Dashboard, for the browser.
    pub fn dashboard_url(&self, account_id: &str, payment_id: &str) -> Result<String> {
        // Only an id goes into the address: nothing that could change where it points.
        if payment_id.is_empty()
            || !payment_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Error::NotFound {
                id: payment_id.to_owned(),
            });
        }
        self.dashboard(account_id)?
            .payment_url(payment_id)
            .ok_or_else(|| {
                Error::internal("the demo account is not on Stripe: it has no Dashboard")
            })
    }

    pub fn payment_detail(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<crate::payment_detail::PaymentDetail> {
        let dashboard = self.dashboard(account_id)?;
        let mut detail = crate::payment_detail::detail(&self.store(), account_id, id, dashboard)?;
        let sees_fees = self
            .accounts()?
            .iter()
            .find(|a| a.id == account_id)
            .is_none_or(|a| a.capabilities.export);
        if !sees_fees && detail.fee == crate::payment_detail::Fee::Pending {
            detail.fee = crate::payment_detail::Fee::Hidden;
        }
        Ok(detail)
    }

    pub fn jump(&self, account_id: &str, text: &str) -> Result<Vec<crate::jump::JumpTarget>> {
        crate::jump::jump(&self.store(), account_id, text)
    }

    /// `midnights`: the local midnights of the days to add up, from the UI.
    pub fn overview(
        &self,
        account_id: &str,
        midnights: &[i64],
    ) -> Result<crate::overview::Overview> {
        crate::overview::overview(&self.store(), account_id, midnights, now())
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

//! The account handle: what one account needs for the life of its key,
//! resolved once per command. It holds the account (its row and what its
//! key may do), **one** Stripe client (one connection pool and one rate
//! limit, shared by the sync and every action, as Stripe counts them per
//! account) and the store. `Till` keeps one per account and drops it when
//! the key changes or the account goes.

use std::sync::{Arc, Mutex};

use till_store::Store;
use till_stripe::StripeClient;

use crate::accounts::{Account, Capabilities};
use crate::error::ActionProblem;
use crate::journal::On;
use crate::{Error, Result};

#[derive(Debug)]
pub struct AccountHandle {
    account: Account,
    client: StripeClient,
    store: Arc<Mutex<Store>>,
}

impl AccountHandle {
    pub(super) fn new(account: Account, client: StripeClient, store: Arc<Mutex<Store>>) -> Self {
        Self {
            account,
            client,
            store,
        }
    }

    pub fn id(&self) -> &str {
        &self.account.id
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The account's one client. Clones share its pool and rate limit.
    pub fn client(&self) -> &StripeClient {
        &self.client
    }

    /// Where the account's money movements run.
    pub fn on(&self) -> On<'_> {
        On {
            client: &self.client,
            store: &self.store,
            account_id: &self.account.id,
        }
    }

    /// Refuses an action the account's key does not allow, with the reason.
    pub fn permit(&self, allowed: impl Fn(&Capabilities) -> bool, action: &str) -> Result<()> {
        if allowed(&self.account.capabilities) {
            Ok(())
        } else {
            Err(Error::ActionRefused {
                reason: ActionProblem::NotPermitted,
                detail: format!("this account's restricted key does not allow {action}"),
            })
        }
    }
}

//! The Checkouts part of [`Till`]: one method per command.

use super::{Till, now};
use crate::Result;
use crate::checkouts::journal::{self, CheckoutDone};
use crate::checkouts::{
    self, CatalogPrice, CheckoutDetail, CheckoutDraft, CheckoutFilter, CheckoutList,
    CheckoutSettings,
};
use crate::operations::Actor;

/// How long following a checkout keeps the sync polling quickly.
const FOLLOW_SECONDS: i64 = 15 * 60;

impl Till {
    /// The account's active one-time prices (from Stripe, not the cache:
    /// the catalog is small and must be current to sell from).
    pub async fn checkout_catalog(&self, account_id: &str) -> Result<Vec<CatalogPrice>> {
        journal::catalog(self.account(account_id)?.client()).await
    }

    pub async fn create_checkout(
        &self,
        account_id: &str,
        draft: &CheckoutDraft,
        actor: Actor,
    ) -> Result<CheckoutDone> {
        let account = self.account(account_id)?;
        account.permit(|c| c.create_checkouts, "creating checkouts")?;
        let create = journal::create(account.on(), draft, actor, now());
        let done = self.money_action(account_id, create).await?;
        self.follow_checkouts(account_id, true);
        Ok(done)
    }

    pub async fn expire_checkout(
        &self,
        account_id: &str,
        session_id: &str,
        actor: Actor,
    ) -> Result<CheckoutDone> {
        let account = self.account(account_id)?;
        account.permit(|c| c.create_checkouts, "expiring checkouts")?;
        let expire = journal::expire(account.on(), session_id, actor, now());
        self.money_action(account_id, expire).await
    }

    /// The newest checkouts of a status (or all) whose words hold `search`.
    pub fn checkouts(
        &self,
        account_id: &str,
        filter: CheckoutFilter,
        search: &str,
        limit: usize,
    ) -> Result<CheckoutList> {
        checkouts::list(&*self.reader()?, account_id, filter, search, limit)
    }

    pub fn checkout_detail(&self, account_id: &str, session_id: &str) -> Result<CheckoutDetail> {
        checkouts::detail(&*self.reader()?, account_id, session_id)
    }

    /// A past checkout as a new draft.
    pub async fn duplicate_checkout(
        &self,
        account_id: &str,
        session_id: &str,
    ) -> Result<CheckoutDraft> {
        // Without the catalog (offline), every line comes back typed in.
        let catalog = self.checkout_catalog(account_id).await.unwrap_or_default();
        checkouts::duplicate(&*self.reader()?, account_id, session_id, &catalog)
    }

    pub fn checkout_settings(&self, account_id: &str) -> Result<CheckoutSettings> {
        checkouts::settings(&*self.reader()?, account_id)
    }

    pub fn save_checkout_settings(
        &self,
        account_id: &str,
        settings: &CheckoutSettings,
    ) -> Result<()> {
        checkouts::save_settings(&self.store(), account_id, settings)
    }

    /// While a checkout is on screen, the sync polls quickly so that its
    /// payment shows within seconds; for at most 15 minutes.
    pub fn follow_checkouts(&self, account_id: &str, following: bool) {
        if let Some(controls) = self.controls(account_id) {
            controls.follow_until(if following {
                crate::sync::unix_now() + FOLLOW_SECONDS
            } else {
                0
            });
        }
    }
}

//! The money movements of [`Till`]: captures, releases and refunds through
//! the journal, and the journal itself.

use super::{Till, now};
use crate::journal;
use crate::operations::{self, Actor, Amount, Done, RefundWhy, ReleaseReason};
use crate::{Error, Result};

impl Till {
    /// Captures all of a hold, or `amount` of it.
    pub async fn capture(
        &self,
        account_id: &str,
        payment_id: &str,
        amount: Option<Amount>,
        actor: Actor,
    ) -> Result<Done> {
        let account = self.account(account_id)?;
        account.permit(|c| c.capture, "capturing holds")?;
        let capture = operations::capture(account.on(), payment_id, amount, actor, now());
        self.money_action(account_id, capture).await
    }

    /// Releases a hold: the customer's money is let go, none is taken.
    pub async fn release(
        &self,
        account_id: &str,
        payment_id: &str,
        reason: Option<ReleaseReason>,
        actor: Actor,
    ) -> Result<Done> {
        let account = self.account(account_id)?;
        account.permit(|c| c.capture, "releasing holds")?;
        let release = operations::release(account.on(), payment_id, reason, actor, now());
        self.money_action(account_id, release).await
    }

    /// Refunds all that is refundable, or `amount`.
    pub async fn refund(
        &self,
        account_id: &str,
        payment_id: &str,
        amount: Option<Amount>,
        reason: Option<RefundWhy>,
        actor: Actor,
    ) -> Result<Done> {
        let account = self.account(account_id)?;
        account.permit(|c| c.refund, "refunds")?;
        let refund = operations::refund(account.on(), payment_id, amount, reason, actor, now());
        self.money_action(account_id, refund).await
    }

    /// Sends an operation left pending by a crash, at the user's word.
    /// Returns the operation's id once it went through.
    pub async fn send_pending(&self, account_id: &str, operation_id: &str) -> Result<String> {
        let account = self.account(account_id)?;
        let send = journal::send_pending(account.on(), operation_id, now());
        self.money_action(account_id, send).await
    }

    /// Drops an operation that was never sent, at the user's word.
    pub fn discard_operation(&self, account_id: &str, operation_id: &str) -> Result<()> {
        journal::discard(&self.store, account_id, operation_id, now())
    }

    /// Settles the money movements a crash or a lost answer left open (at
    /// start-up). Those settled are told to the movement listener too; those
    /// still unknown are asked about again later.
    pub async fn resolve_open_operations(&self, account_id: &str) -> Result<Vec<journal::Settled>> {
        let account = self.account(account_id)?;
        let found = journal::resolve_open(account.client(), &self.store, account_id, now()).await?;
        let settled: Vec<journal::SettledMovement> = found
            .iter()
            .filter(|s| s.state == "succeeded" || s.state == "failed")
            .filter_map(|s| {
                let row = till_store::table::operations::get(self.store().conn(), &s.operation_id);
                journal::SettledMovement::of(&row.ok()??)
            })
            .collect();
        self.tell_settled(&settled);
        self.recheck_later(account_id);
        Ok(found)
    }

    /// Every hold (uncaptured payment), the one that lapses soonest first.
    pub fn holds(&self, account_id: &str) -> Result<Vec<crate::payments::PaymentSummary>> {
        Ok(
            till_store::table::payment_intents::holds(self.reader()?.conn(), account_id)?
                .into_iter()
                .map(crate::payments::PaymentSummary::from)
                .collect(),
        )
    }

    /// A page of the account's refunds that the filters keep, newest first.
    pub fn refunds(
        &self,
        account_id: &str,
        query: crate::refund_list::RefundQuery,
        after: Option<crate::refund_list::RefundCursor>,
        limit: u32,
    ) -> Result<crate::refund_list::RefundPage> {
        crate::refund_list::page(&*self.reader()?, account_id, query, after, limit as usize)
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
        std::fs::write(&path, journal::journal_csv(&entries)).map_err(|err| {
            Error::DataDirUnusable {
                path: path.display().to_string(),
                detail: err.to_string(),
            }
        })?;
        Ok(path.display().to_string())
    }

    /// The account's journal, newest first (the audit view).
    pub fn operations(&self, account_id: &str) -> Result<Vec<journal::OperationEntry>> {
        journal::entries(&*self.reader()?, account_id, 1000)
    }
}

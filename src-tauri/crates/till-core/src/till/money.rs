//! The money movements of [`Till`]: captures, releases and refunds through
//! the journal, and the journal itself.

use super::{Till, now};
use crate::{Error, Result};

impl Till {
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
}

//! What the screens read from the cache: payments, a payment's detail,
//! Ctrl+K, the Overview.

use super::{DEMO_ACCOUNT_ID, Till, now};
use crate::{Error, Result};

impl Till {
    /// How many objects of each type the cache holds for an account.
    pub fn cache_counts(
        &self,
        account_id: &str,
    ) -> Result<std::collections::BTreeMap<String, i64>> {
        Ok(till_store::table::counts(
            self.reader()?.conn(),
            account_id,
        )?)
    }

    pub fn payments(
        &self,
        account_id: &str,
        query: crate::payments::PaymentQuery,
        after: Option<crate::payments::PageCursor>,
        limit: u32,
    ) -> Result<crate::payments::PaymentPage> {
        crate::payments::page(&*self.reader()?, account_id, query, after, limit as usize)
    }

    pub fn payment_currencies(&self, account_id: &str) -> Result<Vec<String>> {
        crate::payments::currencies(&*self.reader()?, account_id)
    }

    /// The Payments list's search: the newest 200 matches.
    pub fn search_payments(
        &self,
        account_id: &str,
        text: &str,
    ) -> Result<crate::search::PaymentSearch> {
        crate::search::payments(&*self.reader()?, account_id, text, 200)
    }

    /// Where an account's objects are in Stripe's Dashboard.
    fn dashboard(&self, account_id: &str) -> Result<crate::payment_detail::Dashboard> {
        use crate::payment_detail::Dashboard;
        if account_id == DEMO_ACCOUNT_ID {
            return Ok(Dashboard::None);
        }
        let row = till_store::table::accounts::get(self.reader()?.conn(), account_id)?.ok_or_else(
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
        let mut detail =
            crate::payment_detail::detail(&*self.reader()?, account_id, id, dashboard)?;
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

    pub fn jump(&self, account_id: &str, text: &str) -> Result<crate::jump::Jump> {
        crate::jump::jump(&*self.reader()?, account_id, text)
    }

    /// `midnights`: the local midnights of the days to add up, from the UI.
    pub fn overview(
        &self,
        account_id: &str,
        midnights: &[i64],
    ) -> Result<crate::overview::Overview> {
        crate::overview::overview(&*self.reader()?, account_id, midnights, now())
    }
}

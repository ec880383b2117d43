//! The sync's upkeep between polls: objects an event was not enough for,
//! fees Stripe books late, balance transactions no event names, which
//! transactions each payout paid out, the balance, and the periodic sweep.

use till_store::table::{balance_transactions, charges, payouts, sync_state};
use till_stripe::StripeError;
use till_stripe::requests::CreatedRange;

use super::engine::{Step, Syncer};
use super::health;
use super::kinds::{self, Kind};
use super::status::unix_now;
use crate::rows;

impl Syncer {
    pub(super) async fn refresh_balance(&self) -> Step<()> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.controls.balance_refused.load(Relaxed) {
            return Ok(());
        }
        let balance = match self.client.balance().await {
            Ok(balance) => balance,
            Err(err) if health::is_refusal(&err) => {
                tracing::warn!(account = %self.account_id, error = %err, "the balance cannot be read");
                self.controls.balance_refused.store(true, Relaxed);
                return Ok(());
            }
            Err(err) => return Err(err.into()),
        };
        let mut amounts: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
        for a in &balance.available {
            amounts.entry(a.currency.code().to_owned()).or_default().0 += a.amount;
        }
        for p in &balance.pending {
            amounts.entry(p.currency.code().to_owned()).or_default().1 += p.amount;
        }
        let snapshot: Vec<sync_state::BalanceRow> = amounts
            .into_iter()
            .map(|(currency, (available, pending))| sync_state::BalanceRow {
                currency,
                available,
                pending,
            })
            .collect();
        self.write(|tx| sync_state::replace_balance(tx, &self.account_id, &snapshot, unix_now()))
    }

    pub(super) async fn refetch(&self, kind: Kind, id: &str) -> Step<()> {
        let found = match kind {
            Kind::PaymentIntents => self
                .client
                .retrieve_payment_intent(id, &[])
                .await
                .map(|pi| self.write(|tx| kinds::store_payment(tx, &self.account_id, &pi))),
            Kind::Charges => self
                .client
                .retrieve_charge(id, &[])
                .await
                .map(|c| self.write(|tx| kinds::store_charge(tx, &self.account_id, &c))),
            Kind::CheckoutSessions => self
                .client
                .retrieve_checkout_session(id, &["line_items"])
                .await
                .map(|s| self.write(|tx| kinds::store_session(tx, &self.account_id, &s))),
            Kind::Refunds => self.client.retrieve_refund(id).await.map(|r| {
                self.write(|tx| {
                    till_store::table::refunds::upsert(tx, &self.account_id, &rows::refund(&r))
                })
            }),
            Kind::Customers => self.client.retrieve_customer(id).await.map(|c| {
                self.write(|tx| {
                    till_store::table::customers::upsert(tx, &self.account_id, &rows::customer(&c))
                })
            }),
            Kind::Payouts => self.client.retrieve_payout(id).await.map(|p| {
                self.write(|tx| {
                    till_store::table::payouts::upsert(tx, &self.account_id, &rows::payout(&p))
                })
            }),
            Kind::Disputes => self.client.retrieve_dispute(id).await.map(|d| {
                self.write(|tx| {
                    till_store::table::disputes::upsert(tx, &self.account_id, &rows::dispute(&d))
                })
            }),
            Kind::BalanceTransactions => return Ok(()),
        };
        match found {
            Ok(written) => written,
            Err(StripeError::NotFound { .. }) => Ok(()),
            // An object of a shape Till cannot read is counted, never stored.
            Err(StripeError::Decode { reason, .. }) => {
                let missing = reason
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_owned);
                let why = till_stripe::models::Unreadable {
                    id: Some(id.to_owned()),
                    created: None,
                    missing,
                    reason,
                };
                self.controls.health.note_page(kind, &[why], []);
                Ok(())
            }
            Err(err) if health::is_refusal(&err) => {
                self.controls.health.refuse(kind, &err);
                Ok(())
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Fees Stripe had not booked when a charge was stored, and every balance
    /// transaction a charge, refund or payout names that the cache lacks:
    /// Stripe sends no event for those. Returns how many were found.
    pub async fn late_fees(&self, limit: usize) -> Step<usize> {
        let waiting = charges::fee_pending(self.lock().conn(), &self.account_id, limit)?;
        for charge in waiting {
            // As a list sends it: the balance transaction as an id.
            let fresh = match self.client.retrieve_charge(&charge.id, &[]).await {
                Ok(fresh) => fresh,
                // A restricted key that cannot read charges: no fees to follow.
                Err(err) if health::is_refusal(&err) => break,
                Err(err) => return Err(err.into()),
            };
            self.write(|tx| kinds::store_charge(tx, &self.account_id, &fresh))?;
        }
        let missing =
            balance_transactions::missing_referenced(self.lock().conn(), &self.account_id, limit)?;
        let mut found = 0;
        for id in missing {
            let bt = match self.client.retrieve_balance_transaction(&id).await {
                Ok(bt) => bt,
                Err(StripeError::NotFound { .. }) => continue,
                Err(err) if health::is_refusal(&err) => break,
                Err(err) => return Err(err.into()),
            };
            self.write(|tx| {
                balance_transactions::upsert(tx, &self.account_id, &rows::balance_transaction(&bt))
            })?;
            found += 1;
        }
        Ok(found)
    }

    /// Which balance transactions each recent payout paid out: asked only of
    /// automatic payouts Stripe has reconciled (`payouts::unmatched`); a
    /// manual payout is never asked (Stripe cannot itemize it), one in
    /// progress waits for `payout.reconciliation_completed`.
    pub async fn match_payouts(&self, limit: usize) -> Step<usize> {
        let waiting = payouts::unmatched(self.lock().conn(), &self.account_id, limit)?;
        for payout in &waiting {
            let mut ids = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = match &after {
                    Some(id) => till_stripe::Page::after(100, id.clone()),
                    None => till_stripe::Page::first(100),
                };
                let list = match self
                    .client
                    .list_balance_transactions(Some(&payout.id), &page)
                    .await
                {
                    Ok(list) => list,
                    // A key that cannot read balance transactions: nothing to match.
                    Err(err @ StripeError::Permission { .. }) => {
                        self.controls.health.refuse(Kind::BalanceTransactions, &err);
                        return Ok(0);
                    }
                    // Stripe will not itemize this one (a manual payout a
                    // server calls automatic): never asked again, never a
                    // wrong match.
                    Err(err) if health::is_refusal(&err) => {
                        tracing::warn!(payout = %payout.id, error = %err, "Stripe does not itemize this payout");
                        ids.clear();
                        break;
                    }
                    Err(err) => return Err(err.into()),
                };
                after = list.data.last().map(|bt| bt.id.clone());
                ids.extend(list.data.into_iter().map(|bt| bt.object.id));
                if !list.has_more || after.is_none() {
                    break;
                }
            }
            self.write(|tx| {
                balance_transactions::assign_payout(tx, &self.account_id, &ids, &payout.id)?;
                payouts::mark_matched(tx, &self.account_id, &payout.id)
            })?;
        }
        Ok(waiting.len())
    }

    /// Lists the last 31 days of every type again: catches events that never
    /// came. A kind read without its date filter is read down to what is
    /// cached instead.
    pub async fn reconcile(&self) -> Step<i64> {
        let since = unix_now() - self.options.recent_days * 86_400;
        let mut stored = 0i64;
        for kind in self.controls.readable(&self.options.kinds) {
            if self.controls.health.unfiltered(kind) {
                stored += self.newest_down_to_cached(kind).await?;
                continue;
            }
            let mut after: Option<String> = None;
            loop {
                self.check()?;
                let page = match kinds::fetch(
                    &self.client,
                    kind,
                    Some(CreatedRange::since(since)),
                    after.as_deref(),
                    self.options.page_size,
                )
                .await
                {
                    Ok(page) => page,
                    Err(err) if health::is_refusal(&err) => {
                        if self.refused_with_filter(kind, &err).await? {
                            stored += self.newest_down_to_cached(kind).await?;
                        }
                        break;
                    }
                    Err(err) => return Err(err.into()),
                };
                self.note_page(kind, &page);
                stored += i64::try_from(page.len()).unwrap_or(0);
                self.write(|tx| kinds::store(tx, &self.account_id, &page.batch))?;
                match page.last {
                    Some((id, _)) if page.has_more => after = Some(id),
                    _ => break,
                }
            }
        }
        self.refresh_balance().await?;
        Ok(stored)
    }
}

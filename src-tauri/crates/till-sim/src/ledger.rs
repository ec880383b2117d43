//! Where money goes: fees, balance transactions, the balance, and automatic
//! daily payouts that sweep what is available.
//!
//! - A capture makes a `charge` balance transaction: `fee` per the account's
//!   schedule (2.9% + 30 by default), `net = amount − fee`, available two days
//!   later at midnight UTC. Amounts in a currency the account cannot settle
//!   are converted to USD at a fixed rate (`exchange_rate`).
//! - A refund makes a negative `refund` transaction, available at once,
//!   taken from the available balance and then the pending one. When the two
//!   together cannot cover it (everything was paid out), the refund stays
//!   `pending` until new funds mature, then succeeds (`charge.refund.updated`).
//! - Released holds move no money and make no transaction.
//! - Every midnight UTC, each currency's available balance is paid out: the
//!   payout lists exactly the transactions it swept
//!   (`GET /v1/balance_transactions?payout=`), whose nets sum to its amount;
//!   its own `payout` transaction is not in that list. It arrives two days
//!   later (`in_transit` → `paid`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::api::Ctx;
use crate::objects::balance::{BalanceTransaction, Payout};
use crate::objects::table::Table;

pub const DAY: i64 = 86_400;

/// Fees per card payment: `percent_bps / 100` percent plus `fixed` in the
/// settlement currency's smallest unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fees {
    pub percent_bps: i64,
    pub fixed: i64,
}

impl Default for Fees {
    fn default() -> Self {
        Self {
            percent_bps: 290,
            fixed: 30,
        }
    }
}

impl Fees {
    pub fn on(&self, amount: i64) -> i64 {
        // Round half up, as Stripe's fee lines do.
        (amount * self.percent_bps + 5_000) / 10_000 + self.fixed
    }
}

/// Currencies the simulated account settles in; the rest convert to USD.
const SETTLES: &[&str] = &["usd", "eur", "gbp"];

/// Fixed conversion rates to USD for the currencies the seed data uses.
fn usd_rate(currency: &str) -> f64 {
    match currency {
        "jpy" => 0.0067,
        "krw" => 0.00074,
        "bhd" => 2.65,
        "kwd" => 3.25,
        "cad" => 0.73,
        "aud" => 0.66,
        "chf" => 1.12,
        "sek" => 0.095,
        _ => 1.0,
    }
}

/// The settlement currency, the settled amount, and the rate when converted.
pub fn settle(currency: &str, amount: i64) -> (String, i64, Option<f64>) {
    if SETTLES.contains(&currency) {
        return (currency.to_owned(), amount, None);
    }
    let rate = usd_rate(currency);
    let decimals = crate::money::decimals(currency).unwrap_or(2);
    let scale = 10f64.powi(2 - i32::try_from(decimals).unwrap_or(2));
    #[allow(clippy::cast_possible_truncation)] // Amounts are far below 2^53.
    let settled = (amount as f64 * rate * scale).round() as i64;
    ("usd".to_owned(), settled, Some(rate))
}

fn next_midnight(at: i64) -> i64 {
    (at.div_euclid(DAY) + 1) * DAY
}

#[derive(Debug, Default)]
pub struct Ledger {
    pub transactions: Table<BalanceTransaction>,
    pub payouts: Table<Payout>,
    pub fees: Fees,
    available: BTreeMap<String, i64>,
    pending: BTreeMap<String, i64>,
    /// Transactions not yet available: (available_on, id).
    maturing: BTreeSet<(i64, String)>,
    /// Available transactions no payout has swept yet, per currency.
    unswept: BTreeMap<String, Vec<String>>,
    /// Payouts on their way: (arrival_date, id).
    in_transit: BTreeSet<(i64, String)>,
    /// Refunds waiting for funds, oldest first.
    pub waiting_refunds: Vec<String>,
    /// The last midnight (unix time) that ran the payout sweep.
    pub swept_until: Option<i64>,
}

impl Ledger {
    pub fn available(&self, currency: &str) -> i64 {
        self.available.get(currency).copied().unwrap_or(0)
    }

    pub fn balance_json(&self, livemode: bool) -> Value {
        let mut currencies: BTreeSet<&String> =
            self.available.keys().chain(self.pending.keys()).collect();
        let usd = "usd".to_owned();
        if currencies.is_empty() {
            currencies.insert(&usd);
        }
        let line = |map: &BTreeMap<String, i64>, currency: &String| {
            let amount = map.get(currency).copied().unwrap_or(0);
            json!({ "amount": amount, "currency": currency, "source_types": { "card": amount } })
        };
        json!({
            "object": "balance",
            "available": currencies.iter().map(|c| line(&self.available, c)).collect::<Vec<_>>(),
            "livemode": livemode,
            "pending": currencies.iter().map(|c| line(&self.pending, c)).collect::<Vec<_>>(),
        })
    }

    /// The earliest time something here changes by itself.
    pub fn next_deadline(&self) -> Option<i64> {
        let maturing = self.maturing.first().map(|(at, _)| *at);
        let arriving = self.in_transit.first().map(|(at, _)| *at);
        let sweep = self.swept_until.map(|at| at + DAY);
        [maturing, arriving, sweep].into_iter().flatten().min()
    }

    fn add(&mut self, bt: BalanceTransaction, now: i64) {
        let id = bt.id.clone();
        if bt.available_on <= now {
            *self.available.entry(bt.currency.clone()).or_default() += bt.net;
            if bt.kind != "payout" {
                self.unswept
                    .entry(bt.currency.clone())
                    .or_default()
                    .push(id.clone());
            }
        } else {
            *self.pending.entry(bt.currency.clone()).or_default() += bt.net;
            self.maturing.insert((bt.available_on, id.clone()));
        }
        self.transactions.insert(id, bt);
    }
}

/// Records the money a capture brings in; returns the transaction's id.
pub fn record_charge(
    ctx: &mut Ctx<'_>,
    charge_id: &str,
    amount: i64,
    currency: &str,
    created: i64,
) -> String {
    let (settlement, settled, rate) = settle(currency, amount);
    let fee = ctx.account.ledger.fees.on(settled).min(settled);
    let id = ctx.new_id("txn");
    let bt = BalanceTransaction {
        id: id.clone(),
        created,
        available_on: next_midnight(created) + DAY,
        amount: settled,
        fee,
        net: settled - fee,
        currency: settlement,
        exchange_rate: rate,
        kind: "charge",
        reporting_category: "charge",
        source: charge_id.to_owned(),
        description: None,
        payout: None,
    };
    let now = ctx.now;
    ctx.account.ledger.add(bt, now);
    id
}

/// Records a refund's money if the balance covers it. `None`: the refund
/// must wait for funds.
pub fn try_record_refund(
    ctx: &mut Ctx<'_>,
    refund_id: &str,
    amount: i64,
    currency: &str,
) -> Option<String> {
    let (settlement, settled, rate) = settle(currency, amount);
    // Stripe takes a refund from the available balance, then the pending one.
    let ledger = &ctx.account.ledger;
    if ledger.available(&settlement) + ledger.pending.get(&settlement).copied().unwrap_or(0)
        < settled
    {
        return None;
    }
    let id = ctx.new_id("txn");
    let bt = BalanceTransaction {
        id: id.clone(),
        created: ctx.now,
        available_on: ctx.now,
        amount: -settled,
        fee: 0,
        net: -settled,
        currency: settlement,
        exchange_rate: rate,
        kind: "refund",
        reporting_category: "refund",
        source: refund_id.to_owned(),
        description: Some("REFUND FOR CHARGE".to_owned()),
        payout: None,
    };
    let now = ctx.now;
    ctx.account.ledger.add(bt, now);
    Some(id)
}

/// Does what is due at `ctx.now`: funds mature, waiting refunds are paid
/// when they can be, a midnight sweeps payouts, payouts arrive. The clock
/// (crate::time) calls it at every deadline in order.
pub fn step(ctx: &mut Ctx<'_>) {
    let now = ctx.now;
    let swept = *ctx
        .account
        .ledger
        .swept_until
        .get_or_insert(now.div_euclid(DAY) * DAY);
    mature(ctx, now);
    if swept + DAY <= now {
        let midnight = now.div_euclid(DAY) * DAY;
        sweep(ctx, midnight);
        ctx.account.ledger.swept_until = Some(midnight);
    }
    arrive(ctx, now);
}

fn mature(ctx: &mut Ctx<'_>, until: i64) {
    let mut matured = false;
    while let Some((at, id)) = ctx.account.ledger.maturing.first().cloned() {
        if at > until {
            break;
        }
        let ledger = &mut ctx.account.ledger;
        ledger.maturing.pop_first();
        if let Some(bt) = ledger.transactions.get(&id) {
            let (currency, net) = (bt.currency.clone(), bt.net);
            *ledger.pending.entry(currency.clone()).or_default() -= net;
            *ledger.available.entry(currency.clone()).or_default() += net;
            ledger.unswept.entry(currency).or_default().push(id);
            matured = true;
        }
    }
    if matured {
        pay_waiting_refunds(ctx);
        let balance = ctx.account.ledger.balance_json(ctx.livemode);
        ctx.emit("balance.available", balance, None);
    }
}

fn pay_waiting_refunds(ctx: &mut Ctx<'_>) {
    let waiting = std::mem::take(&mut ctx.account.ledger.waiting_refunds);
    for refund_id in waiting {
        let Some(refund) = ctx.account.refunds.get(&refund_id).cloned() else {
            continue;
        };
        match try_record_refund(ctx, &refund_id, refund.amount, &refund.currency) {
            Some(bt) => {
                if let Some(r) = ctx.account.refunds.get_mut(&refund_id) {
                    r.status = "succeeded";
                    r.balance_transaction = Some(bt);
                }
                let object = ctx
                    .account
                    .refunds
                    .get(&refund_id)
                    .map(|r| r.to_json())
                    .unwrap_or(Value::Null);
                ctx.emit(
                    "charge.refund.updated",
                    object,
                    Some(json!({ "status": "pending" })),
                );
            }
            None => ctx.account.ledger.waiting_refunds.push(refund_id),
        }
    }
}

fn sweep(ctx: &mut Ctx<'_>, midnight: i64) {
    let currencies: Vec<String> = ctx.account.ledger.unswept.keys().cloned().collect();
    for currency in currencies {
        let ids = ctx
            .account
            .ledger
            .unswept
            .remove(&currency)
            .unwrap_or_default();
        let total: i64 = ids
            .iter()
            .filter_map(|id| ctx.account.ledger.transactions.get(id))
            .map(|bt| bt.net)
            .sum();
        if total <= 0 {
            // Nothing to pay out (or refunds outweigh income): carry over.
            ctx.account.ledger.unswept.insert(currency, ids);
            continue;
        }
        let payout_id = ctx.new_id("po");
        let bt_id = ctx.new_id("txn");
        for id in &ids {
            if let Some(bt) = ctx.account.ledger.transactions.get_mut(id) {
                bt.payout = Some(payout_id.clone());
            }
        }
        let bt = BalanceTransaction {
            id: bt_id.clone(),
            created: midnight,
            available_on: midnight,
            amount: -total,
            fee: 0,
            net: -total,
            currency: currency.clone(),
            exchange_rate: None,
            kind: "payout",
            reporting_category: "payout",
            source: payout_id.clone(),
            description: Some("STRIPE PAYOUT".to_owned()),
            payout: None,
        };
        ctx.account.ledger.add(bt, midnight);
        let payout = Payout {
            id: payout_id.clone(),
            created: midnight,
            arrival_date: midnight + 2 * DAY,
            livemode: ctx.livemode,
            amount: total,
            currency,
            balance_transaction: bt_id,
        };
        ctx.account
            .ledger
            .in_transit
            .insert((payout.arrival_date, payout_id.clone()));
        let object = payout.to_json(midnight);
        ctx.account.ledger.payouts.insert(payout_id, payout);
        ctx.emit("payout.created", object, None);
    }
}

fn arrive(ctx: &mut Ctx<'_>, now: i64) {
    while let Some((at, id)) = ctx.account.ledger.in_transit.first().cloned() {
        if at > now {
            break;
        }
        ctx.account.ledger.in_transit.pop_first();
        let object = ctx
            .account
            .ledger
            .payouts
            .get(&id)
            .map(|p| p.to_json(at))
            .unwrap_or(Value::Null);
        ctx.emit(
            "payout.paid",
            object,
            Some(json!({ "status": "in_transit" })),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_are_percent_plus_fixed_rounded_half_up() {
        let fees = Fees::default();
        assert_eq!(fees.on(1000), 59); // 29 + 30
        assert_eq!(fees.on(1050), 60); // 30.45 → 30, + 30
        assert_eq!(fees.on(50), 31); // 1.45 → 1, + 30
    }

    #[test]
    fn foreign_currencies_settle_in_usd_at_a_fixed_rate() {
        assert_eq!(settle("eur", 1000), ("eur".to_owned(), 1000, None));
        assert_eq!(settle("jpy", 1050), ("usd".to_owned(), 704, Some(0.0067)));
        assert_eq!(settle("bhd", 1250), ("usd".to_owned(), 331, Some(2.65)));
    }
}

//! Where money goes: fees, balance transactions, the balance, and the
//! payouts that take it to the bank.
//!
//! - A capture makes a `charge` balance transaction: `fee` per the account's
//!   schedule (2.9% + 30 by default), `net = amount − fee`, available two days
//!   later at midnight UTC. The account settles in USD, EUR and GBP, each
//!   kept and paid out on its own; a charge in any other currency is
//!   converted to USD at a fixed rate, so its transaction's `amount` differs
//!   from the charge's and `exchange_rate` says by how much.
//! - **A partial capture** of X from a hold of A books, as Stripe does, two
//!   rows: the `charge` for the whole authorization A (its fee is on X, what
//!   was captured), and a `refund` row of −(A − X) for the released rest,
//!   category `partial_capture_reversal`; it is the balance transaction of
//!   the refund object that records the release. Together they net X − fee.
//!   A hold released whole, or left to lapse, moves no money and books nothing.
//! - A refund makes a negative `refund` transaction, available at once,
//!   taken from the available balance and then the pending one. When the two
//!   together cannot cover it (everything was paid out), the refund stays
//!   `pending` until new funds mature, then succeeds (`charge.refund.updated`).
//!   A refund of a charge paid with `pm_card_refundFail` succeeds, then fails
//!   a day later (Stripe's test card for a closed card account): the refund
//!   turns `failed` with `failure_reason` and `failure_balance_transaction`, a
//!   `refund_failure` row gives the money back, the charge's
//!   `amount_refunded` drops, and `charge.refund.updated` is sent.
//! - **Stand-alone Stripe fees**: on the first of each month a `stripe_fee`
//!   row (category `fee`) takes Radar's fee for the month before, 2 cents in
//!   USD per card payment screened; `POST /_sim/stripe_fees` books one now.
//! - **Disputes** withdraw and reinstate money through `adjustment` rows:
//!   see [`crate::disputes`].
//! - Every midnight UTC, each settlement currency's available transactions
//!   are paid out by one automatic payout, whose amount is exactly the sum
//!   of their `net` (the invariant a test checks on every payout of a large
//!   seed). When refunds and disputes outweighed the sales, that sum is
//!   negative: while the sales still pending can cover it, it is carried
//!   over and netted against the next payouts; when they cannot (refunds
//!   wait for funds, so in practice only disputes and fees get there), the
//!   payout is negative and the bank account is debited. A sum of zero
//!   waits for the next day. The payout's own `payout` row is not among
//!   its transactions. It arrives two days later (`in_transit` → `paid`,
//!   `payout.paid`); its reconciliation runs until six hours after that
//!   (`reconciliation_status` `in_progress`, then `completed` and
//!   `payout.reconciliation_completed`). Until then
//!   `GET /v1/balance_transactions?payout=` lists none of its transactions
//!   (Stripe: they "may not be available yet"); afterwards, all of them.
//! - **A failed payout** first shows `paid`, then turns `failed` when its
//!   failure falls due (`POST /_sim/payouts/{id}/fail`, or the seed's):
//!   `failure_code`, `failure_message`, and `failure_balance_transaction`, a
//!   `payout_failure` row (category `payout_reversal`) that puts the money
//!   back, available at once; the next automatic payout carries it again
//!   (the simulated bank details are fixed at once). `payout.failed`.
//! - **Manual payouts** (`POST /v1/payouts`, `automatic: false`,
//!   `reconciliation_status: not_applicable`): `standard` ones take only the
//!   available balance (else 400 `balance_insufficient`), which with daily
//!   payouts is mostly what a failed payout gave back; `instant` ones may
//!   also take pending card funds (Stripe's instant-available balance), for
//!   a fee of 1.5% (at least 50) on their `payout` row, and arrive within 30
//!   minutes. Their transactions cannot be listed by payout: `payout=` on
//!   one answers Stripe's 400. Their `payout` row is swept, like any other
//!   available row, into the next automatic payout, which therefore pays out
//!   that much less.

mod payouts;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::api::Ctx;
use crate::objects::balance::{BalanceTransaction, Payout};
use crate::objects::table::Table;

pub use payouts::{FAILURE_CODES, ManualPayout, create_manual_payout, fail_payout};

pub const DAY: i64 = 86_400;

/// How long after a payout arrives its reconciliation completes.
pub const RECONCILIATION_DELAY: i64 = 6 * 3600;

/// How long after it succeeded a refund to a closed card fails.
pub const REFUND_FAILS_AFTER: i64 = DAY;

/// Radar's fee per screened card payment, in US cents.
const RADAR_FEE_PER_PAYMENT: i64 = 2;

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
pub const SETTLES: &[&str] = &["usd", "eur", "gbp"];

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

pub fn next_midnight(at: i64) -> i64 {
    (at.div_euclid(DAY) + 1) * DAY
}

/// Something the clock does at a given time (see [`Ledger::timers`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A payout reaches the bank.
    PayoutArrives(String),
    /// An automatic payout's transactions are all reconciled.
    PayoutReconciled(String),
    /// A paid payout bounces.
    PayoutFails { payout: String, code: String },
    /// A refund to a closed card fails.
    RefundFails(String),
    /// A dispute moves on: evidence goes in, the network decides, or the
    /// deadline passes (see [`crate::disputes`]).
    Dispute(String),
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
    /// What falls due by itself, in time order.
    pub timers: BTreeSet<(i64, Timer)>,
    /// Refunds waiting for funds, oldest first.
    pub waiting_refunds: Vec<String>,
    /// The last midnight (unix time) that ran the payout sweep.
    pub swept_until: Option<i64>,
}

impl Ledger {
    pub fn available(&self, currency: &str) -> i64 {
        self.available.get(currency).copied().unwrap_or(0)
    }

    pub fn pending(&self, currency: &str) -> i64 {
        self.pending.get(currency).copied().unwrap_or(0)
    }

    /// What becomes available at `at` in `currency` (a midnight).
    pub fn maturing_at(&self, currency: &str, at: i64) -> i64 {
        self.maturing
            .range((at, String::new())..(at + 1, String::new()))
            .filter_map(|(_, id)| self.transactions.get(id))
            .filter(|bt| bt.currency == currency)
            .map(|bt| bt.net)
            .sum()
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
        let timer = self.timers.first().map(|(at, _)| *at);
        let sweep = self.swept_until.map(|at| at + DAY);
        [maturing, timer, sweep].into_iter().flatten().min()
    }

    /// Books a transaction. `sweepable`: a later automatic payout pays it
    /// out (everything but an automatic payout's own row).
    pub(crate) fn add(&mut self, bt: BalanceTransaction, now: i64, sweepable: bool) {
        let id = bt.id.clone();
        if bt.available_on <= now {
            *self.available.entry(bt.currency.clone()).or_default() += bt.net;
            if sweepable {
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

/// A transaction available at once, with no fee: refunds, adjustments,
/// payout rows.
pub(crate) fn immediate(
    ctx: &mut Ctx<'_>,
    kind: &'static str,
    reporting_category: &'static str,
    amount: i64,
    currency: &str,
    source: Option<&str>,
    description: &str,
) -> BalanceTransaction {
    BalanceTransaction {
        id: ctx.new_id("txn"),
        created: ctx.now,
        available_on: ctx.now,
        amount,
        fee: 0,
        net: amount,
        currency: currency.to_owned(),
        exchange_rate: None,
        kind,
        reporting_category,
        source: source.map(str::to_owned),
        description: Some(description.to_owned()),
        fee_description: "Stripe processing fees",
        payout: None,
    }
}

/// Books `bt` now, into the next automatic payout; returns its id.
pub(crate) fn book(ctx: &mut Ctx<'_>, bt: BalanceTransaction) -> String {
    let id = bt.id.clone();
    let now = ctx.now;
    ctx.account.ledger.add(bt, now, true);
    id
}

/// Records the money a capture brings in; returns the transaction's id.
/// `authorized` is the hold's amount when only `captured` of it was taken
/// (the rest is booked by [`record_partial_capture_reversal`]).
pub fn record_charge(
    ctx: &mut Ctx<'_>,
    charge_id: &str,
    authorized: i64,
    captured: i64,
    currency: &str,
    created: i64,
) -> String {
    let (settlement, settled, rate) = settle(currency, authorized);
    let released = settle(currency, authorized - captured).1;
    let fee = ctx
        .account
        .ledger
        .fees
        .on(settled - released)
        .min(settled - released);
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
        source: Some(charge_id.to_owned()),
        description: None,
        fee_description: "Stripe processing fees",
        payout: None,
    };
    let now = ctx.now;
    ctx.account.ledger.add(bt, now, true);
    id
}

/// The released rest of a partial capture: a `refund` row, category
/// `partial_capture_reversal`, maturing with the charge it reverses.
pub fn record_partial_capture_reversal(
    ctx: &mut Ctx<'_>,
    refund_id: &str,
    amount: i64,
    currency: &str,
) -> String {
    let (settlement, settled, rate) = settle(currency, amount);
    let id = ctx.new_id("txn");
    let bt = BalanceTransaction {
        id: id.clone(),
        created: ctx.now,
        available_on: next_midnight(ctx.now) + DAY,
        amount: -settled,
        fee: 0,
        net: -settled,
        currency: settlement,
        exchange_rate: rate,
        kind: "refund",
        reporting_category: "partial_capture_reversal",
        source: Some(refund_id.to_owned()),
        description: Some("Partial capture reversal".to_owned()),
        fee_description: "Stripe processing fees",
        payout: None,
    };
    let now = ctx.now;
    ctx.account.ledger.add(bt, now, true);
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
    if ledger.available(&settlement) + ledger.pending(&settlement) < settled {
        return None;
    }
    let mut bt = immediate(
        ctx,
        "refund",
        "refund",
        -settled,
        &settlement,
        Some(refund_id),
        "REFUND FOR CHARGE",
    );
    bt.exchange_rate = rate;
    let id = book(ctx, bt);
    refund_booked(ctx, refund_id);
    Some(id)
}

/// A refund's money left: a refund to a closed card fails later.
fn refund_booked(ctx: &mut Ctx<'_>, refund_id: &str) {
    let closed_card = ctx
        .account
        .refunds
        .get(refund_id)
        .and_then(|r| ctx.account.charges.get(&r.charge))
        .is_some_and(|c| c.payment_method.as_deref() == Some("pm_card_refundFail"));
    if closed_card {
        let at = ctx.now + REFUND_FAILS_AFTER;
        ctx.account
            .ledger
            .timers
            .insert((at, Timer::RefundFails(refund_id.to_owned())));
    }
}

/// Does what is due at `ctx.now`: funds mature, waiting refunds are paid
/// when they can be, a midnight books the month's fees and sweeps payouts,
/// then the timers that fell due run. The clock (crate::time) calls it at
/// every deadline in order.
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
        monthly_fees(ctx, swept, midnight);
        payouts::sweep(ctx, midnight);
        ctx.account.ledger.swept_until = Some(midnight);
    }
    while let Some((at, timer)) = ctx.account.ledger.timers.first().cloned() {
        if at > now {
            break;
        }
        ctx.account.ledger.timers.pop_first();
        match timer {
            Timer::PayoutArrives(id) => payouts::arrive(ctx, &id, at),
            Timer::PayoutReconciled(id) => payouts::reconciled(ctx, &id, at),
            Timer::PayoutFails { payout, code } => payouts::bounce(ctx, &payout, &code),
            Timer::RefundFails(id) => refund_fails(ctx, &id),
            Timer::Dispute(id) => crate::disputes::on_timer(ctx, &id),
        }
    }
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

/// A refund to a closed card bounces: the money comes back.
fn refund_fails(ctx: &mut Ctx<'_>, refund_id: &str) {
    let Some(refund) = ctx.account.refunds.get(refund_id).cloned() else {
        return;
    };
    if refund.status != "succeeded" {
        return;
    }
    let (settlement, settled, rate) = settle(&refund.currency, refund.amount);
    let mut bt = immediate(
        ctx,
        "refund_failure",
        "refund_failure",
        settled,
        &settlement,
        Some(refund_id),
        "REFUND FAILURE",
    );
    bt.exchange_rate = rate;
    let bt_id = book(ctx, bt);
    if let Some(r) = ctx.account.refunds.get_mut(refund_id) {
        r.status = "failed";
        r.failure_reason = Some("expired_or_canceled_card");
        r.failure_balance_transaction = Some(bt_id);
    }
    if let Some(charge) = ctx.account.charges.get_mut(&refund.charge) {
        charge.amount_refunded -= refund.amount;
    }
    let object = ctx
        .account
        .refunds
        .get(refund_id)
        .map(|r| r.to_json())
        .unwrap_or(Value::Null);
    ctx.emit(
        "charge.refund.updated",
        object,
        Some(json!({ "status": "succeeded", "failure_reason": null, "failure_balance_transaction": null })),
    );
}

/// The civil (year, month, day) of a unix day number (Howard Hinnant's
/// algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// On the first of a month, Radar's fee for the month before: one
/// `stripe_fee` row per month.
fn monthly_fees(ctx: &mut Ctx<'_>, swept: i64, midnight: i64) {
    // Every midnight since the last sweep (usually just this one).
    let mut at = swept + DAY;
    while at <= midnight {
        let (year, month, day) = civil(at.div_euclid(DAY));
        if day == 1 {
            let (y, m) = if month == 1 {
                (year - 1, 12)
            } else {
                (year, month - 1)
            };
            let start = (at.div_euclid(DAY) - days_in_month(y, m)) * DAY;
            let screened = ctx
                .account
                .charges
                .newest_first()
                // Charges are made in time order: newest first, the month is a run.
                .skip_while(|(_, c)| c.created >= at)
                .take_while(|(_, c)| c.created >= start)
                .count();
            let screened = i64::try_from(screened).unwrap_or(0);
            if screened > 0 {
                let now = ctx.now;
                ctx.now = at;
                let description = format!(
                    "Radar for Fraud Teams ({y:04}-{m:02}-01 - {y:04}-{m:02}-{:02}): {screened} screened payments",
                    days_in_month(y, m)
                );
                record_stripe_fee(ctx, screened * RADAR_FEE_PER_PAYMENT, "usd", &description);
                ctx.now = now;
            }
        }
        at += DAY;
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A stand-alone Stripe fee (`stripe_fee`, category `fee`), taken now.
pub fn record_stripe_fee(
    ctx: &mut Ctx<'_>,
    amount: i64,
    currency: &str,
    description: &str,
) -> String {
    let bt = immediate(
        ctx,
        "stripe_fee",
        "fee",
        -amount,
        currency,
        None,
        description,
    );
    book(ctx, bt)
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

    #[test]
    fn civil_dates_and_month_lengths() {
        assert_eq!(civil(0), (1970, 1, 1));
        // 2024-02-29 and 2024-03-01.
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(civil(19_783), (2024, 3, 1));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
    }
}

//! The hard days of reconciliation, written into every seeded history of
//! two weeks or more, at fixed fractions of it (so a short test seed has
//! them too), played through the same code as everything else:
//!
//! - disputes on about one card payment in 500, decided 20 to 50 days later
//!   (won, lost, or never answered and lost), plus the story's own: one
//!   **won** (a typical payment, disputed at 40% of the history), those that
//!   make the negative payout below, and one still `needs_response` two
//!   days before the end;
//! - one **instant payout** (manual, `automatic: false`) at 45%, of half of
//!   what matures in USD that night;
//! - one **failed payout** at 55%: the day's USD payout turns `failed` two
//!   days after it was paid, and the next payout carries the money again;
//! - one **refund that fails** at 60%: the next card payment is made with
//!   Stripe's `pm_card_refundFail`, refunded a day later, and the refund
//!   fails the day after (a customer's closed card);
//! - one **negative payout** at 80%: the shop is closed for a day, and late
//!   that day a stolen card's payments of the last month are charged back,
//!   the largest first, until they outweigh the USD balance, pending sales
//!   included. Nothing is pending at midnight (the day was closed), so that
//!   night's USD payout debits the bank.
//!
//! Partial captures book their `partial_capture_reversal` rows and the first
//! of each month its Radar fee by themselves (see [`crate::ledger`]). The
//! story draws from a random stream of its own, so the business around it
//! (amounts, cards, holds) is the same as without it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Action;
use crate::api::Ctx;
use crate::disputes::Opening;
use crate::ledger::{DAY, ManualPayout, next_midnight};
use crate::objects::Metadata;
use crate::objects::dispute::Verdict;

/// Story beats, in the order of [`Action::Beat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Beat {
    WonDispute,
    InstantPayout,
    FailedPayout,
    RefundToClosedCard,
    NegativeDay,
    OpenDispute,
}

/// One card payment in this many is disputed.
const DISPUTE_ONE_IN: u32 = 500;

#[derive(Debug)]
pub struct Story {
    rng: fastrand::Rng,
    /// The day the shop is closed: [start, end).
    closed: Option<(i64, i64)>,
    /// How long the won dispute waits for its verdict.
    won_after: i64,
    /// The next card payment is made with a card closed before its refund.
    closed_card: bool,
}

impl Story {
    pub fn new(seed: u64, start: i64, end: i64) -> Self {
        let span = end - start;
        let told = span >= 14 * DAY;
        let closed_from = next_midnight(start + span * 8 / 10);
        Self {
            rng: fastrand::Rng::with_seed(seed ^ 0x0570_71e5),
            closed: told.then_some((closed_from, closed_from + DAY)),
            // Decided before the closed day, whatever the history's length.
            won_after: (30 * DAY).min(span * 35 / 100),
            closed_card: false,
        }
    }

    /// The beats and when they play.
    pub fn beats(&self, start: i64, end: i64) -> Vec<(i64, Action)> {
        let Some((_, reopened)) = self.closed else {
            return Vec::new();
        };
        let span = end - start;
        let at = |percent: i64| start + span * percent / 100;
        let midday = |t: i64| t.div_euclid(DAY) * DAY + 14 * 3600;
        vec![
            (at(40), Action::Beat(Beat::WonDispute)),
            (midday(at(45)), Action::Beat(Beat::InstantPayout)),
            (at(55), Action::Beat(Beat::FailedPayout)),
            (at(60), Action::Beat(Beat::RefundToClosedCard)),
            (reopened - 2 * 3600, Action::Beat(Beat::NegativeDay)),
            (end - 2 * DAY, Action::Beat(Beat::OpenDispute)),
        ]
    }

    /// Where a moment of the closed day goes: into the first hour after it
    /// reopens. Other moments stay.
    pub fn reopen(&self, at: i64) -> i64 {
        match self.closed {
            Some((from, to)) if at >= from && at < to => to + (at - from) / 24,
            _ => at,
        }
    }

    /// The card the next card payment is made with, if the story says.
    pub fn card(&self) -> Option<&'static str> {
        self.closed_card.then_some("pm_card_refundFail")
    }

    /// A card payment succeeded (made with `card`, if the story gave one):
    /// the closed card's is refunded a day later; now and then a customer
    /// disputes one some days later.
    pub fn paid(
        &mut self,
        now: i64,
        payment_intent: &str,
        card: Option<&'static str>,
        schedule: &mut BinaryHeap<Reverse<(i64, Action)>>,
    ) {
        if card.is_some() {
            self.closed_card = false;
            schedule.push(Reverse((
                now + DAY,
                Action::Refund {
                    payment_intent: payment_intent.to_owned(),
                    amount: None,
                },
            )));
            return;
        }
        if self.closed.is_none() || self.rng.u32(0..DISPUTE_ONE_IN) != 0 {
            return;
        }
        let won = match self.rng.u32(0..100) {
            0..=34 => Some(true),
            35..=79 => Some(false),
            _ => None,
        };
        let when = now + self.rng.i64(3 * DAY..=30 * DAY);
        let decide_after = self.rng.i64(20 * DAY..=50 * DAY);
        schedule.push(Reverse((
            when,
            Action::Dispute {
                payment_intent: payment_intent.to_owned(),
                won,
                decide_after,
            },
        )));
    }

    pub fn play(&mut self, ctx: &mut Ctx<'_>, beat: Beat) {
        match beat {
            Beat::WonDispute => {
                let verdict = Verdict {
                    won: true,
                    at: ctx.now + self.won_after,
                };
                dispute_payment(ctx, "product_not_received", Some(verdict), 50);
            }
            Beat::InstantPayout => instant_payout(ctx),
            Beat::FailedPayout => {
                let payout = ctx
                    .account
                    .ledger
                    .payouts
                    .newest_first()
                    .find(|(_, p)| p.automatic && p.currency == "usd" && p.amount > 0)
                    .map(|(id, _)| id.to_owned());
                if let Some(id) = payout {
                    let _ = crate::ledger::fail_payout(ctx, &id, "account_closed", 2);
                }
            }
            Beat::RefundToClosedCard => self.closed_card = true,
            Beat::NegativeDay => {
                // A stolen card: its payments charged back, the largest
                // first, until the balance is below zero, however busy the shop.
                for charge in disputable(ctx) {
                    let ledger = &ctx.account.ledger;
                    if ledger.available("usd") + ledger.pending("usd") < 0 {
                        break;
                    }
                    open(ctx, charge, "fraudulent", None);
                }
            }
            Beat::OpenDispute => {
                dispute_payment(ctx, "duplicate", None, 60);
            }
        }
    }

    pub fn dispute(ctx: &mut Ctx<'_>, payment_intent: &str, won: Option<bool>, decide_after: i64) {
        let Some(charge) = ctx
            .account
            .payment_intents
            .get(payment_intent)
            .and_then(|pi| pi.latest_charge.clone())
        else {
            return;
        };
        let verdict = won.map(|won| Verdict {
            won,
            at: ctx.now + decide_after,
        });
        let reason = if won == Some(true) {
            "product_not_received"
        } else {
            "fraudulent"
        };
        // A payment refunded in full meanwhile is not disputed.
        let _ = crate::disputes::open(
            ctx,
            Opening {
                charge,
                reason: reason.to_owned(),
                inquiry: false,
                verdict,
            },
        );
    }
}

/// Disputes a USD payment of the last 30 days that can still be disputed,
/// the `percent` one down from the largest (0: the largest, 50: a typical
/// one).
fn dispute_payment(ctx: &mut Ctx<'_>, reason: &str, verdict: Option<Verdict>, percent: usize) {
    let candidates = disputable(ctx);
    if let Some(charge) = candidates.get(candidates.len() * percent / 100) {
        open(ctx, charge.clone(), reason, verdict);
    }
}

/// The USD payments of the last 30 days that can still be disputed,
/// largest first.
fn disputable(ctx: &Ctx<'_>) -> Vec<String> {
    let since = ctx.now - 30 * DAY;
    let mut candidates: Vec<(i64, String)> = ctx
        .account
        .charges
        .newest_first()
        .take_while(|(_, c)| c.created >= since)
        .filter(|(_, c)| {
            c.currency == "usd"
                && c.captured
                && c.paid()
                && c.dispute.is_none()
                && c.amount_refunded == 0
        })
        .map(|(id, c)| (c.amount_captured, id.to_owned()))
        .collect();
    candidates.sort_unstable_by(|a, b| b.cmp(a));
    candidates.into_iter().map(|(_, id)| id).collect()
}

fn open(ctx: &mut Ctx<'_>, charge: String, reason: &str, verdict: Option<Verdict>) {
    // Refused only for what `disputable` already left out.
    let _ = crate::disputes::open(
        ctx,
        Opening {
            charge,
            reason: reason.to_owned(),
            inquiry: false,
            verdict,
        },
    );
}

/// The owner pays out half of what matures tonight, now (an Instant Payout).
fn instant_payout(ctx: &mut Ctx<'_>) {
    let tonight = next_midnight(ctx.now);
    let maturing = ctx.account.ledger.maturing_at("usd", tonight);
    let amount = maturing / 2 / 100 * 100;
    if amount < 100 {
        return;
    }
    let _ = crate::ledger::create_manual_payout(
        ctx,
        ManualPayout {
            amount,
            currency: "usd".to_owned(),
            method: "instant",
            description: Some("Instant payout".to_owned()),
            statement_descriptor: None,
            metadata: Metadata::new(),
        },
    );
}

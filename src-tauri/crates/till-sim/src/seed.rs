//! A believable business, generated deterministically at any size: customers,
//! a catalog, months of payments in several currencies (holds among them,
//! captured, released or still open near expiry; declines; full and partial
//! refunds), Checkout Sessions (paid, open, expired) and the daily payouts
//! with their balance transactions that all this produces.
//!
//! History is played forward in time through the same code that serves the
//! API, so every object obeys the same rules. Events are recorded only for
//! the last 30 days, which is all Stripe keeps. A history of two weeks or
//! more also tells the hard days of reconciliation ([`story`]): disputes
//! (under 1% of payments, one won), an instant payout, a failed payout and
//! its re-payment, a refund that fails, and a negative payout.

mod story;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::api::Ctx;
use crate::api::checkout::complete_session;
use crate::api::confirmation::run_confirmation;
use crate::api::payment_intents::{cancel_intent, capture_intent};
use crate::api::refunds::refund;
use crate::ledger::DAY;
use crate::objects::Metadata;
use crate::objects::catalog::{Price, Product};
use crate::objects::checkout::{CheckoutSession, LineItem};
use crate::objects::customer::Customer;
use crate::objects::payment_intent::{PaymentIntent, PiStatus};
use crate::state::Account;
use story::Story;

/// How much business to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSpec {
    pub payments: usize,
    pub seed: u64,
    pub days: i64,
    /// Holds left uncaptured that lapse within a day of the end (3 h, then
    /// 20 h, 9 h…): what staff must act on today. Besides `payments`.
    pub lapsing_holds: usize,
}

impl SeedSpec {
    /// The demo account: a small café's last three months.
    pub fn demo() -> Self {
        Self {
            payments: 600,
            seed: 42,
            days: 90,
            lapsing_holds: 2,
        }
    }

    pub fn new(payments: usize, seed: u64) -> Self {
        Self {
            payments,
            seed,
            days: 180,
            lapsing_holds: 0,
        }
    }
}

/// What seeding made, for the report and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub payment_intents: usize,
    pub charges: usize,
    pub refunds: usize,
    pub sessions: usize,
    pub balance_transactions: usize,
    pub payouts: usize,
    pub disputes: usize,
    pub events: usize,
}

impl SeedReport {
    pub fn objects(&self) -> usize {
        self.payment_intents
            + self.charges
            + self.refunds
            + self.sessions
            + self.balance_transactions
            + self.payouts
            + self.disputes
            + self.events
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Capture {
        id: String,
        amount: Option<i64>,
    },
    Release {
        id: String,
    },
    Refund {
        payment_intent: String,
        amount: Option<i64>,
    },
    /// A customer disputes a payment; `won: None` means nobody answers.
    Dispute {
        payment_intent: String,
        won: Option<bool>,
        decide_after: i64,
    },
    Beat(story::Beat),
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kemi",
    "Luca", "Mei", "Noor", "Omar", "Priya",
];
const LAST_NAMES: &[&str] = &[
    "Okafor", "Larsen", "Dubois", "Patel", "Schmidt", "Tanaka", "García", "Murphy", "Novak",
    "Rossi", "Kim", "Haddad",
];
const PRODUCTS: &[(&str, i64)] = &[
    ("Flat white", 420),
    ("Espresso", 300),
    ("Croissant", 350),
    ("Sourdough loaf", 750),
    ("Coffee beans 1 kg", 3200),
    ("Catering tray", 14_500),
    ("Barista course", 9_900),
    ("Gift card", 5_000),
];

/// (currency, share in percent, smallest and largest amount in minor units)
const CURRENCIES: &[(&str, u32, i64, i64)] = &[
    ("usd", 68, 300, 45_000),
    ("eur", 12, 300, 40_000),
    ("gbp", 6, 300, 35_000),
    ("jpy", 9, 500, 60_000),
    ("bhd", 5, 1_000, 80_000),
];

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// A roughly log-uniform amount, rounded as people price things.
fn amount(rng: &mut fastrand::Rng, currency: &str, low: i64, high: i64) -> i64 {
    let (l, h) = ((low as f64).ln(), (high as f64).ln());
    #[allow(clippy::cast_possible_truncation)]
    let raw = (l + rng.f64() * (h - l)).exp() as i64;
    let step = match crate::money::decimals(currency) {
        Some(0) => 10,
        Some(3) => 50,
        _ => 5,
    };
    (raw / step).max(1) * step
}

/// Seeds `account` with history ending at `end` (unix time).
pub fn seed(account: &mut Account, spec: SeedSpec, end: i64, base_url: &str) -> SeedReport {
    // Two streams: ids (which depend on what the clock did, e.g. how many
    // payouts ran) and business decisions, which then repeat exactly.
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let mut decide = fastrand::Rng::with_seed(spec.seed ^ 0x5eed_dec1de);
    let start = end - spec.days * DAY;
    let mut ctx = Ctx::at(account, &mut rng, base_url, start, false, "req_seed");
    ctx.quiet_until = end - 30 * DAY;
    ctx.lazy_events = true;
    crate::time::advance(&mut ctx);
    let customers = seed_customers(&mut ctx, &mut decide, spec.payments, start);
    let prices = seed_catalog(&mut ctx, start);
    let mut schedule: BinaryHeap<Reverse<(i64, Action)>> = BinaryHeap::new();
    let mut story = Story::new(spec.seed, start, end);
    schedule.extend(story.beats(start, end).into_iter().map(Reverse));
    let span = (end - start - 3600).max(1);
    let count = i64::try_from(spec.payments.max(1)).unwrap_or(i64::MAX);

    // A customer-initiated card hold lasts 7 days: made this long before the
    // end, it lapses this long after it.
    let mut lapsing: Vec<i64> = [3, 20, 9, 14, 1]
        .iter()
        .cycle()
        .take(spec.lapsing_holds)
        .map(|hours| end - 7 * DAY + hours * 3600)
        .filter(|at| *at > start)
        .collect();
    lapsing.sort_unstable_by(|a, b| b.cmp(a));
    for n in 0..spec.payments {
        let index = i64::try_from(n).unwrap_or(0);
        let at = story.reopen(start + span * index / count + decide.i64(0..=(span / count).max(1)));
        while lapsing.last().is_some_and(|when| *when <= at) {
            let when = lapsing.pop().unwrap_or(at);
            run_due(&mut ctx, &mut schedule, when, &mut story);
            ctx.now = when.max(ctx.now);
            crate::time::advance(&mut ctx);
            lapsing_hold(&mut ctx, &mut decide, &customers, lapsing.len());
        }
        run_due(&mut ctx, &mut schedule, at, &mut story);
        ctx.now = at.max(ctx.now);
        crate::time::advance(&mut ctx);
        let roll = decide.u32(0..100);
        if roll < 7 && !prices.is_empty() {
            checkout_payment(&mut ctx, &mut decide, &prices, &customers, n);
        } else {
            let card = story.card();
            card_payment(
                &mut ctx,
                &mut decide,
                &customers,
                n,
                end,
                &mut schedule,
                card,
            );
            if let Some(pi) = ctx.account.payment_intents.newest_first().next()
                && pi.1.status == PiStatus::Succeeded
            {
                let id = pi.0.to_owned();
                story.paid(ctx.now, &id, card, &mut schedule);
            }
        }
        // Now and then a customer opens a checkout and walks away.
        if decide.u32(0..100) < 2 && !prices.is_empty() {
            let session = open_session(&mut ctx, &mut decide, &prices, n);
            ctx.account
                .open_sessions
                .insert((session.expires_at, session.id.clone()));
            ctx.account.sessions.insert(session.id.clone(), session);
        }
    }
    run_due(&mut ctx, &mut schedule, end, &mut story);
    ctx.now = end;
    crate::time::advance(&mut ctx);
    // A few checkouts still open at the end, as in any shop's day.
    for n in 0..(spec.payments / 150 + 2) {
        if prices.is_empty() {
            break;
        }
        let session = open_session(&mut ctx, &mut decide, &prices, spec.payments + n);
        ctx.account
            .open_sessions
            .insert((session.expires_at, session.id.clone()));
        ctx.account.sessions.insert(session.id.clone(), session);
    }
    let account = &mut *ctx.account;
    account.payment_intents.shrink();
    account.charges.shrink();
    account.refunds.shrink();
    account.ledger.transactions.shrink();
    SeedReport {
        payment_intents: ctx.account.payment_intents.len(),
        charges: ctx.account.charges.len(),
        refunds: ctx.account.refunds.len(),
        sessions: ctx.account.sessions.len(),
        balance_transactions: ctx.account.ledger.transactions.len(),
        payouts: ctx.account.ledger.payouts.len(),
        disputes: ctx.account.disputes.len(),
        events: ctx.account.events.len(),
    }
}

fn run_due(
    ctx: &mut Ctx<'_>,
    schedule: &mut BinaryHeap<Reverse<(i64, Action)>>,
    until: i64,
    story: &mut Story,
) {
    while let Some(Reverse((at, _))) = schedule.peek() {
        if *at > until {
            break;
        }
        let Some(Reverse((at, action))) = schedule.pop() else {
            break;
        };
        // The shop is closed: what staff would do waits until it reopens
        // (customers' banks and the story do not wait).
        let reopened = story.reopen(at);
        let staff = matches!(
            action,
            Action::Capture { .. } | Action::Release { .. } | Action::Refund { .. }
        );
        if staff && reopened != at {
            schedule.push(Reverse((reopened, action)));
            continue;
        }
        ctx.now = at.max(ctx.now);
        crate::time::advance(ctx);
        // An action on an object that changed meanwhile (an expired hold)
        // fails as it would on Stripe, and is simply not done.
        let _ = match action {
            Action::Capture { id, amount } => capture_intent(ctx, &id, amount, None),
            Action::Release { id } => {
                if ctx
                    .account
                    .payment_intents
                    .get(&id)
                    .is_some_and(|pi| pi.status == PiStatus::RequiresCapture)
                {
                    cancel_intent(ctx, &id, Some("requested_by_customer"), None);
                }
                Ok(())
            }
            Action::Refund {
                payment_intent,
                amount,
            } => refund(
                ctx,
                Some(payment_intent),
                None,
                amount,
                Some("requested_by_customer".to_owned()),
                Metadata::new(),
            )
            .map(|_| ()),
            Action::Dispute {
                payment_intent,
                won,
                decide_after,
            } => {
                Story::dispute(ctx, &payment_intent, won, decide_after);
                Ok(())
            }
            Action::Beat(beat) => {
                story.play(ctx, beat);
                Ok(())
            }
        };
    }
}

fn seed_customers(
    ctx: &mut Ctx<'_>,
    rng: &mut fastrand::Rng,
    payments: usize,
    at: i64,
) -> Vec<(String, String)> {
    let count = (payments / 8).clamp(20, 200_000);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let first = *pick(rng, FIRST_NAMES);
        let last = *pick(rng, LAST_NAMES);
        let email = format!(
            "{}.{}{n}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let id = ctx.new_id("cus");
        let customer = Customer {
            id: id.clone(),
            created: at,
            livemode: false,
            email: Some(email.clone()),
            name: Some(format!("{first} {last}")),
            phone: None,
            description: None,
            metadata: Metadata::new(),
        };
        ctx.account.customers.insert(id.clone(), customer);
        out.push((id, email));
    }
    out
}

fn seed_catalog(ctx: &mut Ctx<'_>, at: i64) -> Vec<Price> {
    let mut prices = Vec::new();
    for (name, unit_amount) in PRODUCTS {
        let product_id = ctx.new_id("prod");
        let price_id = ctx.new_id("price");
        let price = Price {
            id: price_id.clone(),
            created: at,
            livemode: false,
            product: product_id.clone(),
            currency: "usd".to_owned(),
            unit_amount: *unit_amount,
            recurring: None,
            active: true,
            nickname: None,
            metadata: Metadata::new(),
        };
        let product = Product {
            id: product_id.clone(),
            created: at,
            updated: at,
            livemode: false,
            name: (*name).to_owned(),
            description: None,
            active: true,
            metadata: Metadata::new(),
            default_price: Some(price_id.clone()),
        };
        ctx.account.products.insert(product_id, product);
        ctx.account.prices.insert(price_id, price.clone());
        prices.push(price);
    }
    // A subscription-style price, for the catalog's sake.
    let product_id = ctx.new_id("prod");
    let price_id = ctx.new_id("price");
    ctx.account.products.insert(
        product_id.clone(),
        Product {
            id: product_id.clone(),
            created: at,
            updated: at,
            livemode: false,
            name: "Coffee club".to_owned(),
            description: Some("Beans every month".to_owned()),
            active: true,
            metadata: Metadata::new(),
            default_price: Some(price_id.clone()),
        },
    );
    ctx.account.prices.insert(
        price_id.clone(),
        Price {
            id: price_id,
            created: at,
            livemode: false,
            product: product_id,
            currency: "usd".to_owned(),
            unit_amount: 2_900,
            recurring: Some(crate::objects::catalog::Recurring {
                interval: "month".to_owned(),
                interval_count: 1,
            }),
            active: true,
            nickname: Some("Monthly".to_owned()),
            metadata: Metadata::new(),
        },
    );
    prices
}

fn card_payment(
    ctx: &mut Ctx<'_>,
    rng: &mut fastrand::Rng,
    customers: &[(String, String)],
    n: usize,
    end: i64,
    schedule: &mut BinaryHeap<Reverse<(i64, Action)>>,
    card: Option<&'static str>,
) {
    let roll = rng.u32(0..100);
    let mut acc = 0;
    let (currency, low, high) = CURRENCIES
        .iter()
        .find(|(_, share, _, _)| {
            acc += share;
            roll < acc
        })
        .map_or(("usd", 300, 45_000), |(c, _, l, h)| (*c, *l, *h));
    let amount = amount(rng, currency, low, high);
    let manual = rng.u32(0..100) < 14;
    let payment_method = match rng.u32(0..100) {
        0..=2 => "pm_card_chargeDeclined",
        3 => "pm_card_chargeDeclinedInsufficientFunds",
        4..=54 => "pm_card_visa",
        55..=79 => "pm_card_mastercard",
        80..=89 => "pm_card_amex",
        90..=94 => "pm_card_visa_debit",
        _ => "pm_card_discover",
    };
    // The story's card, if it has one for this payment (drawn all the same,
    // so the rest of the business does not change).
    let payment_method = card.unwrap_or(payment_method);
    let merchant_initiated = manual && payment_method == "pm_card_visa" && rng.u32(0..100) < 20;
    let customer = (rng.u32(0..100) < 75).then(|| pick(rng, customers).clone());
    let mut metadata = Metadata::new();
    if rng.bool() {
        metadata.insert("order_id".to_owned(), format!("ORD-{:06}", n + 1));
    }
    let id = ctx.new_id("pi");
    let pi = PaymentIntent {
        status: PiStatus::RequiresConfirmation,
        manual_capture: manual,
        customer: customer.as_ref().map(|(id, _)| id.clone()),
        description: Some(format!("Order #{}", n + 1)),
        receipt_email: customer.as_ref().map(|(_, email)| email.clone()),
        metadata,
        payment_method: Some(payment_method.to_owned()),
        ..PaymentIntent::new(id.clone(), ctx.now, false, amount, currency.to_owned())
    };
    ctx.account.payment_intents.insert(id.clone(), pi);
    if run_confirmation(ctx, &id, merchant_initiated).is_err() {
        return;
    }
    let now = ctx.now;
    let status = ctx.account.payment_intents.get(&id).map(|pi| pi.status);
    match status {
        Some(PiStatus::RequiresCapture) => {
            let window = ctx
                .account
                .payment_intents
                .get(&id)
                .and_then(|pi| pi.latest_charge.as_ref())
                .and_then(|c| ctx.account.charges.get(c))
                .and_then(|c| c.capture_before)
                .unwrap_or(now + 7 * DAY)
                - now;
            // A few holds have extended authorization (30 days).
            if rng.u32(0..100) < 3 {
                extend_hold(ctx, &id, now + 30 * DAY);
            }
            let when = now + rng.i64(600..=window.max(601) - 300);
            let action = match rng.u32(0..100) {
                0..=59 => Action::Capture { id, amount: None },
                60..=79 => Action::Capture {
                    id,
                    amount: Some((amount * i64::from(rng.u32(40..95)) / 100).max(1)),
                },
                80..=94 => Action::Release { id },
                // Forgotten: the hold lapses at capture_before.
                _ => return,
            };
            if when < end {
                schedule.push(Reverse((when, action)));
            }
        }
        Some(PiStatus::Succeeded) if rng.u32(0..100) < 8 => {
            let when = now + rng.i64(3600..=20 * DAY);
            let partial = rng.u32(0..100) < 40;
            let refund_amount = partial.then(|| (amount * i64::from(rng.u32(10..80)) / 100).max(1));
            if when < end {
                schedule.push(Reverse((
                    when,
                    Action::Refund {
                        payment_intent: id,
                        amount: refund_amount,
                    },
                )));
            }
        }
        _ => {}
    }
}

/// A Visa hold at the counter that nobody captured yet.
fn lapsing_hold(
    ctx: &mut Ctx<'_>,
    rng: &mut fastrand::Rng,
    customers: &[(String, String)],
    n: usize,
) {
    let (currency, amount) = if n.is_multiple_of(2) {
        ("usd", 4850)
    } else {
        ("eur", 12_000)
    };
    let customer = pick(rng, customers).clone();
    let id = ctx.new_id("pi");
    let pi = PaymentIntent {
        status: PiStatus::RequiresConfirmation,
        manual_capture: true,
        customer: Some(customer.0.clone()),
        description: Some(format!("Table booking deposit #{}", n + 1)),
        receipt_email: Some(customer.1.clone()),
        payment_method: Some("pm_card_visa".to_owned()),
        ..PaymentIntent::new(id.clone(), ctx.now, false, amount, currency.to_owned())
    };
    ctx.account.payment_intents.insert(id.clone(), pi);
    // A declined card would simply leave no hold.
    let _ = run_confirmation(ctx, &id, false);
}

fn extend_hold(ctx: &mut Ctx<'_>, id: &str, until: i64) {
    let Some(charge_id) = ctx
        .account
        .payment_intents
        .get(id)
        .and_then(|pi| pi.latest_charge.clone())
    else {
        return;
    };
    if let Some(charge) = ctx.account.charges.get_mut(&charge_id) {
        if let Some(old) = charge.capture_before.replace(until) {
            ctx.account.open_holds.remove(&(old, id.to_owned()));
        }
        ctx.account.open_holds.insert((until, id.to_owned()));
    }
}

fn open_session(
    ctx: &mut Ctx<'_>,
    rng: &mut fastrand::Rng,
    prices: &[Price],
    n: usize,
) -> CheckoutSession {
    let price = pick(rng, prices).clone();
    let quantity = rng.i64(1..=4);
    let id = ctx.new_id("cs_test");
    let description = ctx
        .account
        .products
        .get(&price.product)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    CheckoutSession {
        url: format!("{}/pay/{id}", ctx.base_url),
        id,
        created: ctx.now,
        expires_at: ctx.now + DAY,
        livemode: false,
        status: "open",
        payment_status: "unpaid",
        currency: price.currency.clone(),
        customer: None,
        customer_email: None,
        client_reference_id: Some(format!("cart-{}", n + 1)),
        metadata: Metadata::new(),
        success_url: Some("https://shop.example/thanks".to_owned()),
        cancel_url: Some("https://shop.example/cart".to_owned()),
        allow_promotion_codes: None,
        billing_address_collection: None,
        phone_number_collection: false,
        manual_capture: false,
        payment_intent: None,
        line_items: vec![LineItem {
            id: ctx.new_id("li"),
            description,
            quantity,
            currency: price.currency.clone(),
            unit_amount: price.unit_amount,
            price: price.to_json(),
        }],
    }
}

fn checkout_payment(
    ctx: &mut Ctx<'_>,
    rng: &mut fastrand::Rng,
    prices: &[Price],
    customers: &[(String, String)],
    n: usize,
) {
    let mut session = open_session(ctx, rng, prices, n);
    session.created = ctx.now - 180;
    session.expires_at = session.created + DAY;
    session.customer_email = Some(pick(rng, customers).1.clone());
    let id = session.id.clone();
    ctx.account
        .open_sessions
        .insert((session.expires_at, id.clone()));
    ctx.account.sessions.insert(id.clone(), session);
    let card = if rng.u32(0..100) < 4 {
        "pm_card_chargeDeclined"
    } else {
        "pm_card_visa"
    };
    let _ = complete_session(ctx, &id, card);
}

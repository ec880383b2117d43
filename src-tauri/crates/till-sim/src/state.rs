//! Accounts, keys and everything an account holds.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use serde_json::Value;

use crate::ledger::Ledger;
use crate::objects::catalog::{Price, Product};
use crate::objects::charge::Charge;
use crate::objects::checkout::CheckoutSession;
use crate::objects::customer::Customer;
use crate::objects::dispute::Dispute;
use crate::objects::event::Event;
use crate::objects::payment_intent::PaymentIntent;
use crate::objects::refund::Refund;
use crate::objects::table::Table;

/// What a restricted key may do with one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    Read,
    Write,
}

#[derive(Debug, Clone)]
pub enum KeyKind {
    Secret,
    /// Per resource, named as Stripe names them (`payment_intent`, `refund`…).
    Restricted(HashMap<String, Access>),
}

#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub account: String,
    pub live: bool,
    pub kind: KeyKind,
    pub revoked: bool,
}

impl KeyInfo {
    pub fn access(&self, resource: &str) -> Access {
        match &self.kind {
            KeyKind::Secret => Access::Write,
            KeyKind::Restricted(perms) => perms.get(resource).copied().unwrap_or(Access::None),
        }
    }
}

/// A stored idempotent result, or a request still running under the key.
#[derive(Debug, Clone)]
pub enum Idempotent {
    InFlight {
        fingerprint: String,
    },
    Done {
        fingerprint: String,
        created: i64,
        status: u16,
        body: Value,
    },
}

/// A token bucket: `rate` requests a second, a burst of at most one second's worth.
#[derive(Debug)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(rate: u32) -> Self {
        Self {
            tokens: f64::from(rate),
            last: Instant::now(),
        }
    }

    pub fn take(&mut self, rate: u32) -> bool {
        let now = Instant::now();
        let rate = f64::from(rate);
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub payment_intents: Table<PaymentIntent>,
    pub charges: Table<Charge>,
    pub refunds: Table<Refund>,
    pub customers: Table<Customer>,
    pub products: Table<Product>,
    pub prices: Table<Price>,
    pub sessions: Table<CheckoutSession>,
    pub disputes: Table<Dispute>,
    pub events: Table<Event>,
    pub idempotency: HashMap<String, Idempotent>,
    pub bucket: Bucket,
    /// Objects loaded verbatim (Stripe's fixtures), served back unchanged by
    /// the retrieve endpoints.
    pub fixtures: HashMap<String, Value>,
    pub ledger: Ledger,
    /// Holds waiting for capture: (capture_before, payment intent id).
    pub open_holds: BTreeSet<(i64, String)>,
    /// Open Checkout Sessions: (expires_at, session id).
    pub open_sessions: BTreeSet<(i64, String)>,
    pub last_pruned: i64,
}

impl Account {
    pub fn new(id: String, name: String, rate: u32) -> Self {
        Self {
            id,
            name,
            payment_intents: Table::default(),
            charges: Table::default(),
            refunds: Table::default(),
            customers: Table::default(),
            products: Table::default(),
            prices: Table::default(),
            sessions: Table::default(),
            disputes: Table::default(),
            events: Table::default(),
            idempotency: HashMap::new(),
            bucket: Bucket::new(rate),
            fixtures: HashMap::new(),
            ledger: Ledger::default(),
            open_holds: BTreeSet::new(),
            open_sessions: BTreeSet::new(),
            last_pruned: 0,
        }
    }
}

#[derive(Debug, Default)]
pub struct World {
    pub keys: HashMap<String, KeyInfo>,
    pub accounts: HashMap<String, Account>,
}

//! Stripe's objects, typed for what Till reads, tolerant of API versions:
//! every field Till does not need is left out (and kept in the raw JSON
//! beside the typed value, see [`Raw`]), fields are optional wherever
//! Stripe may omit or null them, expandable fields are "id or object", and
//! enums have an `Unknown` catch-all for values added later.

pub mod balance;
pub mod charge;
pub mod checkout;
pub mod customer;
pub mod dispute;
pub mod event;
pub mod payment_intent;
pub mod refund;

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

pub use balance::{Account, Balance, BalanceAmount, BalanceTransaction, FeeDetail, Payout};
pub use charge::{CardDetails, Charge, PaymentMethodDetails};
pub use checkout::{CheckoutSession, LineItem};
pub use customer::{Customer, Price, Product, Recurring};
pub use dispute::{Dispute, EvidenceDetails};
pub use event::{Event, EventData};
pub use payment_intent::{CaptureMethod, PaymentIntent, PaymentIntentStatus};
pub use refund::{Refund, RefundStatus};

pub type Metadata = BTreeMap<String, String>;

/// A typed object and the exact JSON Stripe sent for it. The cache stores
/// the JSON, so nothing Stripe said is lost to the typed view.
#[derive(Debug, Clone)]
pub struct Raw<T> {
    pub object: T,
    pub json: Box<RawValue>,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Raw<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Box::<RawValue>::deserialize(deserializer)?;
        let object = serde_json::from_str(json.get()).map_err(D::Error::custom)?;
        Ok(Self { object, json })
    }
}

impl<T> std::ops::Deref for Raw<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.object
    }
}

/// An object with an id, so an expandable field can name it either way.
pub trait HasId {
    fn id(&self) -> &str;
}

/// A field Stripe sends as an id, or as the object when expanded.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

impl<T: HasId> Expandable<T> {
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Object(object) => object.id(),
        }
    }

    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Id(_) => None,
            Self::Object(object) => Some(object),
        }
    }
}

/// One object of a list page: read, or not readable, with why. A page is
/// read object by object so that one object of an unexpected shape (a
/// field Till needs for money missing) is reported by its id and field,
/// while the rest of the page is kept. Never read as zero.
#[derive(Debug, Clone)]
pub enum Item<T> {
    Read(Raw<T>),
    Unreadable(Unreadable),
}

/// An object Till could not read: its id when it has one, and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub id: Option<String>,
    /// When it was created, when it says: pages go on after it.
    pub created: Option<i64>,
    /// The missing field, when a field was missing: `amount_received`.
    pub missing: Option<String>,
    pub reason: String,
}

impl Unreadable {
    /// Why `json` could not be read as the object it should be.
    pub fn of(json: &RawValue, err: &serde_json::Error) -> Self {
        #[derive(Deserialize)]
        struct Id {
            id: Option<String>,
            created: Option<i64>,
        }
        let reason = err.to_string();
        // serde's own wording for an absent required field.
        let missing = reason
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned);
        let found = serde_json::from_str::<Id>(json.get()).ok();
        Self {
            id: found.as_ref().and_then(|o| o.id.clone()),
            created: found.and_then(|o| o.created),
            missing,
            reason,
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Item<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Box::<RawValue>::deserialize(deserializer)?;
        Ok(match serde_json::from_str(json.get()) {
            Ok(object) => Self::Read(Raw { object, json }),
            Err(err) => Self::Unreadable(Unreadable::of(&json, &err)),
        })
    }
}

impl<T> List<Item<T>> {
    /// The objects read, and those that could not be.
    pub fn split(self) -> (List<Raw<T>>, Vec<Unreadable>) {
        let mut read = Vec::with_capacity(self.data.len());
        let mut unreadable = Vec::new();
        for item in self.data {
            match item {
                Item::Read(raw) => read.push(raw),
                Item::Unreadable(why) => unreadable.push(why),
            }
        }
        (
            List {
                data: read,
                has_more: self.has_more,
                url: self.url,
            },
            unreadable,
        )
    }
}

/// A page of a list endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(default)]
    pub url: Option<String>,
}

/// A page of a search endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchResult<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<String>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

macro_rules! has_id {
    ($($ty:ty),*) => {
        $(impl HasId for $ty {
            fn id(&self) -> &str {
                &self.id
            }
        })*
    };
}

has_id!(
    PaymentIntent,
    Charge,
    Refund,
    CheckoutSession,
    Customer,
    Product,
    Price,
    Event,
    BalanceTransaction,
    Payout,
    Account,
    Dispute
);

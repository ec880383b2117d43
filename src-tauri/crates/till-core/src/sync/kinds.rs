//! The object types the sync engine keeps, each walked the same way: a page
//! of a list endpoint within a `created` window, stored in one transaction.

use rusqlite::Connection;
use till_store::StoreError;
use till_store::table::{
    balance_transactions, charges, checkout_sessions, customers, disputes, payment_intents,
    payouts, refunds,
};
use till_stripe::form::Form;
use till_stripe::models::{
    BalanceTransaction, Charge, CheckoutSession, Customer, Dispute, Item, List, PaymentIntent,
    PaymentIntentStatus, Payout, Raw, Refund, Unreadable,
};
use till_stripe::requests::CreatedRange;
use till_stripe::{Page, StripeClient, StripeError};

use crate::rows;

/// An object type, in the order a new account fetches its newest page.
/// Its name (`checkout_sessions`) is its table's, and how plans saved in
/// the database and the UI name it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PaymentIntents,
    Charges,
    Refunds,
    CheckoutSessions,
    BalanceTransactions,
    Payouts,
    Customers,
    Disputes,
}

impl Kind {
    pub const ALL: [Self; 8] = [
        Self::PaymentIntents,
        Self::Charges,
        Self::Refunds,
        Self::CheckoutSessions,
        Self::BalanceTransactions,
        Self::Payouts,
        Self::Customers,
        Self::Disputes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::PaymentIntents => "payment_intents",
            Self::Charges => "charges",
            Self::Refunds => "refunds",
            Self::CheckoutSessions => "checkout_sessions",
            Self::BalanceTransactions => "balance_transactions",
            Self::Payouts => "payouts",
            Self::Customers => "customers",
            Self::Disputes => "disputes",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    fn path(self) -> &'static str {
        match self {
            Self::PaymentIntents => "/v1/payment_intents",
            Self::Charges => "/v1/charges",
            Self::Refunds => "/v1/refunds",
            Self::CheckoutSessions => "/v1/checkout/sessions",
            Self::BalanceTransactions => "/v1/balance_transactions",
            Self::Payouts => "/v1/payouts",
            Self::Customers => "/v1/customers",
            Self::Disputes => "/v1/disputes",
        }
    }
}

/// A page of one type, as Stripe sent it.
#[derive(Debug)]
pub enum Batch {
    PaymentIntents(Vec<Raw<PaymentIntent>>),
    Charges(Vec<Raw<Charge>>),
    Refunds(Vec<Raw<Refund>>),
    CheckoutSessions(Vec<Raw<CheckoutSession>>),
    BalanceTransactions(Vec<Raw<BalanceTransaction>>),
    Payouts(Vec<Raw<Payout>>),
    Customers(Vec<Raw<Customer>>),
    Disputes(Vec<Raw<Dispute>>),
}

#[derive(Debug)]
pub struct Fetched {
    pub batch: Batch,
    pub has_more: bool,
    /// The last (oldest) object's id and creation time: where the next page starts.
    pub last: Option<(String, i64)>,
    /// When the first (newest) object was created.
    pub newest: Option<i64>,
    /// Objects of the page Till could not read: not in the batch.
    pub unreadable: Vec<Unreadable>,
}

impl Fetched {
    pub fn len(&self) -> usize {
        match &self.batch {
            Batch::PaymentIntents(v) => v.len(),
            Batch::Charges(v) => v.len(),
            Batch::Refunds(v) => v.len(),
            Batch::CheckoutSessions(v) => v.len(),
            Batch::BalanceTransactions(v) => v.len(),
            Batch::Payouts(v) => v.len(),
            Batch::Customers(v) => v.len(),
            Batch::Disputes(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An item's id and creation time, read or not: a page goes on after its
/// last object even when that one could not be read.
fn ends<T>(item: &Item<T>, id: fn(&T) -> (&str, i64)) -> Option<(String, i64)> {
    match item {
        Item::Read(raw) => {
            let (id, created) = id(&raw.object);
            Some((id.to_owned(), created))
        }
        Item::Unreadable(why) => why.id.clone().zip(why.created),
    }
}

async fn page_of<T: serde::de::DeserializeOwned>(
    client: &StripeClient,
    kind: Kind,
    range: Option<CreatedRange>,
    extra: Form,
    page: &Page,
) -> Result<List<Item<T>>, StripeError> {
    client.list_created(kind.path(), range, extra, page).await
}

/// One page of `kind`, newest first, within `range`, after `after`.
pub async fn fetch(
    client: &StripeClient,
    kind: Kind,
    range: Option<CreatedRange>,
    after: Option<&str>,
    limit: u8,
) -> Result<Fetched, StripeError> {
    let page = match after {
        Some(id) => Page::after(limit, id),
        None => Page::first(limit),
    };
    macro_rules! fetch_as {
        ($variant:ident, $ty:ty, $extra:expr) => {{
            let list: List<Item<$ty>> = page_of(client, kind, range, $extra, &page).await?;
            let id: fn(&$ty) -> (&str, i64) = |o| (o.id.as_str(), o.created);
            let last = list.data.iter().rev().find_map(|item| ends(item, id));
            let newest = list
                .data
                .iter()
                .find_map(|item| ends(item, id))
                .map(|(_, c)| c);
            let (list, unreadable) = list.split();
            Fetched {
                has_more: list.has_more,
                last,
                newest,
                batch: Batch::$variant(list.data),
                unreadable,
            }
        }};
    }
    Ok(match kind {
        Kind::PaymentIntents => fetch_as!(PaymentIntents, PaymentIntent, Form::new()),
        Kind::Charges => fetch_as!(Charges, Charge, Form::new()),
        Kind::Refunds => fetch_as!(Refunds, Refund, Form::new()),
        Kind::CheckoutSessions => {
            fetch_as!(
                CheckoutSessions,
                CheckoutSession,
                Form::new().expand(&["data.line_items"])
            )
        }
        Kind::BalanceTransactions => {
            fetch_as!(BalanceTransactions, BalanceTransaction, Form::new())
        }
        Kind::Payouts => fetch_as!(Payouts, Payout, Form::new()),
        Kind::Customers => fetch_as!(Customers, Customer, Form::new()),
        Kind::Disputes => fetch_as!(Disputes, Dispute, Form::new()),
    })
}

/// Each object's id and the JSON Stripe sent for it.
pub fn raw_of(batch: &Batch) -> Vec<(String, String)> {
    fn pairs<T>(items: &[Raw<T>], id: impl Fn(&T) -> &str) -> Vec<(String, String)> {
        items
            .iter()
            .map(|item| (id(&item.object).to_owned(), item.json.get().to_owned()))
            .collect()
    }
    match batch {
        Batch::PaymentIntents(v) => pairs(v, |o| &o.id),
        Batch::Charges(v) => pairs(v, |o| &o.id),
        Batch::Refunds(v) => pairs(v, |o| &o.id),
        Batch::CheckoutSessions(v) => pairs(v, |o| &o.id),
        Batch::BalanceTransactions(v) => pairs(v, |o| &o.id),
        Batch::Payouts(v) => pairs(v, |o| &o.id),
        Batch::Customers(v) => pairs(v, |o| &o.id),
        Batch::Disputes(v) => pairs(v, |o| &o.id),
    }
}

/// A PaymentIntent with the card and email of its charge when that is cached.
pub fn store_payment(
    conn: &Connection,
    account_id: &str,
    pi: &Raw<PaymentIntent>,
) -> Result<(), StoreError> {
    let card = match &pi.latest_charge {
        Some(charge) => charges::get(conn, account_id, charge.id())?.map(|row| {
            // A hold's deadline is only in the charge's JSON: read it for holds.
            let capture_before = if pi.status == PaymentIntentStatus::RequiresCapture {
                serde_json::from_str::<Charge>(&row.raw)
                    .ok()
                    .and_then(|c| c.card().and_then(|card| card.capture_before))
            } else {
                None
            };
            rows::Card {
                brand: row.card_brand,
                last4: row.card_last4,
                capture_before,
                email: row.email,
            }
        }),
        None => None,
    };
    payment_intents::upsert(conn, account_id, &rows::payment(pi, card))
}

/// A charge; its payment's row learns the card if it was stored first.
pub fn store_charge(
    conn: &Connection,
    account_id: &str,
    charge: &Raw<Charge>,
) -> Result<(), StoreError> {
    let row = rows::charge(charge);
    charges::upsert(conn, account_id, &row)?;
    if let Some(pi_id) = &row.payment_intent
        && row.card_last4.is_some()
    {
        let capture_before = charge.card().and_then(|c| c.capture_before);
        payment_intents::set_card(
            conn,
            account_id,
            pi_id,
            &row.id,
            (&row.card_brand, &row.card_last4, capture_before),
            &row.email,
        )?;
    }
    Ok(())
}

pub fn store_session(
    conn: &Connection,
    account_id: &str,
    session: &Raw<CheckoutSession>,
) -> Result<(), StoreError> {
    checkout_sessions::upsert(conn, account_id, &rows::checkout_session(session))?;
    if let Some(items) = &session.line_items {
        let items: Vec<_> = items.data.iter().map(rows::line_item).collect();
        checkout_sessions::replace_line_items(conn, account_id, &session.id, &items)?;
    }
    Ok(())
}

/// Stores a page. Call inside the page's transaction.
impl Batch {
    pub fn kind(&self) -> Kind {
        match self {
            Self::PaymentIntents(_) => Kind::PaymentIntents,
            Self::Charges(_) => Kind::Charges,
            Self::Refunds(_) => Kind::Refunds,
            Self::CheckoutSessions(_) => Kind::CheckoutSessions,
            Self::BalanceTransactions(_) => Kind::BalanceTransactions,
            Self::Payouts(_) => Kind::Payouts,
            Self::Customers(_) => Kind::Customers,
            Self::Disputes(_) => Kind::Disputes,
        }
    }

    /// Each object's id.
    pub fn ids(&self) -> Vec<&str> {
        self.items().into_iter().map(|(id, _)| id).collect()
    }

    /// Each object's id and JSON as Stripe sent it.
    fn items(&self) -> Vec<(&str, &str)> {
        fn of<T>(items: &[Raw<T>], id: impl Fn(&T) -> &str) -> Vec<(&str, &str)> {
            items
                .iter()
                .map(|item| (id(&item.object), item.json.get()))
                .collect()
        }
        match self {
            Self::PaymentIntents(v) => of(v, |o| &o.id),
            Self::Charges(v) => of(v, |o| &o.id),
            Self::Refunds(v) => of(v, |o| &o.id),
            Self::CheckoutSessions(v) => of(v, |o| &o.id),
            Self::BalanceTransactions(v) => of(v, |o| &o.id),
            Self::Payouts(v) => of(v, |o| &o.id),
            Self::Customers(v) => of(v, |o| &o.id),
            Self::Disputes(v) => of(v, |o| &o.id),
        }
    }
}

/// How many objects of a page the cache lacks or holds in another state.
pub fn changed(conn: &Connection, account_id: &str, batch: &Batch) -> Result<usize, StoreError> {
    let sql = format!(
        "SELECT raw FROM {} WHERE account_id = ?1 AND id = ?2",
        batch.kind().name()
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut changed = 0;
    for (id, json) in batch.items() {
        let cached: Option<String> = statement
            .query_row([account_id, id], |r| r.get(0))
            .map(Some)
            .or_else(|err| match err {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                err => Err(err),
            })?;
        if cached.as_deref() != Some(json) {
            changed += 1;
        }
    }
    Ok(changed)
}

pub fn store(conn: &Connection, account_id: &str, batch: &Batch) -> Result<(), StoreError> {
    match batch {
        Batch::PaymentIntents(items) => {
            for pi in items {
                store_payment(conn, account_id, pi)?;
            }
        }
        Batch::Charges(items) => {
            for charge in items {
                store_charge(conn, account_id, charge)?;
            }
        }
        Batch::Refunds(items) => {
            for refund in items {
                refunds::upsert(conn, account_id, &rows::refund(refund))?;
            }
        }
        Batch::CheckoutSessions(items) => {
            for session in items {
                store_session(conn, account_id, session)?;
            }
        }
        Batch::BalanceTransactions(items) => {
            for bt in items {
                balance_transactions::upsert(conn, account_id, &rows::balance_transaction(bt))?;
            }
        }
        Batch::Payouts(items) => {
            for payout in items {
                payouts::upsert(conn, account_id, &rows::payout(payout))?;
            }
        }
        Batch::Customers(items) => {
            for customer in items {
                customers::upsert(conn, account_id, &rows::customer(customer))?;
            }
        }
        Batch::Disputes(items) => {
            for dispute in items {
                disputes::upsert(conn, account_id, &rows::dispute(dispute))?;
            }
        }
    }
    Ok(())
}

//! Stripe's API: the route table, the request context and the pieces every
//! handler shares (lists, expansion, ids, events).

pub mod balance;
pub mod charges;
pub mod checkout;
pub mod confirmation;
pub mod disputes;
pub mod error;
pub mod expand;
pub mod form;
pub mod misc;
pub mod payment_intents;
pub mod payouts;
pub mod refunds;
pub mod search;

use serde_json::{Value, json};

use crate::objects::event::{Event, EventObject};
use crate::state::{Access, Account};
use error::ApiError;
use form::Params;

/// What a handler works with: one account, locked for the whole call.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub account: &'a mut Account,
    pub now: i64,
    pub livemode: bool,
    pub request_id: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub rng: &'a mut fastrand::Rng,
    /// The simulator's own base URL, for hosted checkout pages.
    pub base_url: &'a str,
    pub imperfections: crate::faults::Imperfections,
    /// No events before this time: seeding skips what retention would drop.
    pub quiet_until: i64,
    /// Events point at objects instead of copying them (seeded history).
    pub lazy_events: bool,
}

const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl<'a> Ctx<'a> {
    /// A context for one account at `now`; events recorded, snapshots
    /// eager, no imperfections. Callers then run [`crate::time::advance`].
    pub fn at(
        account: &'a mut Account,
        rng: &'a mut fastrand::Rng,
        base_url: &'a str,
        now: i64,
        livemode: bool,
        request_id: &'a str,
    ) -> Self {
        Self {
            account,
            now,
            livemode,
            request_id,
            idempotency_key: None,
            rng,
            base_url,
            imperfections: crate::faults::Imperfections::default(),
            quiet_until: 0,
            lazy_events: false,
        }
    }

    /// Whether events are being recorded now.
    pub fn recording(&self) -> bool {
        self.now >= self.quiet_until
    }

    /// A new id in Stripe's style: `pi_` and 24 base-62 characters.
    pub fn new_id(&mut self, prefix: &str) -> String {
        let mut id = String::with_capacity(prefix.len() + 25);
        id.push_str(prefix);
        id.push('_');
        for _ in 0..24 {
            let index = self.rng.usize(..ID_ALPHABET.len());
            id.push(char::from(ID_ALPHABET[index]));
        }
        id
    }

    fn event_object(&self, object: Value) -> EventObject {
        const REFERABLE: [&str; 7] = [
            "payment_intent",
            "charge",
            "refund",
            "checkout.session",
            "payout",
            "customer",
            "dispute",
        ];
        if self.lazy_events
            && let (Some(kind), Some(id)) = (object["object"].as_str(), object["id"].as_str())
            && let Some(kind) = REFERABLE.iter().find(|k| **k == kind)
        {
            return EventObject::Current {
                object: kind,
                id: id.into(),
            };
        }
        EventObject::Snapshot(object.to_string().into_boxed_str())
    }

    /// An event as the API shows it.
    pub fn render_event(&self, event: &Event) -> Value {
        let object = match &event.object {
            EventObject::Snapshot(json) => serde_json::from_str(json).unwrap_or(Value::Null),
            EventObject::Current { object, id } => {
                let account = &*self.account;
                let now = self.now;
                match *object {
                    "payment_intent" => account.payment_intents.get(id).map(|pi| pi.to_json()),
                    "charge" => account
                        .charges
                        .get(id)
                        .map(|c| charges::render_charge(self, c)),
                    "refund" => account.refunds.get(id).map(|r| r.to_json()),
                    "checkout.session" => checkout::render(self, id, &[]).ok(),
                    "payout" => account.ledger.payouts.get(id).map(|p| p.to_json(now)),
                    "customer" => account.customers.get(id).map(|c| c.to_json()),
                    "dispute" => account
                        .disputes
                        .get(id)
                        .map(|d| crate::disputes::render(self, d)),
                    _ => None,
                }
                .unwrap_or(Value::Null)
            }
        };
        event.to_json(object)
    }

    /// Records an event for a state change.
    pub fn emit(&mut self, kind: &'static str, object: Value, previous_attributes: Option<Value>) {
        if !self.recording() {
            return;
        }
        let imperfect = self.imperfections;
        if imperfect.event_drop_rate > 0.0 && self.rng.f64() < imperfect.event_drop_rate {
            return;
        }
        let delayed =
            imperfect.event_delay_rate > 0.0 && self.rng.f64() < imperfect.event_delay_rate;
        let id = self.new_id("evt");
        let event = Event {
            id: id.clone(),
            visible_from: self.now
                + if delayed {
                    imperfect.event_delay_seconds
                } else {
                    0
                },
            created: self.now,
            livemode: self.livemode,
            kind,
            object: self.event_object(object),
            previous_attributes,
            request_id: Some(self.request_id.to_owned()),
            idempotency_key: self.idempotency_key.map(str::to_owned),
        };
        self.account.events.insert(id, event);
    }
}

pub type Handler = fn(&mut Ctx<'_>, &[String], Params) -> Result<Value, ApiError>;

/// One endpoint: Stripe's method and path template, the restricted-key
/// permission it needs, and its handler.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// The resource, as in `rak_<resource>_<read|write>`.
    pub resource: &'static str,
    pub access: Access,
    pub handler: Handler,
}

impl Route {
    /// The permission a restricted key needs, e.g. `rak_refund_write`.
    pub fn permission(&self) -> String {
        let level = if self.access == Access::Write {
            "write"
        } else {
            "read"
        };
        format!("rak_{}_{level}", self.resource)
    }

    /// The `object` name of what the resource's retrieve answers.
    pub fn object_name(&self) -> &'static str {
        match self.resource {
            "checkout_session" => "checkout.session",
            other => other,
        }
    }

    /// The path parameters if `path` matches this route's template.
    pub fn matches(&self, method: &str, path: &str) -> Option<Vec<String>> {
        if self.method != method {
            return None;
        }
        let mut args = Vec::new();
        let mut template = self.path.split('/');
        let mut actual = path.split('/');
        loop {
            match (template.next(), actual.next()) {
                (None, None) => return Some(args),
                (Some(t), Some(a)) if t.starts_with('{') => {
                    if a.is_empty() {
                        return None;
                    }
                    args.push(a.to_owned());
                }
                (Some(t), Some(a)) if t == a => {}
                _ => return None,
            }
        }
    }
}

/// Every endpoint the simulator serves. The contract test walks this table.
pub fn routes() -> Vec<Route> {
    let mut all = Vec::new();
    all.extend(misc::ROUTES);
    all.extend(payment_intents::ROUTES);
    all.extend(charges::ROUTES);
    all.extend(refunds::ROUTES);
    all.extend(balance::ROUTES);
    all.extend(payouts::ROUTES);
    all.extend(disputes::ROUTES);
    all.extend(checkout::ROUTES);
    all
}

/// Stripe's list envelope over objects already filtered, newest first,
/// with `limit`, `starting_after` and `ending_before`.
pub fn paginate<'a, T: 'a>(
    params: &mut Params,
    url: &str,
    object_name: &str,
    items: impl Iterator<Item = (&'a str, &'a T)>,
    render: impl Fn(&T) -> Value,
) -> Result<Value, ApiError> {
    let limit = params.integer("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_param(
            "limit",
            format!("Invalid limit: must be between 1 and 100 (got {limit})."),
        ));
    }
    let limit = usize::try_from(limit).unwrap_or(10);
    let after = params.string("starting_after")?.filter(|s| !s.is_empty());
    let before = params.string("ending_before")?.filter(|s| !s.is_empty());
    if after.is_some() && before.is_some() {
        return Err(ApiError::invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.",
        ));
    }
    // Lazily: the first pages of a million objects cost what they show.
    let mut items = items;
    let page: Vec<(&str, &T)>;
    let has_more;
    if let Some(cursor) = after.as_deref() {
        if !items.by_ref().any(|(id, _)| id == cursor) {
            return Err(ApiError::no_such(object_name, cursor, "starting_after"));
        }
        let mut taken: Vec<(&str, &T)> = items.take(limit + 1).collect();
        has_more = taken.len() > limit;
        taken.truncate(limit);
        page = taken;
    } else if let Some(cursor) = before.as_deref() {
        let mut newer = Vec::new();
        let mut found = false;
        for (id, item) in items {
            if id == cursor {
                found = true;
                break;
            }
            newer.push((id, item));
        }
        if !found {
            return Err(ApiError::no_such(object_name, cursor, "ending_before"));
        }
        let start = newer.len().saturating_sub(limit);
        has_more = start > 0;
        page = newer.split_off(start);
    } else {
        let mut taken: Vec<(&str, &T)> = items.take(limit + 1).collect();
        has_more = taken.len() > limit;
        taken.truncate(limit);
        page = taken;
    }
    Ok(json!({
        "object": "list",
        "data": page.iter().map(|(_, item)| render(item)).collect::<Vec<_>>(),
        "has_more": has_more,
        "url": url,
    }))
}

/// The `expand[]` paths of a request, checked against what may be expanded.
pub fn expansions(params: &mut Params, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
    let paths = params.strings("expand")?;
    for path in &paths {
        if !allowed.contains(&path.as_str()) {
            return Err(ApiError::invalid_param(
                "expand",
                format!("This property cannot be expanded ({path})."),
            ));
        }
    }
    Ok(paths)
}

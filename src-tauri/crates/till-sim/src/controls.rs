//! The simulator's own controls, on `/_sim/` (never on Stripe's paths), and
//! the hosted checkout page on `/pay/{session}`. Controls take and answer JSON.
//! The money controls (disputes, a payout's failure, Stripe fees) are in
//! `controls/money.rs`, with their bodies.

mod money;

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::Ctx;
use crate::api::checkout::complete_session;
use crate::api::error::ApiError;
use crate::faults::Faults;
use crate::server::{Reply, Shared, json_reply, lock};
use crate::state::{Access, KeyInfo, KeyKind};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    /// The key to register: `sk_live_…`, `rk_test_…`, `rk_live_…` or `sk_test_…`.
    key: String,
    /// The account it opens: given directly, or as another key of that account.
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    same_account_as: Option<String>,
    /// For restricted keys: `{"payment_intent": "write", "charge": "read", …}`.
    #[serde(default)]
    permissions: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyRef {
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Complete {
    #[serde(default = "default_card")]
    payment_method: String,
}

fn default_card() -> String {
    "pm_card_visa".to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadFixtures {
    /// A key of the account that receives them.
    key: String,
    objects: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    key: String,
    payments: usize,
    random_seed: u64,
    #[serde(default)]
    days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFees {
    key: String,
    percent_bps: i64,
    fixed: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::invalid_request(message)
}

pub async fn handle(shared: &Shared, req: Request<Incoming>, request_id: &str) -> Reply {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if let Some(session) = path.strip_prefix("/pay/") {
        return hosted_page(shared, session);
    }
    let segments: Vec<&str> = path.trim_start_matches("/_sim/").split('/').collect();
    let result = match (method.as_str(), segments.as_slice()) {
        ("POST", ["accounts"]) => parse::<NewAccount>(&body).map(|a| {
            let (id, key) = shared.open_account(&a.name);
            json!({ "id": id, "secret_key": key })
        }),
        ("POST", ["keys"]) => parse::<NewKey>(&body).and_then(|k| register_key(shared, k)),
        ("POST", ["keys", "revoke"]) => parse::<KeyRef>(&body).and_then(|k| {
            let mut world = lock(&shared.world);
            let info = world
                .keys
                .get_mut(&k.key)
                .ok_or_else(|| bad("No such key"))?;
            info.revoked = true;
            Ok(json!({ "revoked": true }))
        }),
        ("GET", ["accounts"]) => {
            let world = lock(&shared.world);
            let mut accounts: Vec<Value> = world
                .accounts
                .values()
                .map(|a| json!({ "id": a.id, "name": a.name }))
                .collect();
            accounts.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
            Ok(json!({ "data": accounts }))
        }
        ("GET", ["faults"]) => {
            Ok(serde_json::to_value(&*lock(&shared.faults)).unwrap_or(Value::Null))
        }
        ("POST", ["faults"]) => parse::<Faults>(&body).map(|faults| {
            *lock(&shared.faults) = faults;
            serde_json::to_value(&*lock(&shared.faults)).unwrap_or(Value::Null)
        }),
        ("POST", ["clock", "advance"]) => parse::<Advance>(&body).and_then(|a| {
            if a.seconds < 0 {
                return Err(bad("The clock only moves forward"));
            }
            shared.clock_offset.fetch_add(a.seconds, Ordering::Relaxed);
            tick_all(shared, request_id);
            Ok(json!({ "now": shared.now() }))
        }),
        ("POST", ["seed"]) => parse::<Seed>(&body).and_then(|seed| {
            let account = lock(&shared.world).keys.get(&seed.key).map(|k| k.account.clone()).ok_or_else(|| bad("No such key"))?;
            let spec = crate::seed::SeedSpec { payments: seed.payments, seed: seed.random_seed, days: seed.days.unwrap_or(180), lapsing_holds: 0 };
            let report = shared.seed_account(&account, spec);
            Ok(json!({ "payment_intents": report.payment_intents, "objects": report.objects(), "payouts": report.payouts }))
        }),
        ("POST", ["fees"]) => parse::<SetFees>(&body).and_then(|f| {
            let mut world = lock(&shared.world);
            let account = account_of(&mut world, &f.key)?;
            account.ledger.fees = crate::ledger::Fees {
                percent_bps: f.percent_bps,
                fixed: f.fixed,
            };
            Ok(json!({ "percent_bps": f.percent_bps, "fixed": f.fixed }))
        }),
        ("GET", ["clock"]) => Ok(json!({ "now": shared.now() })),
        ("POST", ["fixtures"]) => parse::<LoadFixtures>(&body).and_then(|load| {
            let mut world = lock(&shared.world);
            let account = account_of(&mut world, &load.key)?;
            let mut stored = 0;
            for object in load.objects {
                if let Some(id) = object["id"].as_str() {
                    account.fixtures.insert(id.to_owned(), object.clone());
                    stored += 1;
                }
            }
            Ok(json!({ "stored": stored }))
        }),
        ("POST", ["checkout", "sessions", id, "complete"]) => parse::<Complete>(&body)
            .and_then(|c| complete(shared, id, &c.payment_method, request_id)),
        ("POST", ["disputes"]) => parse::<money::OpenDispute>(&body)
            .and_then(|d| money::open_dispute(shared, d, request_id)),
        ("POST", ["disputes", id, "close"]) => parse::<money::CloseDispute>(&body)
            .and_then(|d| money::close_dispute(shared, id, d, request_id)),
        ("POST", ["payouts", id, "fail"]) => parse::<money::FailPayout>(&body)
            .and_then(|f| money::fail_payout(shared, id, f, request_id)),
        ("POST", ["stripe_fees"]) => parse::<money::StripeFee>(&body)
            .and_then(|f| money::stripe_fee(shared, f, request_id)),
        _ => Err(ApiError::unrecognized_url(&method, &path)),
    };
    match result {
        Ok(value) => json_reply(200, &value, request_id),
        Err(err) => json_reply(err.status, &err.body(), request_id),
    }
}

/// The account a key opens, for controls that act on one account.
fn account_of<'a>(
    world: &'a mut crate::state::World,
    key: &str,
) -> Result<&'a mut crate::state::Account, ApiError> {
    let account_id = world
        .keys
        .get(key)
        .map(|k| k.account.clone())
        .ok_or_else(|| bad("No such key"))?;
    world
        .accounts
        .get_mut(&account_id)
        .ok_or_else(|| bad("No such account"))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|err| bad(format!("Invalid control body: {err}")))
}

fn register_key(shared: &Shared, request: NewKey) -> Result<Value, ApiError> {
    let live = request.key.starts_with("sk_live_") || request.key.starts_with("rk_live_");
    let restricted = request.key.starts_with("rk_");
    let mut world = lock(&shared.world);
    let account = match (request.account, request.same_account_as) {
        (Some(account), None) => account,
        (None, Some(other)) => world
            .keys
            .get(&other)
            .map(|k| k.account.clone())
            .ok_or_else(|| bad("No such key for same_account_as"))?,
        _ => return Err(bad("Give exactly one of account or same_account_as")),
    };
    if !world.accounts.contains_key(&account) {
        return Err(bad(format!("No such account: {account}")));
    }
    let kind = if restricted {
        let mut permissions = HashMap::new();
        for (resource, level) in request.permissions {
            let access = match level.as_str() {
                "none" => Access::None,
                "read" => Access::Read,
                "write" => Access::Write,
                other => {
                    return Err(bad(format!(
                        "Unknown access level {other}: use none, read or write"
                    )));
                }
            };
            permissions.insert(resource, access);
        }
        KeyKind::Restricted(permissions)
    } else {
        if !request.permissions.is_empty() {
            return Err(bad("Only restricted (rk_) keys take permissions"));
        }
        KeyKind::Secret
    };
    world.keys.insert(
        request.key.clone(),
        KeyInfo {
            account: account.clone(),
            live,
            kind,
            revoked: false,
        },
    );
    Ok(json!({ "key": request.key, "account": account, "livemode": live }))
}

fn complete(
    shared: &Shared,
    session: &str,
    payment_method: &str,
    request_id: &str,
) -> Result<Value, ApiError> {
    // Faults first: the server takes that lock before the world's, never after.
    let imperfections = lock(&shared.faults).imperfections();
    let now = shared.now();
    let mut world = lock(&shared.world);
    let mut rng = lock(&shared.rng);
    let livemode = world
        .keys
        .values()
        .find(|k| {
            world
                .accounts
                .get(&k.account)
                .is_some_and(|a| a.sessions.get(session).is_some())
        })
        .is_some_and(|k| k.live);
    let account = world
        .accounts
        .values_mut()
        .find(|a| a.sessions.get(session).is_some())
        .ok_or_else(|| ApiError::no_such("checkout.session", session, "session"))?;
    let mut ctx = Ctx::at(
        account,
        &mut rng,
        &shared.base_url,
        now,
        livemode,
        request_id,
    );
    ctx.imperfections = imperfections;
    crate::time::advance(&mut ctx);
    complete_session(&mut ctx, session, payment_method)
}

/// Brings every account up to the (advanced) clock.
fn tick_all(shared: &Shared, request_id: &str) {
    let imperfections = lock(&shared.faults).imperfections();
    let now = shared.now();
    let mut world = lock(&shared.world);
    let live: HashMap<String, bool> = world
        .keys
        .values()
        .map(|k| (k.account.clone(), k.live))
        .collect();
    let mut rng = lock(&shared.rng);
    for account in world.accounts.values_mut() {
        let livemode = live.get(&account.id).copied().unwrap_or(false);
        let mut ctx = Ctx::at(
            account,
            &mut rng,
            &shared.base_url,
            now,
            livemode,
            request_id,
        );
        ctx.imperfections = imperfections;
        crate::time::advance(&mut ctx);
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain page standing in for Stripe's hosted checkout, so a QR code or a
/// link opened from Till shows what the customer would pay.
fn hosted_page(shared: &Shared, session: &str) -> Reply {
    let world = lock(&shared.world);
    let found = world
        .accounts
        .values()
        .find_map(|a| a.sessions.get(session).map(|s| (a.name.clone(), s.clone())));
    let html = match found {
        None => "<h1>This checkout does not exist.</h1>".to_owned(),
        Some((merchant, s)) => {
            let rows: String = s
                .line_items
                .iter()
                .map(|item| {
                    format!(
                        "<tr><td>{}</td><td>{} × {}</td></tr>",
                        escape(&item.description),
                        item.quantity,
                        item.unit_amount
                    )
                })
                .collect();
            format!(
                "<h1>Pay {}</h1><p>Status: {}</p><table>{rows}</table><p>Total: {} {}</p><p>This is Till's offline simulator: no card can be charged here.</p>",
                escape(&merchant),
                s.status,
                s.amount_total(),
                s.currency.to_uppercase()
            )
        }
    };
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Checkout</title><body>{html}</body></html>"
    );
    let mut reply = hyper::Response::new(Full::new(Bytes::from(page)));
    reply.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    reply
}

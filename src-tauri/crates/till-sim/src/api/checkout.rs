//! Checkout Sessions in payment mode: create, retrieve (with expansions),
//! list, update metadata, expire, line items; and completion by a paying
//! customer, which the simulator's controls trigger.

use serde_json::{Value, json};

use super::error::ApiError;
use super::form::Params;
use super::payment_intents::{render as render_intent, run_confirmation};
use super::{Ctx, Route, expand, paginate};
use crate::money;
use crate::objects::catalog::Price;
use crate::objects::checkout::{CheckoutSession, LineItem};
use crate::objects::merge_metadata;
use crate::objects::payment_intent::{PaymentIntent, PiStatus};
use crate::state::Access;

pub const ROUTES: [Route; 6] = [
    Route {
        method: "POST",
        path: "/v1/checkout/sessions",
        resource: "checkout_session",
        access: Access::Write,
        handler: create,
    },
    Route {
        method: "GET",
        path: "/v1/checkout/sessions",
        resource: "checkout_session",
        access: Access::Read,
        handler: list,
    },
    Route {
        method: "GET",
        path: "/v1/checkout/sessions/{session}",
        resource: "checkout_session",
        access: Access::Read,
        handler: retrieve,
    },
    Route {
        method: "POST",
        path: "/v1/checkout/sessions/{session}",
        resource: "checkout_session",
        access: Access::Write,
        handler: update,
    },
    Route {
        method: "POST",
        path: "/v1/checkout/sessions/{session}/expire",
        resource: "checkout_session",
        access: Access::Write,
        handler: expire,
    },
    Route {
        method: "GET",
        path: "/v1/checkout/sessions/{session}/line_items",
        resource: "checkout_session",
        access: Access::Read,
        handler: line_items,
    },
];

const MIN_EXPIRY: i64 = 30 * 60;
const MAX_EXPIRY: i64 = 24 * 3600;

fn line_item(ctx: &mut Ctx<'_>, index: usize, mut item: Params) -> Result<LineItem, ApiError> {
    let at = |name: &str| format!("line_items[{index}][{name}]");
    let quantity = item
        .integer("quantity")?
        .ok_or_else(|| ApiError::missing_param(&at("quantity")))?;
    if quantity < 1 {
        return Err(ApiError::invalid_param(
            &at("quantity"),
            "Quantity must be at least 1.".to_owned(),
        ));
    }
    let price_id = item.string("price")?.filter(|s| !s.is_empty());
    let price_data = item.object("price_data")?;
    item.finish_under(&format!("line_items[{index}]"))?;
    let line_id = ctx.new_id("li");
    match (price_id, price_data) {
        (Some(id), None) => {
            let price = ctx
                .account
                .prices
                .get(&id)
                .ok_or_else(|| ApiError::no_such("price", &id, &at("price")))?;
            if price.recurring.is_some() {
                return Err(ApiError::invalid_param(&at("price"), "You must provide at least one recurring price in `subscription` mode when using prices; this price is recurring and this session is in `payment` mode.".to_owned()));
            }
            let description = ctx
                .account
                .products
                .get(&price.product)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            Ok(LineItem {
                id: line_id,
                description,
                quantity,
                currency: price.currency.clone(),
                unit_amount: price.unit_amount,
                price: price.to_json(),
            })
        }
        (None, Some(mut data)) => {
            let currency = money::currency(
                &at("price_data][currency"),
                &data
                    .required_string("currency")
                    .map_err(|_| ApiError::missing_param(&at("price_data][currency")))?,
            )?;
            let unit_amount = data
                .integer("unit_amount")?
                .ok_or_else(|| ApiError::missing_param(&at("price_data][unit_amount")))?;
            if unit_amount <= 0 {
                return Err(ApiError::invalid_param(
                    &at("price_data][unit_amount"),
                    "unit_amount must be a positive integer in payment mode.".to_owned(),
                ));
            }
            let (product_id, name) = match (
                data.string("product")?.filter(|s| !s.is_empty()),
                data.object("product_data")?,
            ) {
                (Some(id), None) => {
                    let product = ctx.account.products.get(&id).ok_or_else(|| {
                        ApiError::no_such("product", &id, &at("price_data][product"))
                    })?;
                    (id, product.name.clone())
                }
                (None, Some(mut product)) => {
                    let name = product.required_string("name").map_err(|_| {
                        ApiError::missing_param(&at("price_data][product_data][name"))
                    })?;
                    let _description = product.string("description")?;
                    let _metadata = product.metadata()?;
                    product.finish_under(&at("price_data][product_data"))?;
                    (ctx.new_id("prod"), name)
                }
                _ => {
                    return Err(ApiError::invalid_request(format!(
                        "You must pass exactly one of {} or {}.",
                        at("price_data][product"),
                        at("price_data][product_data")
                    )));
                }
            };
            data.finish_under(&at("price_data"))?;
            let price = Price {
                id: ctx.new_id("price"),
                created: ctx.now,
                livemode: ctx.livemode,
                product: product_id,
                currency: currency.clone(),
                unit_amount,
                recurring: None,
                active: false,
                nickname: None,
                metadata: Default::default(),
            };
            Ok(LineItem {
                id: line_id,
                description: name,
                quantity,
                currency,
                unit_amount,
                price: price.to_json(),
            })
        }
        _ => Err(ApiError::invalid_request(format!(
            "You must pass exactly one of {} or {}.",
            at("price"),
            at("price_data")
        ))),
    }
}

fn create(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let mode = params.one_of("mode", &["payment", "setup", "subscription"])?;
    let items = params.objects("line_items")?.unwrap_or_default();
    let customer = params.string("customer")?.filter(|s| !s.is_empty());
    let customer_email = params.string("customer_email")?.filter(|s| !s.is_empty());
    let client_reference_id = params
        .string("client_reference_id")?
        .filter(|s| !s.is_empty());
    let metadata = params.metadata()?.unwrap_or_default();
    let success_url = params.string("success_url")?.filter(|s| !s.is_empty());
    let cancel_url = params.string("cancel_url")?.filter(|s| !s.is_empty());
    let expires_at = params.integer("expires_at")?;
    let allow_promotion_codes = params.boolean("allow_promotion_codes")?;
    let billing_address_collection =
        params.one_of("billing_address_collection", &["auto", "required"])?;
    let phone = match params.object("phone_number_collection")? {
        None => false,
        Some(mut p) => {
            let enabled = p
                .boolean("enabled")?
                .ok_or_else(|| ApiError::missing_param("phone_number_collection[enabled]"))?;
            p.finish_under("phone_number_collection")?;
            enabled
        }
    };
    let manual_capture = match params.object("payment_intent_data")? {
        None => false,
        Some(mut p) => {
            let method = p.one_of(
                "capture_method",
                &["automatic", "automatic_async", "manual"],
            )?;
            let _description = p.string("description")?;
            let _metadata = p.metadata()?;
            p.finish_under("payment_intent_data")?;
            method.as_deref() == Some("manual")
        }
    };
    let _types = params.strings("payment_method_types")?;
    let expand = expand::object(&mut params, "checkout.session")?;
    params.finish()?;

    match mode.as_deref() {
        None => return Err(ApiError::missing_param("mode")),
        Some("payment") => {}
        Some(other) => {
            return Err(ApiError::invalid_param(
                "mode",
                format!("The simulator serves payment mode only, not {other}."),
            ));
        }
    }
    let Some(success_url) = success_url else {
        return Err(ApiError::missing_param("success_url"));
    };
    for (name, url) in [
        ("success_url", Some(&success_url)),
        ("cancel_url", cancel_url.as_ref()),
    ] {
        if let Some(url) = url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ApiError::invalid_param(
                name,
                format!("Not a valid URL: {name} must be an absolute http(s) URL."),
            ));
        }
    }
    if items.is_empty() {
        return Err(ApiError::missing_param("line_items"));
    }
    if items.len() > 100 {
        return Err(ApiError::invalid_param(
            "line_items",
            "A payment-mode session can have at most 100 line items.".to_owned(),
        ));
    }
    if customer.is_some() && customer_email.is_some() {
        return Err(ApiError::invalid_request(
            "You may only specify one of these parameters: customer, customer_email.",
        ));
    }
    if let Some(id) = &customer
        && ctx.account.customers.get(id).is_none()
    {
        return Err(ApiError::no_such("customer", id, "customer"));
    }
    let expires_at = expires_at.unwrap_or(ctx.now + MAX_EXPIRY);
    if !(ctx.now + MIN_EXPIRY..=ctx.now + MAX_EXPIRY).contains(&expires_at) {
        return Err(ApiError::invalid_param(
            "expires_at",
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.".to_owned(),
        ));
    }
    let mut line_items = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        line_items.push(line_item(ctx, index, item)?);
    }
    let currency = line_items
        .first()
        .map(|item| item.currency.clone())
        .unwrap_or_default();
    if line_items.iter().any(|item| item.currency != currency) {
        return Err(ApiError::invalid_param(
            "line_items",
            "All line items must use the same currency.".to_owned(),
        ));
    }
    let total: i64 = line_items.iter().map(LineItem::total).sum();
    money::charge_amount("line_items", total, &currency)?;
    let id = ctx.new_id(if ctx.livemode { "cs_live" } else { "cs_test" });
    let session = CheckoutSession {
        url: format!("{}/pay/{id}", ctx.base_url),
        id: id.clone(),
        created: ctx.now,
        expires_at,
        livemode: ctx.livemode,
        status: "open",
        payment_status: "unpaid",
        currency,
        customer,
        customer_email,
        client_reference_id,
        metadata,
        success_url: Some(success_url),
        cancel_url,
        allow_promotion_codes,
        billing_address_collection,
        phone_number_collection: phone,
        manual_capture,
        payment_intent: None,
        line_items,
    };
    ctx.account.open_sessions.insert((expires_at, id.clone()));
    ctx.account.sessions.insert(id.clone(), session);
    render(ctx, &id, &expand)
}

pub fn render(ctx: &Ctx<'_>, id: &str, expand: &[String]) -> Result<Value, ApiError> {
    let session = ctx
        .account
        .sessions
        .get(id)
        .ok_or_else(|| ApiError::no_such("checkout.session", id, "session"))?;
    let wants = |name: &str| expand::wants(expand, name);
    let payment_intent = match session.payment_intent.as_deref() {
        None => Value::Null,
        Some(pi_id) if wants("payment_intent") => ctx
            .account
            .payment_intents
            .get(pi_id)
            .map(|pi| render_intent(ctx, pi, &expand::under(expand, "payment_intent")))
            .unwrap_or_else(|| json!(pi_id)),
        Some(pi_id) => json!(pi_id),
    };
    let customer = match session.customer.as_deref() {
        None => Value::Null,
        Some(cus) if wants("customer") => ctx
            .account
            .customers
            .get(cus)
            .map(|c| c.to_json())
            .unwrap_or_else(|| json!(cus)),
        Some(cus) => json!(cus),
    };
    let line_items = wants("line_items").then(|| {
        json!({
            "object": "list",
            "data": session.line_items.iter().map(LineItem::to_json).collect::<Vec<_>>(),
            "has_more": false,
            "url": format!("/v1/checkout/sessions/{id}/line_items"),
        })
    });
    Ok(session.to_json(payment_intent, customer, line_items))
}

fn retrieve(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let expand = expand::object(&mut params, "checkout.session")?;
    params.finish()?;
    render(ctx, &args[0], &expand)
}

fn update(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let metadata = params.metadata()?;
    let expand = expand::object(&mut params, "checkout.session")?;
    params.finish()?;
    let session = ctx
        .account
        .sessions
        .get_mut(&args[0])
        .ok_or_else(|| ApiError::no_such("checkout.session", &args[0], "session"))?;
    if let Some(update) = metadata {
        merge_metadata(&mut session.metadata, update);
    }
    render(ctx, &args[0], &expand)
}

fn expire(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let expand = expand::object(&mut params, "checkout.session")?;
    params.finish()?;
    let session = ctx
        .account
        .sessions
        .get(&args[0])
        .ok_or_else(|| ApiError::no_such("checkout.session", &args[0], "session"))?;
    if session.status != "open" {
        return Err(ApiError::invalid_request(format!(
            "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
            session.status
        ))
        .with_code("checkout_session_unexpected_state"));
    }
    expire_session(ctx, &args[0]);
    render(ctx, &args[0], &expand)
}

/// Expires an open session (on request, or when its `expires_at` passes).
pub fn expire_session(ctx: &mut Ctx<'_>, id: &str) {
    if let Some(session) = ctx.account.sessions.get_mut(id) {
        session.status = "expired";
        let due = session.expires_at;
        ctx.account.open_sessions.remove(&(due, id.to_owned()));
    }
    if let Ok(object) = render(ctx, id, &[]) {
        ctx.emit("checkout.session.expired", object, None);
    }
}

fn line_items(ctx: &mut Ctx<'_>, args: &[String], mut params: Params) -> Result<Value, ApiError> {
    let _expand = expand::list(&mut params, "item")?;
    let session = ctx
        .account
        .sessions
        .get(&args[0])
        .ok_or_else(|| ApiError::no_such("checkout.session", &args[0], "session"))?;
    let items: Vec<(&str, &LineItem)> = session
        .line_items
        .iter()
        .map(|item| (item.id.as_str(), item))
        .collect();
    let url = format!("/v1/checkout/sessions/{}/line_items", args[0]);
    let page = paginate(
        &mut params,
        &url,
        "line_item",
        items.into_iter(),
        LineItem::to_json,
    )?;
    params.finish()?;
    Ok(page)
}

fn list(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let status = params.one_of("status", &["open", "complete", "expired"])?;
    let payment_intent = params.string("payment_intent")?;
    let customer = params.string("customer")?;
    let expand = expand::list(&mut params, "checkout.session")?;
    let ctx_ref: &Ctx<'_> = ctx;
    let page = paginate(
        &mut params,
        "/v1/checkout/sessions",
        "checkout.session",
        ctx_ref.account.sessions.newest_first().filter(|(_, s)| {
            created.is_none_or(|r| r.contains(s.created))
                && status.as_deref().is_none_or(|x| s.status == x)
                && payment_intent
                    .as_ref()
                    .is_none_or(|x| s.payment_intent.as_ref() == Some(x))
                && customer
                    .as_ref()
                    .is_none_or(|x| s.customer.as_ref() == Some(x))
        }),
        |session| render(ctx_ref, &session.id, &expand).unwrap_or(Value::Null),
    )?;
    params.finish()?;
    Ok(page)
}

/// A customer pays an open session with a test card: a PaymentIntent is
/// created and confirmed. A hold (manual capture) leaves the session
/// `complete` and `unpaid` until captured; a decline leaves it open.
pub fn complete_session(
    ctx: &mut Ctx<'_>,
    id: &str,
    payment_method: &str,
) -> Result<Value, ApiError> {
    let session = ctx
        .account
        .sessions
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::no_such("checkout.session", id, "session"))?;
    if session.status != "open" {
        return Err(ApiError::invalid_request(format!(
            "This Checkout Session is {} and can no longer be paid.",
            session.status
        )));
    }
    let pi_id = match session.payment_intent.clone() {
        Some(existing) => existing,
        None => {
            let pi_id = ctx.new_id("pi");
            let pi = PaymentIntent {
                status: PiStatus::RequiresConfirmation,
                manual_capture: session.manual_capture,
                customer: session.customer.clone(),
                description: None,
                receipt_email: session.customer_email.clone(),
                metadata: Default::default(),
                payment_method: None,
                ..PaymentIntent::new(
                    pi_id.clone(),
                    ctx.now,
                    ctx.livemode,
                    session.amount_total(),
                    session.currency.clone(),
                )
            };
            ctx.account
                .payment_intents
                .insert(pi_id.clone(), pi.clone());
            if ctx.recording() {
                ctx.emit("payment_intent.created", pi.to_json(), None);
            }
            if let Some(s) = ctx.account.sessions.get_mut(id) {
                s.payment_intent = Some(pi_id.clone());
            }
            pi_id
        }
    };
    if let Some(pi) = ctx.account.payment_intents.get_mut(&pi_id) {
        pi.payment_method = Some(payment_method.to_owned());
    }
    run_confirmation(ctx, &pi_id, false)?;
    let status = ctx.account.payment_intents.get(&pi_id).map(|pi| pi.status);
    let mut done = None;
    if let Some(s) = ctx.account.sessions.get_mut(id) {
        match status {
            Some(PiStatus::Succeeded) => {
                s.status = "complete";
                done = Some(s.expires_at);
                s.payment_status = "paid";
            }
            Some(PiStatus::RequiresCapture) => {
                s.status = "complete";
                done = Some(s.expires_at);
                s.payment_status = "unpaid";
            }
            _ => return render(ctx, id, &[]),
        }
    }
    if let Some(due) = done {
        ctx.account.open_sessions.remove(&(due, id.to_owned()));
    }
    let object = render(ctx, id, &[])?;
    ctx.emit("checkout.session.completed", object.clone(), None);
    Ok(object)
}

//! The account, its balance, customers, the catalog (products and prices)
//! and events.

use serde_json::{Value, json};

use super::error::ApiError;
use super::form::Params;
use super::{Ctx, Route, expand, paginate};
use crate::money;
use crate::objects::catalog::{Price, Product, Recurring};
use crate::objects::customer::Customer;
use crate::state::Access;

pub const ROUTES: [Route; 12] = [
    Route {
        method: "GET",
        path: "/v1/account",
        resource: "account",
        access: Access::Read,
        handler: account,
    },
    Route {
        method: "GET",
        path: "/v1/balance",
        resource: "balance",
        access: Access::Read,
        handler: balance,
    },
    Route {
        method: "POST",
        path: "/v1/customers",
        resource: "customer",
        access: Access::Write,
        handler: create_customer,
    },
    Route {
        method: "GET",
        path: "/v1/customers",
        resource: "customer",
        access: Access::Read,
        handler: list_customers,
    },
    Route {
        method: "GET",
        path: "/v1/customers/{customer}",
        resource: "customer",
        access: Access::Read,
        handler: retrieve_customer,
    },
    Route {
        method: "POST",
        path: "/v1/products",
        resource: "product",
        access: Access::Write,
        handler: create_product,
    },
    Route {
        method: "GET",
        path: "/v1/products",
        resource: "product",
        access: Access::Read,
        handler: list_products,
    },
    Route {
        method: "POST",
        path: "/v1/prices",
        resource: "price",
        access: Access::Write,
        handler: create_price,
    },
    Route {
        method: "GET",
        path: "/v1/prices",
        resource: "price",
        access: Access::Read,
        handler: list_prices,
    },
    Route {
        method: "GET",
        path: "/v1/events",
        resource: "event",
        access: Access::Read,
        handler: list_events,
    },
    Route {
        method: "GET",
        path: "/v1/events/{id}",
        resource: "event",
        access: Access::Read,
        handler: retrieve_event,
    },
    Route {
        method: "GET",
        path: "/v1/prices/{price}",
        resource: "price",
        access: Access::Read,
        handler: retrieve_price,
    },
];

fn account(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let _expand = expand::object(&mut params, "account")?;
    params.finish()?;
    Ok(json!({
        "id": ctx.account.id,
        "object": "account",
        "business_profile": { "name": ctx.account.name, "url": null, "support_email": null, "mcc": null, "product_description": null, "support_phone": null, "support_url": null, "support_address": null },
        "business_type": "company",
        "charges_enabled": true,
        "country": "US",
        "created": 1_700_000_000,
        "default_currency": "usd",
        "details_submitted": true,
        "email": null,
        "metadata": {},
        "payouts_enabled": true,
        "settings": {
            "branding": { "icon": null, "logo": null, "primary_color": null, "secondary_color": null },
            "card_payments": { "decline_on": { "avs_failure": false, "cvc_failure": false }, "statement_descriptor_prefix": null, "statement_descriptor_prefix_kana": null, "statement_descriptor_prefix_kanji": null },
            "dashboard": { "display_name": ctx.account.name, "timezone": "Etc/UTC" },
            "payments": { "statement_descriptor": "TILL DEMO", "statement_descriptor_kana": null, "statement_descriptor_kanji": null },
        },
        "type": "standard",
    }))
}

/// What the ledger says: available and pending per currency.
fn balance(ctx: &mut Ctx<'_>, _: &[String], params: Params) -> Result<Value, ApiError> {
    params.finish()?;
    Ok(ctx.account.ledger.balance_json(ctx.livemode))
}

fn create_customer(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let email = params.string("email")?.filter(|s| !s.is_empty());
    let name = params.string("name")?.filter(|s| !s.is_empty());
    let phone = params.string("phone")?.filter(|s| !s.is_empty());
    let description = params.string("description")?.filter(|s| !s.is_empty());
    let metadata = params.metadata()?.unwrap_or_default();
    let _expand = expand::object(&mut params, "customer")?;
    params.finish()?;
    let id = ctx.new_id("cus");
    let customer = Customer {
        id: id.clone(),
        created: ctx.now,
        livemode: ctx.livemode,
        email,
        name,
        phone,
        description,
        metadata,
    };
    let value = customer.to_json();
    ctx.account.customers.insert(id, customer);
    ctx.emit("customer.created", value.clone(), None);
    Ok(value)
}

fn retrieve_customer(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let _expand = expand::object(&mut params, "customer")?;
    params.finish()?;
    ctx.account
        .customers
        .get(&args[0])
        .map(Customer::to_json)
        .ok_or_else(|| ApiError::no_such("customer", &args[0], "customer"))
}

fn list_customers(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let email = params.string("email")?;
    let _expand = expand::list(&mut params, "customer")?;
    let page = paginate(
        &mut params,
        "/v1/customers",
        "customer",
        ctx.account.customers.newest_first().filter(|(_, c)| {
            created.is_none_or(|r| r.contains(c.created))
                && email.as_ref().is_none_or(|e| c.email.as_ref() == Some(e))
        }),
        Customer::to_json,
    )?;
    params.finish()?;
    Ok(page)
}

fn create_product(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let name = params.required_string("name")?;
    let description = params.string("description")?.filter(|s| !s.is_empty());
    let active = params.boolean("active")?.unwrap_or(true);
    let metadata = params.metadata()?.unwrap_or_default();
    let _expand = expand::object(&mut params, "product")?;
    params.finish()?;
    let id = ctx.new_id("prod");
    let product = Product {
        id: id.clone(),
        created: ctx.now,
        updated: ctx.now,
        livemode: ctx.livemode,
        name,
        description,
        active,
        metadata,
        default_price: None,
    };
    let value = product.to_json();
    ctx.account.products.insert(id, product);
    ctx.emit("product.created", value.clone(), None);
    Ok(value)
}

fn list_products(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let active = params.boolean("active")?;
    let _expand = expand::list(&mut params, "product")?;
    let page = paginate(
        &mut params,
        "/v1/products",
        "product",
        ctx.account.products.newest_first().filter(|(_, p)| {
            created.is_none_or(|r| r.contains(p.created)) && active.is_none_or(|a| p.active == a)
        }),
        Product::to_json,
    )?;
    params.finish()?;
    Ok(page)
}

fn create_price(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let currency = money::currency("currency", &params.required_string("currency")?)?;
    let unit_amount = params.integer("unit_amount")?;
    let product = params.string("product")?.filter(|s| !s.is_empty());
    let product_data = params.object("product_data")?;
    let nickname = params.string("nickname")?.filter(|s| !s.is_empty());
    let active = params.boolean("active")?.unwrap_or(true);
    let metadata = params.metadata()?.unwrap_or_default();
    let recurring = match params.object("recurring")? {
        None => None,
        Some(mut r) => {
            let interval = r
                .one_of("interval", &["day", "week", "month", "year"])?
                .ok_or_else(|| ApiError::missing_param("recurring[interval]"))?;
            let interval_count = r.integer("interval_count")?.unwrap_or(1);
            r.finish_under("recurring")?;
            Some(Recurring {
                interval,
                interval_count,
            })
        }
    };
    let _expand = expand::object(&mut params, "price")?;
    params.finish()?;
    let unit_amount = unit_amount.ok_or_else(|| ApiError::missing_param("unit_amount"))?;
    if unit_amount < 0 {
        return Err(ApiError::invalid_param(
            "unit_amount",
            "unit_amount must be 0 or more.".to_owned(),
        ));
    }
    let product = match (product, product_data) {
        (Some(id), None) => {
            if ctx.account.products.get(&id).is_none() {
                return Err(ApiError::no_such("product", &id, "product"));
            }
            id
        }
        (None, Some(mut data)) => {
            let name = data
                .required_string("name")
                .map_err(|_| ApiError::missing_param("product_data[name]"))?;
            let product_metadata = data.metadata()?.unwrap_or_default();
            data.finish_under("product_data")?;
            let id = ctx.new_id("prod");
            let product = Product {
                id: id.clone(),
                created: ctx.now,
                updated: ctx.now,
                livemode: ctx.livemode,
                name,
                description: None,
                active: true,
                metadata: product_metadata,
                default_price: None,
            };
            let value = product.to_json();
            ctx.account.products.insert(id.clone(), product);
            ctx.emit("product.created", value, None);
            id
        }
        _ => {
            return Err(ApiError::invalid_request(
                "You must pass exactly one of product or product_data.",
            ));
        }
    };
    let id = ctx.new_id("price");
    let price = Price {
        id: id.clone(),
        created: ctx.now,
        livemode: ctx.livemode,
        product,
        currency,
        unit_amount,
        recurring,
        active,
        nickname,
        metadata,
    };
    let value = price.to_json();
    ctx.account.prices.insert(id, price);
    ctx.emit("price.created", value.clone(), None);
    Ok(value)
}

fn retrieve_price(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let _expand = expand::object(&mut params, "price")?;
    params.finish()?;
    ctx.account
        .prices
        .get(&args[0])
        .map(Price::to_json)
        .ok_or_else(|| ApiError::no_such("price", &args[0], "price"))
}

fn list_prices(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let active = params.boolean("active")?;
    let product = params.string("product")?;
    let currency = params.string("currency")?;
    let kind = params.one_of("type", &["one_time", "recurring"])?;
    let _expand = expand::list(&mut params, "price")?;
    let page = paginate(
        &mut params,
        "/v1/prices",
        "price",
        ctx.account.prices.newest_first().filter(|(_, p)| {
            created.is_none_or(|r| r.contains(p.created))
                && active.is_none_or(|a| p.active == a)
                && product.as_ref().is_none_or(|x| &p.product == x)
                && currency.as_ref().is_none_or(|x| &p.currency == x)
                && kind
                    .as_deref()
                    .is_none_or(|k| (k == "recurring") == p.recurring.is_some())
        }),
        Price::to_json,
    )?;
    params.finish()?;
    Ok(page)
}

fn list_events(ctx: &mut Ctx<'_>, _: &[String], mut params: Params) -> Result<Value, ApiError> {
    let created = params.range("created")?;
    let single = params.string("type")?;
    let mut types = params.strings("types")?;
    let _delivery = params.boolean("delivery_success")?;
    let _expand = expand::list(&mut params, "event")?;
    if let Some(kind) = single {
        types.push(kind);
    }
    let matches = |kind: &str| {
        types.is_empty()
            || types.iter().any(|t| match t.strip_suffix(".*") {
                Some(prefix) => {
                    kind.starts_with(prefix) && kind.as_bytes().get(prefix.len()) == Some(&b'.')
                }
                None => t == kind,
            })
    };
    let now = ctx.now;
    let ctx_ref: &Ctx<'_> = ctx;
    let page = paginate(
        &mut params,
        "/v1/events",
        "event",
        ctx_ref.account.events.newest_first().filter(|(_, e)| {
            e.visible_from <= now
                && created.is_none_or(|r| r.contains(e.created))
                && matches(e.kind)
        }),
        |event| ctx_ref.render_event(event),
    )?;
    params.finish()?;
    Ok(page)
}

fn retrieve_event(
    ctx: &mut Ctx<'_>,
    args: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let _expand = expand::object(&mut params, "event")?;
    params.finish()?;
    let now = ctx.now;
    ctx.account
        .events
        .get(&args[0])
        .filter(|e| e.visible_from <= now)
        .map(|event| ctx.render_event(event))
        .ok_or_else(|| ApiError::no_such("event", &args[0], "id"))
}

//! `expand[]`. Stripe lets a request expand the fields its spec lists in
//! each object's `x-expandableFields` (copied into [`EXPANDABLE`]; the
//! contract test checks the copy against spec3.json), deeper through what a
//! field becomes (`latest_charge.balance_transaction`), and in a list or a
//! search through `data.` (`data.balance_transaction`).
//!
//! A path Stripe would not expand is refused in Stripe's words: "This
//! property cannot be expanded (foo)." One Stripe would expand but the
//! simulator does not render yet ([`RENDERED`] says which it does) is refused
//! too, saying so, rather than answered unexpanded: a test then knows the
//! simulator is what lacks it.
//!
//! Handlers take the checked paths relative to their object (`&[String]`):
//! [`wants`] tells whether a field is expanded, [`under`] gives the paths
//! within it.

use super::error::ApiError;
use super::form::Params;

/// `x-expandableFields` in spec3.json (2023-08-16) for each object the
/// simulator serves.
pub const EXPANDABLE: &[(&str, &[&str])] = &[
    (
        "account",
        &[
            "business_profile",
            "capabilities",
            "company",
            "controller",
            "external_accounts",
            "future_requirements",
            "individual",
            "requirements",
            "settings",
            "tos_acceptance",
        ],
    ),
    ("balance_transaction", &["fee_details", "source"]),
    (
        "charge",
        &[
            "application",
            "application_fee",
            "balance_transaction",
            "billing_details",
            "customer",
            "failure_balance_transaction",
            "fraud_details",
            "invoice",
            "on_behalf_of",
            "outcome",
            "payment_intent",
            "payment_method_details",
            "radar_options",
            "refunds",
            "review",
            "shipping",
            "source_transfer",
            "transfer",
            "transfer_data",
        ],
    ),
    (
        "checkout.session",
        &[
            "after_expiration",
            "automatic_tax",
            "consent",
            "consent_collection",
            "currency_conversion",
            "custom_fields",
            "custom_text",
            "customer",
            "customer_details",
            "invoice",
            "invoice_creation",
            "line_items",
            "payment_intent",
            "payment_link",
            "payment_method_options",
            "phone_number_collection",
            "setup_intent",
            "shipping_address_collection",
            "shipping_cost",
            "shipping_details",
            "shipping_options",
            "subscription",
            "tax_id_collection",
            "total_details",
        ],
    ),
    (
        "customer",
        &[
            "address",
            "cash_balance",
            "default_source",
            "discount",
            "invoice_settings",
            "shipping",
            "sources",
            "subscriptions",
            "tax",
            "tax_ids",
            "test_clock",
        ],
    ),
    (
        "dispute",
        &[
            "balance_transactions",
            "charge",
            "evidence",
            "evidence_details",
            "payment_intent",
            "payment_method_details",
        ],
    ),
    ("event", &["data", "request"]),
    ("item", &["discounts", "price", "taxes"]),
    (
        "payment_intent",
        &[
            "amount_details",
            "application",
            "automatic_payment_methods",
            "customer",
            "invoice",
            "last_payment_error",
            "latest_charge",
            "next_action",
            "on_behalf_of",
            "payment_method",
            "payment_method_options",
            "processing",
            "review",
            "shipping",
            "transfer_data",
        ],
    ),
    (
        "payout",
        &[
            "balance_transaction",
            "destination",
            "failure_balance_transaction",
            "original_payout",
            "reversed_by",
        ],
    ),
    (
        "price",
        &[
            "currency_options",
            "custom_unit_amount",
            "product",
            "recurring",
            "tiers",
            "transform_quantity",
        ],
    ),
    (
        "product",
        &[
            "default_price",
            "features",
            "package_dimensions",
            "tax_code",
        ],
    ),
    (
        "refund",
        &[
            "balance_transaction",
            "charge",
            "failure_balance_transaction",
            "next_action",
            "payment_intent",
            "source_transfer_reversal",
            "transfer_reversal",
        ],
    ),
];

/// The expansions the simulator renders: (object, field, the object the
/// field becomes). Deeper paths follow what the field becomes, so
/// `payment_intent` renders `latest_charge.balance_transaction` through
/// `charge`'s `balance_transaction`.
pub const RENDERED: &[(&str, &str, &str)] = &[
    ("payment_intent", "latest_charge", "charge"),
    ("payment_intent", "customer", "customer"),
    ("charge", "balance_transaction", "balance_transaction"),
    ("refund", "charge", "charge"),
    ("refund", "payment_intent", "payment_intent"),
    ("checkout.session", "payment_intent", "payment_intent"),
    ("checkout.session", "customer", "customer"),
    // A list of `item`s, whose fields are not expanded.
    ("checkout.session", "line_items", "list"),
];

fn expandable(object: &str) -> Option<&'static [&'static str]> {
    EXPANDABLE
        .iter()
        .find(|(name, _)| *name == object)
        .map(|(_, fields)| *fields)
}

fn cannot(shown: &str) -> ApiError {
    ApiError::invalid_param(
        "expand",
        format!("This property cannot be expanded ({shown})."),
    )
}

fn not_rendered(shown: &str) -> ApiError {
    ApiError::invalid_param(
        "expand",
        format!(
            "This property can be expanded at Stripe, but the simulator does not render that expansion yet ({shown})."
        ),
    )
}

/// Checks `path` on an `object`; `shown` is the path as the request spelt it.
fn check(object: &str, path: &str, shown: &str) -> Result<(), ApiError> {
    let mut kind = object;
    for field in path.split('.') {
        let Some(fields) = expandable(kind) else {
            // A type whose expandable fields are not copied here (a list of
            // line items): nothing within it is rendered.
            return Err(not_rendered(shown));
        };
        if !fields.contains(&field) {
            return Err(cannot(shown));
        }
        kind = RENDERED
            .iter()
            .find(|(o, f, _)| *o == kind && *f == field)
            .map(|(_, _, becomes)| *becomes)
            .ok_or_else(|| not_rendered(shown))?;
    }
    Ok(())
}

/// Whether a path is rendered on `object`, and allowed by the spec.
pub fn renders(object: &str, path: &str) -> bool {
    check(object, path, path).is_ok()
}

/// The `expand[]` of a request that answers one `object`
/// (`payment_intent`, `checkout.session`…).
pub fn object(params: &mut Params, object: &str) -> Result<Vec<String>, ApiError> {
    let paths = params.strings("expand")?;
    for path in &paths {
        check(object, path, path)?;
    }
    Ok(paths)
}

/// The `expand[]` of a list or search of `object`s: every path goes
/// through `data.`; the paths are returned relative to each item.
pub fn list(params: &mut Params, object: &str) -> Result<Vec<String>, ApiError> {
    let paths = params.strings("expand")?;
    let mut within = Vec::with_capacity(paths.len());
    for path in paths {
        match path.strip_prefix("data.") {
            Some(rest) => {
                check(object, rest, &path)?;
                within.push(rest.to_owned());
            }
            // The list's own `data` is already its objects.
            None if path == "data" => return Err(not_rendered(&path)),
            None => {
                let first = path.split('.').next().unwrap_or_default();
                let mut err = cannot(&path);
                if expandable(object).is_some_and(|fields| fields.contains(&first)) {
                    // Stripe's hint when an item's field is asked of the list.
                    err.message = format!(
                        "This property cannot be expanded ({path}). You may want to try expanding 'data.{path}' instead."
                    );
                }
                return Err(err);
            }
        }
    }
    Ok(within)
}

/// Whether `field` itself is expanded.
pub fn wants(expand: &[String], field: &str) -> bool {
    expand
        .iter()
        .any(|path| path.split('.').next() == Some(field))
}

/// The paths within `field`: `latest_charge.balance_transaction` gives
/// `balance_transaction` under `latest_charge`.
pub fn under(expand: &[String], field: &str) -> Vec<String> {
    expand
        .iter()
        .filter_map(|path| path.strip_prefix(field)?.strip_prefix('.'))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_what_each_field_becomes() {
        assert!(renders("payment_intent", "latest_charge"));
        assert!(renders(
            "payment_intent",
            "latest_charge.balance_transaction"
        ));
        assert!(renders(
            "refund",
            "payment_intent.latest_charge.balance_transaction"
        ));
        assert!(!renders("payment_intent", "latest_charge.outcome"));
        assert!(!renders("payment_intent", "metadata"));
        assert!(!renders("checkout.session", "line_items.data.price"));
        let message =
            |object: &str, path: &str| check(object, path, path).unwrap_err().message.clone();
        assert_eq!(
            message("payment_intent", "metadata"),
            "This property cannot be expanded (metadata)."
        );
        assert_eq!(
            message("payment_intent", "latest_charge.nope"),
            "This property cannot be expanded (latest_charge.nope)."
        );
        assert!(message("payment_intent", "payment_method").contains("does not render"));
    }

    #[test]
    fn wants_and_under_split_paths_at_their_first_field() {
        let expand = vec![
            "latest_charge.balance_transaction".to_owned(),
            "customer".to_owned(),
        ];
        assert!(wants(&expand, "latest_charge"));
        assert!(wants(&expand, "customer"));
        assert!(!wants(&expand, "latest"));
        assert_eq!(under(&expand, "latest_charge"), ["balance_transaction"]);
        assert!(under(&expand, "customer").is_empty());
        assert!(under(&expand, "latest").is_empty());
    }
}

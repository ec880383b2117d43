//! Documented exceptions to the spec.
//!
//! The spec describes API version 2023-08-16; Stripe has added parameters,
//! fields and enum values since. Where Till relies on one, its contract test
//! lists it here, with the reason in a comment, rather than the checker
//! growing a silent allow-list.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::request::split_key;

/// (upper-case method, path template)
type Operation = (String, String);

/// A key split into segments, and the schema for what follows them.
type ExtraParam = (Vec<String>, Value);

/// Request parameters and response fields to accept beyond the spec.
///
/// Each comes with a schema in the spec's own vocabulary (`type`, `enum`,
/// `nullable`, `properties`, `anyOf`, `$ref` into the spec, ...); `json!({})`
/// accepts anything.
///
/// ```
/// use serde_json::json;
/// use till_stripe_spec::Extensions;
///
/// let ext = Extensions::new()
///     // Listing Checkout Sessions by status arrived after 2023-08-16.
///     .request_param("GET", "/v1/checkout/sessions", "status",
///         json!({"type": "string", "enum": ["complete", "expired", "open"]}))
///     .response_field("payment_method_details_card", "capture_before",
///         json!({"type": "integer", "nullable": true}));
/// assert!(ext.has_param("GET", "/v1/checkout/sessions", "status"));
/// assert!(ext.has_field("payment_method_details_card", "capture_before"));
/// assert!(!ext.has_param("GET", "/v1/checkout/sessions", "created"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Extensions {
    params: BTreeMap<Operation, Vec<ExtraParam>>,
    /// schema name -> field -> schema
    fields: BTreeMap<String, BTreeMap<String, Value>>,
}

impl Extensions {
    /// No exceptions: the spec as it stands.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept `key` in requests to `method` `template` (the spec's template,
    /// as in [`Spec::match_path`](crate::Spec::match_path)). `key` may be a
    /// top-level name (`created`: then `created[gte]` is walked through
    /// `schema`) or a bracket key (`payment_method_options[card][foo]`) for a
    /// parameter added inside a documented one. The extension is consulted
    /// only when the spec rejects a key as unknown or its value as bad, so it
    /// can also widen an enum.
    pub fn request_param(mut self, method: &str, template: &str, key: &str, schema: Value) -> Self {
        let segs = split_key(key).unwrap_or_else(|| vec![key.to_owned()]);
        self.params
            .entry((method.to_uppercase(), template.to_owned()))
            .or_default()
            .push((segs, schema));
        self
    }

    /// Accept `field` in JSON objects of schema `schema_name`: a key of
    /// `components.schemas` (`payment_method_details_card`), or the `title`
    /// of an inline object schema (the list wrappers, such as
    /// `PaymentPagesCheckoutSessionList`). Consulted when the field is not
    /// in the schema, or when its value fails the spec's own schema.
    pub fn response_field(mut self, schema_name: &str, field: &str, schema: Value) -> Self {
        self.fields
            .entry(schema_name.to_owned())
            .or_default()
            .insert(field.to_owned(), schema);
        self
    }

    /// Whether `key` (or a parameter it lies inside) was added to requests
    /// to `method` `template`.
    pub fn has_param(&self, method: &str, template: &str, key: &str) -> bool {
        let segs = split_key(key).unwrap_or_else(|| vec![key.to_owned()]);
        self.params_for(method, template, &segs).next().is_some()
    }

    /// Whether `field` was added to objects of schema `schema_name`.
    pub fn has_field(&self, schema_name: &str, field: &str) -> bool {
        self.field(schema_name, field).is_some()
    }

    /// Extension params for an operation whose key segments start `segs`,
    /// each with the rest of `segs` to walk through its schema.
    pub(crate) fn params_for<'a, 's>(
        &'a self,
        method: &str,
        template: &str,
        segs: &'s [String],
    ) -> impl Iterator<Item = (&'a Value, &'s [String])> {
        self.params
            .get(&(method.to_uppercase(), template.to_owned()))
            .into_iter()
            .flatten()
            .filter_map(move |(prefix, schema)| {
                segs.strip_prefix(prefix.as_slice())
                    .map(|rest| (schema, rest))
            })
    }

    pub(crate) fn field(&self, schema_name: &str, field: &str) -> Option<&Value> {
        self.fields.get(schema_name)?.get(field)
    }
}

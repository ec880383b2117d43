//! JSON bodies against the spec's schemas.
//!
//! Stricter than OpenAPI itself in one way, on purpose: a property the schema
//! does not list is reported ([`ProblemKind::Undocumented`]) even though
//! OpenAPI would allow it, because a simulator that invents fields, or a
//! client that relies on one, is exactly what the contract tests are for.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::extensions::Extensions;
use crate::problem::{Problem, ProblemKind};
use crate::schema::{Kind, kind};
use crate::spec::Spec;

/// Deeper than any Stripe object (about a dozen levels, counting anyOf
/// wrappers twice); stops a recursive schema with recursive data.
const MAX_DEPTH: usize = 64;

/// How many enum members a detail shows.
const ENUM_SHOWN: usize = 12;

impl Spec {
    /// Checks a response body against the schema the spec gives for this
    /// operation and status: the status itself, else `2XX`-style ranges,
    /// else `default` (Stripe's error object). Only `application/json`
    /// responses have one. A `?query` on `path` is ignored.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
        extensions: &Extensions,
    ) -> Vec<Problem> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let (template, op) = self.operation(method, path);
        let op = match op {
            Ok(op) => op,
            Err(problem) => return vec![problem],
        };
        let template = template.unwrap_or(path);
        let responses = op.get("responses");
        let status_text = status.to_string();
        let range = format!("{}XX", status / 100);
        let response = [status_text.as_str(), &range, "default"]
            .iter()
            .find_map(|key| responses.and_then(|r| r.get(*key)));
        let Some(response) = response else {
            let detail = format!(
                "{} {template} documents no {status} (nor default) response",
                method.to_uppercase()
            );
            return vec![Problem::new(ProblemKind::NoSchema, "", detail)];
        };
        let schema = match self.resolve(response) {
            Ok(r) => r.pointer("/content/application~1json/schema"),
            Err(e) => return vec![Problem::new(ProblemKind::BadSpec, "", e.to_string())],
        };
        let Some(schema) = schema else {
            let detail = format!(
                "the {status} response of {} {template} has no application/json schema",
                method.to_uppercase()
            );
            return vec![Problem::new(ProblemKind::NoSchema, "", detail)];
        };
        let mut out = Vec::new();
        Validator::new(self, extensions).validate(schema, None, body, "", 0, &mut out);
        out
    }

    /// Checks a JSON value against `components.schemas.<schema_name>`
    /// (`payment_intent`, `checkout.session`, ...), as the fixtures name
    /// their objects.
    pub fn check_object(
        &self,
        schema_name: &str,
        value: &Value,
        extensions: &Extensions,
    ) -> Vec<Problem> {
        let Some(schema) = self.schema(schema_name) else {
            let detail = format!("no schema {schema_name:?} in components.schemas");
            return vec![Problem::new(ProblemKind::NoSchema, "", detail)];
        };
        let mut out = Vec::new();
        Validator::new(self, extensions).validate(
            schema,
            Some(schema_name),
            value,
            "",
            0,
            &mut out,
        );
        out
    }
}

/// An object schema's properties, merged across `allOf` parts.
#[derive(Default)]
struct ObjectView<'a> {
    properties: BTreeMap<&'a str, &'a Value>,
    required: Vec<&'a str>,
    additional: Option<&'a Value>,
    /// Whether any part lists properties or additionalProperties. One that
    /// lists neither is a free-form object (an event's `data.object`): any
    /// key is documented.
    declares: bool,
}

struct Validator<'a> {
    spec: &'a Spec,
    extensions: &'a Extensions,
}

impl<'a> Validator<'a> {
    fn new(spec: &'a Spec, extensions: &'a Extensions) -> Self {
        Self { spec, extensions }
    }

    /// Appends to `out` whatever is wrong with `value` under `schema`.
    /// `name` names the schema when the caller knows it better than the
    /// schema does (a top-level [`Spec::check_object`]).
    fn validate(
        &self,
        schema: &'a Value,
        name: Option<&'a str>,
        value: &Value,
        loc: &str,
        depth: usize,
        out: &mut Vec<Problem>,
    ) {
        if depth > MAX_DEPTH {
            let detail = format!("nested deeper than {MAX_DEPTH} levels; not followed");
            out.push(Problem::new(ProblemKind::TooDeep, loc, detail));
            return;
        }
        let (s, ref_name) = match self.spec.resolve_named(schema) {
            Ok(found) => found,
            Err(e) => {
                out.push(Problem::new(ProblemKind::BadSpec, loc, e.to_string()));
                return;
            }
        };
        // Extensions name schemas by their components key, or by the title
        // of an inline one (Stripe titles its inline list objects).
        let name = ref_name
            .or(name)
            .or_else(|| s.get("title").and_then(Value::as_str));
        if !s.is_object() {
            return; // `true` or junk: nothing to hold the value to
        }
        let alternatives: Vec<&'a Value> = ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| s.get(*k).and_then(Value::as_array))
            .flatten()
            .collect();
        if value.is_null() {
            if s.get("nullable") == Some(&Value::Bool(true)) {
                return;
            }
            if alternatives.is_empty() && s.get("allOf").is_none() {
                if matches!(kind(s), Kind::Untyped) {
                    return;
                }
                out.push(self.wrong_type(s, name, value, loc));
                return;
            }
        }
        if !alternatives.is_empty() {
            self.any_of(&alternatives, value, loc, depth, out);
            return;
        }
        if s.get("allOf").is_some() {
            self.all_of(s, name, value, loc, depth, out);
            return;
        }
        let fits = match kind(s) {
            Kind::Untyped => true,
            Kind::Object => match value.as_object() {
                Some(obj) => {
                    let mut view = ObjectView::default();
                    self.merge_into(&mut view, s, 0);
                    self.object(&view, name, obj, loc, depth, out);
                    return;
                }
                None => false,
            },
            Kind::Array => match value.as_array() {
                Some(items) => {
                    if let Some(item_schema) = s.get("items") {
                        for (i, item) in items.iter().enumerate() {
                            let at = format!("{loc}/{i}");
                            self.validate(item_schema, None, item, &at, depth + 1, out);
                        }
                    }
                    return;
                }
                None => false,
            },
            Kind::Scalar("string") => value.is_string(),
            Kind::Scalar("integer") => value.is_i64() || value.is_u64(),
            Kind::Scalar("number") => value.is_number(),
            Kind::Scalar("boolean") => value.is_boolean(),
            Kind::Scalar(_) => true, // a type this checker does not know
        };
        if !fits {
            out.push(self.wrong_type(s, name, value, loc));
            return;
        }
        if let Some(allowed) = s.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            let shown: Vec<String> = allowed
                .iter()
                .take(ENUM_SHOWN)
                .map(Value::to_string)
                .collect();
            let more = if allowed.len() > ENUM_SHOWN {
                ", ..."
            } else {
                ""
            };
            let detail = format!("{value} is not one of [{}{more}]", shown.join(", "));
            out.push(Problem::new(ProblemKind::BadValue, loc, detail));
        }
    }

    /// anyOf / oneOf (an expandable field is an id string or the object):
    /// the value must fit one. When none fits, the problems of the closest
    /// alternative are reported, as they say the most; when the value's
    /// type fits none, a single `WrongType`.
    fn any_of(
        &self,
        alternatives: &[&'a Value],
        value: &Value,
        loc: &str,
        depth: usize,
        out: &mut Vec<Problem>,
    ) {
        let mut best: Option<Vec<Problem>> = None;
        for alt in alternatives {
            let mut found = Vec::new();
            self.validate(alt, None, value, loc, depth + 1, &mut found);
            if found.is_empty() {
                return;
            }
            let type_mismatch = found.len() == 1
                && found[0].kind == ProblemKind::WrongType
                && found[0].location == loc;
            if !type_mismatch && best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        match best {
            Some(found) => out.extend(found),
            None => {
                let expected: Vec<String> =
                    alternatives.iter().map(|a| self.expected(a, 0)).collect();
                let detail = format!(
                    "expected {}, got {}",
                    expected.join(" or "),
                    json_type(value)
                );
                out.push(Problem::new(ProblemKind::WrongType, loc, detail));
            }
        }
    }

    /// allOf: the object parts are merged into one (so that one part's
    /// properties are not undocumented for another); any other part must
    /// hold on its own.
    fn all_of(
        &self,
        s: &'a Value,
        name: Option<&'a str>,
        value: &Value,
        loc: &str,
        depth: usize,
        out: &mut Vec<Problem>,
    ) {
        let mut view = ObjectView::default();
        let mut objectish = false;
        for part in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let resolved = self.spec.resolve(part).unwrap_or(part);
            if matches!(kind(resolved), Kind::Object) || resolved.get("allOf").is_some() {
                objectish = true;
            } else {
                self.validate(part, None, value, loc, depth + 1, out);
            }
        }
        if objectish {
            self.merge_into(&mut view, s, 0);
            match value.as_object() {
                Some(obj) => self.object(&view, name, obj, loc, depth, out),
                None => {
                    let detail = format!("expected object, got {}", json_type(value));
                    out.push(Problem::new(ProblemKind::WrongType, loc, detail));
                }
            }
        }
    }

    /// Adds `s`'s properties, required names and additionalProperties (and
    /// those of its allOf parts) to `view`.
    fn merge_into(&self, view: &mut ObjectView<'a>, s: &'a Value, hops: usize) {
        let Ok(s) = self.spec.resolve(s) else {
            return;
        };
        if hops > MAX_DEPTH {
            return;
        }
        if s.get("properties").is_some() || s.get("additionalProperties").is_some() {
            view.declares = true;
        }
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            view.properties
                .extend(props.iter().map(|(k, v)| (k.as_str(), v)));
        }
        view.required.extend(
            s.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        );
        if let Some(ap) = s.get("additionalProperties") {
            view.additional = Some(ap);
        }
        for part in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.merge_into(view, part, hops + 1);
        }
    }

    fn object(
        &self,
        view: &ObjectView<'a>,
        name: Option<&'a str>,
        obj: &serde_json::Map<String, Value>,
        loc: &str,
        depth: usize,
        out: &mut Vec<Problem>,
    ) {
        let schema_name = name.unwrap_or("this object");
        for required in &view.required {
            if !obj.contains_key(*required) {
                let detail = format!("required by {schema_name}");
                out.push(Problem::new(
                    ProblemKind::Missing,
                    pointer(loc, required),
                    detail,
                ));
            }
        }
        for (key, value) in obj {
            let at = pointer(loc, key);
            let extension = name.and_then(|n| self.extensions.field(n, key));
            if let Some(schema) = view.properties.get(key.as_str()) {
                let mut found = Vec::new();
                self.validate(schema, None, value, &at, depth + 1, &mut found);
                // An extension may also widen a documented field (a newer
                // enum value, say): it only needs to fit one of the two.
                if !found.is_empty() && !self.fits(extension, value, &at, depth) {
                    out.extend(found);
                }
            } else if let Some(schema) = extension {
                self.validate(schema, None, value, &at, depth + 1, out);
            } else {
                match view.additional {
                    Some(ap) if ap.is_object() => {
                        self.validate(ap, None, value, &at, depth + 1, out);
                    }
                    Some(Value::Bool(true)) => {}
                    _ if !view.declares => {}
                    _ => {
                        let detail = format!("not a property of {schema_name} in the spec");
                        out.push(Problem::new(ProblemKind::Undocumented, at, detail));
                    }
                }
            }
        }
    }

    fn fits(&self, schema: Option<&'a Value>, value: &Value, loc: &str, depth: usize) -> bool {
        schema.is_some_and(|schema| {
            let mut found = Vec::new();
            self.validate(schema, None, value, loc, depth + 1, &mut found);
            found.is_empty()
        })
    }

    fn wrong_type(&self, s: &'a Value, name: Option<&str>, value: &Value, loc: &str) -> Problem {
        let mut expected = self.expected(s, 0);
        if let (Some(name), Kind::Object) = (name, kind(s)) {
            expected = format!("{expected} ({name})");
        }
        let detail = format!("expected {expected}, got {}", json_type(value));
        Problem::new(ProblemKind::WrongType, loc, detail)
    }

    /// What a schema expects, for a person: `string`, `object (customer)`,
    /// `string or object (customer)`.
    fn expected(&self, schema: &'a Value, hops: usize) -> String {
        let Ok((s, name)) = self.spec.resolve_named(schema) else {
            return "?".into();
        };
        let alternatives: Vec<String> = ["anyOf", "oneOf"]
            .iter()
            .filter_map(|k| s.get(*k).and_then(Value::as_array))
            .flatten()
            .map(|a| {
                if hops > MAX_DEPTH {
                    "?".into()
                } else {
                    self.expected(a, hops + 1)
                }
            })
            .collect();
        if !alternatives.is_empty() {
            return alternatives.join(" or ");
        }
        let base = match kind(s) {
            Kind::Untyped => "anything",
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::Scalar(k) => k,
        };
        match name {
            Some(name) => format!("{base} ({name})"),
            None => base.to_owned(),
        }
    }
}

/// `loc` extended by one key, escaped as RFC 6901 wants.
fn pointer(loc: &str, key: &str) -> String {
    format!("{loc}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

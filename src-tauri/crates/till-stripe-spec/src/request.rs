//! Request parameters: a port of `check_params.py`.
//!
//! Kept deliberately close to the Python (same names: `param_schema`,
//! `alternatives`, `walk`, `check_value`, `split_key`) so the two can be
//! compared line by line and give the same verdicts and wording.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::extensions::Extensions;
use crate::problem::{Checked, Problem, ProblemKind};
use crate::schema::{Kind, kind, truthy};
use crate::spec::{Spec, SpecError};

/// A schema found while walking: borrowed from the spec, or built on the fly
/// (the untyped `{}`, a merged `allOf`).
type Schema<'a> = Cow<'a, Value>;

/// How far a bracket key got through the schema.
enum Walked<'a> {
    /// The schemas the key's last segment may name.
    Leaves(Vec<Schema<'a>>),
    /// The index of the first segment no schema knows.
    UnknownAt(usize),
}

impl Spec {
    /// Checks a request's parameters: the form body and any `?query` in
    /// `path_and_query` (for GET and DELETE that is where they are; both
    /// are checked the same way, as `check_params.py` does). Parameters are
    /// percent-decoded; bracket keys (`line_items[0][price_data][currency]`,
    /// `expand[]`, `metadata[k]`, `created[gte]`) are walked through the
    /// operation's schema.
    pub fn check_request(
        &self,
        method: &str,
        path_and_query: &str,
        form_body: &str,
        extensions: &Extensions,
    ) -> Checked {
        let (path, body) = match path_and_query.split_once('?') {
            Some((path, query)) => {
                let parts: Vec<&str> = [form_body, query]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect();
                (path, Cow::Owned(parts.join("&")))
            }
            None => (path_and_query, Cow::Borrowed(form_body)),
        };
        let (template, op) = self.operation(method, path);
        let mut checked = Checked {
            template: template.map(str::to_owned),
            ..Checked::default()
        };
        let (template, op) = match (template, op) {
            (Some(template), Ok(op)) => (template, op),
            (_, Err(problem)) => {
                checked.problems.push(problem);
                return checked;
            }
            (None, Ok(_)) => return checked, // an operation always has a template
        };
        let (props, required) = match self.param_schema(op, method) {
            Ok(found) => found,
            Err(e) => {
                let problem = Problem::new(ProblemKind::BadSpec, path, e.to_string());
                checked.problems.push(problem);
                return checked;
            }
        };

        let mut seen_top = BTreeSet::new();
        for (key, value) in form_urlencoded::parse(body.as_bytes()) {
            let Some(segs) = split_key(&key) else {
                let problem = Problem::new(ProblemKind::Unknown, key, "malformed bracket key");
                checked.problems.push(problem);
                continue;
            };
            seen_top.insert(segs[0].clone());
            let problem = match self.check_param(&props, &segs, &value) {
                Ok(None) => continue,
                Ok(Some(problem)) => problem,
                Err(e) => Problem::new(ProblemKind::BadSpec, key.as_ref(), e.to_string()),
            };
            if self.extension_accepts(extensions, method, template, &segs, &value) {
                checked.extended.push(key.into_owned());
            } else {
                checked.problems.push(problem);
            }
        }
        for name in required.difference(&seen_top) {
            let problem = Problem::new(ProblemKind::Missing, name.as_str(), "required by spec");
            checked.problems.push(problem);
        }
        checked
    }

    /// The operation's top-level parameters (form body properties, then
    /// query parameters, which win on a clash) and the required ones.
    fn param_schema<'a>(
        &'a self,
        op: &'a Value,
        method: &str,
    ) -> Result<(BTreeMap<&'a str, &'a Value>, BTreeSet<String>), SpecError> {
        let mut props = BTreeMap::new();
        let mut required = BTreeSet::new();
        let request_body = op.get("requestBody");
        if method.eq_ignore_ascii_case("POST") || request_body.is_some() {
            let form = match request_body {
                Some(body) => self
                    .resolve(body)?
                    .pointer("/content/application~1x-www-form-urlencoded/schema"),
                None => None,
            };
            if let Some(schema) = form {
                let schema = self.resolve(schema)?;
                props.extend(properties(schema));
                required.extend(strings(schema.get("required")));
            }
        }
        for p in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let p = self.resolve(p)?;
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                continue;
            };
            if p.get("in").and_then(Value::as_str) == Some("query") {
                props.insert(name, p.get("schema").unwrap_or(&UNTYPED));
                if p.get("required").is_some_and(truthy) {
                    required.insert(name.to_owned());
                }
            }
        }
        Ok((props, required))
    }

    /// `None` when the key and value fit, else the problem as
    /// `check_params.py` reports it.
    fn check_param(
        &self,
        props: &BTreeMap<&str, &Value>,
        segs: &[String],
        value: &str,
    ) -> Result<Option<Problem>, SpecError> {
        let key = join_key(segs);
        // The root is an object whose properties are `props`, with no
        // additionalProperties: only a known name passes it.
        let walked = match props.get(segs[0].as_str()) {
            Some(schema) => self.walk(vec![Cow::Borrowed(*schema)], &segs[1..], 1)?,
            None => Walked::UnknownAt(0),
        };
        let leaves = match walked {
            Walked::Leaves(leaves) => leaves,
            Walked::UnknownAt(depth) => {
                let known = join_key(&segs[..depth]);
                let under = if known.is_empty() {
                    String::new()
                } else {
                    format!(" under {known}")
                };
                let detail = format!("unknown at {}{under}", py_repr_str(&segs[depth]));
                return Ok(Some(Problem::new(ProblemKind::Unknown, key, detail)));
            }
        };
        Ok(self.check_value(leaves, value)?.map(|why| {
            let detail = format!("{}: {why}", py_repr_str(value));
            Problem::new(ProblemKind::BadValue, key, detail)
        }))
    }

    /// Whether an extension listed for this operation takes a key the spec
    /// rejected.
    fn extension_accepts(
        &self,
        extensions: &Extensions,
        method: &str,
        template: &str,
        segs: &[String],
        value: &str,
    ) -> bool {
        extensions
            .params_for(method, template, segs)
            .any(
                |(schema, rest)| match self.walk(vec![Cow::Borrowed(schema)], rest, 0) {
                    Ok(Walked::Leaves(leaves)) => {
                        matches!(self.check_value(leaves, value), Ok(None))
                    }
                    _ => false,
                },
            )
    }

    /// Flattens anyOf/oneOf/allOf into resolved schemas; an allOf becomes
    /// one object with the union of its parts' properties.
    fn alternatives<'a>(&'a self, s: Schema<'a>) -> Result<Vec<Schema<'a>>, SpecError> {
        let s = self.resolve_cow(s)?;
        let mut out = Vec::new();
        for key in ["anyOf", "oneOf"] {
            for sub in children(&s, key) {
                out.extend(self.alternatives(sub)?);
            }
        }
        if s.get("allOf").is_some() {
            let mut merged_props = Map::new();
            let mut additional = None;
            for sub in children(&s, "allOf") {
                for a in self.alternatives(sub)? {
                    if let Some(p) = a.get("properties").and_then(Value::as_object) {
                        merged_props.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                    if let Some(ap) = a.get("additionalProperties").filter(|ap| truthy(ap)) {
                        additional = Some(ap.clone());
                    }
                }
            }
            let mut merged = Map::new();
            merged.insert("type".into(), Value::from("object"));
            merged.insert("properties".into(), Value::Object(merged_props));
            if let Some(ap) = additional {
                merged.insert("additionalProperties".into(), ap);
            }
            out.push(Cow::Owned(Value::Object(merged)));
        }
        if out.is_empty() {
            out.push(s);
        }
        Ok(out)
    }

    /// Follows `segs` from the schemas in `current`; `offset` is the index
    /// of `segs[0]` in the whole key, for reporting.
    fn walk<'a>(
        &'a self,
        mut current: Vec<Schema<'a>>,
        segs: &[String],
        offset: usize,
    ) -> Result<Walked<'a>, SpecError> {
        for (i, seg) in segs.iter().enumerate() {
            let mut next = Vec::new();
            for s in current {
                for alt in self.alternatives(s)? {
                    match kind(&alt) {
                        Kind::Untyped => next.push(empty()),
                        Kind::Object => {
                            if let Some(p) = child(&alt, |a| a.get("properties")?.get(seg)) {
                                next.push(p);
                            } else if !seg.is_empty()
                                && additional_allowed(alt.get("additionalProperties"))
                            {
                                let ap = child(&alt, |a| {
                                    a.get("additionalProperties").filter(|ap| ap.is_object())
                                });
                                next.push(ap.unwrap_or_else(empty));
                            }
                        }
                        Kind::Array => {
                            if seg.is_empty() || is_digits(seg) {
                                next.push(child(&alt, |a| a.get("items")).unwrap_or_else(empty));
                            }
                        }
                        Kind::Scalar(_) => {}
                    }
                }
            }
            if next.is_empty() {
                return Ok(Walked::UnknownAt(offset + i));
            }
            current = next;
        }
        Ok(Walked::Leaves(current))
    }

    /// `None` if `value` fits at least one scalar leaf alternative, else
    /// the reasons it fits none.
    fn check_value<'a>(
        &'a self,
        leaves: Vec<Schema<'a>>,
        value: &str,
    ) -> Result<Option<String>, SpecError> {
        let mut alts = Vec::new();
        for s in leaves {
            alts.extend(self.alternatives(s)?);
        }
        let mut reasons: Vec<String> = Vec::new();
        for a in &alts {
            let k = match kind(a) {
                Kind::Untyped => return Ok(None),
                // A scalar where an object or array belongs is only legal
                // as '' (unset), which the spec states as enum [''] in
                // another alternative.
                Kind::Object => {
                    reasons.push("expects object".into());
                    continue;
                }
                Kind::Array => {
                    reasons.push("expects array".into());
                    continue;
                }
                Kind::Scalar(k) => k,
            };
            if let Some(allowed) = a.get("enum") {
                let allowed = allowed.as_array().map_or(&[][..], Vec::as_slice);
                if !allowed.iter().any(|e| py_str(e) == value) {
                    let shown = &allowed[..allowed.len().min(12)];
                    reasons.push(format!("not in enum {}", py_repr(&Value::from(shown))));
                    continue;
                }
            }
            let why = match k {
                "integer" if !is_integer(value) => "not an integer",
                "number" if !is_number(value) => "not a number",
                "boolean" if value != "true" && value != "false" => "not a boolean",
                _ => return Ok(None),
            };
            reasons.push(why.into());
        }
        let mut unique: Vec<String> = Vec::new();
        for r in reasons {
            if !unique.contains(&r) {
                unique.push(r);
            }
        }
        Ok(Some(unique.join("; ")))
    }
}

/// Stands in for a parameter without a schema: anything that is not an
/// object reads as untyped, like Python's `p.get('schema', {})`.
static UNTYPED: Value = Value::Null;

/// The untyped schema `{}`: accepts anything below it.
fn empty<'a>() -> Schema<'a> {
    Cow::Owned(Value::Object(Map::new()))
}

/// A sub-schema of `parent`, borrowed from the spec when `parent` is.
fn child<'a>(parent: &Schema<'a>, f: impl Fn(&Value) -> Option<&Value>) -> Option<Schema<'a>> {
    match parent {
        Cow::Borrowed(p) => f(p).map(Cow::Borrowed),
        Cow::Owned(p) => f(p).map(|v| Cow::Owned(v.clone())),
    }
}

/// The items of the array `parent[key]`.
fn children<'a>(parent: &Schema<'a>, key: &str) -> Vec<Schema<'a>> {
    match parent {
        Cow::Borrowed(p) => p
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(Cow::Borrowed)
            .collect(),
        Cow::Owned(p) => p
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|v| Cow::Owned(v.clone()))
            .collect(),
    }
}

fn properties(schema: &Value) -> impl Iterator<Item = (&str, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

fn strings(v: Option<&Value>) -> impl Iterator<Item = String> + '_ {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
}

/// `ap not in (None, False)`: in Python 0 == False, so a zero also closes.
fn additional_allowed(ap: Option<&Value>) -> bool {
    match ap {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    }
}

/// `'a[b][0][]'` -> `["a", "b", "0", ""]`; `None` for malformed brackets.
pub(crate) fn split_key(key: &str) -> Option<Vec<String>> {
    let Some(open) = key.find('[') else {
        return Some(vec![key.to_owned()]);
    };
    let (head, mut rest) = key.split_at(open);
    let mut segs = vec![head.to_owned()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let seg = &inner[..close];
        if seg.contains('[') {
            return None;
        }
        segs.push(seg.to_owned());
        rest = &inner[close + 1..];
    }
    Some(segs)
}

/// Segments back to a key: `a[b][0]`.
fn join_key(segs: &[String]) -> String {
    let mut key = String::new();
    for (i, s) in segs.iter().enumerate() {
        if i == 0 {
            key.push_str(s);
        } else {
            key.push('[');
            key.push_str(s);
            key.push(']');
        }
    }
    key
}

// Python's str.isdigit and `\d` also take non-ASCII digits; Stripe's keys and
// numbers are ASCII, so these are stricter only for nonsense input.
fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `-?\d+`
fn is_integer(s: &str) -> bool {
    is_digits(s.strip_prefix('-').unwrap_or(s))
}

/// `-?\d+(\.\d+)?`
fn is_number(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    match unsigned.split_once('.') {
        Some((whole, frac)) => is_digits(whole) && is_digits(frac),
        None => is_digits(unsigned),
    }
}

/// Python's `str(e)` for an enum member (booleans lowered), which is what a
/// form value is compared with.
fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "None".into(),
        Value::Number(n) => n.to_string(),
        other => py_repr(other),
    }
}

/// Python's `repr`, so details read exactly as `check_params.py` prints them.
fn py_repr(v: &Value) -> String {
    match v {
        Value::String(s) => py_repr_str(s),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", py_repr_str(k), py_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// Python's `repr` of a str: single quotes unless the text has one and no
/// double quote; control characters escaped.
fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                let n = u32::from(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x1_0000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_key_matches_the_python() {
        let s = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(split_key("a"), s(&["a"]));
        assert_eq!(split_key("a[b][0][]"), s(&["a", "b", "0", ""]));
        assert_eq!(split_key("[x]"), s(&["", "x"]));
        assert_eq!(split_key("a]b"), s(&["a]b"]));
        assert_eq!(split_key("a[b"), None);
        assert_eq!(split_key("a[b]c"), None);
        assert_eq!(split_key("a[b[c]]"), None);
    }

    #[test]
    fn number_patterns() {
        assert!(is_integer("-12") && is_integer("0") && !is_integer("1.0") && !is_integer("-"));
        assert!(is_number("12.50") && is_number("-3") && !is_number("1e3") && !is_number("1."));
    }

    #[test]
    fn python_repr() {
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        assert_eq!(py_repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr_str("tab\there"), "'tab\\there'");
        let v = serde_json::json!(["", true, null, 3]);
        assert_eq!(py_repr(&v), "['', True, None, 3]");
    }
}

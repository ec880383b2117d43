//! What `check_params.py` reads a schema as, shared by the request and
//! response checks so both judge a schema's type the same way.

use serde_json::Value;

/// What a schema expects, as `check_params.py`'s `kind` decides it.
pub(crate) enum Kind<'v> {
    Untyped,
    Object,
    Array,
    Scalar(&'v str),
}

pub(crate) fn kind(s: &Value) -> Kind<'_> {
    match s.get("type") {
        Some(t) if truthy(t) => match t.as_str() {
            Some("object") => Kind::Object,
            Some("array") => Kind::Array,
            Some(k) => Kind::Scalar(k),
            None => Kind::Scalar("?"),
        },
        _ if s.get("properties").is_some() || s.get("additionalProperties").is_some() => {
            Kind::Object
        }
        _ if s.get("items").is_some() => Kind::Array,
        _ => Kind::Untyped,
    }
}

/// Python's truthiness, which `check_params.py` leans on.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

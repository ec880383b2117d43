//! Stripe's form encoding: `a[b][0][c]=x`, `expand[]=y`, `metadata[k]=` (an
//! empty value unsets). Decoded into a tree, then read by each handler through
//! [`Params`], which rejects whatever the handler did not read, as Stripe
//! rejects unknown parameters.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::ApiError;

/// A decoded parameter tree. Leaves are strings, as on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Leaf(String),
    Map(BTreeMap<String, Node>),
    /// Indexed (`[0]`) or appended (`[]`) elements, in index order.
    List(BTreeMap<usize, Node>),
}

impl Node {
    /// As JSON, for storing parameters (metadata, fingerprints) and echoing.
    pub fn to_json(&self) -> Value {
        match self {
            Node::Leaf(text) => Value::String(text.clone()),
            Node::Map(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
            Node::List(items) => Value::Array(items.values().map(Node::to_json).collect()),
        }
    }
}

fn split_key(key: &str) -> Option<Vec<&str>> {
    let Some(open) = key.find('[') else {
        return Some(vec![key]);
    };
    let (head, mut rest) = key.split_at(open);
    if head.is_empty() {
        return None;
    }
    let mut segments = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let segment = &inner[..close];
        if segment.contains('[') {
            return None;
        }
        segments.push(segment);
        rest = &inner[close + 1..];
    }
    Some(segments)
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    segments: &[&str],
    value: String,
    key: &str,
) -> Result<(), ApiError> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(());
    };
    if rest.is_empty() {
        if matches!(map.get(*first), Some(Node::Map(_) | Node::List(_))) {
            return Err(ApiError::invalid_param(
                key,
                format!("Invalid value for {key}: it mixes a value and nested parameters."),
            ));
        }
        map.insert((*first).to_owned(), Node::Leaf(value));
        return Ok(());
    }
    let child = map.entry((*first).to_owned()).or_insert_with(|| {
        if is_index(rest[0]) {
            Node::List(BTreeMap::new())
        } else {
            Node::Map(BTreeMap::new())
        }
    });
    insert_node(child, rest, value, key)
}

fn is_index(segment: &str) -> bool {
    segment.is_empty() || segment.bytes().all(|b| b.is_ascii_digit())
}

fn insert_node(
    node: &mut Node,
    segments: &[&str],
    value: String,
    key: &str,
) -> Result<(), ApiError> {
    let conflict = || {
        ApiError::invalid_param(
            key,
            format!("Invalid value for {key}: it mixes a value and nested parameters."),
        )
    };
    match node {
        Node::Leaf(_) => Err(conflict()),
        Node::Map(map) => {
            if segments.first().is_some_and(|s| s.is_empty()) {
                return Err(conflict());
            }
            insert(map, segments, value, key)
        }
        Node::List(items) => {
            let Some((first, rest)) = segments.split_first() else {
                return Ok(());
            };
            let index = if first.is_empty() {
                items.keys().next_back().map_or(0, |last| last + 1)
            } else {
                first.parse::<usize>().map_err(|_| conflict())?
            };
            if index > 10_000 {
                return Err(ApiError::invalid_param(
                    key,
                    format!("Invalid array index in {key}."),
                ));
            }
            if rest.is_empty() {
                if matches!(items.get(&index), Some(Node::Map(_) | Node::List(_))) {
                    return Err(conflict());
                }
                items.insert(index, Node::Leaf(value));
                return Ok(());
            }
            let child = items.entry(index).or_insert_with(|| {
                if is_index(rest[0]) {
                    Node::List(BTreeMap::new())
                } else {
                    Node::Map(BTreeMap::new())
                }
            });
            insert_node(child, rest, value, key)
        }
    }
}

/// Decodes a form body or a query string.
pub fn decode(input: &[u8]) -> Result<BTreeMap<String, Node>, ApiError> {
    let mut root = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(input) {
        let segments = split_key(&key).ok_or_else(|| {
            ApiError::invalid_param(&key, format!("Invalid parameter name: {key}"))
        })?;
        insert(&mut root, &segments, value.into_owned(), &key)?;
    }
    Ok(root)
}

/// Parameters being read by a handler. Whatever is left unread when the
/// handler calls [`Params::finish`] is an unknown parameter.
#[derive(Debug, Default)]
pub struct Params {
    nodes: BTreeMap<String, Node>,
}

impl Params {
    pub fn new(nodes: BTreeMap<String, Node>) -> Self {
        Self { nodes }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The parameters as JSON, for idempotency fingerprints.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.nodes
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect(),
        )
    }

    pub fn take(&mut self, name: &str) -> Option<Node> {
        self.nodes.remove(name)
    }

    pub fn string(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Node::Leaf(text)) => Ok(Some(text)),
            Some(_) => Err(ApiError::invalid_param(
                name,
                format!("Invalid string: {name} must be a string."),
            )),
        }
    }

    pub fn required_string(&mut self, name: &str) -> Result<String, ApiError> {
        match self.string(name)? {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(ApiError::missing_param(name)),
        }
    }

    pub fn integer(&mut self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.string(name)? {
            None => Ok(None),
            Some(text) => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::invalid_integer(name, &text)),
        }
    }

    pub fn required_integer(&mut self, name: &str) -> Result<i64, ApiError> {
        self.integer(name)?
            .ok_or_else(|| ApiError::missing_param(name))
    }

    pub fn boolean(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.string(name)?.as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid_param(
                name,
                format!("Invalid boolean: {other}. It must be true or false."),
            )),
        }
    }

    /// A string that must be one of `allowed`.
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.string(name)? {
            None => Ok(None),
            Some(value) if allowed.contains(&value.as_str()) => Ok(Some(value)),
            Some(value) => Err(ApiError::invalid_param(
                name,
                format!(
                    "Invalid {name}: must be one of {} (got {value:?}).",
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// A nested object, read with its own [`Params`].
    pub fn object(&mut self, name: &str) -> Result<Option<Params>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Node::Map(map)) => Ok(Some(Params::new(map))),
            // `name=` unsets a hash.
            Some(Node::Leaf(text)) if text.is_empty() => Ok(Some(Params::default())),
            Some(_) => Err(ApiError::invalid_param(
                name,
                format!("Invalid object: {name} must be a hash."),
            )),
        }
    }

    /// A list of nested objects (`line_items[0][price]=…`).
    pub fn objects(&mut self, name: &str) -> Result<Option<Vec<Params>>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Node::List(items)) => items
                .into_values()
                .map(|item| match item {
                    Node::Map(map) => Ok(Params::new(map)),
                    _ => Err(ApiError::invalid_param(
                        name,
                        format!("Invalid array: {name} must hold hashes."),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(ApiError::invalid_param(
                name,
                format!("Invalid array: {name} must be an array."),
            )),
        }
    }

    /// A list of strings (`expand[]=a&expand[]=b`).
    pub fn strings(&mut self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.take(name) {
            None => Ok(Vec::new()),
            Some(Node::List(items)) => items
                .into_values()
                .map(|item| match item {
                    Node::Leaf(text) => Ok(text),
                    _ => Err(ApiError::invalid_param(
                        name,
                        format!("Invalid array: {name} must hold strings."),
                    )),
                })
                .collect(),
            Some(Node::Leaf(text)) => Ok(vec![text]),
            Some(Node::Map(_)) => Err(ApiError::invalid_param(
                name,
                format!("Invalid array: {name} must be an array."),
            )),
        }
    }

    /// `metadata[key]=value`: Stripe's limits (50 keys, 40-char keys,
    /// 500-char values); an empty value deletes the key on update.
    pub fn metadata(&mut self) -> Result<Option<BTreeMap<String, String>>, ApiError> {
        let Some(mut object) = self.object("metadata")? else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        for (key, node) in std::mem::take(&mut object.nodes) {
            let Node::Leaf(value) = node else {
                return Err(ApiError::invalid_param(
                    &format!("metadata[{key}]"),
                    "Metadata values must be strings.".to_owned(),
                ));
            };
            if key.chars().count() > 40 {
                return Err(ApiError::invalid_param(
                    &format!("metadata[{key}]"),
                    "Metadata keys can be at most 40 characters.".to_owned(),
                ));
            }
            if value.chars().count() > 500 {
                return Err(ApiError::invalid_param(
                    &format!("metadata[{key}]"),
                    "Metadata values can be at most 500 characters.".to_owned(),
                ));
            }
            out.insert(key, value);
        }
        if out.len() > 50 {
            return Err(ApiError::invalid_param(
                "metadata",
                "Metadata can have at most 50 keys.".to_owned(),
            ));
        }
        Ok(Some(out))
    }

    /// `created[gte]=…` and friends, or `created=…` for an exact second.
    pub fn range(&mut self, name: &str) -> Result<Option<Range>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Node::Leaf(text)) => {
                let at = text
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid_integer(name, &text))?;
                Ok(Some(Range {
                    gte: Some(at),
                    lte: Some(at),
                    ..Range::default()
                }))
            }
            Some(Node::Map(map)) => {
                let mut params = Params::new(map);
                let range = Range {
                    gt: params.integer("gt")?,
                    gte: params.integer("gte")?,
                    lt: params.integer("lt")?,
                    lte: params.integer("lte")?,
                };
                params.finish_under(name)?;
                Ok(Some(range))
            }
            Some(Node::List(_)) => Err(ApiError::invalid_param(
                name,
                format!("Invalid {name}: must be an integer or a hash."),
            )),
        }
    }

    /// Fails on the first parameter the handler did not read.
    pub fn finish(self) -> Result<(), ApiError> {
        self.finish_under("")
    }

    pub fn finish_under(self, parent: &str) -> Result<(), ApiError> {
        match self.nodes.keys().next() {
            None => Ok(()),
            Some(key) => {
                let full = if parent.is_empty() {
                    key.clone()
                } else {
                    format!("{parent}[{key}]")
                };
                Err(ApiError::unknown_param(&full))
            }
        }
    }
}

/// A `created`-style filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl Range {
    pub fn contains(&self, value: i64) -> bool {
        self.gt.is_none_or(|b| value > b)
            && self.gte.is_none_or(|b| value >= b)
            && self.lt.is_none_or(|b| value < b)
            && self.lte.is_none_or(|b| value <= b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(input: &str) -> Value {
        Params::new(decode(input.as_bytes()).unwrap()).to_json()
    }

    #[test]
    fn nested_brackets_arrays_and_metadata_decode_into_a_tree() {
        let value = json(
            "line_items[0][price_data][currency]=usd&line_items[0][quantity]=2&line_items[1][price]=price_1\
             &expand[]=line_items&expand[]=customer&metadata[order]=A%2042&metadata[gone]=",
        );
        assert_eq!(
            value,
            serde_json::json!({
                "line_items": [
                    {"price_data": {"currency": "usd"}, "quantity": "2"},
                    {"price": "price_1"}
                ],
                "expand": ["line_items", "customer"],
                "metadata": {"order": "A 42", "gone": ""}
            })
        );
    }

    #[test]
    fn malformed_keys_and_conflicts_are_invalid_requests() {
        for input in [
            "a[b=1",
            "[x]=1",
            "a=1&a[b]=2",
            "a[b]=1&a[]=2",
            "a[0][b]=1&a[0]=2",
        ] {
            assert!(
                decode(input.as_bytes()).is_err(),
                "{input} should be refused"
            );
        }
    }

    #[test]
    fn an_unread_parameter_is_unknown() {
        let mut params = Params::new(decode(b"amount=100&colour=blue").unwrap());
        assert_eq!(params.required_integer("amount").unwrap(), 100);
        let err = params.finish().unwrap_err();
        assert_eq!(err.param.as_deref(), Some("colour"));
        assert_eq!(err.code.as_deref(), Some("parameter_unknown"));
    }

    #[test]
    fn typed_reads_reject_bad_values() {
        let mut params =
            Params::new(decode(b"amount=12.5&confirm=yes&capture_method=sometimes").unwrap());
        assert_eq!(
            params.integer("amount").unwrap_err().code.as_deref(),
            Some("parameter_invalid_integer")
        );
        assert!(params.boolean("confirm").is_err());
        assert!(
            params
                .one_of("capture_method", &["automatic", "manual"])
                .is_err()
        );
    }

    #[test]
    fn ranges_accept_bounds_or_an_exact_value() {
        let mut params = Params::new(decode(b"created[gte]=10&created[lt]=20").unwrap());
        let range = params.range("created").unwrap().unwrap();
        assert!(
            range.contains(10) && range.contains(19) && !range.contains(20) && !range.contains(9)
        );
        let mut params = Params::new(decode(b"created[since]=10").unwrap());
        assert!(params.range("created").is_err());
    }
}

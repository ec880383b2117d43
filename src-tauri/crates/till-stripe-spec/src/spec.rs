//! Loading the spec, following its `$ref`s, and finding operations.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::problem::{Problem, ProblemKind};

/// Longest chain of `$ref`s followed before calling it a loop (as
/// `check_params.py` does).
const MAX_REF_HOPS: usize = 50;

/// The HTTP methods an OpenAPI path item can hold, in the order
/// [`Spec::operations`] reports them.
const METHODS: [&str; 8] = [
    "delete", "get", "head", "options", "patch", "post", "put", "trace",
];

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read the Stripe spec {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the Stripe spec {path} is not JSON: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("not an OpenAPI document: it has no `paths` object")]
    NotOpenApi,
    #[error("$ref {reference:?} does not resolve within the spec")]
    BadRef { reference: String },
    #[error("$ref {reference:?} leads into a chain of more than {MAX_REF_HOPS} refs")]
    RefLoop { reference: String },
}

/// The folder holding Stripe's spec and fixtures (`spec3.json`,
/// `fixtures3.2023-08-16.json`, `fixtures3.json`): `shared/stripe-openapi`
/// beside the repository. Found from where this crate was built, so it only
/// makes sense in tests and tools run from the repository.
pub fn shared_dir() -> PathBuf {
    // The crate is at <repo>/src-tauri/crates/till-stripe-spec and the shared
    // folder sits beside <repo>.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match manifest.ancestors().nth(4) {
        Some(beside_repo) => beside_repo.join("shared").join("stripe-openapi"),
        None => manifest.join("../../../../shared/stripe-openapi"),
    }
}

/// One path template, split for matching.
struct Template {
    /// How many `{params}` it has: templates with fewer are tried first, so
    /// `/v1/invoices/upcoming` wins over `/v1/invoices/{invoice}`.
    params: usize,
    text: String,
    parts: Vec<String>,
}

impl Template {
    fn new(text: &str) -> Self {
        let parts: Vec<String> = text
            .trim_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect();
        let params = parts.iter().filter(|p| p.starts_with('{')).count();
        Self {
            params,
            text: text.to_owned(),
            parts,
        }
    }

    /// A `{param}` part matches any non-empty segment, others only themselves.
    fn matches(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix('/') else {
            return false;
        };
        let mut segs = rest.split('/');
        for part in &self.parts {
            match segs.next() {
                Some(seg) if part.starts_with('{') && !seg.is_empty() => {}
                Some(seg) if seg == part => {}
                _ => return false,
            }
        }
        segs.next().is_none()
    }
}

/// Stripe's OpenAPI spec, loaded once and checked against many times.
pub struct Spec {
    doc: Value,
    version: Option<String>,
    /// Sorted by (number of params, text).
    templates: Vec<Template>,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The document is megabytes: show what identifies it.
        f.debug_struct("Spec")
            .field("version", &self.version)
            .field("paths", &self.templates.len())
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// Reads an OpenAPI 3 spec in JSON.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SpecError> {
        let path = path.as_ref();
        let text = std::fs::read(path).map_err(|source| SpecError::Read {
            path: path.to_owned(),
            source,
        })?;
        let doc = serde_json::from_slice(&text).map_err(|source| SpecError::Parse {
            path: path.to_owned(),
            source,
        })?;
        Self::from_value(doc)
    }

    /// Reads the spec named by `$STRIPE_OPENAPI_SPEC`, else
    /// `spec3.json` in [`shared_dir`].
    pub fn load_default() -> Result<Self, SpecError> {
        match std::env::var_os("STRIPE_OPENAPI_SPEC") {
            Some(path) if !path.is_empty() => Self::load(path),
            _ => Self::load(shared_dir().join("spec3.json")),
        }
    }

    /// Takes an already parsed document. Every `$ref` in it must resolve, so
    /// that checking never meets a broken one.
    pub fn from_value(doc: Value) -> Result<Self, SpecError> {
        let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
            return Err(SpecError::NotOpenApi);
        };
        let mut templates: Vec<Template> = paths.keys().map(|t| Template::new(t)).collect();
        templates.sort_by(|a, b| (a.params, &a.text).cmp(&(b.params, &b.text)));
        let version = doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let spec = Self {
            doc,
            version,
            templates,
        };
        spec.check_refs(&spec.doc)?;
        Ok(spec)
    }

    /// `info.version`: the Stripe API version the spec describes.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Every operation as (upper-case method, path template), sorted by
    /// template, so other crates can map their own routes onto the spec.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.paths()
            .into_iter()
            .flatten()
            .flat_map(|(template, item)| {
                METHODS
                    .iter()
                    .filter(|m| item.get(**m).is_some_and(Value::is_object))
                    .map(move |m| (upper(m), template.as_str()))
            })
    }

    /// The spec's template for a concrete path (`/v1/customers/cus_1` ->
    /// `/v1/customers/{customer}`); a `?query` is ignored. A template given
    /// as such matches itself.
    pub fn match_path(&self, path: &str) -> Option<&str> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if let Some((template, _)) = self.paths()?.get_key_value(path) {
            return Some(template);
        }
        self.templates
            .iter()
            .find(|t| t.matches(path))
            .map(|t| t.text.as_str())
    }

    fn paths(&self) -> Option<&serde_json::Map<String, Value>> {
        self.doc.get("paths").and_then(Value::as_object)
    }

    /// The operation object for a method and a path without its query, or
    /// the `NoPath` / `NoMethod` problem (worded as `check_params.py` words
    /// it), along with the template when there is one.
    pub(crate) fn operation(
        &self,
        method: &str,
        path: &str,
    ) -> (Option<&str>, Result<&Value, Problem>) {
        let Some(template) = self.match_path(path) else {
            let detail = format!("no such path in spec {}", self.version_or_none());
            return (None, Err(Problem::new(ProblemKind::NoPath, path, detail)));
        };
        let item = self.paths().and_then(|p| p.get(template));
        match item.and_then(|i| i.get(method.to_lowercase())) {
            Some(op) => (Some(template), Ok(op)),
            None => {
                let has: Vec<&str> = item
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|i| i.keys())
                    .filter(|m| matches!(m.as_str(), "get" | "post" | "delete"))
                    .map(|m| upper(m))
                    .collect();
                let detail = format!(
                    "{} not defined for {template} (has {})",
                    method.to_uppercase(),
                    has.join(", ")
                );
                let problem = Problem::new(ProblemKind::NoMethod, path, detail);
                (Some(template), Err(problem))
            }
        }
    }

    /// `check_params.py` prints a missing version as Python's `None`.
    pub(crate) fn version_or_none(&self) -> &str {
        self.version().unwrap_or("None")
    }

    /// `components.schemas.<name>`.
    pub(crate) fn schema(&self, name: &str) -> Option<&Value> {
        self.doc.get("components")?.get("schemas")?.get(name)
    }

    /// Follows `$ref`s until a schema that is not one; also returns the
    /// `components.schemas` name of the last ref followed, if any.
    pub(crate) fn resolve_named<'a>(
        &'a self,
        mut s: &'a Value,
    ) -> Result<(&'a Value, Option<&'a str>), SpecError> {
        let mut name = None;
        let mut hops = 0;
        while let Some(reference) = s.get("$ref") {
            let Some(reference) = reference.as_str() else {
                return Err(SpecError::BadRef {
                    reference: reference.to_string(),
                });
            };
            hops += 1;
            if hops > MAX_REF_HOPS {
                return Err(SpecError::RefLoop {
                    reference: reference.to_owned(),
                });
            }
            name = reference.strip_prefix("#/components/schemas/").or(name);
            s = self.lookup(reference)?;
        }
        Ok((s, name))
    }

    pub(crate) fn resolve<'a>(&'a self, s: &'a Value) -> Result<&'a Value, SpecError> {
        self.resolve_named(s).map(|(s, _)| s)
    }

    /// [`Self::resolve`] for schemas that may have been built on the fly
    /// (such as a merged `allOf`), which hold no `$ref` at their top.
    pub(crate) fn resolve_cow<'a>(
        &'a self,
        s: Cow<'a, Value>,
    ) -> Result<Cow<'a, Value>, SpecError> {
        match s {
            Cow::Borrowed(s) => self.resolve(s).map(Cow::Borrowed),
            Cow::Owned(s) => match s.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let target = self.lookup(reference)?;
                    self.resolve(target).map(Cow::Borrowed)
                }
                None => Ok(Cow::Owned(s)),
            },
        }
    }

    /// Only local refs (`#/...`): Stripe's spec is one self-contained file.
    fn lookup(&self, reference: &str) -> Result<&Value, SpecError> {
        reference
            .strip_prefix('#')
            .filter(|p| p.starts_with('/'))
            .and_then(|pointer| self.doc.pointer(pointer))
            .ok_or_else(|| SpecError::BadRef {
                reference: reference.to_owned(),
            })
    }

    /// Every `$ref` anywhere in `v` must resolve within a few hops.
    fn check_refs(&self, v: &Value) -> Result<(), SpecError> {
        match v {
            Value::Object(map) => {
                if map.contains_key("$ref") {
                    self.resolve(v)?;
                }
                map.values().try_for_each(|child| self.check_refs(child))
            }
            Value::Array(items) => items.iter().try_for_each(|child| self.check_refs(child)),
            _ => Ok(()),
        }
    }
}

fn upper(method: &str) -> &'static str {
    match method {
        "get" => "GET",
        "post" => "POST",
        "delete" => "DELETE",
        "put" => "PUT",
        "patch" => "PATCH",
        "head" => "HEAD",
        "options" => "OPTIONS",
        "trace" => "TRACE",
        _ => "?",
    }
}

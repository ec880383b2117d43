//! What a check reports.

use std::fmt;

/// What is wrong, in one word. The request kinds are those of
/// `check_params.py` (its `UNKNOWN`, `BADVALUE`, ...); the others come from
/// checking JSON against a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// A request parameter (or part of a bracket key) the spec does not know.
    Unknown,
    /// A value the spec does not allow: not in the enum, or (in a request)
    /// not an integer, number or boolean where one is expected.
    BadValue,
    /// A required request parameter or response property is absent.
    Missing,
    /// No path template in the spec matches the path.
    NoPath,
    /// The path exists but not with this HTTP method.
    NoMethod,
    /// A JSON value of the wrong type (a string where an integer belongs,
    /// `null` where the schema is not nullable, ...).
    WrongType,
    /// A JSON property the schema does not list (and no extension does).
    Undocumented,
    /// The spec has no JSON schema for what was asked: a status without a
    /// response, a non-JSON response, an unknown schema name.
    NoSchema,
    /// The JSON nests deeper than the checker follows.
    TooDeep,
    /// The spec itself could not be followed (a `$ref` that resolves to
    /// nothing). [`Spec::load`](crate::Spec::load) rejects such specs, so this
    /// only comes from refs inside [`Extensions`](crate::Extensions).
    BadSpec,
}

impl ProblemKind {
    /// The upper-case word `check_params.py` prints, for the request kinds;
    /// the same style for the others.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "UNKNOWN",
            Self::BadValue => "BADVALUE",
            Self::Missing => "MISSING",
            Self::NoPath => "NOPATH",
            Self::NoMethod => "NOMETHOD",
            Self::WrongType => "WRONGTYPE",
            Self::Undocumented => "UNDOCUMENTED",
            Self::NoSchema => "NOSCHEMA",
            Self::TooDeep => "TOODEEP",
            Self::BadSpec => "BADSPEC",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Where: for a request, the parameter key as sent (`line_items[0][price]`)
    /// or the path for [`NoPath`](ProblemKind::NoPath) and
    /// [`NoMethod`](ProblemKind::NoMethod); for JSON, a JSON pointer
    /// (`/data/0/customer`, empty for the whole body).
    pub location: String,
    /// Why, for a person. Request details are worded as `check_params.py`
    /// words them.
    pub detail: String,
}

impl Problem {
    pub(crate) fn new(
        kind: ProblemKind,
        location: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            location: location.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.location.is_empty() {
            "(root)"
        } else {
            &self.location
        };
        write!(f, "{} {at} ({})", self.kind, self.detail)
    }
}

/// The outcome of [`Spec::check_request`](crate::Spec::check_request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// The spec's path template the request matched
    /// (`/v1/payment_intents/{intent}`), `None` when no path matched.
    pub template: Option<String>,
    /// Everything wrong, in the order of the parameters as sent, then the
    /// missing required ones in name order.
    pub problems: Vec<Problem>,
    /// Keys the spec rejects but an [`Extensions`](crate::Extensions) entry
    /// accepts, so a test can see which documented exceptions it relied on.
    pub extended: Vec<String>,
}

impl Checked {
    /// True when nothing is wrong (keys accepted by an extension are fine).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

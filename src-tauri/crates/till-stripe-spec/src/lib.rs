//! Checks Stripe API traffic against Stripe's OpenAPI spec.
//!
//! Till talks to Stripe through its own client, and its tests talk to a
//! Stripe simulator instead of Stripe. Both are only as good as their
//! agreement with the real API, so their contract tests run every request and
//! response they produce through this crate, which judges them against
//! Stripe's published spec (`spec3.json`, API version 2023-08-16, kept in the
//! `shared/stripe-openapi` folder beside the repository):
//!
//! - [`Spec::check_request`]: a port of `check_params.py` (the reference
//!   checker beside the spec): unknown parameters, bad values, missing
//!   required ones, unknown paths and methods.
//! - [`Spec::check_response`] and [`Spec::check_object`]: a JSON body against
//!   the operation's response schema (or a named schema): types, required
//!   and nullable properties, enums, expandable fields, and properties the
//!   spec does not document.
//! - [`Extensions`]: documented exceptions, for what Stripe added after the
//!   spec's version, so that each exception is written down once, in the test.
//!
//! ```
//! use till_stripe_spec::{Extensions, Spec};
//!
//! let spec = Spec::load_default()?;
//! let checked = spec.check_request(
//!     "POST",
//!     "/v1/payment_intents/pi_1/capture",
//!     "amount_to_capture=3000&metadata[order]=42",
//!     &Extensions::new(),
//! );
//! assert_eq!(checked.template.as_deref(), Some("/v1/payment_intents/{intent}/capture"));
//! assert!(checked.is_ok(), "{:?}", checked.problems);
//! # Ok::<(), till_stripe_spec::SpecError>(())
//! ```

mod extensions;
mod problem;
mod request;
mod response;
mod schema;
mod spec;

pub use extensions::Extensions;
pub use problem::{Checked, Problem, ProblemKind};
pub use spec::{Spec, SpecError, shared_dir};

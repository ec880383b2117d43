//! # till-stripe: Till's only door to Stripe
//!
//! A typed client over `reqwest` for the endpoints Till uses, which never
//! doubles a money movement:
//! - every POST carries an `Idempotency-Key`, and its retries reuse it; for
//!   money movements the key and an operation id come from the caller's
//!   journal, and the operation id goes into the object's metadata
//!   (`till_operation_id`) wherever the endpoint takes metadata;
//! - retries follow Stripe's SDKs (connection errors, 409, 429
//!   `lock_timeout`, 5xx, `Stripe-Should-Retry`), with capped exponential
//!   backoff and jitter; a write whose outcome stays unknown says so
//!   ([`StripeError::OutcomeUnknown`]) instead of guessing;
//! - one rate limiter per account, shared by every caller, slows down when
//!   Stripe answers 429;
//! - the API version is pinned in one place ([`config::API_VERSION`]);
//! - a live key is only ever sent to Stripe or to loopback, and the key never
//!   reaches a log ([`ApiKey`] prints redacted).
//!
//! Endpoints newer than the pinned spec that Till uses: the `status` and
//! `created` filters on the Checkout Sessions list and the session update
//! (metadata), both documented by Stripe today.

pub mod api;
pub mod client;
pub mod clock;
pub mod config;
pub mod error;
pub mod form;
pub mod key;
pub mod limiter;
pub mod models;
pub mod money;
pub mod requests;
pub mod retry;

pub use api::Page;
pub use client::{ClientBuilder, Idempotency, OPERATION_METADATA_KEY, StripeClient};
pub use config::{API_VERSION, Endpoint};
pub use error::{ErrorType, Refusal, StripeError};
pub use key::{ApiKey, KeyError, KeyKind, KeyMode};
pub use money::{Currency, Money, MoneyError};

#![recursion_limit = "256"]
//! # till-sim: a Stripe-compatible simulator
//!
//! Serves Stripe's HTTP API (API version 2023-08-16) on 127.0.0.1 so that
//! Till's client, its tests, its benchmarks and the offline demo account talk
//! to it exactly as they would talk to Stripe. Start it in-process with
//! [`Simulator::start`], or run the `till-sim` binary.
//!
//! ## Keys and accounts
//! Every well-formed `sk_test_…` key opens an account of its own on first use,
//! as stripe-mock accepts any test key. Restricted (`rk_…`) and live
//! (`sk_live_…`, `rk_live_…`) keys exist only once registered through the
//! controls. A missing, malformed, unknown or revoked key answers 401. A
//! restricted key's permission is checked before any object is looked up, so
//! a write to an id that cannot exist answers 403 without the permission and
//! 404 with it.
//!
//! ## Behaviour the spec leaves open, as chosen here
//! - **Test cards**: `pm_card_visa`, `pm_card_visa_debit`, `pm_card_mastercard`,
//!   `pm_card_amex`, `pm_card_discover` succeed. Stripe's declining cards
//!   answer 402 `card_error`, leave the intent in `requires_payment_method`
//!   with `last_payment_error`, and record a failed charge (`failure_code`,
//!   `outcome.reason` = the decline code): `pm_card_chargeDeclined`
//!   (`card_declined`, generic_decline), `…InsufficientFunds`
//!   (insufficient_funds), `…LostCard` (lost_card), `…StolenCard`
//!   (stolen_card), `pm_card_visa_chargeDeclinedVelocityLimitExceeded`
//!   (card_velocity_exceeded), `pm_card_radarBlock` (fraudulent),
//!   `pm_card_chargeDeclinedExpiredCard` (code and decline code
//!   `expired_card`), `…IncorrectCvc` (`incorrect_cvc`), `…ProcessingError`
//!   (`processing_error`); the `pm_card_visa_chargeDeclined…` spellings too.
//!   `pm_card_authenticationRequired` goes to `requires_action`, or, confirmed
//!   with `off_session=true`, is declined 402 `authentication_required`.
//! - **Holds** last 7 days, or 4 days 18 hours for a Visa payment confirmed
//!   with `off_session=true` (merchant-initiated), and the charge says when in
//!   `payment_method_details.card.capture_before` (an extension, below).
//! - **Capture** answers `charge_expired_for_capture` once the hold is past
//!   `capture_before` (also after it lapsed and the intent was canceled
//!   `automatic`: the code Stripe gives for an expired authorization rather
//!   than `payment_intent_unexpected_state`), and `amount_too_small` below
//!   the currency's minimum charge, as a charge would.
//! - **Partial capture** of X from a hold of A: the charge has
//!   `amount_captured = X` and records the released `A − X` as a refund
//!   (`amount_refunded`, a refund object, `charge.refunded`), as the capture
//!   reference says ("any additional amount will be automatically refunded").
//!   As at Stripe, the charge's balance transaction is the whole A and that
//!   refund's is a `partial_capture_reversal` row of −(A − X) (see [`ledger`]).
//! - **Release** (cancel in `requires_capture`): the charge records the whole
//!   `amount_capturable` as refunded (the cancel reference: "will
//!   automatically be refunded"); again no money moved.
//! - **A refund of an uncaptured payment** releases the whole hold, whatever
//!   amount was asked for, and cancels the intent: the trap Stripe's docs and
//!   STRIPE-RULES.md warn of.
//! - **Refunds** never exceed `amount_captured − amount_refunded`
//!   (`amount_too_large`); a fully refunded charge answers
//!   `charge_already_refunded`.
//! - **Checkout Sessions** create their PaymentIntent when the customer pays
//!   (the behaviour since API 2022-08-01). A paid hold leaves the session
//!   `complete` with `payment_status = unpaid` until captured.
//! - **Idempotency**: a POST's result is stored under its key unless the
//!   request failed parameter validation; a replay carries
//!   `Idempotent-Replayed: true`. Injected transport faults are never stored;
//!   a stored 500 is (see [`faults::Faults::stored_500_rate`]).
//! - **`expand[]`**: the paths each object's `x-expandableFields` allows, as
//!   far as [`api::expand::RENDERED`] renders them: a PaymentIntent's
//!   `latest_charge`, `latest_charge.balance_transaction` and `customer`, a
//!   charge's `balance_transaction`, a refund's `charge` and
//!   `payment_intent`, a session's `line_items`, `customer` and
//!   `payment_intent`, and in lists and search the same through `data.`.
//!   A path the spec does not allow is refused in Stripe's words ("This
//!   property cannot be expanded (foo)."); one it allows that is not
//!   rendered yet is refused saying so, never answered unexpanded.
//! - **Rate limit**: a token bucket per account, 25 requests/s by default with
//!   a burst of one second's worth, answered with 429 `rate_limit` and
//!   `Stripe-Rate-Limited-Reason: global-rate`.
//!
//! ## Time and money (part 2)
//! A simulated clock (`POST /_sim/clock/advance`) drives everything that
//! happens by itself: see [`time`] (holds lapse, sessions expire, keys and
//! events age out) and [`ledger`] (fees, balance transactions, pending
//! refunds, daily payouts). [`seed`] plays months of a believable business
//! through the same code (`--demo`, `--seed-payments N`). Imperfections for
//! sync tests (late fees, delayed or dropped events, search lag) are
//! switched on through `POST /_sim/faults`, and so are the ways a
//! Stripe-compatible server may differ from Stripe: a list that refuses a
//! filter (`refuse_params`), objects without a field (`omit_fields`), a path
//! answered 404 (`not_found_paths`) and a clock off by some seconds
//! (`clock_skew_seconds`); see [`faults::Faults`]. Every answer's `Date`
//! header is the simulator's clock.
//!
//! ## Payouts, disputes and the rows Stripe books (for reconciliation)
//! [`ledger`] has the rules: USD, EUR and GBP settled and paid out apart
//! (other currencies converted to USD with `exchange_rate`); daily automatic
//! payouts whose amount is the net of their transactions, negative when a
//! deficit is beyond what is pending; `reconciliation_status` `in_progress`
//! until six hours after arrival, then `completed` with
//! `payout.reconciliation_completed`, and `payout=` answering only then and
//! only for automatic payouts (a manual one: 400 "Balance transaction
//! history can only be filtered on automatic transfers, not manual.");
//! manual payouts (`POST /v1/payouts`, standard or instant); failed payouts
//! (`paid`, then `failed` with a `payout_failure` row); a refund to
//! `pm_card_refundFail` failing a day later (`refund_failure`); monthly
//! Radar fees (`stripe_fee`); partial-capture reversals. [`disputes`] has
//! disputes (`GET /v1/disputes`, `/v1/disputes/{id}`; `charge.dispute.*`
//! events; a withdrawal with Stripe's 15.00 fee, a reinstatement when won,
//! **the fee kept**: the account is a US one). Every balance transaction's
//! `reporting_category` is Stripe's mapping of its type.
//!
//! ## Controls (`/_sim/`, JSON, never on Stripe's paths)
//! `accounts`, `keys`, `keys/revoke`, `faults` (GET and POST), `clock`,
//! `clock/advance`, `fees`, `seed`, `fixtures`,
//! `checkout/sessions/{id}/complete`; `disputes`, `disputes/{id}/close`,
//! `payouts/{id}/fail`, `stripe_fees` (see [`controls`]); and
//! `/pay/{session}`, a page standing in for Stripe's hosted checkout.
//!
//! ## Extensions beyond spec3.json (2023-08-16)
//! Listed here and in [`EXTENSIONS`]; the contract test allows exactly these.
//! - `charge.payment_method_details.card.capture_before`: documented at
//!   <https://docs.stripe.com/payments/place-a-hold-on-a-payment-method>
//!   (added to the API after 2023-08-16).
//! - `GET /v1/checkout/sessions` filters `status` and `created`: documented at
//!   <https://docs.stripe.com/api/checkout/sessions/list> in current versions.
//! - `POST /v1/checkout/sessions/{session}` (update `metadata`): documented at
//!   <https://docs.stripe.com/api/checkout/sessions/update>; the 2023-08-16
//!   spec has no such operation. Its answer is a `checkout.session`.

pub mod api;
mod auth;
pub mod controls;
pub mod disputes;
pub mod faults;
pub mod ledger;
pub mod money;
pub mod objects;
pub mod seed;
mod server;
pub mod state;
pub mod time;

pub use server::{CONTROL_TOKEN_HEADER, SimConfig, Simulator};

/// The API version the simulator speaks and echoes when a request names none.
pub const API_VERSION: &str = "2023-08-16";

/// Where the simulator goes beyond spec3.json, each confirmed in Stripe's
/// current documentation (see the crate docs).
pub const EXTENSIONS: &[&str] = &[
    "response: payment_method_details_card.capture_before",
    "request: GET /v1/checkout/sessions status",
    "request: GET /v1/checkout/sessions created",
    "route: POST /v1/checkout/sessions/{session}",
];

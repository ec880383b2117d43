//! The sync engine: keeps the cache equal to Stripe, cheaply and fast.
//!
//! - [`kinds`]: the object types, fetched a page at a time and stored in one
//!   transaction each.
//! - [`windows`]: the backfill's plan of `created` windows, split while it
//!   runs so that every worker stays busy; saved with every page.
//! - [`writer`]: the backfill's pages stored by a thread of their own, each
//!   in one transaction with the plan that covers it.
//! - [`events`]: following `/v1/events`, applied idempotently.
//! - [`engine`]: one account's sync, from the first page to live updates;
//!   `upkeep`: late fees, payouts, the sweep; [`status`]: progress and controls;
//!   [`health`]: what is wrong, for the whole sync and kind by kind;
//!   `unfiltered`: kinds whose list refused its date filter, read without it.

mod backfill;
pub mod engine;
pub mod events;
pub mod health;
pub mod kinds;
pub mod status;
mod unfiltered;
mod upkeep;
pub mod windows;
pub mod writer;

pub use engine::{
    Controls, Quiet, SyncListener, SyncOptions, SyncPhase, SyncProgress, Syncer, unix_now,
};
pub use health::{KindNote, KindStatus, SyncProblem};
pub use kinds::Kind;

//! One module per table: its migration, typed reads and writes, and tests.

pub mod accounts;
pub mod payment_intents;

use crate::Migration;

/// Each table's migrations, gathered for [`crate::migration`].
pub const MIGRATIONS: &[&[Migration]] = &[accounts::MIGRATIONS, payment_intents::MIGRATIONS];

//! The command line's shape, from which `--help`, the shell completions and
//! the man page are all generated.

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  done (a verb answered from the cache also exits 0, with a warning on standard error)
  1  refused: by Stripe, or by Till before sending because Stripe would
  2  usage: a wrong option, argument or amount
  3  no such object or account
  4  the verb needed Stripe and could not reach it (or its answer was lost)
  5  the keychain is unavailable, or holds no key for the account
  6  Till's own data (database, data directory) could not be used

Coming: `payouts`, `export` and `search`.";

/// Till from a terminal or from cron: the same accounts, cache, keychain and
/// journal as the desktop app.
#[derive(Debug, Parser)]
#[command(name = "till", version, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The account, by name or id (default: the only one, or the one marked
    /// default with `till accounts default`).
    #[arg(long, global = true, value_name = "NAME|ID")]
    pub account: Option<String>,
    /// Machine output: one JSON document on standard output.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Stripe accounts Till knows (the app's, in the same keychain).
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Brings the cache up to date with Stripe, then exits.
    Sync(SyncArgs),
    /// Payments, from the cache.
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// Every hold, the soonest to lapse first, with the time left.
    Holds,
    /// The balance, available and pending, per currency (from the cache).
    Balance,
    /// Captures a hold, all of it or `--amount` (the rest is released).
    Capture(CaptureArgs),
    /// Releases a hold: none of the customer's money is taken.
    Release(ReleaseArgs),
    /// Refunds a payment, all that is refundable or `--amount`.
    Refund(RefundArgs),
    /// The journal of money movements; send or discard one never sent.
    Journal(JournalArgs),
    /// Prints shell completions for bash, zsh, fish, elvish or PowerShell.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Prints the man page (roff) on standard output.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Every account, the default one marked.
    List,
    /// Adds an account. The key is read from standard input, or typed at a
    /// hidden prompt; never from an argument (arguments land in shell
    /// history and `ps`).
    Add {
        /// Replace the stored key when the account is already in Till with
        /// another key.
        #[arg(long)]
        replace: bool,
        /// Refused: a key is never taken from an argument.
        #[arg(hide = true, trailing_var_arg = true, allow_hyphen_values = true)]
        refused: Vec<String>,
    },
    /// Renames an account.
    Rename {
        /// The account, by name or id.
        account: String,
        new_name: String,
    },
    /// Removes an account and its keychain entry; the cache stays unless
    /// `--forget-data`.
    Remove {
        /// The account, by name or id.
        account: String,
        #[arg(long)]
        forget_data: bool,
    },
    /// Marks the account the verbs use when `--account` is not given.
    Default {
        /// The account, by name or id.
        account: String,
    },
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Every account, one after the other.
    #[arg(long)]
    pub all: bool,
    /// When the app (or another `till sync`) is syncing the account, wait
    /// for it instead of leaving the cache as it is.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Status {
    Succeeded,
    RequiresCapture,
    Processing,
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Canceled,
}

impl Status {
    pub fn stripe(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::RequiresCapture => "requires_capture",
            Self::Processing => "processing",
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresConfirmation => "requires_confirmation",
            Self::RequiresAction => "requires_action",
            Self::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// The cached payments, newest first.
    List(ListArgs),
    /// One payment in full: amounts, fee, refunds, timeline.
    Show {
        /// The payment's id (pi_…).
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these statuses (repeat, or separate with commas).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub status: Vec<Status>,
    /// Created on or after: a date (2026-03-01, UTC midnight) or a Unix time.
    #[arg(long)]
    pub since: Option<String>,
    /// Created before: a date (2026-03-31, UTC midnight) or a Unix time.
    #[arg(long)]
    pub until: Option<String>,
    /// One currency (usd, EUR…); needed by `--min` and `--max`.
    #[arg(long)]
    pub currency: Option<String>,
    /// At least this amount, in the currency's units (12.50).
    #[arg(long, requires = "currency")]
    pub min: Option<String>,
    /// At most this amount, in the currency's units.
    #[arg(long, requires = "currency")]
    pub max: Option<String>,
    /// How many, at most.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// How amounts are written (de-DE reads 12,50), by default from
    /// LC_ALL, LC_NUMERIC or LANG.
    #[arg(long)]
    pub locale: Option<String>,
}

#[derive(Debug, Args)]
pub struct Confirm {
    /// Do it without asking (required on a live account when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Who is acting, for the journal.
    #[arg(long)]
    pub operator: Option<String>,
    /// How amounts are written (de-DE reads 12,50), by default from
    /// LC_ALL, LC_NUMERIC or LANG.
    #[arg(long)]
    pub locale: Option<String>,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The hold's payment id (pi_…).
    pub payment: String,
    /// Capture only this much, in the payment's currency (12.50).
    #[arg(long)]
    pub amount: Option<String>,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReleaseWhy {
    RequestedByCustomer,
    Duplicate,
    Fraudulent,
    Abandoned,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The hold's payment id (pi_…).
    pub payment: String,
    #[arg(long, value_enum)]
    pub reason: ReleaseWhy,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RefundWhy {
    RequestedByCustomer,
    Duplicate,
    Fraudulent,
}

#[derive(Debug, Args)]
pub struct RefundArgs {
    /// The payment's id (pi_…).
    pub payment: String,
    /// Refund only this much, in the payment's currency (12.50).
    #[arg(long)]
    pub amount: Option<String>,
    #[arg(long, value_enum)]
    pub reason: RefundWhy,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Sends an operation a crash left never sent (its id, op_…).
    #[arg(long, value_name = "OPERATION", conflicts_with = "discard")]
    pub send: Option<String>,
    /// Drops an operation a crash left never sent.
    #[arg(long, value_name = "OPERATION", conflicts_with = "check")]
    pub discard: Option<String>,
    /// Asks Stripe now how the movements whose answer was lost ended
    /// (the app asks by itself; a cron job may too).
    #[arg(long, conflicts_with = "send")]
    pub check: bool,
    /// How many, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

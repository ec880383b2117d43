//! The domain's error type. It crosses IPC as a tagged union (`code` is the
//! tag), so the UI branches on a code, never on message text.

use serde::Serialize;
use specta::Type;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error the core reports to the UI. Add a variant only when the UI
/// does something different with it; otherwise reuse one with its detail.
#[derive(Debug, thiserror::Error, Serialize, Type)]
#[serde(
    tag = "code",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
// `Error` would shadow JavaScript's own `Error` in the bindings.
#[serde(rename = "TillError")]
pub enum Error {
    /// The OS keychain (Secret Service, Keychain, Credential Manager) did not
    /// answer. `fix` tells the user what to do in their own words.
    #[error("the OS keychain is not available: {detail}")]
    KeychainUnavailable { detail: String, fix: String },

    /// A pasted key was refused: its form, or Stripe's answer to it.
    #[error("the key was refused ({reason:?}): {detail}")]
    KeyRejected { reason: KeyProblem, detail: String },

    /// The account's key is no longer in the keychain.
    #[error("no key in the keychain for {account_id}")]
    KeyMissing { account_id: String },

    /// No such account in Till.
    #[error("no account {account_id}")]
    UnknownAccount { account_id: String },

    /// No object with this id in the account (as far as the cache knows).
    #[error("nothing with id {id} in this account")]
    NotFound { id: String },

    /// An amount Stripe would refuse, or more than the payment allows.
    #[error("the amount was refused ({reason:?}): {detail}")]
    AmountRefused {
        reason: AmountProblem,
        detail: String,
    },

    /// The payment is not in a state that allows this, or the key may not.
    #[error("the action was refused ({reason:?}): {detail}")]
    ActionRefused {
        reason: ActionProblem,
        detail: String,
    },

    /// A checkout Stripe would refuse or that Till cannot build. `item` is
    /// the line (from 0) at fault, when one is.
    #[error("the checkout was refused ({reason:?}): {detail}")]
    CheckoutRefused {
        reason: CheckoutProblem,
        item: Option<u32>,
        detail: String,
    },

    /// A money movement was sent and its answer lost. It is in the journal
    /// and is resolved with the same idempotency key; it is never doubled.
    #[error("the outcome of {operation_id} is not known yet: {detail}")]
    OutcomeUnknown {
        operation_id: String,
        detail: String,
    },

    /// Stripe could not be reached, or answered with an error of its own.
    #[error("Stripe: {detail}")]
    Stripe {
        detail: String,
        request_id: Option<String>,
    },

    /// The local database failed or is from a newer Till.
    #[error("the local database: {detail}")]
    Store { detail: String, newer_version: bool },

    /// The data directory cannot be created, read or written.
    #[error("the data directory {path} cannot be used: {detail}")]
    DataDirUnusable { path: String, detail: String },

    /// A bug or an environment fault with nothing the user can act on.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

/// Why a key was refused, for the UI to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum KeyProblem {
    /// Not shaped like a Stripe key at all.
    Malformed,
    /// A publishable key, or an unknown prefix.
    WrongPrefix,
    /// Stripe does not know it, or it was revoked or rolled (401).
    NotAccepted,
    /// A restricted key that cannot even read payments.
    CannotReadPayments,
    /// A replacement key that opens another Stripe account.
    OtherAccount,
}

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum AmountProblem {
    NotANumber,
    /// More decimals than the currency has (JPY has none).
    TooManyDecimals,
    /// Three-decimal currencies take multiples of 10 in their smallest unit.
    NotMultipleOfTen,
    NotPositive,
    /// Above Stripe's maximum for one amount.
    AboveMaximum,
    AboveCapturable,
    AboveRefundable,
    /// The amount's currency is not the payment's.
    WrongCurrency,
}

/// Why an action was refused before anything was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ActionProblem {
    /// Only a hold (an uncaptured payment) can be captured or released.
    NotAHold,
    /// The authorization lapsed: the hold can no longer be captured.
    HoldExpired,
    /// Nothing captured is left to refund.
    NothingToRefund,
    /// A refund on an uncaptured payment would release the whole hold:
    /// capture less, or release, instead.
    UncapturedUseRelease,
    /// This account's restricted key does not allow it.
    NotPermitted,
    /// The journaled action was already sent: it cannot be discarded.
    AlreadySent,
}

/// Why a checkout was refused before anything was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CheckoutProblem {
    NoItems,
    /// Stripe takes at most 100 line items.
    TooManyItems,
    ItemUnnamed,
    QuantityNotPositive,
    /// A price of zero or less.
    PriceNotPositive,
    /// Not a number, decimals the currency lacks, not a multiple of 10 in
    /// a three-decimal currency, or above Stripe's maximum.
    PriceInvalid,
    /// The total is above Stripe's maximum for one payment.
    TotalTooLarge,
    UnknownCurrency,
    /// One checkout is paid in one currency.
    MixedCurrencies,
    /// A catalog price that is unknown, archived or recurring.
    UnknownPrice,
    UnknownCustomer,
    MalformedEmail,
    /// 30 minutes to 24 hours.
    ExpiryOutOfRange,
    MalformedUrl,
    /// Hosted checkout needs a success URL and none is set for the account.
    SuccessUrlMissing,
    /// Metadata Stripe would refuse (key over 40 characters, value over
    /// 500, more than 50 keys, or Till's own key).
    MetadataInvalid,
    /// Only an open session can be expired.
    NotOpen,
}

impl From<till_store::StoreError> for Error {
    fn from(err: till_store::StoreError) -> Self {
        let newer_version = matches!(err, till_store::StoreError::NewerSchema { .. });
        Self::Store {
            detail: err.to_string(),
            newer_version,
        }
    }
}

impl From<till_stripe::StripeError> for Error {
    fn from(err: till_stripe::StripeError) -> Self {
        Self::Stripe {
            request_id: err.request_id().map(str::to_owned),
            detail: err.to_string(),
        }
    }
}

impl Error {
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::Internal {
            detail: detail.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_a_tagged_union() {
        let err = Error::DataDirUnusable {
            path: "/nope".into(),
            detail: "permission denied".into(),
        };
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "dataDirUnusable");
        assert_eq!(json["path"], "/nope");
        assert_eq!(json["detail"], "permission denied");
    }
}

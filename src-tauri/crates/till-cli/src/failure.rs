//! What went wrong, in words and as an exit code (listed in `--help`).
//! Each of the core's typed errors maps to one code here; the words never
//! carry a key (the core's errors never hold one).

use serde::Serialize;
use till_core::Error;
use till_core::error::{KeyProblem, StripeFailure};

pub const OK: u8 = 0;
pub const REFUSED: u8 = 1;
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
pub const UNREACHABLE: u8 = 4;
pub const KEYCHAIN: u8 = 5;
pub const LOCAL_DATA: u8 = 6;

/// A verb's failure: its exit code, the merchant's words and, for `--json`,
/// the core's error as it is serialized for the app.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub words: String,
    pub error: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct JsonFailure<'a> {
    exit_code: u8,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a serde_json::Value>,
}

impl Failure {
    pub fn usage(words: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            words: words.into(),
            error: None,
        }
    }

    pub fn not_found(words: impl Into<String>) -> Self {
        Self {
            code: NOT_FOUND,
            words: words.into(),
            error: None,
        }
    }

    pub fn refused(words: impl Into<String>) -> Self {
        Self {
            code: REFUSED,
            words: words.into(),
            error: None,
        }
    }

    pub fn local(words: impl Into<String>) -> Self {
        Self {
            code: LOCAL_DATA,
            words: words.into(),
            error: None,
        }
    }

    /// The failure as `--json` prints it.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&JsonFailure {
            exit_code: self.code,
            message: &self.words,
            error: self.error.as_ref(),
        })
        .unwrap_or_else(|_| format!("{{\"exit_code\": {}}}", self.code))
    }
}

fn code_of(err: &Error) -> u8 {
    match err {
        Error::StripeRefused { .. } | Error::ActionRefused { .. } => REFUSED,
        Error::CheckoutRefused { .. } => REFUSED,
        Error::KeyRejected { reason, .. } => match reason {
            KeyProblem::Malformed | KeyProblem::WrongPrefix => USAGE,
            KeyProblem::NotAccepted | KeyProblem::CannotReadPayments | KeyProblem::OtherAccount => {
                REFUSED
            }
        },
        Error::AmountRefused { .. } | Error::KeyReplaceAsked { .. } => USAGE,
        Error::AccountAlreadyAdded { .. } => OK,
        Error::UnknownAccount { .. } | Error::NotFound { .. } => NOT_FOUND,
        Error::Stripe { .. } | Error::OutcomeUnknown { .. } | Error::LiveKeyNotSent { .. } => {
            UNREACHABLE
        }
        Error::KeychainUnavailable { .. } | Error::KeyMissing { .. } => KEYCHAIN,
        Error::Store { .. } | Error::DataDirUnusable { .. } | Error::Internal { .. } => LOCAL_DATA,
    }
}

/// The merchant's words for an error, with what to do where there is
/// something to do.
fn words_of(err: &Error) -> String {
    match err {
        Error::KeychainUnavailable { detail, fix } => {
            format!("The keychain is not available ({detail}). {fix}")
        }
        Error::KeyMissing { account_id } => format!(
            "The keychain holds no key for {account_id}: add its key again with `till accounts add`."
        ),
        Error::KeyRejected { reason, detail } => match reason {
            KeyProblem::Malformed => format!("That is not a Stripe key ({detail})."),
            KeyProblem::WrongPrefix => format!(
                "That is not a secret or restricted key ({detail}); Till needs sk_… or rk_…."
            ),
            KeyProblem::NotAccepted => {
                format!("Stripe does not accept this key: it was rolled or revoked ({detail}).")
            }
            KeyProblem::CannotReadPayments => {
                format!("This restricted key may not read payments ({detail}).")
            }
            KeyProblem::OtherAccount => format!("This key opens another account ({detail})."),
        },
        Error::KeyReplaceAsked {
            display_name,
            current_last4,
            new_last4,
            ..
        } => format!(
            "{display_name} is already in Till with the key ending {current_last4}. \
             Run again with --replace to use the key ending {new_last4} instead."
        ),
        Error::AccountAlreadyAdded {
            display_name,
            account_id,
        } => format!("{display_name} ({account_id}) is already in Till."),
        Error::LiveKeyNotSent { host } => format!(
            "Till did not send this live key to {host}: live keys only ever go to api.stripe.com. \
             Stripe was not contacted (check TILL_STRIPE_API_BASE)."
        ),
        Error::UnknownAccount { account_id } => {
            format!("There is no account {account_id} in Till (`till accounts list` shows them).")
        }
        Error::NotFound { id } => format!(
            "Nothing with id {id} in this account's cache (`till sync` brings it up to date)."
        ),
        Error::AmountRefused { detail, .. } => format!("That amount cannot be used: {detail}."),
        Error::ActionRefused { detail, .. } => format!("Till did not send this: {detail}."),
        Error::CheckoutRefused { detail, .. } => format!("The checkout was refused: {detail}."),
        Error::OutcomeUnknown {
            operation_id,
            detail,
        } => format!(
            "Stripe's answer was lost ({detail}). The movement {operation_id} is in the journal \
             and will never be doubled: `till journal` says when it is settled."
        ),
        Error::StripeRefused { refusal } => {
            let mut words = format!("Stripe refused: {}", refusal.message);
            if let Some(decline) = &refusal.decline_code {
                words.push_str(&format!(" (the bank says: {decline})"));
            }
            if let Some(request) = &refusal.request {
                words.push_str(&format!(" [{request}"));
                if let Some(id) = &refusal.request_id {
                    words.push_str(&format!(", request {id}"));
                }
                words.push(']');
            }
            words
        }
        Error::Stripe { detail, kind, .. } => match kind {
            StripeFailure::Unreachable => format!("Stripe could not be reached: {detail}."),
            StripeFailure::ServerError { status } => {
                format!("Stripe had trouble of its own ({status}): {detail}.")
            }
            StripeFailure::Unreadable | StripeFailure::Other => {
                format!("Stripe's answer could not be used: {detail}.")
            }
        },
        Error::Store {
            detail,
            newer_version,
        } => {
            if *newer_version {
                format!("The database is from a newer Till: update this one ({detail}).")
            } else {
                format!("The local database failed: {detail}.")
            }
        }
        Error::DataDirUnusable { path, detail } => {
            format!("The data directory {path} cannot be used: {detail}.")
        }
        Error::Internal { detail } => format!("Something went wrong inside Till: {detail}."),
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Self {
            code: code_of(&err),
            words: words_of(&err),
            error: serde_json::to_value(&err).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_has_its_exit_code() {
        let unreachable = Error::Stripe {
            detail: "connection refused".into(),
            request_id: None,
            request: Some("GET /v1/account".into()),
            kind: StripeFailure::Unreachable,
        };
        assert_eq!(Failure::from(unreachable).code, UNREACHABLE);
        assert_eq!(
            Failure::from(Error::NotFound { id: "pi_1".into() }).code,
            NOT_FOUND
        );
        assert_eq!(
            Failure::from(Error::KeyMissing {
                account_id: "acct_1".into()
            })
            .code,
            KEYCHAIN
        );
        assert_eq!(
            Failure::from(Error::KeyRejected {
                reason: KeyProblem::Malformed,
                detail: "x".into()
            })
            .code,
            USAGE
        );
    }
}

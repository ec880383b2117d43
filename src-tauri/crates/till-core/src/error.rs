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

    /// A live key was about to go to a host that is neither Stripe nor this
    /// computer (`TILL_STRIPE_API_BASE`): it was not sent, and Stripe was
    /// never contacted.
    #[error("a live key is only ever sent to api.stripe.com or to this computer, not to {host}")]
    LiveKeyNotSent { host: String },

    /// The key opens an account Till already has, and its keychain entry
    /// holds this very key: nothing to add.
    #[error("{display_name} ({account_id}) is already in Till")]
    AccountAlreadyAdded {
        account_id: String,
        display_name: String,
    },

    /// The key opens an account Till already has, with another key: the
    /// person is asked before the stored key is replaced, told which key
    /// would be used afterwards.
    #[error("{display_name} ({account_id}) is already in Till with the key ending {current_last4}")]
    KeyReplaceAsked {
        account_id: String,
        display_name: String,
        current_last4: String,
        new_last4: String,
        new_restricted: bool,
    },

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

    /// Stripe refused the request and said why: what the UI branches on
    /// (`refusal.kind`) and Stripe's answer as it came.
    #[error("Stripe refused the request ({}): {}", refusal.reason(), refusal.message)]
    StripeRefused {
        // Boxed: errors travel through every `Result`, which stays small.
        refusal: Box<StripeRefusal>,
    },

    /// Stripe could not be reached, or answered with an error of its own.
    #[error("Stripe: {detail}")]
    Stripe {
        detail: String,
        request_id: Option<String>,
        /// The request, method and path (`GET /v1/account`), when one was sent.
        request: Option<String>,
        kind: StripeFailure,
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

/// How Stripe failed when it did not refuse: what the UI and the sync say
/// differs ("offline" is only ever said when nothing answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StripeFailure {
    /// The network or the server could not be reached, or did not answer in time.
    Unreachable,
    /// Stripe answered with an error of its own (5xx).
    ServerError { status: u16 },
    /// Stripe answered in a shape Till cannot read.
    Unreadable,
    /// Anything else (an unknown outcome, an unusable address).
    Other,
}

impl StripeFailure {
    fn of(err: &till_stripe::StripeError) -> Self {
        use till_stripe::StripeError as E;
        match err {
            E::Network { .. } => Self::Unreachable,
            E::Api { status, .. } => Self::ServerError { status: *status },
            E::Decode { .. } => Self::Unreadable,
            _ => Self::Other,
        }
    }
}

/// The HTTP status an error came with, as far as its variant says.
pub fn http_status(err: &till_stripe::StripeError) -> Option<u16> {
    use till_stripe::StripeError as E;
    match err {
        E::InvalidRequest { .. } | E::IdempotencyMismatch { .. } => Some(400),
        E::Authentication { .. } => Some(401),
        E::Card { .. } => Some(402),
        E::Permission { .. } => Some(403),
        E::NotFound { .. } => Some(404),
        E::RateLimited { .. } => Some(429),
        E::Api { status, .. } => Some(*status),
        _ => None,
    }
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

/// Why Stripe refused a request, from its error `code` (and type and
/// status): the codes a merchant meets, each worded in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum StripeProblem {
    /// The card was declined (`card_declined`, `expired_card`,
    /// `incorrect_cvc`, `processing_error`…); `declineCode` says why.
    CardDeclined,
    /// The bank wants the customer to authenticate (3D Secure): they must
    /// pay themselves, e.g. through a checkout link.
    AuthenticationRequired,
    /// The hold lapsed before it was captured (`charge_expired_for_capture`,
    /// `capture_charge_authorization_expired`).
    ChargeExpiredForCapture,
    ChargeAlreadyCaptured,
    ChargeAlreadyRefunded,
    /// The customer disputed the payment: it cannot be refunded.
    ChargeDisputed,
    AmountTooLarge,
    AmountTooSmall,
    /// No such object at Stripe (`resource_missing`).
    ResourceMissing,
    /// The payment changed at Stripe and no longer allows this
    /// (`payment_intent_unexpected_state`), e.g. captured or released elsewhere.
    UnexpectedState,
    /// The account's restricted key lacks `permission` (403).
    PermissionMissing,
    /// Stripe no longer accepts the account's key (401): rolled or revoked.
    KeyNotAccepted,
    /// Too many requests, still after waiting (429).
    RateLimited,
    /// The idempotency key was used with other parameters (`idempotency_error`).
    IdempotencyError,
    /// A code Till has no words for: Stripe's message says it.
    Other,
}

/// A request Stripe refused: its kind and Stripe's own fields, kept as they
/// came: its error `type` and `code` (here `stripeType`, `stripeCode`:
/// `code` is the error union's tag), `decline_code`, `param` and `message`;
/// `permission` is the one a restricted key lacks. A code Till has no words
/// for is `Other`, shown with Stripe's message and the request id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StripeRefusal {
    pub kind: StripeProblem,
    pub stripe_type: Option<String>,
    pub stripe_code: Option<String>,
    pub decline_code: Option<String>,
    pub param: Option<String>,
    pub permission: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    /// The request refused, method and path (`POST /v1/refunds`).
    pub request: Option<String>,
    /// Its HTTP status.
    pub status: Option<u16>,
}

impl StripeRefusal {
    /// Stripe's code and decline code, or the kind when Stripe gave no code:
    /// `card_declined, insufficient_funds`.
    fn reason(&self) -> String {
        match (&self.stripe_code, &self.decline_code) {
            (Some(code), Some(decline)) if code != decline => format!("{code}, {decline}"),
            (Some(code), _) => code.clone(),
            (None, _) => format!("{:?}", self.kind),
        }
    }
}

impl StripeProblem {
    /// The kind of an error `code` Stripe gives whatever the status.
    fn of_code(code: Option<&str>) -> Self {
        match code {
            Some("card_declined" | "expired_card" | "incorrect_cvc" | "processing_error") => {
                Self::CardDeclined
            }
            Some("authentication_required") => Self::AuthenticationRequired,
            Some("charge_expired_for_capture" | "capture_charge_authorization_expired") => {
                Self::ChargeExpiredForCapture
            }
            Some("charge_already_captured") => Self::ChargeAlreadyCaptured,
            Some("charge_already_refunded") => Self::ChargeAlreadyRefunded,
            Some("charge_disputed") => Self::ChargeDisputed,
            Some("amount_too_large") => Self::AmountTooLarge,
            Some("amount_too_small") => Self::AmountTooSmall,
            Some("resource_missing") => Self::ResourceMissing,
            Some("payment_intent_unexpected_state") => Self::UnexpectedState,
            Some("rate_limit" | "lock_timeout") => Self::RateLimited,
            _ => Self::Other,
        }
    }

    /// The kind of a refusal: a few are known by their variant (status or
    /// type), the rest by their code.
    fn of(err: &till_stripe::StripeError) -> Self {
        use till_stripe::StripeError as E;
        match err {
            E::Card { code, .. } if code == "authentication_required" => {
                Self::AuthenticationRequired
            }
            E::Card { .. } => Self::CardDeclined,
            E::Permission { .. } => Self::PermissionMissing,
            E::Authentication { .. } => Self::KeyNotAccepted,
            E::RateLimited { .. } => Self::RateLimited,
            E::IdempotencyMismatch { .. } => Self::IdempotencyError,
            other => Self::of_code(other.code()),
        }
    }
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

/// A refusal keeps Stripe's type, code, decline code, param and message and
/// gets its kind; anything else (unreachable, a 5xx, an unknown outcome, an
/// answer of the wrong shape) stays `Stripe` with its detail.
impl From<till_stripe::StripeError> for Error {
    fn from(err: till_stripe::StripeError) -> Self {
        if let till_stripe::StripeError::LiveKeyRefused { host } = &err {
            return Self::LiveKeyNotSent { host: host.clone() };
        }
        let Some(refusal) = err.refusal() else {
            return Self::Stripe {
                request_id: err.request_id().map(str::to_owned),
                request: err.request().map(str::to_owned),
                kind: StripeFailure::of(&err),
                detail: err.to_string(),
            };
        };
        let owned = |s: Option<&str>| s.map(str::to_owned);
        let permission = match &err {
            till_stripe::StripeError::Permission { permission, .. } => permission.clone(),
            _ => None,
        };
        Self::StripeRefused {
            refusal: Box::new(StripeRefusal {
                kind: StripeProblem::of(&err),
                stripe_type: refusal.error_type.map(|t| t.as_str().to_owned()),
                stripe_code: owned(refusal.code),
                decline_code: owned(refusal.decline_code),
                param: owned(refusal.param),
                permission,
                message: refusal.message.to_owned(),
                request_id: owned(refusal.request_id),
                request: owned(err.request()),
                status: http_status(&err),
            }),
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

    #[test]
    fn a_live_key_kept_from_another_host_is_not_called_a_stripe_failure() {
        // What the client says when a live key would have gone elsewhere.
        let endpoint = till_stripe::Endpoint::parse("https://proxy.example.com").unwrap();
        let key = till_stripe::ApiKey::parse("sk_live_51NotSentAnywhere0000000000").unwrap();
        let refused = endpoint.check_key(&key).unwrap_err();
        let err = Error::from(refused);
        assert!(
            matches!(&err, Error::LiveKeyNotSent { host } if host == "proxy.example.com"),
            "{err:?}"
        );
        assert_eq!(
            serde_json::to_value(&err).unwrap()["code"],
            "liveKeyNotSent"
        );
    }

    #[test]
    fn a_stripe_refusal_crosses_ipc_with_its_kind_and_stripes_own_fields() {
        let err = Error::from(till_stripe::StripeError::Card {
            error_type: Some(till_stripe::ErrorType::CardError),
            code: "card_declined".into(),
            decline_code: Some("lost_card".into()),
            param: None,
            message: "Your card was declined.".into(),
            request_id: Some("req_1".into()),
            request: "POST /v1/payment_intents/pi_1/confirm".into(),
        });
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "stripeRefused");
        let refusal = &json["refusal"];
        assert_eq!(refusal["kind"], "cardDeclined");
        assert_eq!(refusal["stripeType"], "card_error");
        assert_eq!(refusal["stripeCode"], "card_declined");
        assert_eq!(refusal["declineCode"], "lost_card");
        assert_eq!(refusal["param"], serde_json::Value::Null);
        assert_eq!(refusal["message"], "Your card was declined.");
        assert_eq!(refusal["requestId"], "req_1");
        assert_eq!(refusal["request"], "POST /v1/payment_intents/pi_1/confirm");
    }

    #[test]
    fn an_unknown_code_keeps_stripes_message_and_what_was_not_refused_stays_stripe() {
        let err = Error::from(till_stripe::StripeError::InvalidRequest {
            error_type: Some(till_stripe::ErrorType::InvalidRequestError),
            code: Some("something_new".into()),
            param: Some("amount".into()),
            message: "Something new happened.".into(),
            request_id: Some("req_2".into()),
            request: "POST /v1/refunds".into(),
        });
        let Error::StripeRefused { refusal } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            **refusal,
            StripeRefusal {
                kind: StripeProblem::Other,
                stripe_type: Some("invalid_request_error".into()),
                stripe_code: Some("something_new".into()),
                decline_code: None,
                param: Some("amount".into()),
                permission: None,
                message: "Something new happened.".into(),
                request_id: Some("req_2".into()),
                request: Some("POST /v1/refunds".into()),
                status: Some(400),
            }
        );
        assert_eq!(
            err.to_string(),
            "Stripe refused the request (something_new): Something new happened."
        );

        let down = Error::from(till_stripe::StripeError::Network {
            reason: "connection refused".into(),
            request: "GET /v1/events".into(),
        });
        assert!(matches!(down, Error::Stripe { .. }), "{down:?}");
        let busy = Error::from(till_stripe::StripeError::Api {
            status: 503,
            message: "busy".into(),
            request_id: Some("req_3".into()),
            request: "GET /v1/balance".into(),
        });
        assert!(
            matches!(&busy, Error::Stripe { request_id: Some(r), request: Some(q), .. } if r == "req_3" && q == "GET /v1/balance"),
            "{busy:?}"
        );
        // The request is named in what is shown, never the key.
        assert!(busy.to_string().contains("GET /v1/balance"), "{busy}");
    }
}

//! Errors the core (and through it the UI) can branch on. Each carries
//! Stripe's request id when there was an answer.

use serde::Deserialize;

use crate::key::KeyError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StripeError {
    /// The card was declined or could not be charged (402, or Stripe's
    /// type `card_error`): `code` is `card_declined`, `expired_card`,
    /// `incorrect_cvc`, `authentication_required`…, `decline_code` the
    /// issuer's reason (`insufficient_funds`, `lost_card`…).
    #[error("{request}: card error ({code}{}): {message}", decline_code.as_deref().map(|d| format!(", {d}")).unwrap_or_default())]
    Card {
        error_type: Option<ErrorType>,
        code: String,
        decline_code: Option<String>,
        param: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// Stripe refused the request as it was asked (400): `param` names the
    /// parameter, `code` says why (`amount_too_large`, `charge_already_refunded`…).
    #[error("{request}: invalid request{}: {message}", param.as_deref().map(|p| format!(" ({p})")).unwrap_or_default())]
    InvalidRequest {
        error_type: Option<ErrorType>,
        code: Option<String>,
        param: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// The key is missing, malformed, unknown, rolled or revoked (401).
    #[error("{request}: authentication failed: {message}")]
    Authentication {
        error_type: Option<ErrorType>,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// A restricted key lacks a permission (403); `permission` is Stripe's
    /// name for it, e.g. `rak_refund_write`.
    #[error("{request}: the key lacks the permission {}", permission.as_deref().unwrap_or("needed"))]
    Permission {
        error_type: Option<ErrorType>,
        code: Option<String>,
        permission: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// The object does not exist (404; `code` is `resource_missing`).
    #[error("{request}: not found: {message}")]
    NotFound {
        error_type: Option<ErrorType>,
        code: Option<String>,
        param: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// Too many requests (429: `rate_limit`, or `lock_timeout` for one
    /// object), still after waiting and retrying.
    #[error("{request}: Stripe asked to slow down: {message}")]
    RateLimited {
        error_type: Option<ErrorType>,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// The idempotency key was used before with other parameters (Stripe's
    /// type `idempotency_error`).
    #[error("{request}: idempotency key reused with other parameters: {message}")]
    IdempotencyMismatch {
        error_type: Option<ErrorType>,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// Stripe answered with an error of its own (5xx) to a read, or to a
    /// request that changes nothing.
    #[error("{request}: Stripe answered HTTP {status}: {message}")]
    Api {
        status: u16,
        message: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// A write may or may not have happened: the connection failed or timed
    /// out, or Stripe answered 5xx, and retries did not settle it. Retrying
    /// with the same idempotency key, or looking the object up by its
    /// `till_operation_id`, tells which.
    #[error("{request}: the outcome is unknown: {reason}")]
    OutcomeUnknown {
        reason: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },

    /// A read could not reach Stripe (connection refused, timeout, DNS).
    #[error("{request}: network: {reason}")]
    Network { reason: String, request: String },

    /// A live key was about to be sent to a host that is neither Stripe nor
    /// loopback. Nothing was sent.
    #[error("a live key is only ever sent to api.stripe.com or to this computer, not to {host}")]
    LiveKeyRefused { host: String },

    #[error("the Stripe API address {url} is not usable: {reason}")]
    BadEndpoint { url: String, reason: String },

    #[error(transparent)]
    BadKey(#[from] KeyError),

    /// Stripe's answer did not have the expected shape.
    #[error("{request}: unexpected answer from Stripe: {reason}")]
    Decode {
        reason: String,
        request_id: Option<String>,
        /// The request that failed, method and path: `GET /v1/account`.
        request: String,
    },
}

impl StripeError {
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Card { request_id, .. }
            | Self::InvalidRequest { request_id, .. }
            | Self::Authentication { request_id, .. }
            | Self::Permission { request_id, .. }
            | Self::NotFound { request_id, .. }
            | Self::RateLimited { request_id, .. }
            | Self::IdempotencyMismatch { request_id, .. }
            | Self::Api { request_id, .. }
            | Self::OutcomeUnknown { request_id, .. }
            | Self::Decode { request_id, .. } => request_id.as_deref(),
            Self::Network { .. }
            | Self::LiveKeyRefused { .. }
            | Self::BadEndpoint { .. }
            | Self::BadKey(_) => None,
        }
    }

    /// The request that failed (`GET /v1/account`), when one was sent. It
    /// never carries the key.
    pub fn request(&self) -> Option<&str> {
        match self {
            Self::Card { request, .. }
            | Self::InvalidRequest { request, .. }
            | Self::Authentication { request, .. }
            | Self::Permission { request, .. }
            | Self::NotFound { request, .. }
            | Self::RateLimited { request, .. }
            | Self::IdempotencyMismatch { request, .. }
            | Self::Api { request, .. }
            | Self::OutcomeUnknown { request, .. }
            | Self::Network { request, .. }
            | Self::Decode { request, .. } => Some(request),
            Self::LiveKeyRefused { .. } | Self::BadEndpoint { .. } | Self::BadKey(_) => None,
        }
    }

    /// Stripe's error `code`, when it gave one.
    pub fn code(&self) -> Option<&str> {
        self.refusal().and_then(|r| r.code)
    }

    /// Stripe's own account of a refusal (an error answer other than a 5xx),
    /// as it came: its `type`, `code`, `decline_code`, `param` and `message`.
    /// `None` when Stripe did not refuse: unreachable, a 5xx, an unknown
    /// outcome, an answer of the wrong shape, or a request never sent.
    pub fn refusal(&self) -> Option<Refusal<'_>> {
        let (error_type, code, decline_code, param, message, request_id) = match self {
            Self::Card {
                error_type,
                code,
                decline_code,
                param,
                message,
                request_id,
                ..
            } => (
                error_type,
                Some(code.as_str()),
                decline_code.as_deref(),
                param.as_deref(),
                message,
                request_id,
            ),
            Self::InvalidRequest {
                error_type,
                code,
                param,
                message,
                request_id,
                ..
            }
            | Self::NotFound {
                error_type,
                code,
                param,
                message,
                request_id,
                ..
            } => (
                error_type,
                code.as_deref(),
                None,
                param.as_deref(),
                message,
                request_id,
            ),
            Self::Authentication {
                error_type,
                code,
                message,
                request_id,
                ..
            }
            | Self::Permission {
                error_type,
                code,
                message,
                request_id,
                ..
            }
            | Self::RateLimited {
                error_type,
                code,
                message,
                request_id,
                ..
            }
            | Self::IdempotencyMismatch {
                error_type,
                code,
                message,
                request_id,
                ..
            } => (error_type, code.as_deref(), None, None, message, request_id),
            Self::Api { .. }
            | Self::OutcomeUnknown { .. }
            | Self::Network { .. }
            | Self::LiveKeyRefused { .. }
            | Self::BadEndpoint { .. }
            | Self::BadKey(_)
            | Self::Decode { .. } => return None,
        };
        Some(Refusal {
            error_type: *error_type,
            code,
            decline_code,
            param,
            message,
            request_id: request_id.as_deref(),
        })
    }
}

/// Stripe's error `type`, one of four (API reference, Errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    ApiError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
}

impl ErrorType {
    /// Stripe's word for it, `None` for a type this client does not know.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "api_error" => Self::ApiError,
            "card_error" => Self::CardError,
            "idempotency_error" => Self::IdempotencyError,
            "invalid_request_error" => Self::InvalidRequestError,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiError => "api_error",
            Self::CardError => "card_error",
            Self::IdempotencyError => "idempotency_error",
            Self::InvalidRequestError => "invalid_request_error",
        }
    }
}

/// What Stripe said when it refused a request, whichever variant carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal<'a> {
    /// Stripe's error `type`, when it gave one this client knows.
    pub error_type: Option<ErrorType>,
    pub code: Option<&'a str>,
    pub decline_code: Option<&'a str>,
    pub param: Option<&'a str>,
    pub message: &'a str,
    pub request_id: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Debug, Deserialize)]
struct Body {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    param: Option<String>,
    message: Option<String>,
}

/// The permission a 403's message names: `… Having the 'rak_x_write' permission …`.
fn permission_in(message: &str) -> Option<String> {
    let start = message.find("'rak_")? + 1;
    let end = message[start..].find('\'')? + start;
    Some(message[start..end].to_owned())
}

/// Maps one error answer to its variant. `write` says whether the request
/// could have changed something, which decides what a 5xx means.
pub(crate) fn from_answer(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    write: bool,
    request: &str,
) -> StripeError {
    let request = request.to_owned();
    let parsed = serde_json::from_slice::<Envelope>(body)
        .ok()
        .map(|e| e.error);
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.clone())
        .unwrap_or_else(|| format!("HTTP {status} with no error message"));
    let error_type = parsed
        .as_ref()
        .and_then(|b| b.kind.as_deref())
        .and_then(ErrorType::parse);
    let code = parsed.as_ref().and_then(|b| b.code.clone());
    let param = parsed.as_ref().and_then(|b| b.param.clone());
    match (status, error_type) {
        (_, Some(ErrorType::CardError)) | (402, _) => StripeError::Card {
            error_type,
            code: code.unwrap_or_else(|| "card_declined".to_owned()),
            decline_code: parsed.and_then(|b| b.decline_code),
            param,
            message,
            request_id,
            request,
        },
        (_, Some(ErrorType::IdempotencyError)) => StripeError::IdempotencyMismatch {
            error_type,
            code,
            message,
            request_id,
            request,
        },
        (401, _) => StripeError::Authentication {
            error_type,
            code,
            message,
            request_id,
            request,
        },
        (403, _) => StripeError::Permission {
            error_type,
            code,
            permission: permission_in(&message),
            message,
            request_id,
            request,
        },
        (404, _) => StripeError::NotFound {
            error_type,
            code,
            param,
            message,
            request_id,
            request,
        },
        (429, _) => StripeError::RateLimited {
            error_type,
            code,
            message,
            request_id,
            request,
        },
        (500..=599, _) if write => StripeError::OutcomeUnknown {
            reason: format!("Stripe answered HTTP {status}: {message}"),
            request_id,
            request,
        },
        (500..=599, _) => StripeError::Api {
            status,
            message,
            request_id,
            request,
        },
        _ => StripeError::InvalidRequest {
            error_type,
            code,
            param,
            message,
            request_id,
            request,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_is_read_from_stripes_message() {
        let body = br#"{"error":{"type":"invalid_request_error","message":"The provided key 'rk_test_***1234' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_refund_write' permission would allow this request to continue."}}"#;
        let err = from_answer(403, body, Some("req_1".into()), true, "POST /v1/test");
        let StripeError::Permission {
            permission,
            request_id,
            ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(permission.as_deref(), Some("rak_refund_write"));
        assert_eq!(request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn every_refusal_keeps_stripes_type_code_decline_code_and_param() {
        let body = br#"{"error":{"type":"card_error","code":"incorrect_cvc","decline_code":"incorrect_cvc","param":"cvc","message":"Your card's security code is incorrect."}}"#;
        let err = from_answer(402, body, Some("req_c".into()), true, "POST /v1/test");
        assert!(matches!(err, StripeError::Card { .. }), "{err:?}");
        assert_eq!(
            err.refusal(),
            Some(Refusal {
                error_type: Some(ErrorType::CardError),
                code: Some("incorrect_cvc"),
                decline_code: Some("incorrect_cvc"),
                param: Some("cvc"),
                message: "Your card's security code is incorrect.",
                request_id: Some("req_c"),
            })
        );

        let body = br#"{"error":{"type":"invalid_request_error","code":"charge_disputed","param":"charge","message":"Charge ch_1 has been charged back; cannot issue a refund."}}"#;
        let err = from_answer(400, body, Some("req_d".into()), true, "POST /v1/test");
        assert!(matches!(err, StripeError::InvalidRequest { .. }), "{err:?}");
        let refusal = err.refusal().unwrap();
        assert_eq!(refusal.error_type, Some(ErrorType::InvalidRequestError));
        assert_eq!(refusal.code, Some("charge_disputed"));
        assert_eq!(refusal.param, Some("charge"));
        assert_eq!(err.code(), Some("charge_disputed"));

        let body = br#"{"error":{"type":"invalid_request_error","code":"resource_missing","param":"intent","message":"No such payment_intent: 'pi_1'"}}"#;
        let err = from_answer(404, body, None, false, "POST /v1/test");
        assert!(matches!(err, StripeError::NotFound { .. }), "{err:?}");
        assert_eq!(err.code(), Some("resource_missing"));
        assert_eq!(err.refusal().unwrap().param, Some("intent"));

        let body = br#"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Request rate limit exceeded."}}"#;
        let err = from_answer(429, body, Some("req_r".into()), false, "POST /v1/test");
        assert!(matches!(err, StripeError::RateLimited { .. }), "{err:?}");
        assert_eq!(err.code(), Some("rate_limit"));
        assert_eq!(
            err.refusal().unwrap().message,
            "Request rate limit exceeded."
        );

        let body = br#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#;
        let err = from_answer(400, body, None, true, "POST /v1/test");
        assert!(
            matches!(err, StripeError::IdempotencyMismatch { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.refusal().unwrap().error_type,
            Some(ErrorType::IdempotencyError)
        );

        let body = br#"{"error":{"type":"api_error","message":"boom"}}"#;
        assert_eq!(
            from_answer(500, body, None, true, "POST /v1/test").refusal(),
            None
        );
    }

    #[test]
    fn a_5xx_on_a_write_is_an_unknown_outcome_and_on_a_read_an_api_error() {
        let body = br#"{"error":{"type":"api_error","message":"boom"}}"#;
        assert!(matches!(
            from_answer(500, body, None, true, "POST /v1/test"),
            StripeError::OutcomeUnknown { .. }
        ));
        assert!(matches!(
            from_answer(503, body, None, false, "POST /v1/test"),
            StripeError::Api { status: 503, .. }
        ));
        assert!(matches!(
            from_answer(502, b"<html>", None, false, "POST /v1/test"),
            StripeError::Api { .. }
        ));
    }
}

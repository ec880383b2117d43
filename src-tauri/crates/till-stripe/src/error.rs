//! Errors the core (and through it the UI) can branch on. Each carries
//! Stripe's request id when there was an answer.

use serde::Deserialize;

use crate::key::KeyError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StripeError {
    /// The card was declined or could not be charged.
    #[error("card error ({code}{}): {message}", decline_code.as_deref().map(|d| format!(", {d}")).unwrap_or_default())]
    Card {
        code: String,
        decline_code: Option<String>,
        message: String,
        request_id: Option<String>,
    },

    /// Stripe refused the request as it was asked (400): `param` names the
    /// parameter, `code` says why (`amount_too_large`, `charge_already_refunded`…).
    #[error("invalid request{}: {message}", param.as_deref().map(|p| format!(" ({p})")).unwrap_or_default())]
    InvalidRequest {
        code: Option<String>,
        param: Option<String>,
        message: String,
        request_id: Option<String>,
    },

    /// The key is missing, malformed, unknown, rolled or revoked (401).
    #[error("authentication failed: {message}")]
    Authentication {
        message: String,
        request_id: Option<String>,
    },

    /// A restricted key lacks a permission (403); `permission` is Stripe's
    /// name for it, e.g. `rak_refund_write`.
    #[error("the key lacks the permission {}", permission.as_deref().unwrap_or("needed"))]
    Permission {
        permission: Option<String>,
        message: String,
        request_id: Option<String>,
    },

    /// The object does not exist (404).
    #[error("not found: {message}")]
    NotFound {
        param: Option<String>,
        message: String,
        request_id: Option<String>,
    },

    /// Too many requests, still after waiting and retrying.
    #[error("rate limited by Stripe")]
    RateLimited { request_id: Option<String> },

    /// The idempotency key was used before with other parameters.
    #[error("idempotency key reused with other parameters: {message}")]
    IdempotencyMismatch {
        message: String,
        request_id: Option<String>,
    },

    /// Stripe answered with an error of its own (5xx) to a read, or to a
    /// request that changes nothing.
    #[error("Stripe API error (HTTP {status}): {message}")]
    Api {
        status: u16,
        message: String,
        request_id: Option<String>,
    },

    /// A write may or may not have happened: the connection failed or timed
    /// out, or Stripe answered 5xx, and retries did not settle it. Retrying
    /// with the same idempotency key, or looking the object up by its
    /// `till_operation_id`, tells which.
    #[error("the outcome is unknown: {reason}")]
    OutcomeUnknown {
        reason: String,
        request_id: Option<String>,
    },

    /// A read could not reach Stripe (connection refused, timeout, DNS).
    #[error("network: {reason}")]
    Network { reason: String },

    /// A live key was about to be sent to a host that is neither Stripe nor
    /// loopback. Nothing was sent.
    #[error("a live key is only ever sent to api.stripe.com or to this computer, not to {host}")]
    LiveKeyRefused { host: String },

    #[error("the Stripe API address {url} is not usable: {reason}")]
    BadEndpoint { url: String, reason: String },

    #[error(transparent)]
    BadKey(#[from] KeyError),

    /// Stripe's answer did not have the expected shape.
    #[error("unexpected answer from Stripe: {reason}")]
    Decode {
        reason: String,
        request_id: Option<String>,
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
            | Self::RateLimited { request_id }
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

    /// Stripe's error `code`, when it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Card { code, .. } => Some(code),
            Self::InvalidRequest { code, .. } => code.as_deref(),
            _ => None,
        }
    }
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
) -> StripeError {
    let parsed = serde_json::from_slice::<Envelope>(body)
        .ok()
        .map(|e| e.error);
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.clone())
        .unwrap_or_else(|| format!("HTTP {status} with no error message"));
    let kind = parsed
        .as_ref()
        .and_then(|b| b.kind.clone())
        .unwrap_or_default();
    let code = parsed.as_ref().and_then(|b| b.code.clone());
    let param = parsed.as_ref().and_then(|b| b.param.clone());
    match (status, kind.as_str()) {
        (_, "card_error") | (402, _) => StripeError::Card {
            code: code.unwrap_or_else(|| "card_declined".to_owned()),
            decline_code: parsed.and_then(|b| b.decline_code),
            message,
            request_id,
        },
        (_, "idempotency_error") => StripeError::IdempotencyMismatch {
            message,
            request_id,
        },
        (401, _) => StripeError::Authentication {
            message,
            request_id,
        },
        (403, _) => StripeError::Permission {
            permission: permission_in(&message),
            message,
            request_id,
        },
        (404, _) => StripeError::NotFound {
            param,
            message,
            request_id,
        },
        (429, _) => StripeError::RateLimited { request_id },
        (500..=599, _) if write => StripeError::OutcomeUnknown {
            reason: format!("Stripe answered HTTP {status}: {message}"),
            request_id,
        },
        (500..=599, _) => StripeError::Api {
            status,
            message,
            request_id,
        },
        _ => StripeError::InvalidRequest {
            code,
            param,
            message,
            request_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_is_read_from_stripes_message() {
        let body = br#"{"error":{"type":"invalid_request_error","message":"The provided key 'rk_test_***1234' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_refund_write' permission would allow this request to continue."}}"#;
        let err = from_answer(403, body, Some("req_1".into()), true);
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
    fn a_5xx_on_a_write_is_an_unknown_outcome_and_on_a_read_an_api_error() {
        let body = br#"{"error":{"type":"api_error","message":"boom"}}"#;
        assert!(matches!(
            from_answer(500, body, None, true),
            StripeError::OutcomeUnknown { .. }
        ));
        assert!(matches!(
            from_answer(503, body, None, false),
            StripeError::Api { status: 503, .. }
        ));
        assert!(matches!(
            from_answer(502, b"<html>", None, false),
            StripeError::Api { .. }
        ));
    }
}

//! Errors in Stripe's shape: `{"error": {"type", "code", "param", "message",
//! "decline_code"}}` with Stripe's HTTP statuses.

use serde_json::{Value, json};

/// Boxed: errors travel through every handler's `Result`, which stays small.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(Box<ErrorBody>);

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorBody {
    pub status: u16,
    pub kind: &'static str,
    pub code: Option<String>,
    pub param: Option<String>,
    pub message: String,
    pub decline_code: Option<String>,
    /// Extra fields (e.g. `payment_intent` on a card error).
    pub extra: Vec<(&'static str, Value)>,
    /// Set as `Stripe-Should-Retry`.
    pub should_retry: Option<bool>,
}

impl std::ops::Deref for ApiError {
    type Target = ErrorBody;
    fn deref(&self) -> &ErrorBody {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ErrorBody {
        &mut self.0
    }
}

impl ApiError {
    fn new(status: u16, kind: &'static str, message: String) -> Self {
        Self(Box::new(ErrorBody {
            status,
            kind,
            code: None,
            param: None,
            message,
            decline_code: None,
            extra: Vec::new(),
            should_retry: None,
        }))
    }

    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_owned());
        self
    }

    pub fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    pub fn with_extra(mut self, key: &'static str, value: Value) -> Self {
        self.extra.push((key, value));
        self
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request_error", message.into())
    }

    pub fn invalid_param(param: &str, message: String) -> Self {
        Self::invalid_request(message)
            .with_code("parameter_invalid")
            .with_param(param)
    }

    pub fn unknown_param(param: &str) -> Self {
        Self::invalid_request(format!("Received unknown parameter: {param}"))
            .with_code("parameter_unknown")
            .with_param(param)
    }

    pub fn missing_param(param: &str) -> Self {
        Self::invalid_request(format!("Missing required param: {param}."))
            .with_code("parameter_missing")
            .with_param(param)
    }

    pub fn invalid_integer(param: &str, value: &str) -> Self {
        Self::invalid_request(format!("Invalid integer: {value}"))
            .with_code("parameter_invalid_integer")
            .with_param(param)
    }

    /// `No such payment_intent: 'pi_123'`, naming the path parameter.
    pub fn no_such(object: &str, id: &str, param: &str) -> Self {
        let mut err = Self::new(
            404,
            "invalid_request_error",
            format!("No such {object}: '{id}'"),
        );
        err.code = Some("resource_missing".to_owned());
        err.param = Some(param.to_owned());
        err
    }

    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        Self::new(
            404,
            "invalid_request_error",
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
        )
    }

    pub fn unexpected_state(message: String) -> Self {
        Self::invalid_request(message).with_code("payment_intent_unexpected_state")
    }

    pub fn authentication(message: impl Into<String>) -> Self {
        Self::new(401, "invalid_request_error", message.into())
    }

    /// A restricted key lacks `permission` (e.g. `rak_refund_write`).
    pub fn permission(redacted_key: &str, account: &str, permission: &str) -> Self {
        Self::new(
            403,
            "invalid_request_error",
            format!(
                "The provided key '{redacted_key}' does not have the required permissions for this endpoint on account '{account}'. Having the '{permission}' permission would allow this request to continue."
            ),
        )
    }

    pub fn rate_limited() -> Self {
        Self::new(
            429,
            "invalid_request_error",
            "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.".to_owned(),
        )
        .with_code("rate_limit")
    }

    pub fn lock_timeout() -> Self {
        let mut err = Self::new(
            429,
            "invalid_request_error",
            "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.".to_owned(),
        )
        .with_code("lock_timeout");
        err.should_retry = Some(true);
        err
    }

    pub fn server_error(status: u16) -> Self {
        let mut err = Self::new(
            status,
            "api_error",
            "An unknown error occurred on Stripe's end.".to_owned(),
        );
        err.should_retry = Some(true);
        err
    }

    pub fn idempotency_mismatch(key: &str) -> Self {
        let mut err = Self::new(
            400,
            "idempotency_error",
            format!(
                "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
            ),
        );
        err.should_retry = Some(false);
        err
    }

    pub fn idempotency_in_use(key: &str) -> Self {
        let mut err = Self::new(
            409,
            "invalid_request_error",
            format!("There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {key}. Please try again later."),
        )
        .with_code("idempotency_key_in_use");
        err.should_retry = Some(true);
        err
    }

    pub fn card_declined(code: &str, decline_code: &str, message: &str) -> Self {
        let mut err = Self::new(402, "card_error", message.to_owned()).with_code(code);
        err.decline_code = Some(decline_code.to_owned());
        err
    }

    pub fn body(&self) -> Value {
        let mut error = json!({ "type": self.kind, "message": self.message });
        if let Some(code) = &self.code {
            error["code"] = json!(code);
            error["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            ));
        }
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        if let Some(decline) = &self.decline_code {
            error["decline_code"] = json!(decline);
        }
        for (key, value) in &self.extra {
            error[*key] = value.clone();
        }
        json!({ "error": error })
    }
}

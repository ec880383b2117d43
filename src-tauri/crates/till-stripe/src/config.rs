//! Where the client sends requests, and which API version it speaks.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use crate::error::StripeError;
use crate::key::{ApiKey, KeyMode};

/// The one pinned API version: the version of the spec in
/// `shared/stripe-openapi` that the models and the contract tests follow.
pub const API_VERSION: &str = "2023-08-16";

/// Stripe's own API.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com";

/// Points the whole app at any Stripe-compatible server (the simulator,
/// stripe-mock). A live key still only ever goes to Stripe or to loopback.
pub const BASE_ENV: &str = "TILL_STRIPE_API_BASE";

pub const USER_AGENT: &str = concat!(
    "Till/",
    env!("CARGO_PKG_VERSION"),
    " (desktop; +https://till.dev)"
);

/// A base URL the client may talk to, with what is known about its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
    host: String,
    loopback: bool,
    stripe: bool,
}

impl Endpoint {
    pub fn stripe() -> Self {
        Self {
            base: STRIPE_API_BASE.to_owned(),
            host: "api.stripe.com".to_owned(),
            loopback: false,
            stripe: true,
        }
    }

    /// `TILL_STRIPE_API_BASE` if set, else Stripe.
    pub fn from_env() -> Result<Self, StripeError> {
        match std::env::var(BASE_ENV) {
            Ok(value) if !value.trim().is_empty() => Self::parse(value.trim()),
            _ => Ok(Self::stripe()),
        }
    }

    pub fn parse(base: &str) -> Result<Self, StripeError> {
        let bad = |why: &str| StripeError::BadEndpoint {
            url: base.to_owned(),
            reason: why.to_owned(),
        };
        let url = Url::parse(base).map_err(|err| bad(&err.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("only http and https are supported"));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(bad("a base URL has no query, fragment or credentials"));
        }
        let host = url.host_str().ok_or_else(|| bad("no host"))?.to_owned();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = bare.eq_ignore_ascii_case("localhost")
            || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        let stripe = url.scheme() == "https" && host == "api.stripe.com" && url.port().is_none();
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            host,
            loopback,
            stripe,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// A live key is only ever sent to Stripe's own API host or to loopback.
    pub fn check_key(&self, key: &ApiKey) -> Result<(), StripeError> {
        if key.mode() == KeyMode::Live && !self.stripe && !self.loopback {
            return Err(StripeError::LiveKeyRefused {
                host: self.host.clone(),
            });
        }
        Ok(())
    }
}

/// Timeouts and retry budget.
#[derive(Debug, Clone)]
pub struct Timeouts {
    pub connect: Duration,
    /// For the whole of one attempt, headers and body.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        // Stripe's SDKs wait 80 s for an answer; connecting should be quick.
        Self {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(80),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> ApiKey {
        ApiKey::parse("sk_live_abcdefgh1234").unwrap()
    }

    #[test]
    fn a_live_key_goes_only_to_stripe_or_loopback() {
        for ok in [
            "https://api.stripe.com",
            "http://127.0.0.1:12111",
            "http://localhost:8080/",
            "http://[::1]:9000",
            "http://127.9.9.9",
        ] {
            assert!(
                Endpoint::parse(ok).unwrap().check_key(&live()).is_ok(),
                "{ok}"
            );
        }
        for refused in [
            "https://stripe-mirror.example",
            "http://api.stripe.com",
            "https://api.stripe.com:8443",
            "https://api.stripe.com.evil.example",
            "http://10.0.0.5:80",
            "http://192.168.1.2",
        ] {
            let err = Endpoint::parse(refused)
                .unwrap()
                .check_key(&live())
                .unwrap_err();
            assert!(
                matches!(err, StripeError::LiveKeyRefused { .. }),
                "{refused}: {err:?}"
            );
        }
        let test_key = ApiKey::parse("sk_test_abcdefgh1234").unwrap();
        assert!(
            Endpoint::parse("https://stripe-mirror.example")
                .unwrap()
                .check_key(&test_key)
                .is_ok()
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in [
            "ftp://api.stripe.com",
            "not a url",
            "https://user:pw@api.stripe.com",
            "https://api.stripe.com/?x=1",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}

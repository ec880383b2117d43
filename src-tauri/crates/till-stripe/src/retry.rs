//! When to try again, and how long to wait: as Stripe's own SDKs do.

use std::time::Duration;

use reqwest::StatusCode;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (Stripe's SDKs default to 2).
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    /// Waits for the shared rate limit after a limiter 429, on top of
    /// `max_retries`: those requests were never processed.
    pub max_rate_limited_waits: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            max_rate_limited_waits: 6,
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff, capped, with jitter: half the delay plus a
    /// random part of the other half, so that clients don't retry in step.
    pub fn delay(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let exponential = self
            .initial_delay
            .saturating_mul(2u32.saturating_pow(retry.min(16)));
        let capped = exponential.min(self.max_delay);
        capped.mul_f64(0.5 + rng.f64() * 0.5)
    }
}

/// What one answer means for the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Done,
    Retry,
    /// A 429 from Stripe's rate limiter: slow the shared limiter, then retry.
    RateLimited,
}

/// Stripe's rules: `Stripe-Should-Retry` decides when present; otherwise
/// retry any 409, a 429 `lock_timeout`, and every 5xx.
pub fn verdict(
    status: StatusCode,
    should_retry: Option<bool>,
    limited_reason: bool,
    code: Option<&str>,
) -> Verdict {
    if status.is_success() {
        return Verdict::Done;
    }
    if status == StatusCode::TOO_MANY_REQUESTS
        && (limited_reason || code == Some("rate_limit"))
        && should_retry != Some(false)
    {
        return Verdict::RateLimited;
    }
    match should_retry {
        Some(true) => return Verdict::Retry,
        Some(false) => return Verdict::Done,
        None => {}
    }
    if status == StatusCode::CONFLICT
        || (status == StatusCode::TOO_MANY_REQUESTS && code == Some("lock_timeout"))
        || status.is_server_error()
    {
        Verdict::Retry
    } else {
        Verdict::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_the_cap_with_jitter() {
        let policy = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 0..8 {
            let delay = policy.delay(retry, &mut rng);
            let full = Duration::from_millis(500 * 2u64.pow(retry)).min(Duration::from_secs(5));
            assert!(
                delay >= full / 2 && delay <= full,
                "retry {retry}: {delay:?}"
            );
        }
    }

    #[test]
    fn stripes_retry_rules() {
        use Verdict::*;
        assert_eq!(
            verdict(
                StatusCode::CONFLICT,
                None,
                false,
                Some("idempotency_key_in_use")
            ),
            Retry
        );
        assert_eq!(
            verdict(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                false,
                Some("lock_timeout")
            ),
            Retry
        );
        assert_eq!(
            verdict(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                true,
                Some("rate_limit")
            ),
            RateLimited
        );
        assert_eq!(
            verdict(StatusCode::SERVICE_UNAVAILABLE, None, false, None),
            Retry
        );
        assert_eq!(
            verdict(StatusCode::INTERNAL_SERVER_ERROR, Some(false), false, None),
            Done
        );
        assert_eq!(
            verdict(StatusCode::BAD_REQUEST, Some(true), false, None),
            Retry
        );
        assert_eq!(
            verdict(
                StatusCode::BAD_REQUEST,
                None,
                false,
                Some("amount_too_large")
            ),
            Done
        );
        assert_eq!(
            verdict(
                StatusCode::PAYMENT_REQUIRED,
                None,
                false,
                Some("card_declined")
            ),
            Done
        );
    }
}

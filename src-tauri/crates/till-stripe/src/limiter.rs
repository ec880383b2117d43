//! One token bucket per account, shared by every caller (sync, actions,
//! the UI), kept under Stripe's limit so the merchant's own checkout
//! traffic keeps headroom. A 429 from Stripe halves the rate and pauses;
//! successes win the rate back slowly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::Clock;
use crate::key::KeyMode;

#[derive(Debug)]
struct Bucket {
    rate: f64,
    ceiling: f64,
    tokens: f64,
    last: Duration,
    paused_until: Duration,
}

#[derive(Debug)]
pub struct RateLimiter {
    bucket: Mutex<Bucket>,
    clock: Arc<dyn Clock>,
}

impl RateLimiter {
    /// Requests per second by default: under Stripe's 25 (test) and 100 (live).
    pub fn default_rate(mode: KeyMode) -> f64 {
        match mode {
            KeyMode::Test => 20.0,
            KeyMode::Live => 80.0,
        }
    }

    pub fn new(rate: f64, clock: Arc<dyn Clock>) -> Self {
        let rate = rate.max(0.1);
        let now = clock.now();
        Self {
            bucket: Mutex::new(Bucket {
                rate,
                ceiling: rate,
                tokens: rate.min(rate.max(1.0)),
                last: now,
                paused_until: now,
            }),
            clock,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Bucket, Duration) -> T) -> T {
        let now = self.clock.now();
        let mut bucket = self
            .bucket
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let elapsed = now.saturating_sub(bucket.last).as_secs_f64();
        // A burst of at most one second's worth.
        bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(bucket.rate.max(1.0));
        bucket.last = now;
        f(&mut bucket, now)
    }

    /// Waits for a token.
    pub async fn acquire(&self) {
        loop {
            let wait = self.with(|bucket, now| {
                if now < bucket.paused_until {
                    return Some(bucket.paused_until - now);
                }
                if bucket.tokens >= 1.0 {
                    bucket.tokens -= 1.0;
                    return None;
                }
                Some(Duration::from_secs_f64((1.0 - bucket.tokens) / bucket.rate))
            });
            match wait {
                None => return,
                Some(wait) => self.clock.sleep(wait).await,
            }
        }
    }

    /// Stripe said 429: halve the rate and pause everyone for a second.
    pub fn slow_down(&self) {
        self.with(|bucket, now| {
            bucket.rate = (bucket.rate / 2.0).max(1.0);
            bucket.tokens = 0.0;
            bucket.paused_until = now + Duration::from_secs(1);
        });
        tracing::info!(rate = self.rate(), "Stripe rate-limited us; slowing down");
    }

    /// A request went through: win back a little of the rate.
    pub fn recovered(&self) {
        self.with(|bucket, _| {
            bucket.rate = (bucket.rate + bucket.ceiling / 50.0).min(bucket.ceiling);
        });
    }

    pub fn rate(&self) -> f64 {
        self.with(|bucket, _| bucket.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn it_holds_the_rate_after_a_one_second_burst() {
        let clock = Arc::new(VirtualClock::default());
        let limiter = RateLimiter::new(20.0, clock.clone());
        block_on(async {
            for _ in 0..120 {
                limiter.acquire().await;
            }
        });
        let elapsed = clock.now().as_secs_f64();
        assert!(
            (4.9..=5.1).contains(&elapsed),
            "120 requests at 20/s after a 20-request burst: {elapsed}s"
        );
    }

    #[test]
    fn a_429_halves_the_rate_and_pauses_then_it_recovers() {
        let clock = Arc::new(VirtualClock::default());
        let limiter = RateLimiter::new(20.0, clock.clone());
        limiter.slow_down();
        assert_eq!(limiter.rate(), 10.0);
        let before = clock.now();
        block_on(limiter.acquire());
        assert!(clock.now() - before >= Duration::from_secs(1), "paused");
        for _ in 0..100 {
            limiter.recovered();
        }
        assert_eq!(limiter.rate(), 20.0);
    }
}

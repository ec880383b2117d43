//! Time, injectable: the client waits through a [`Clock`], so tests run
//! backoff and rate limits on virtual time instead of sleeping.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Time since an arbitrary start.
    fn now(&self) -> Duration;
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// Real time, with Tokio's timer.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Virtual time for tests: sleeping returns at once and moves the clock on;
/// every wait is recorded.
#[derive(Debug, Default)]
pub struct VirtualClock {
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl VirtualClock {
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut state) = self.state.lock() {
            state.0 += by;
        }
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.state.lock().map(|s| s.0).unwrap_or_default()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        if let Ok(mut state) = self.state.lock() {
            state.0 += duration;
            state.1.push(duration);
        }
        Box::pin(std::future::ready(()))
    }
}

//! The end-to-end harness: the real Till binary under its own Xvfb, driven by
//! tauri-driver (WebKitWebDriver) over the WebDriver protocol.
//!
//! Every process it starts runs in a process group of its own whose id is
//! recorded, and the whole group is killed at teardown, whether the scenario
//! passed, failed or panicked. On failure a screenshot, the app's log and the
//! driver's log are saved under `tests/output/<scenario>/`.

mod app;
mod failure;
mod notifications;
mod process;
mod webdriver;

pub use app::{App, ScenarioReport, scenario, scenario_with};
pub use failure::{Failure, Outcome};
pub use notifications::{Notifications, Shown};
pub use process::processes_in_group;
pub use webdriver::{Element, Session};

/// A money text as shown ("$1,234.50", "BHD 1.250") as a number, NaN when
/// it holds none.
pub fn number(text: &str) -> f64 {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.trim_matches('.').parse().unwrap_or(f64::NAN)
}

/// Fails the scenario with a message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::Failure::Assertion(format!($($msg)+)));
        }
    };
}

//! The end-to-end harness: the real Till binary under its own Xvfb, driven by
//! tauri-driver (WebKitWebDriver) over the WebDriver protocol.
//!
//! Every process it starts runs in a process group of its own whose id is
//! recorded, and the whole group is killed at teardown, whether the scenario
//! passed, failed or panicked. On failure a screenshot, the app's log and the
//! driver's log are saved under `tests/output/<scenario>/`.

mod app;
pub mod demo;
mod failure;
mod journey;
mod notifications;
mod process;
mod webdriver;

pub use app::{
    App, ScenarioReport, readme_pictures_dir, scenario, scenario_in, scenario_with, workspace_root,
};
pub use failure::{Failure, Outcome};
pub use journey::Journey;
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

/// Registers a key with a simulator the test runs (`/_sim/keys`): `body`
/// names the key, the account it opens and, for a restricted key, what it
/// may do.
pub fn register_key(base_url: &str, body: &serde_json::Value) -> Outcome<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let reply = agent
        .post(format!("{base_url}/_sim/keys"))
        .send_json(body)
        .map_err(|err| Failure::Assertion(format!("registering the key: {err}")))?;
    ensure!(
        reply.status().as_u16() == 200,
        "registering the key: {}",
        reply.status()
    );
    Ok(())
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

//! The offline demo: a simulator in this process with a café's history,
//! used while no account is saved. Built only with the `demo` feature (the
//! desktop app turns it on; a command line on a server does not). It is
//! reached over HTTP on loopback, exactly like Stripe, and its controls
//! answer only this process (a random token).

use crate::accounts::{Account, Capabilities};
use crate::{Error, Result};

pub const DEMO_ACCOUNT_ID: &str = "demo";

/// Set for a development build's end-to-end tests: the demo simulator's
/// control token, so a test can play the customer who pays a checkout.
/// A release ignores it.
pub const DEMO_TOKEN_ENV: &str = "TILL_DEMO_SIM_TOKEN";

/// Likewise, the port the demo simulator listens on (a development build
/// only), so that a test can read Stripe's side of what the app did.
pub const DEMO_PORT_ENV: &str = "TILL_DEMO_SIM_PORT";

#[derive(Debug)]
pub(super) struct Demo {
    #[cfg(feature = "demo")]
    sim: till_sim::Simulator,
    pub account: Account,
}

/// The demo's controls answer only this process: a random token, or in a
/// development build the one its tests give.
#[cfg(feature = "demo")]
fn control_token() -> String {
    let given = cfg!(debug_assertions)
        .then(|| std::env::var(DEMO_TOKEN_ENV).ok())
        .flatten()
        .filter(|t| !t.is_empty());
    given.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

fn account(added_at: i64) -> Account {
    Account {
        id: DEMO_ACCOUNT_ID.to_owned(),
        display_name: "Demo (offline)".to_owned(),
        livemode: false,
        restricted: false,
        key_last4: String::new(),
        added_at,
        is_demo: true,
        capabilities: Capabilities::ALL,
    }
}

impl Demo {
    /// Starts the demo; `None` in a build without it.
    #[cfg(feature = "demo")]
    pub fn start(now: i64) -> Result<Option<Self>> {
        let port = cfg!(debug_assertions)
            .then(|| std::env::var(DEMO_PORT_ENV).ok()?.parse().ok())
            .flatten()
            .unwrap_or(0);
        let sim = till_sim::Simulator::start(till_sim::SimConfig {
            port,
            history: Some(till_sim::seed::SeedSpec::demo()),
            control_token: Some(control_token()),
            ..till_sim::SimConfig::default()
        })
        .map_err(|err| Error::internal(format!("the demo could not start: {err}")))?;
        tracing::info!(url = %sim.base_url(), "demo account started");
        Ok(Some(Self {
            sim,
            account: account(now),
        }))
    }

    #[cfg(not(feature = "demo"))]
    pub fn start(_now: i64) -> Result<Option<Self>> {
        let _ = account;
        Ok(None)
    }

    /// The demo's key and address.
    #[cfg(feature = "demo")]
    pub fn client(&self) -> Result<till_stripe::StripeClient> {
        let key = till_stripe::ApiKey::parse(self.sim.demo_key()).map_err(Error::internal)?;
        let endpoint = till_stripe::Endpoint::parse(&self.sim.base_url())?;
        Ok(till_stripe::StripeClient::builder(key)
            .endpoint(endpoint)
            .build()?)
    }

    #[cfg(not(feature = "demo"))]
    pub fn client(&self) -> Result<till_stripe::StripeClient> {
        Err(Error::UnknownAccount {
            account_id: DEMO_ACCOUNT_ID.to_owned(),
        })
    }

    /// The simulator's address (for tests).
    #[cfg(feature = "demo")]
    pub fn url(&self) -> String {
        self.sim.base_url()
    }

    #[cfg(not(feature = "demo"))]
    pub fn url(&self) -> String {
        String::new()
    }
}

//! A simulator and a client pointed at it, with virtual time for backoff.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use serde_json::Value;
use till_sim::{SimConfig, Simulator};
use till_stripe::clock::VirtualClock;
use till_stripe::{ApiKey, Endpoint, StripeClient};

pub struct Setup {
    pub sim: Simulator,
    pub client: StripeClient,
    pub clock: Arc<VirtualClock>,
}

pub fn setup() -> Setup {
    setup_with(
        SimConfig {
            rate_limit: 0,
            ..SimConfig::default()
        },
        10_000.0,
    )
}

pub fn setup_with(config: SimConfig, client_rate: f64) -> Setup {
    let sim = Simulator::start(config).unwrap();
    let clock = Arc::new(VirtualClock::default());
    let client = client_for(&sim, sim.demo_key(), clock.clone(), client_rate);
    Setup { sim, client, clock }
}

pub fn client_for(sim: &Simulator, key: &str, clock: Arc<VirtualClock>, rate: f64) -> StripeClient {
    StripeClient::builder(ApiKey::parse(key).unwrap())
        .endpoint(Endpoint::parse(&sim.base_url()).unwrap())
        .clock(clock)
        .rate(rate)
        .seed(11)
        .build()
        .unwrap()
}

/// Calls one of the simulator's controls.
pub fn control(sim: &Simulator, path: &str, body: Value) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut reply = agent
        .post(format!("{}/_sim/{path}", sim.base_url()))
        .send_json(&body)
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    reply.body_mut().read_json().unwrap()
}

//! The app's demo account as Stripe sees it. The demo simulator runs inside
//! the app; a development build takes its control token and its port from
//! the harness (`TILL_DEMO_SIM_TOKEN`, `TILL_DEMO_SIM_PORT`), so that a test
//! can pay a checkout as its customer and read Stripe's side of what the app
//! did (a charge's captured and refunded amounts), not only the screen.

use serde_json::{Value, json};

use crate::{Failure, Outcome, ensure};

/// The token the app's demo simulator takes for its controls (`/_sim/…`),
/// one per test process; the harness sets it for every app it starts.
pub fn token() -> &'static str {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        format!("e2e-{}-{nanos}", std::process::id())
    })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Reads the demo account at the app's demo simulator with a key of the
/// test's own.
#[derive(Debug, Clone)]
pub struct DemoStripe {
    base: String,
    key: String,
}

impl DemoStripe {
    /// Registers a key for the simulator's Demo account through its
    /// controls, with the token.
    pub fn connect(base: &str) -> Outcome<Self> {
        let agent = agent();
        let mut reply = agent
            .get(format!("{base}/_sim/accounts"))
            .header(till_sim::CONTROL_TOKEN_HEADER, token())
            .call()
            .map_err(|err| Failure::Assertion(format!("the demo's accounts: {err}")))?;
        ensure!(
            reply.status().as_u16() == 200,
            "the demo's accounts: {}",
            reply.status()
        );
        let accounts: Value = reply
            .body_mut()
            .read_json()
            .map_err(|err| Failure::Assertion(format!("the demo's accounts: {err}")))?;
        let account = accounts["data"]
            .as_array()
            .and_then(|all| all.iter().find(|a| a["name"] == "Demo"))
            .and_then(|a| a["id"].as_str())
            .ok_or_else(|| Failure::Assertion(format!("no Demo account in {accounts}")))?
            .to_owned();
        let key = format!("sk_test_e2eObserver{}", &token().replace('-', ""));
        let reply = agent
            .post(format!("{base}/_sim/keys"))
            .header(till_sim::CONTROL_TOKEN_HEADER, token())
            .send_json(json!({ "key": key, "account": account }))
            .map_err(|err| Failure::Assertion(format!("a key for the demo: {err}")))?;
        ensure!(
            reply.status().as_u16() == 200,
            "a key for the demo: {}",
            reply.status()
        );
        Ok(Self {
            base: base.to_owned(),
            key,
        })
    }

    /// A Stripe API read (`/v1/…`), as JSON.
    pub fn get(&self, path: &str) -> Outcome<Value> {
        let mut reply = agent()
            .get(format!("{}{path}", self.base))
            .header("Authorization", &format!("Bearer {}", self.key))
            .call()
            .map_err(|err| Failure::Assertion(format!("GET {path}: {err}")))?;
        ensure!(
            reply.status().as_u16() == 200,
            "GET {path}: {}",
            reply.status()
        );
        reply
            .body_mut()
            .read_json()
            .map_err(|err| Failure::Assertion(format!("GET {path}: {err}")))
    }

    /// Switches on the simulator's faults (`POST /_sim/faults`), e.g.
    /// `{"stored_500_next": 1}`: the next change is made and answered 500.
    pub fn faults(&self, faults: &Value) -> Outcome<()> {
        let reply = agent()
            .post(format!("{}/_sim/faults", self.base))
            .header(till_sim::CONTROL_TOKEN_HEADER, token())
            .send_json(faults)
            .map_err(|err| Failure::Assertion(format!("the demo's faults: {err}")))?;
        ensure!(
            reply.status().as_u16() == 200,
            "the demo's faults: {}",
            reply.status()
        );
        Ok(())
    }

    /// The refunds of a PaymentIntent at Stripe, newest first: their
    /// amounts in minor units.
    pub fn refunds_of(&self, payment_id: &str) -> Outcome<Vec<i64>> {
        let list = self.get(&format!(
            "/v1/refunds?payment_intent={payment_id}&limit=100"
        ))?;
        Ok(list["data"]
            .as_array()
            .map(|all| all.iter().filter_map(|r| r["amount"].as_i64()).collect())
            .unwrap_or_default())
    }

    /// The latest charge of a PaymentIntent: what Stripe captured and
    /// refunded, in minor units.
    pub fn charge_of(&self, payment_id: &str) -> Outcome<Charge> {
        let pi = self.get(&format!("/v1/payment_intents/{payment_id}"))?;
        let charge = pi["latest_charge"]
            .as_str()
            .ok_or_else(|| Failure::Assertion(format!("{payment_id} has no charge")))?;
        let charge = self.get(&format!("/v1/charges/{charge}"))?;
        let amount = |field: &str| charge[field].as_i64().unwrap_or(-1);
        Ok(Charge {
            amount: amount("amount"),
            captured: amount("amount_captured"),
            refunded: amount("amount_refunded"),
        })
    }
}

/// A charge's figures at Stripe, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge {
    pub amount: i64,
    pub captured: i64,
    pub refunded: i64,
}

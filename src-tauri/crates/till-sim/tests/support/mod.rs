//! A tiny Stripe client for the simulator's own tests: form bodies, bearer
//! keys, idempotency keys, and the raw status, headers and JSON back.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use serde_json::Value;
use till_sim::{SimConfig, Simulator};

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn ok(self) -> Value {
        assert_eq!(
            self.status, 200,
            "expected 200, got {}: {}",
            self.status, self.body
        );
        self.body
    }

    pub fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }
}

pub struct Api {
    pub sim: Simulator,
    pub base: String,
    pub key: String,
    agent: ureq::Agent,
}

pub fn start() -> Api {
    start_with(SimConfig {
        rate_limit: 0,
        ..SimConfig::default()
    })
}

pub fn start_with(config: SimConfig) -> Api {
    let sim = Simulator::start(config).unwrap();
    let base = sim.base_url();
    let key = sim.demo_key().to_owned();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    Api {
        sim,
        base,
        key,
        agent,
    }
}

impl Api {
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: &str,
        key: Option<&str>,
        idem: Option<&str>,
    ) -> Result<Reply, ureq::Error> {
        let url = format!("{}{path}", self.base);
        let auth = key.map(|k| format!("Bearer {k}"));
        let response = match method {
            "GET" => {
                let url = if body.is_empty() {
                    url
                } else {
                    format!("{url}?{body}")
                };
                let mut req = self.agent.get(&url).header("Stripe-Version", "2023-08-16");
                if let Some(auth) = &auth {
                    req = req.header("Authorization", auth);
                }
                req.call()?
            }
            _ => {
                let mut req = self
                    .agent
                    .post(&url)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Stripe-Version", "2023-08-16");
                if let Some(auth) = &auth {
                    req = req.header("Authorization", auth);
                }
                if let Some(idem) = idem {
                    req = req.header("Idempotency-Key", idem);
                }
                req.send(body.as_bytes())?
            }
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let mut response = response;
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            body,
            headers,
        })
    }

    pub fn post(&self, path: &str, body: &str) -> Reply {
        self.request("POST", path, body, Some(&self.key), None)
            .unwrap()
    }

    pub fn post_idem(&self, path: &str, body: &str, idem: &str) -> Result<Reply, ureq::Error> {
        self.request("POST", path, body, Some(&self.key), Some(idem))
    }

    pub fn get(&self, path: &str, query: &str) -> Reply {
        self.request("GET", path, query, Some(&self.key), None)
            .unwrap()
    }

    /// A control call (JSON in, JSON out).
    pub fn control(&self, path: &str, body: Value) -> Value {
        let mut response = self
            .agent
            .post(format!("{}/_sim/{path}", self.base))
            .send_json(&body)
            .unwrap();
        let status = response.status().as_u16();
        let value: Value = response.body_mut().read_json().unwrap();
        assert_eq!(status, 200, "control {path} failed: {value}");
        value
    }

    /// A manual-capture payment confirmed with a Visa: a hold.
    pub fn hold(&self, amount: i64) -> Value {
        self.post(
            "/v1/payment_intents",
            &format!("amount={amount}&currency=usd&capture_method=manual&payment_method=pm_card_visa&confirm=true"),
        )
        .ok()
    }

    pub fn payment(&self, amount: i64) -> Value {
        self.post(
            "/v1/payment_intents",
            &format!("amount={amount}&currency=usd&payment_method=pm_card_visa&confirm=true"),
        )
        .ok()
    }

    pub fn charge_of(&self, pi: &Value) -> Value {
        self.get(
            &format!("/v1/charges/{}", pi["latest_charge"].as_str().unwrap()),
            "",
        )
        .ok()
    }
}

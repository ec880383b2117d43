//! The `till-sim` binary: prints its base URL and demo key once listening on
//! loopback, serves with them, and refuses bad arguments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_prints_its_url_and_demo_key_and_serves_on_loopback() {
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_till-sim"))
            .args(["--port", "0", "--latency-ms", "1", "--rate-limit", "100"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("till-sim listening on ")
        .expect(&first)
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let second = lines.next().unwrap().unwrap();
    let key = second.strip_prefix("demo key: ").expect(&second).to_owned();
    assert!(key.starts_with("sk_test_"));

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut reply = agent
        .get(format!("{base}/v1/account"))
        .header("Authorization", format!("Bearer {key}"))
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let account: serde_json::Value = reply.body_mut().read_json().unwrap();
    assert_eq!(account["business_profile"]["name"], "Demo");
}

#[test]
fn bad_arguments_exit_with_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_till-sim"))
        .args(["--port", "seventy"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: till-sim"));
}

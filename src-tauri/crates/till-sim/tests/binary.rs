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
fn a_bad_value_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_till-sim"))
        .args(["--port", "seventy"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid value 'seventy' for '--port <N>'"),
        "{stderr}"
    );
    assert!(stderr.contains("try '--help'"), "{stderr}");
}

#[test]
fn help_lists_every_option_with_a_line_of_explanation() {
    let output = Command::new(env!("CARGO_BIN_EXE_till-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8(output.stdout).unwrap();
    for option in [
        "--port",
        "--latency-ms",
        "--rate-limit",
        "--random-seed",
        "--demo",
        "--seed-payments",
        "--history-days",
        "--help",
        "--version",
    ] {
        let line = help
            .lines()
            .find(|line| {
                line.trim_start().starts_with(option) || line.contains(&format!(", {option}"))
            })
            .unwrap_or_else(|| panic!("{option} is not in the help:\n{help}"));
        // The option, perhaps its value's name, then words saying what it does.
        assert!(
            line.split_whitespace().count() >= 4,
            "{option} is not explained: {line:?}"
        );
    }
}

#[test]
fn an_unknown_option_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_till-sim"))
        .arg("--frobnicate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "nothing is served");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unexpected argument '--frobnicate'"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: till-sim"), "{stderr}");
    assert!(
        stderr.contains("--help"),
        "it says where the options are: {stderr}"
    );
}

#[test]
fn the_history_options_seed_the_demo_account() {
    let mut child = Killed(
        Command::new(env!("CARGO_BIN_EXE_till-sim"))
            .args([
                "--port",
                "0",
                "--seed-payments",
                "40",
                "--history-days",
                "5",
                "--random-seed",
                "7",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines: Vec<String> = BufReader::new(child.0.stdout.take().unwrap())
        .lines()
        .take(3)
        .map(Result::unwrap)
        .collect();
    assert!(lines[2].starts_with("seeded 40 payments"), "{lines:?}");

    let output = Command::new(env!("CARGO_BIN_EXE_till-sim"))
        .args(["--history-days", "5"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--demo") && stderr.contains("--seed-payments"),
        "it names what --history-days needs: {stderr}"
    );
}

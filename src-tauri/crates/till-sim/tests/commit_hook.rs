//! The in-process after-commit hook and the slow-request fault: a client
//! that never hears the answer (dropped at the hook, or timed out on a slow
//! request) still finds the change made once, and replayed under its key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use support::start;

#[test]
fn the_after_commit_hook_sees_the_commit_and_can_drop_the_answer() {
    let api = start();
    let pi = api.payment(1000);
    let pi_id = pi["id"].as_str().unwrap().to_owned();
    let (seen, commits) = mpsc::channel();
    api.sim.set_after_commit(move |c| {
        seen.send(c.clone()).unwrap();
        true
    });
    let body = format!("payment_intent={pi_id}&amount=300");
    assert!(
        api.post_idem("/v1/refunds", &body, "hooked-1").is_err(),
        "the answer is never sent"
    );
    let commit = commits.try_recv().unwrap();
    assert_eq!(
        (
            commit.method.as_str(),
            commit.path.as_str(),
            commit.status,
            commit.idempotency_key.as_deref(),
            commit.slow
        ),
        ("POST", "/v1/refunds", 200, Some("hooked-1"), false)
    );
    // Committed: the refund exists, and the key replays it.
    api.sim.clear_after_commit();
    let listed = api
        .get("/v1/refunds", &format!("payment_intent={pi_id}"))
        .ok();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    let replay = api.post_idem("/v1/refunds", &body, "hooked-1").unwrap();
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body["id"], listed["data"][0]["id"]);
    // Reads and refused requests commit nothing: the hook is not called.
    api.sim
        .set_after_commit(|_| panic!("nothing was committed"));
    api.get("/v1/refunds", "").ok();
    let invalid = api
        .post_idem("/v1/refunds", "amount=abc", "hooked-2")
        .unwrap();
    assert_eq!(invalid.status, 400);
}

#[test]
fn a_slow_request_commits_after_its_client_gave_up() {
    let api = start();
    let pi = api.payment(1000);
    let pi_id = pi["id"].as_str().unwrap().to_owned();
    let (seen, commits) = mpsc::channel();
    api.sim.set_after_commit(move |c| {
        let _ = seen.send((c.status, c.slow));
        false
    });
    api.control("faults", json!({ "slow_next": 1, "slow_ms": 400 }));
    let impatient: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(100)))
        .build()
        .into();
    let timed_out = impatient
        .post(format!("{}/v1/refunds", api.base))
        .header("Authorization", &format!("Bearer {}", api.key))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Idempotency-Key", "slow-1")
        .send(format!("payment_intent={pi_id}&amount=250").as_bytes());
    assert!(timed_out.is_err(), "the client timed out");
    // The request carries on without its client and commits once.
    assert_eq!(
        commits.recv_timeout(Duration::from_secs(10)).unwrap(),
        (200, true)
    );
    let body = format!("payment_intent={pi_id}&amount=250");
    let replay = api.post_idem("/v1/refunds", &body, "slow-1").unwrap();
    assert_eq!(replay.status, 200);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let listed = api
        .get("/v1/refunds", &format!("payment_intent={pi_id}"))
        .ok();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "refunded once");
    assert_eq!(api.sim.injected().get("slow"), Some(&1));
}

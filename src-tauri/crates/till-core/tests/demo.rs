//! The shipped demo does not serve the simulator's controls to anyone: any
//! local process could otherwise register keys, inject faults or move the
//! clock. Its hosted payment pages stay open, as Stripe's are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use till_core::{DataDir, Till};
use till_stripe::Endpoint;

fn status(request: ureq::RequestBuilder<ureq::typestate::WithoutBody>) -> u16 {
    request.call().unwrap().status().as_u16()
}

#[test]
fn the_running_demo_refuses_its_controls_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = DataDir::at(dir.path().join("data")).unwrap();
    // No account saved: the demo starts.
    let till = Till::open_with(data_dir, Endpoint::parse("http://127.0.0.1:9").unwrap()).unwrap();
    let url = till.demo_url().expect("the demo runs");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for path in ["/_sim/faults", "/_sim/clock", "/_sim/accounts"] {
        let got = status(agent.get(format!("{url}{path}")));
        assert!(matches!(got, 401 | 404), "{path} without the token: {got}");
        let got = status(
            agent
                .get(format!("{url}{path}"))
                .header(till_sim::CONTROL_TOKEN_HEADER, "a-guess"),
        );
        assert!(matches!(got, 401 | 404), "{path} with a wrong token: {got}");
    }
    let posted = agent
        .post(format!("{url}/_sim/keys"))
        .send_json(serde_json::json!({ "key": "sk_test_planted0000000000000000" }))
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(posted, 401, "no key can be planted");
    // The customer's page is not a control.
    assert_eq!(status(agent.get(format!("{url}/pay/cs_test_nope"))), 200);
}

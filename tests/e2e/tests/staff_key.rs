//! A front-desk laptop with a restricted key that may write PaymentIntents
//! only: in the real app, capturing a hold is enabled, refunding is off and
//! says why, and creating checkouts is off too. The key opens an account of
//! a simulator this test runs; the app reaches it over HTTP, as Stripe.

use serde_json::json;
use till_e2e::{Outcome, ensure, scenario_with};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};

const STAFF_KEY: &str = "rk_test_frontdeskstaffe2e01";

#[test]
fn a_payment_intents_only_key_captures_but_cannot_refund() -> Outcome {
    let sim = Simulator::start(SimConfig {
        seed: 11,
        history: Some(SeedSpec {
            payments: 60,
            days: 4,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .map_err(|err| till_e2e::Failure::Assertion(format!("simulator: {err}")))?;
    till_e2e::register_key(
        &sim.base_url(),
        &json!({ "key": STAFF_KEY, "same_account_as": sim.demo_key(), "permissions": { "payment_intent": "write" } }),
    )?;
    let base = sim.base_url();

    scenario_with("staff-key", &[("TILL_STRIPE_API_BASE", base.as_str())], |app| {
        let ui = app.session();
        ui.click(&ui.find("a[data-section='settings']")?)?;
        let input = ui.find("#new-key")?;
        ui.send_keys(&input, STAFF_KEY)?;
        ui.click(&ui.find(".add-account button[type='submit']")?)?;
        ui.wait_for_text("[data-testid='account-list']", |t| t.contains("restricted") || t.contains("Restricted") || t.contains("e2e01"))?;
        // Stripe gave the account no name: it is told apart by its id's end.
        ui.wait_for_text(".account-name", |t| t.starts_with("Stripe account ··"))?;
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;
        app.save_screenshot("account-added")?;

        // Capture is there.
        ui.click(&ui.find("a[data-section='holds']")?)?;
        ui.wait_for_text("[data-testid='holds-count']", |t| t.contains("hold"))?;
        ui.click(&ui.find(".hold-row:first-child .hold-line > button:last-child")?)?;
        ui.wait_until("document.querySelector(\".hold-row:first-child .hold-actions button[type='submit']\") !== null")?;
        let disabled = ui.execute(
            "return document.querySelector(\".hold-row:first-child .hold-actions button[type='submit']\").disabled;",
            json!([]),
        )?;
        ensure!(disabled == json!(false), "capture is enabled for this key");
        app.save_screenshot("capture-enabled")?;

        // Refund is not, and says why.
        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.click(&ui.find("button.chip:nth-child(2)")?)?; // Succeeded
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        ui.click(&ui.find(".table-row:first-child")?)?;
        let why = ui.wait_for_text("[data-testid='refund-disabled']", |t| !t.is_empty())?;
        ensure!(why.contains("restricted key"), "the reason is given: {why}");
        ensure!(
            ui.find_all("[data-testid='refund-form']")?.is_empty(),
            "no refund form for this key"
        );
        let fee = ui.wait_for_text("[data-testid='drawer-fee']", |t| !t.is_empty())?;
        ensure!(fee.contains("restricted key"), "the fee is not claimed pending: {fee}");
        app.save_screenshot("refund-disabled")?;

        // Nor can it create checkouts.
        ui.click(&ui.find("a[data-section='checkouts']")?)?;
        let new = ui.execute("const b = document.querySelector('.toolbar button.primary'); return b ? [b.disabled, b.title] : null;", json!([]))?;
        ensure!(new[0] == json!(true), "New checkout is off: {new}");
        ensure!(new[1].as_str().unwrap_or_default().contains("restricted key"), "and says why: {new}");
        Ok(())
    })
    .outcome()
}

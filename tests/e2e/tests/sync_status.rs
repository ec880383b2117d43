//! The sync as a person sees it in the real app, against a simulator this
//! test runs with Stripe-like latency and rate limit: a new account's history
//! fills in with a progress bar, the user cancels and resumes it, and when
//! Stripe cannot be reached the cache stays usable and the status line says
//! since when it is offline.

use serde_json::json;
use till_e2e::{Outcome, ensure, scenario_with};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};

const OWNER_KEY: &str = "sk_test_syncstatuse2e0000001";

#[test]
fn history_fills_with_progress_can_be_canceled_and_offline_keeps_the_cache() -> Outcome {
    let sim = Simulator::start(SimConfig {
        seed: 21,
        latency: std::time::Duration::from_millis(150),
        history: Some(SeedSpec {
            payments: 4_000,
            days: 120,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .map_err(|err| till_e2e::Failure::Assertion(format!("simulator: {err}")))?;
    till_e2e::register_key(
        &sim.base_url(),
        &json!({ "key": OWNER_KEY, "same_account_as": sim.demo_key() }),
    )?;
    let base = sim.base_url();
    let (at_stripe, _) = sim.payment_intents();
    let mut sim = Some(sim);

    scenario_with("sync-status", &[("TILL_STRIPE_API_BASE", base.as_str())], |app| {
        let ui = app.session();
        ui.click(&ui.find("a[data-section='settings']")?)?;
        ui.send_keys(&ui.find("#new-key")?, OWNER_KEY)?;
        ui.click(&ui.find(".add-account button[type='submit']")?)?;
        // The simulator's account is called Demo, as the offline one is not.
        ui.wait_for_text(".account-name", |t| t == "Demo")?;

        // The history fills in behind, with a bar and counts.
        let filling = ui.wait_for_text("[data-testid='status-line']", |t| t.contains(" of about "))?;
        ensure!(
            !ui.find_all("[data-testid='status-line'] progress")?.is_empty(),
            "a progress bar while the history fills: {filling}"
        );
        // The total is estimated from the pages read so far, not stretched
        // over the years the account sold nothing (it said 221,793 once):
        // the 4,000 payments make about 14,000 objects of all types.
        let about = filling
            .split(" of about ")
            .nth(1)
            .and_then(|rest| rest.split(" records").next())
            .map(till_e2e::number)
            .unwrap_or(f64::NAN);
        ensure!(
            (8_000.0..=30_000.0).contains(&about),
            "a plausible total while filling: {filling}"
        );
        app.save_screenshot("filling-history")?;

        // Cancel: the sync stops and says the cache is shown as it was.
        ui.click(&ui.find("[data-testid='status-line'] button")?)?;
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Sync stopped"))?;
        app.save_screenshot("canceled")?;

        // Resume: it carries on from where it stopped, to the end.
        ui.click(&ui.find("[data-testid='status-line'] button")?)?;
        ui.wait_until_within(
            "document.querySelector(\"[data-testid='status-line']\").textContent.includes('Synced')",
            std::time::Duration::from_secs(90),
        )?;
        ui.click(&ui.find("a[data-section='payments']")?)?;
        let count = ui.wait_for_text("[data-testid='payment-count']", |t| t.contains("payments"))?;
        let cached = till_e2e::number(&count);
        ensure!(
            cached == at_stripe as f64 && at_stripe >= 4_000,
            "every payment is cached once the sync ends, once: {count}, {at_stripe} at Stripe"
        );
        // Thousands are grouped even under LANG=C.UTF-8, as on this machine.
        ensure!(count.contains(','), "the count is grouped: {count}");

        // Stripe unreachable: the status line says since when, the cache stays.
        drop(sim.take());
        ui.click(&ui.find("[data-testid='status-line'] button")?)?; // Sync now
        let offline =
            ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Offline since"))?;
        ensure!(offline.contains("showing what was cached"), "{offline}");
        let still = ui.wait_for_text("[data-testid='payment-count']", |t| t.contains("payments"))?;
        ensure!((till_e2e::number(&still) - cached).abs() < 0.5, "the cache is unchanged offline: {still}");
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        app.save_screenshot("offline")?;
        Ok(())
    })
    .outcome()
}

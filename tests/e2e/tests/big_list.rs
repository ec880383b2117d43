//! The Payments list at 100,000 payments in the real app: the history syncs
//! from a simulator this test runs (no latency, no rate limit), the count
//! says them all, the table keeps a short DOM (a virtual window over the
//! rows), and End reaches the oldest payment, Home the newest. The times it
//! took are printed.

use std::time::{Duration, Instant};

use serde_json::json;
use till_e2e::{Outcome, ensure, scenario_with};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};

const OWNER_KEY: &str = "sk_test_biglistE2e000000001";
const PAYMENTS: usize = 100_000;

fn dom_rows(ui: &till_e2e::Session) -> Outcome<u64> {
    Ok(ui
        .execute(
            "return document.querySelectorAll('.table-row').length;",
            json!([]),
        )?
        .as_u64()
        .unwrap_or(u64::MAX))
}

#[test]
fn a_hundred_thousand_payments_keep_a_short_table_and_end_reaches_the_oldest() -> Outcome {
    let sim = Simulator::start(SimConfig {
        seed: 33,
        rate_limit: 0,
        history: Some(SeedSpec {
            payments: PAYMENTS,
            days: 365,
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
    // The truth to compare with: every PaymentIntent at the simulator (the
    // seed's lapsing holds included) and the oldest of them.
    let (at_stripe, oldest) = sim.payment_intents();
    let oldest = oldest.ok_or_else(|| till_e2e::Failure::Assertion("no payments seeded".into()))?;

    scenario_with("big-list", &[("TILL_STRIPE_API_BASE", base.as_str())], |app| {
        let ui = app.session();
        ui.click(&ui.find("a[data-section='settings']")?)?;
        ui.send_keys(&ui.find("#new-key")?, OWNER_KEY)?;
        let added = Instant::now();
        ui.click(&ui.find(".add-account button[type='submit']")?)?;
        ui.wait_for_text(".account-name", |t| t == "Demo")?;
        ui.wait_until_within(
            "document.querySelector(\"[data-testid='status-line']\").textContent.includes('Synced')",
            Duration::from_secs(900),
        )?;
        let synced = added.elapsed();

        ui.click(&ui.find("a[data-section='payments']")?)?;
        let count = ui.wait_for_text("[data-testid='payment-count']", |t| t.contains("payments"))?;
        let cached = till_e2e::number(&count);
        ensure!(
            cached == at_stripe as f64 && at_stripe >= PAYMENTS,
            "every payment is listed once: {count}, {at_stripe} at Stripe"
        );
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        let shown = dom_rows(ui)?;
        ensure!(shown < 200, "a virtual window, not {shown} rows in the page");

        // End: the oldest payment, however far; Home: back to the newest.
        let last = cached as u64 - 1;
        let pressed = Instant::now();
        ui.press("End", false)?;
        ui.wait_until_within(
            &format!(
                "(document.querySelector('#payment-row-{last}') || {{ textContent: '' }}).textContent.includes('{oldest}')"
            ),
            Duration::from_secs(120),
        )?;
        let to_end = pressed.elapsed();
        // The oldest page is read from the other end, not through the list.
        ensure!(to_end < Duration::from_secs(10), "End took {to_end:?}");
        let at_end = dom_rows(ui)?;
        ensure!(at_end < 200, "still a short table at the end: {at_end} rows");
        app.save_screenshot("end")?;
        let pressed = Instant::now();
        ui.press("Home", false)?;
        ui.wait_until("document.querySelector('#payment-row-0') !== null && document.querySelector('#payment-row-0').getAttribute('aria-selected') === 'true'")?;
        let to_home = pressed.elapsed();
        println!(
            "{cached} payments: synced in {:.1} s from adding the key; End reached the oldest in {:.2} s, Home the newest in {:.2} s; {shown} rows in the DOM at the top, {at_end} at the end",
            synced.as_secs_f64(),
            to_end.as_secs_f64(),
            to_home.as_secs_f64()
        );
        Ok(())
    })
    .outcome()
}

//! Money movements Stripe made but did not confirm, in the real app on the
//! demo account: the demo's Stripe commits a capture, then a refund, and
//! answers each with a 500 it stores under the request's idempotency key.
//! The app says so where the action was taken and in the banner, keeps the
//! hold in view after it leaves the queue, and once the journal settles it
//! (at the user's word for the capture, by itself for the refund) says what
//! happened in place. Stripe's side shows each done once.

use serde_json::json;
use till_e2e::{Outcome, ensure, number, scenario};

const CAPTURE_UNCONFIRMED: &str = "Stripe did not confirm this capture. Till will check with Stripe and tell you; nothing will be captured twice.";
const REFUND_UNCONFIRMED: &str = "Stripe did not confirm this refund. Till will check with Stripe and tell you; nothing will be refunded twice.";

/// The first word of the holds count ("12 holds, …") as a number.
fn holds(count: &str) -> f64 {
    number(count.split_whitespace().next().unwrap_or(""))
}

#[test]
fn a_capture_and_a_refund_stripe_did_not_confirm_are_said_kept_and_settled() -> Outcome {
    scenario("unconfirmed", |app| {
        let ui = app.session();
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;
        let stripe = app.demo_stripe()?;

        // A capture of half a hold, answered with a stored 500.
        ui.click(&ui.find("a[data-section='holds']")?)?;
        let count = ui.wait_for_text("[data-testid='holds-count']", |t| t.contains("hold"))?;
        ui.click(&ui.find(".hold-row:first-child .hold-line > button:last-child")?)?;
        let input = ".hold-row:first-child .hold-actions input.amount-input";
        ui.wait_until(&format!("document.querySelector(\"{input}\") !== null"))?;
        let hold_id = ui.text_of(".hold-row:first-child .hold-line button.copy")?;
        let held = ui.execute("return document.querySelector(arguments[0]).value;", json!([input]))?;
        let half = format!("{:.2}", (number(held.as_str().unwrap_or("")) / 2.0 * 100.0).floor() / 100.0);
        let half_minor = (number(&half) * 100.0).round() as i64;
        ui.type_into(input, &half)?;
        stripe.faults(&json!({ "stored_500_next": 1 }))?;
        ui.click(&ui.find(".hold-row:first-child .hold-actions button[type='submit']")?)?;

        // In place, on the hold's row, and in the banner.
        let row = format!("li[data-hold-id='{hold_id}']");
        ui.wait_for_text(&format!("{row} [data-testid='movement-unconfirmed']"), |t| t == CAPTURE_UNCONFIRMED)?;
        let banner = ui.wait_for_text("[data-testid='banner-unconfirmed']", |t| t.contains(&hold_id))?;
        ensure!(
            banner.contains("Stripe did not confirm the capture of") && banner.contains(&half) && banner.contains("nothing will be captured twice"),
            "the banner names the capture: {banner}"
        );
        ensure!(
            ui.find_all("[data-testid='hold-result']")?.is_empty(),
            "nothing says it was captured yet"
        );
        app.save_journey_screenshot("unconfirmed-capture")?;
        // Stripe made it: the hold's money was taken.
        let charge = stripe.charge_of(&hold_id)?;
        ensure!(charge.captured == half_minor, "at Stripe {hold_id}: {charge:?}, expected {half_minor} captured");

        // The user asks now: settled, said in place, the hold kept in view.
        ui.click(&ui.find("[data-testid='movements-check']")?)?;
        let said = ui.wait_for_text(&format!("{row} [data-testid='movement-settled']"), |t| t.starts_with("Captured"))?;
        ensure!(
            said.replace(',', "").contains(&half) && said.contains("Stripe confirmed it at"),
            "the row says what happened: {said}"
        );
        let told = ui.wait_for_text("[data-testid='banner-settled']", |t| t.contains(&hold_id))?;
        ensure!(told.starts_with("Captured") && told.contains("Stripe confirmed it at"), "the banner too: {told}");
        ensure!(ui.find_all("[data-testid='banner-unconfirmed']")?.is_empty(), "nothing left unconfirmed");
        // It left the queue, not the screen.
        let left = ui.wait_for_text("[data-testid='holds-count']", |t| holds(t) == holds(&count) - 1.0)?;
        ensure!(
            ui.execute(
                "return !!document.querySelector(\"[data-testid='holds-kept'] li[data-hold-id='\" + arguments[0] + \"']\");",
                json!([hold_id])
            )? == json!(true),
            "the captured hold is still in view ({count} → {left})"
        );
        app.save_journey_screenshot("unconfirmed-capture-settled")?;
        // Captured once, the rest released.
        let charge = stripe.charge_of(&hold_id)?;
        ensure!(
            charge.captured == half_minor && charge.refunded == charge.amount - half_minor,
            "captured once at Stripe {hold_id}: {charge:?}"
        );

        // A refund of 2.00 from a payment's drawer, answered with a stored 500.
        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.click(&ui.find("button.chip:nth-child(2)")?)?; // Succeeded
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        let paid_id = ui.text_of(".table-row:first-child .col-id button")?;
        let before = stripe.charge_of(&paid_id)?;
        let refunds_before = stripe.refunds_of(&paid_id)?;
        ui.click(&ui.find(".table-row:first-child")?)?;
        ui.wait_for_text("[data-testid='refund-refundable']", |t| t.chars().any(|c| c.is_ascii_digit()))?;
        ui.type_into("#refund-amount", "2.00")?;
        stripe.faults(&json!({ "stored_500_next": 1 }))?;
        ui.click(&ui.find("[data-testid='refund-form'] button[type='submit']")?)?;
        let drawer = "[data-testid='payment-drawer']";
        ui.wait_for_text(&format!("{drawer} [data-testid='movement-unconfirmed']"), |t| t == REFUND_UNCONFIRMED)?;
        let banner = ui.wait_for_text("[data-testid='banner-unconfirmed']", |t| t.contains(&paid_id))?;
        ensure!(
            banner.contains("Stripe did not confirm the refund of") && banner.contains("2.00"),
            "the banner names the refund: {banner}"
        );
        ensure!(
            ui.find_all(&format!("{drawer} [data-testid='refund-form']"))?.is_empty(),
            "no second refund is offered while the first is unconfirmed"
        );
        app.save_screenshot("refund-unconfirmed")?;

        // Till asks Stripe again by itself (10 s after the lost answer).
        ui.wait_until_within(
            &format!("document.querySelector(\"{drawer} [data-testid='movement-settled']\")?.textContent.startsWith('Refunded')"),
            std::time::Duration::from_secs(60),
        )?;
        let said = ui.text_of(&format!("{drawer} [data-testid='movement-settled']"))?;
        ensure!(
            said.contains("2.00") && said.contains("Stripe confirmed it at"),
            "the drawer says what happened: {said}"
        );
        ensure!(ui.find_all("[data-testid='banner-unconfirmed']")?.is_empty(), "nothing left unconfirmed");
        app.save_screenshot("refund-settled")?;
        // Refunded once at Stripe.
        let after = stripe.charge_of(&paid_id)?;
        let refunds_after = stripe.refunds_of(&paid_id)?;
        ensure!(
            after.refunded == before.refunded + 200 && refunds_after.len() == refunds_before.len() + 1,
            "one refund of 2.00 at Stripe {paid_id}: {before:?} {refunds_before:?} → {after:?} {refunds_after:?}"
        );
        ensure!(refunds_after.first() == Some(&200), "the newest refund is ours: {refunds_after:?}");
        Ok(())
    })
    .outcome()
}

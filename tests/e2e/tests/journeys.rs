//! The three journeys Till exists for, in the real app on the demo account,
//! with a screenshot of every screen each passes through (the README's
//! pictures: `./dev screenshots` copies them to docs/screenshots):
//! 1. the owner creates a checkout and sees its QR code in five
//!    interactions from the home screen, the first time (when where
//!    customers go after paying is asked too); a customer pays it, and the
//!    payment shows as succeeded in Payments and in the Overview's totals;
//! 2. staff partially capture the hold closest to expiry in three
//!    interactions from the home screen, see the rest released and the hold
//!    leave the queue;
//! 3. the owner refunds part of a payment from its drawer in four
//!    interactions from the home screen, sees the refundable amount drop and
//!    the refund in Refunds.
//!
//! Each journey's interactions (a click, a key chord, one field filled) go
//! through a `Journey`, which counts them; the test asserts the count.

use serde_json::json;
use till_e2e::{Failure, Journey, Outcome, ensure, number, scenario};

/// Today's card in the Overview: (gross text, payments) per currency line.
fn todays_totals(ui: &till_e2e::Session) -> Outcome<Vec<(String, u64)>> {
    let pairs = ui.execute(
        "const dl = document.querySelector(\"[data-testid='totals-0']\"); if (!dl) return [];
         return [...dl.querySelectorAll('dt')].map(dt => [dt.textContent, dt.nextElementSibling ? dt.nextElementSibling.textContent : '']);",
        json!([]),
    )?;
    Ok(pairs
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    let gross = row[0].as_str().unwrap_or_default().to_owned();
                    let count = row[1]
                        .as_str()
                        .unwrap_or_default()
                        .split_whitespace()
                        .find_map(|w| w.parse::<u64>().ok())
                        .unwrap_or(0);
                    (gross, count)
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Pays a checkout as its customer would, through the simulator that
/// serves the demo account (its address is the link's).
fn pay(url: &str) -> Outcome<()> {
    let (base, id) = url
        .split_once("/pay/")
        .ok_or_else(|| Failure::Assertion(format!("not a demo payment link: {url}")))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let reply = agent
        .post(format!("{base}/_sim/checkout/sessions/{id}/complete"))
        .header(till_sim::CONTROL_TOKEN_HEADER, till_e2e::demo::token())
        .send_json(json!({}))
        .map_err(|err| Failure::Assertion(format!("paying {id}: {err}")))?;
    ensure!(
        reply.status().as_u16() == 200,
        "paying {id}: {}",
        reply.status()
    );
    Ok(())
}

#[test]
fn the_three_journeys() -> Outcome {
    // The desktop's notification service, before the app starts.
    let desktop = till_e2e::Notifications::serve()?;
    scenario("journeys", |app| {
        let ui = app.session();
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;
        // The demo's two holds lapsing within a day: the badge says so, and
        // the desktop is told, once.
        let badge = ui.wait_for_text("[data-testid='holds-badge']", |t| t.trim() == "2")?;
        let shown = desktop.wait_for(|s| s.summary.contains("expire within 24 hours"))?;
        ensure!(
            shown.summary.starts_with(badge.trim()) || desktop.shown().len() == 2,
            "the two holds are announced: {:?}",
            desktop.shown()
        );
        ensure!(
            desktop.shown().iter().all(|s| s.body.contains("Holds")),
            "{:?}",
            desktop.shown()
        );
        // Bad input first (not part of the journey): a negative price is
        // refused with its reason and the line marked, and nothing is
        // created; a catalog price adds to the live total.
        let before = todays_totals(ui)?;
        ui.click(&ui.find("a[data-section='checkouts']")?)?;
        ui.wait_until("document.querySelector(\"[data-testid='checkout-list']\") !== null || document.querySelector('.empty-state') !== null")?;
        ui.click(&ui.find(".toolbar button.primary")?)?;
        ui.wait_until("document.querySelector(\"[data-testid='checkout-form']\") !== null")?;
        ui.type_into("[data-testid='checkout-line'] input.grow", "Birthday cake")?;
        ui.type_into("[data-testid='checkout-line'] input.amount-input", "-5")?;
        ui.type_into("#checkout-success", "https://cafe.example/thanks")?;
        ui.click(&ui.find("[data-testid='checkout-form'] button[type='submit']")?)?;
        let refused = ui.wait_for_text("[data-testid='checkout-error']", |t| !t.is_empty())?;
        ensure!(
            refused.contains("A price must be more than zero"),
            "the merchant's words: {refused}"
        );
        ui.wait_until("document.querySelector(\"[data-testid='checkout-line'][aria-invalid='true']\") !== null")?;
        ensure!(
            ui.find_all("[data-testid='checkout-qr']")?.is_empty(),
            "nothing was created"
        );
        app.save_screenshot("checkout-bad-price")?;
        ui.type_into("[data-testid='checkout-line'] input.amount-input", "42.50")?;
        // Fixed: the refusal of the old price goes with it.
        ui.wait_until("document.querySelector(\"[data-testid='checkout-error']\") === null && document.querySelector(\"[data-testid='checkout-line'][aria-invalid='true']\") === null")?;
        ui.wait_until("document.querySelector('.lines .row-actions button:nth-child(2)').disabled === false")?;
        ui.click(&ui.find(".lines .row-actions button:nth-child(2)")?)?; // Add from catalog
        ui.wait_until("document.querySelectorAll(\"[data-testid='checkout-form'] select[aria-label^='Catalog'] option\").length > 0")?;
        ui.wait_for_text("[data-testid='checkout-total']", |t| t.contains("Total") && !t.contains("42.50"))?;
        app.save_screenshot("checkout-with-catalog")?;
        ui.click(&ui.find("[data-testid='checkout-form'] .row-actions.wrap button:first-child")?)?; // Cancel
        ui.wait_until("document.querySelector(\"[data-testid='checkout-form']\") === null")?;

        // 1. Owner: a checkout with its QR code, from the home screen, the
        // first time (where customers go after paying is asked too): New
        // checkout, the line's name, its price, that address, Create (5).
        let mut owner = Journey::from_home(ui, "owner checkout with QR, the first time")?;
        app.save_journey_screenshot("journey-owner-1-home")?;
        owner.click("[data-testid='overview-new-checkout']")?; // 1
        let name = "[data-testid='checkout-line'] input.grow";
        ui.wait_until(&format!("document.activeElement === document.querySelector(\"{name}\")"))?;
        owner.fill(name, "Birthday cake")?; // 2
        owner.fill("[data-testid='checkout-line'] input.amount-input", "42.50")?; // 3
        // Asked once: nothing was created yet, so this is the first time.
        owner.fill("#checkout-success", "https://cafe.example/thanks")?; // 4
        let total = ui.wait_for_text("[data-testid='checkout-total']", |t| t.contains("42.50"))?;
        app.save_journey_screenshot("journey-owner-2-new-checkout")?;
        owner.click("[data-testid='checkout-form'] button[type='submit']")?; // 5
        ui.wait_until("document.querySelector(\"[data-testid='checkout-qr']\") !== null")?;
        owner.took_at_most(5)?;
        let amount = ui.wait_for_text("[data-testid='checkout-amount']", |t| !t.is_empty())?;
        ensure!(
            total.contains(amount.trim()),
            "the checkout is for the total shown: {total} / {amount}"
        );
        let url = ui
            .execute(
                "return document.querySelector(\"[data-testid='checkout-url']\").value;",
                json!([]),
            )?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure::Assertion("no link".into()))?;
        app.save_journey_screenshot("journey-owner-3-qr-code")?;

        pay(&url)?;
        ui.wait_for_text("[data-testid='checkout-status']", |t| t == "Paid")?;
        app.save_journey_screenshot("journey-owner-4-paid")?;

        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        let row = ui
            .execute("return document.querySelector('.table-row').textContent;", json!([]))?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        ensure!(
            row.contains("Succeeded") && (number(row.split("Succeeded").next().unwrap_or_default()) - number(&amount)).abs() < 0.001,
            "the newest payment is ours, succeeded: {row} ({amount})"
        );
        app.save_journey_screenshot("journey-owner-5-payments")?;

        ui.click(&ui.find("a[data-section='overview']")?)?;
        ui.wait_until("document.querySelector(\"[data-testid='totals-0']\") !== null")?;
        let after = todays_totals(ui)?;
        let usd = |totals: &[(String, u64)]| {
            totals
                .iter()
                .find(|(gross, _)| gross.starts_with('$'))
                .map(|(gross, count)| (number(gross), *count))
                .unwrap_or((0.0, 0))
        };
        let (gross_before, count_before) = usd(&before);
        let (gross_after, count_after) = usd(&after);
        ensure!(
            count_after == count_before + 1 && (gross_after - gross_before - number(&amount)).abs() < 0.001,
            "today's USD totals grew by the checkout: {before:?} → {after:?} ({amount})"
        );
        app.save_journey_screenshot("journey-owner-6-overview")?;

        // 2. Staff: the hold closest to expiry, half captured, in 3
        // interactions from the home screen (the Overview, where holds about
        // to lapse come first): the hold, the amount, Capture.
        let mut staff = Journey::from_home(ui, "staff partial capture")?;
        let first = "[data-testid='holds-expiring'] li:first-child .expiring-row";
        ui.wait_until(&format!("document.querySelector(\"{first}\") !== null"))?;
        ensure!(
            ui.execute(
                "const h = document.querySelector(\"[data-testid='holds-expiring']\"); const m = document.querySelector(\"[data-testid='totals-0']\"); return !!h && !!m && !!(h.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);",
                json!([])
            )? == json!(true),
            "the holds about to lapse come before the day's money"
        );
        app.save_journey_screenshot("journey-staff-1-holds")?;
        staff.click(first)?; // 1
        let input = ".hold-actions input.amount-input";
        ui.wait_until(&format!("document.activeElement === document.querySelector(\"{input}\")"))?;
        let count = ui.wait_for_text("[data-testid='holds-count']", |t| t.contains("hold"))?;
        let held = ui.execute("return document.querySelector(arguments[0]).value;", json!([input]))?;
        let half = format!("{:.2}", (number(held.as_str().unwrap_or("")) / 2.0 * 100.0).floor() / 100.0);
        let hold_id = ui.text_of(".hold-row:has(.hold-actions) .hold-line button.copy")?;
        staff.fill(input, &half)?; // 2
        ui.wait_for_text("[data-testid='remainder']", |t| t.contains("will be released"))?;
        app.save_journey_screenshot("journey-staff-2-capture-part")?;
        staff.click(".hold-actions button[type='submit']")?; // 3
        let result = ui.wait_for_text("[data-testid='hold-result']", |t| t.starts_with("Captured"))?;
        staff.took_at_most(3)?;
        ensure!(result.contains("released to the customer"), "{result}");
        ensure!(result.replace(',', "").contains(&half), "the amount captured is said: {result}");
        let stripe = app.demo_stripe()?;
        let charge = stripe.charge_of(&hold_id)?;
        let half_minor = (number(&half) * 100.0).round() as i64;
        ensure!(
            charge.captured == half_minor,
            "at Stripe {hold_id}: {charge:?}, expected {half_minor} captured"
        );
        let left = ui.wait_for_text("[data-testid='holds-count']", |t| t != count)?;
        ensure!(
            number(left.split_whitespace().next().unwrap_or("")) == number(count.split_whitespace().next().unwrap_or("")) - 1.0,
            "the hold left the queue: {count} → {left}"
        );
        app.save_journey_screenshot("journey-staff-3-captured")?;

        // 3. Owner: part of a payment refunded from its drawer, in 4
        // interactions from the home screen: Payments, the payment, the
        // amount, Refund.
        let mut refund = Journey::from_home(ui, "owner partial refund")?;
        refund.click("a[data-section='payments']")?; // 1
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        app.save_journey_screenshot("journey-refund-1-payments")?;
        let paid_id = ui.text_of(".table-row:first-child .col-id button")?;
        let before = stripe.charge_of(&paid_id)?;
        refund.click(".table-row:first-child")?; // 2: our paid checkout
        let refundable = ui.wait_for_text("[data-testid='refund-refundable']", |t| {
            t.chars().any(|c| c.is_ascii_digit())
        })?;
        refund.fill("#refund-amount", "5.00")?; // 3
        app.save_journey_screenshot("journey-refund-2-drawer")?;
        refund.click("[data-testid='refund-form'] button[type='submit']")?; // 4
        let now = ui.wait_for_text("[data-testid='refund-refundable']", |t| t != refundable)?;
        refund.took_at_most(4)?;
        ensure!(
            ((number(&refundable) - number(&now)) - 5.0).abs() < 0.001,
            "refundable {refundable} → {now}"
        );
        let after = stripe.charge_of(&paid_id)?;
        ensure!(
            after.refunded == before.refunded + 500,
            "refunded once at Stripe {paid_id}: {before:?} → {after:?}"
        );
        // The payment now says it was partly paid back, in its row too.
        ui.wait_for_text(".table-row:first-child .pill", |t| t == "Partially refunded")?;
        app.save_journey_screenshot("journey-refund-3-refunded")?;
        ui.click(&ui.find("a[data-section='refunds']")?)?;
        let line = ui.wait_for_text("[data-testid='refund-list'] li:first-child", |t| t.contains("Succeeded"))?;
        ensure!(line.contains("5.00"), "the newest refund is ours: {line}");
        app.save_journey_screenshot("journey-refund-4-refunds")?;
        Ok(())
    })
    .outcome()
}

//! Money in the real app, on the demo account: staff partially capture the
//! hold closest to expiry and see the rest released; the owner refunds part
//! of a payment from its drawer and sees the refundable amount drop; a
//! German merchant types "12,50" and refunds exactly 12.50. Each money
//! action is checked on Stripe's side too (the demo simulator's charge).

use serde_json::json;
use till_e2e::{Failure, Outcome, ensure, number, scenario, scenario_with};

#[test]
fn staff_capture_part_of_a_hold_and_the_owner_refunds_part_of_a_payment() -> Outcome {
    scenario("money", |app| {
        let ui = app.session();
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;

        // Staff: the Holds queue, the hold closest to expiry first.
        ui.click(&ui.find("a[data-section='holds']")?)?;
        let before = ui.wait_for_text("[data-testid='holds-count']", |t| t.contains("hold"))?;
        let holds_before = number(before.split_whitespace().next().unwrap_or(""));
        // 1: open the first hold's actions.
        ui.click(&ui.find(".hold-row:first-child .hold-line > button:last-child")?)?;
        let input = ".hold-row:first-child .hold-actions input.amount-input";
        ui.wait_until(&format!("document.querySelector(\"{input}\") !== null"))?;
        let held = ui
            .execute(
                "return document.querySelector(arguments[0]).value;",
                json!([input]),
            )?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure::Assertion("no amount".into()))?;
        let held = number(&held);
        let hold_id = ui.text_of(".hold-row:first-child .hold-line button.copy")?;
        let stripe = app.demo_stripe()?;
        // 2: half of it.
        let half = format!("{:.2}", (held / 2.0 * 100.0).floor() / 100.0);
        let half_minor = (number(&half) * 100.0).round() as i64;
        ui.type_into(input, &half)?;
        ui.wait_for_text("[data-testid='remainder']", |t| {
            t.contains("will be released")
        })?;
        app.save_screenshot("capture-form")?;
        // 3: capture.
        ui.click(&ui.find(".hold-row:first-child .hold-actions button[type='submit']")?)?;
        let result =
            ui.wait_for_text("[data-testid='hold-result']", |t| t.starts_with("Captured"))?;
        ensure!(
            result.contains("released to the customer"),
            "the rest is released: {result}"
        );
        ensure!(
            result.replace(',', "").contains(&half),
            "the amount captured is said: {result}"
        );
        // Stripe's side: exactly that much captured, the rest let go.
        let charge = stripe.charge_of(&hold_id)?;
        ensure!(
            charge.captured == half_minor && charge.refunded == charge.amount - half_minor,
            "at Stripe {hold_id}: {charge:?}, expected {half_minor} captured"
        );
        let after = ui.wait_for_text("[data-testid='holds-count']", |t| t != before)?;
        ensure!(
            number(after.split_whitespace().next().unwrap_or("")) == holds_before - 1.0,
            "the hold left the queue: {before} → {after}"
        );
        app.save_screenshot("captured")?;

        // Bulk: two holds selected, captured in full, a result for each.
        let bulk: Vec<String> = [1, 2]
            .iter()
            .map(|row| {
                ui.text_of(&format!(
                    ".hold-row:nth-child({row}) .hold-line button.copy"
                ))
            })
            .collect::<Outcome<_>>()?;
        for row in [1, 2] {
            ui.click(&ui.find(&format!(
                ".hold-row:nth-child({row}) input[type='checkbox']"
            ))?)?;
        }
        ui.click(&ui.find(".bulk-bar button:first-of-type")?)?;
        let results = ui.wait_for_text("[data-testid='bulk-results']", |t| {
            t.matches("Captured").count() == 2
        })?;
        let left = ui.wait_for_text("[data-testid='holds-count']", |t| t != after)?;
        ensure!(
            number(left.split_whitespace().next().unwrap_or("")) == holds_before - 3.0,
            "two more left the queue: {after} → {left} ({results})"
        );
        for id in &bulk {
            let charge = stripe.charge_of(id)?;
            ensure!(
                charge.captured == charge.amount && charge.refunded == 0,
                "captured in full at Stripe {id}: {charge:?}"
            );
        }

        // Owner: a succeeded payment's drawer, a partial refund.
        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.click(&ui.find("button.chip:nth-child(2)")?)?; // Succeeded
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        let paid_id = ui.text_of(".table-row:first-child .col-id button")?;
        let before = stripe.charge_of(&paid_id)?;
        ui.click(&ui.find(".table-row:first-child")?)?;
        let refundable = ui.wait_for_text("[data-testid='refund-refundable']", |t| {
            t.chars().any(|c| c.is_ascii_digit())
        })?;
        ui.type_into("#refund-amount", "1.00")?;
        ui.click(&ui.find("[data-testid='refund-form'] button[type='submit']")?)?;
        ui.wait_for_text("[data-testid='drawer-done']", |t| t.contains("Refund"))?;
        let now = ui.wait_for_text("[data-testid='refund-refundable']", |t| t != refundable)?;
        let dropped = number(&refundable) - number(&now);
        ensure!(
            (dropped - 1.0).abs() < 0.001,
            "refundable {refundable} → {now}"
        );
        let after = stripe.charge_of(&paid_id)?;
        ensure!(
            after.refunded == before.refunded + 100 && after.captured == before.captured,
            "refunded once at Stripe {paid_id}: {before:?} → {after:?}"
        );
        app.save_screenshot("refunded")?;

        // The refund is in Refunds, newest first, succeeded.
        ui.click(&ui.find("a[data-section='refunds']")?)?;
        let line = ui.wait_for_text("[data-testid='refund-list'] li:first-child", |t| {
            t.contains("Succeeded")
        })?;
        ensure!(
            line.contains("1.00") || line.contains("1,00"),
            "the newest refund is ours: {line}"
        );
        app.save_screenshot("refunds")?;

        // The journal has all four (three captures, one refund), done,
        // and exports them as CSV.
        ui.click(&ui.find("a[data-section='settings']")?)?;
        let journal = ui.wait_for_text("[data-testid='journal'] tbody", |t| {
            t.matches("Done").count() == 4
        })?;
        ensure!(
            journal.contains("Capture") && journal.contains("Refund"),
            "{journal}"
        );
        ui.click(&ui.find("[data-testid='journal-export']")?)?;
        let saved = ui.wait_for_text("[data-testid='journal-exported']", |t| t.contains(".csv"))?;
        let path = saved
            .trim_start_matches("Saved to ")
            .split(" (")
            .next()
            .unwrap_or_default()
            .to_owned();
        ensure!(
            path.starts_with(&app.data_dir().display().to_string()),
            "exported into the data folder: {path}"
        );
        let csv = std::fs::read_to_string(&path)
            .map_err(|err| Failure::Assertion(format!("{path}: {err}")))?;
        ensure!(
            csv.lines().count() == 5,
            "a header and four operations: {csv}"
        );
        app.save_screenshot("journal")?;
        Ok(())
    })
    .outcome()
}

/// The amount a person types is read in their language: in German "12,50"
/// is twelve euros fifty, and the refund is of exactly 1250 minor units.
#[test]
fn a_german_merchant_types_12_comma_50_and_refunds_exactly_that() -> Outcome {
    let german = [
        ("LANG", "de_DE.UTF-8"),
        ("LC_ALL", "de_DE.UTF-8"),
        ("LANGUAGE", "de_DE:de"),
    ];
    scenario_with("refund-de", &german, |app| {
        let ui = app.session();
        let language = ui.execute("return navigator.language;", json!([]))?;
        ensure!(
            language.as_str().is_some_and(|l| l.starts_with("de")),
            "the window speaks German: {language}"
        );
        ui.wait_for_text("[data-testid='status-line']", |t| !t.is_empty())?;
        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.click(&ui.find("button.chip:nth-child(2)")?)?; // Succeeded
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
        // A payment in dollars or euros of at least 20.00, read as shown
        // ("297,00 USD"): its row.
        let row = ui
            .execute(
                "for (const r of document.querySelectorAll('.table-row')) {
                   const t = r.querySelector('.col-amount').textContent;
                   const minor = Number(t.replace(/[^0-9]/g, ''));
                   if (/(USD|EUR)/.test(t) && minor >= 2000) return r.id;
                 }
                 return null;",
                json!([]),
            )?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure::Assertion("no payment of 20.00 or more".into()))?;
        let paid_id = ui.text_of(&format!("#{row} .col-id button"))?;
        let stripe = app.demo_stripe()?;
        let before = stripe.charge_of(&paid_id)?;
        ui.click(&ui.find(&format!("#{row}"))?)?;
        ui.wait_for_text("[data-testid='refund-refundable']", |t| {
            t.chars().any(|c| c.is_ascii_digit())
        })?;
        ui.type_into("#refund-amount", "12,50")?;
        ui.click(&ui.find("[data-testid='refund-form'] button[type='submit']")?)?;
        ui.wait_for_text("[data-testid='drawer-done']", |t| t.contains("Refund"))?;
        app.save_screenshot("refunded-12-50")?;
        let after = stripe.charge_of(&paid_id)?;
        ensure!(
            after.refunded == before.refunded + 1250,
            "refunded exactly 1250 at Stripe {paid_id}: {before:?} → {after:?}"
        );
        Ok(())
    })
    .outcome()
}

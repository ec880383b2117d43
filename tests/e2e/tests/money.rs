//! Money in the real app, on the demo account: staff partially capture the
//! hold closest to expiry and see the rest released; the owner refunds part
//! of a payment from its drawer and sees the refundable amount drop.

use serde_json::json;
use till_e2e::{Failure, Outcome, ensure, number, scenario};

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
        // 2: half of it.
        let half = format!("{:.2}", (held / 2.0 * 100.0).floor() / 100.0);
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
        let after = ui.wait_for_text("[data-testid='holds-count']", |t| t != before)?;
        ensure!(
            number(after.split_whitespace().next().unwrap_or("")) == holds_before - 1.0,
            "the hold left the queue: {before} → {after}"
        );
        app.save_screenshot("captured")?;

        // Bulk: two holds selected, captured in full, a result for each.
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

        // Owner: a succeeded payment's drawer, a partial refund.
        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.click(&ui.find("button.chip:nth-child(2)")?)?; // Succeeded
        ui.wait_until("document.querySelectorAll('.table-row').length > 0")?;
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

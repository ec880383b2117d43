//! Payments in the real app, on the demo account: the sync fills the cache,
//! the list filters and sorts, a row opens its drawer, Esc closes it, and
//! Ctrl+K jumps to a payment by its customer's email.

use serde_json::json;
use till_e2e::{Outcome, ensure, scenario};

/// Ctrl+K, `text`, and Enter once the first match names it.
fn jump(ui: &till_e2e::Session, text: &str) -> Outcome<()> {
    ui.press("k", true)?;
    let input = ui.find("[data-testid='palette'] input")?;
    ui.send_keys(&input, text)?;
    ui.wait_for_text("#palette-item-0", |t| t.contains(text))?;
    ui.execute(
        "document.querySelector('[data-testid=\"palette\"] input').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); return true;",
        json!([]),
    )?;
    Ok(())
}

/// An amount as shown ("BHD 69.200", "JPY 59,740", "USD 445.00") in the
/// currency's smallest unit: every currency is shown with all its decimals.
fn minor_units(text: &str) -> u64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

#[test]
fn payments_filter_sort_open_and_jump() -> Outcome {
    scenario("payments", |app| {
        let ui = app.session();
        ui.click(&ui.find("a[data-section='payments']")?)?;
        // The sync fills the cache by itself; the list follows its events.
        ui.wait_for_text("[data-testid='payment-count']", |t| t == "602 payments")?;
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;

        // A status chip narrows the list; the count says by how much.
        ui.click(&ui.find("button.chip:nth-child(3)")?)?; // Holds
        let holds = ui.wait_for_text("[data-testid='payment-count']", |t| {
            t != "602 payments" && t.ends_with("payments")
        })?;
        ui.wait_until("document.querySelectorAll('.table-row .pill').length > 0")?;
        let pills = ui.find_all(".table-row .pill")?;
        ensure!(!pills.is_empty(), "holds are listed: {holds}");
        for row in pills {
            ensure!(ui.text(&row)? == "Hold", "only holds are listed");
        }
        app.save_screenshot("payments-holds")?;
        // The Refunded chip: paid payments with money paid back, and only those.
        ui.click(&ui.find("button.chip:nth-child(6)")?)?; // Refunded
        let refunded = ui.wait_for_text("[data-testid='payment-count']", |t| {
            t != holds && t != "602 payments" && t.contains(" payment")
        })?;
        ui.wait_until("document.querySelectorAll('.table-row .pill').length > 0")?;
        let pills = ui.find_all(".table-row .pill")?;
        ensure!(!pills.is_empty(), "refunded payments are listed: {refunded}");
        for row in pills {
            let pill = ui.text(&row)?;
            ensure!(pill.ends_with("efunded"), "only refunded payments are listed: {pill} ({refunded})");
        }
        ui.click(&ui.find("button.chip:nth-child(1)")?)?; // All
        ui.wait_for_text("[data-testid='payment-count']", |t| t == "602 payments")?;
        ensure!(holds != "602 payments", "{holds}");

        // Sorting by amount: the largest first.
        ui.click(&ui.find(".col-amount .sort")?)?;
        ui.wait_until("document.querySelector(\".col-amount[aria-sort='descending']\") !== null")?;
        ui.wait_until("document.querySelectorAll('.table-row').length > 3")?;
        // Read from the DOM (WebDriver's visible text of these cells came back
        // empty, which made this check pass on anything), in minor units:
        // the sort compares each payment's own smallest units.
        let texts = ui.execute(
            "return Array.from(document.querySelectorAll('.table-row .col-amount')).slice(0, 5).map(e => e.textContent);",
            json!([]),
        )?;
        let amounts: Vec<u64> = texts
            .as_array()
            .map(|list| list.iter().filter_map(|t| t.as_str()).map(minor_units).collect())
            .unwrap_or_default();
        ensure!(amounts.len() == 5 && amounts.iter().all(|a| *a > 0), "amounts read: {texts}");
        ensure!(
            amounts.windows(2).all(|w| w[0] >= w[1]),
            "largest first: {amounts:?}"
        );

        // Arrow keys move the selection, Enter opens the drawer, Esc closes it.
        ui.press("ArrowDown", false)?;
        ui.press("Enter", false)?;
        ui.wait_for_text("[data-testid='drawer-timeline']", |t| t.contains("Created"))?;
        ui.wait_for_text("[data-testid='drawer-fee']", |t| !t.is_empty())?;
        app.save_journey_screenshot("payment-drawer")?;
        // Shown as it really is: the refundable amount the core computed.
        ui.wait_for_text("[data-testid='drawer-refundable']", |t| t.chars().any(|c| c.is_ascii_digit()))?;
        ui.press("Escape", false)?;
        ui.wait_until("document.querySelector(\"[data-testid='payment-drawer']\") === null")?;

        // Ctrl+K with a payment's id opens its drawer.
        let id = ui
            .execute(
                "return document.querySelector('.table-row:nth-child(4) .col-id')?.textContent.trim() ?? null;",
                json!([]),
            )?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| till_e2e::Failure::Assertion("no id in the list".into()))?;
        jump(ui, &id)?;
        ui.wait_for_text("[data-testid='payment-drawer']", |t| t.contains(&id))?;
        ui.press("Escape", false)?;

        // Ctrl+K with a customer's email shows that customer's payments.
        let email = ui
            .execute(
                "return [...document.querySelectorAll('.table-row .col-customer')].map(e => e.textContent.trim()).find(t => t.includes('@')) ?? null;",
                json!([]),
            )?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| till_e2e::Failure::Assertion("no email in the list".into()))?;
        jump(ui, &email)?;
        ui.wait_for_text(".chip-active", |t| t.contains(&email))?;
        app.save_journey_screenshot("customer-payments")?;
        let cells = ui.execute(
            "return [...document.querySelectorAll('.table-row .col-customer')].map(e => e.textContent.trim());",
            json!([]),
        )?;
        let cells: Vec<&str> = cells
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        ensure!(
            !cells.is_empty() && cells.iter().all(|c| *c == email),
            "only {email}'s payments: {cells:?}"
        );
        Ok(())
    })
    .outcome()
}

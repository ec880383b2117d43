//! The Till shell in the real app: it renders, talks to Rust over IPC, keeps
//! its data where TILL_DATA_DIR says, and its harness cleans up after itself.

use serde_json::json;
use till_e2e::{Failure, Outcome, ensure, processes_in_group, scenario, workspace_root};

const SECTIONS: [&str; 10] = [
    "Overview",
    "Payments",
    "Customers",
    "Holds",
    "Checkouts",
    "Refunds",
    "Disputes",
    "Payouts",
    "Exports",
    "Settings",
];

#[test]
fn the_shell_renders_and_round_trips_through_ipc() -> Outcome {
    scenario("shell", |app| {
        let ui = app.session();

        // The UI rendered: the sidebar with every section, in order. The
        // label alone is read: the holds badge appears once the demo's
        // sync has stored its lapsing holds, which may or may not be yet.
        ui.find("nav[aria-label='Sections']")?;
        let mut labels = Vec::new();
        for item in ui.find_all(".nav-item .nav-label")? {
            labels.push(ui.text(&item)?);
        }
        ensure!(labels == SECTIONS, "sidebar sections were {labels:?}");

        // The sidebar's version came from Rust, through the generated bindings.
        let version = format!("v{}", env!("CARGO_PKG_VERSION"));
        ui.wait_for_text("[data-testid='app-identity']", |text| {
            text.contains(&version)
        })?;
        // With no account saved, the offline demo is there, marked DEMO.
        ui.wait_for_text("[data-testid='account-name']", |text| {
            text == "Demo (offline)"
        })?;
        ui.wait_for_text("[data-testid='account-badge']", |text| text == "DEMO")?;
        // The Overview shows the demo's last 30 days from the cache.
        ui.wait_for_text("[data-testid='totals-2']", |text| text.contains("payments"))?;
        ui.wait_for_text("[data-testid='status-line']", |text| {
            text.contains("Synced")
        })?;
        ui.wait_for_text("[data-testid='balance']", |text| text.contains("available"))?;
        // A README picture stays under tests/output: a test run leaves the
        // checkout as it found it.
        let picture = app.save_journey_screenshot("overview-demo")?;
        ensure!(
            picture.starts_with(workspace_root().join("tests/output")),
            "a README picture was written to {}",
            picture.display()
        );

        // Payments: the demo's 602 payments from the cache, virtualized.
        ui.click(&ui.find("a[data-section='payments']")?)?;
        ui.wait_for_text("[data-testid='payment-count']", |text| {
            text == "602 payments"
        })?;
        let rendered = ui.find_all(".table-row")?.len();
        ensure!(rendered > 0 && rendered < 200, "{rendered} rows in the DOM");
        app.save_screenshot("payments")?;
        // End reaches the last payment.
        ui.press("End", false)?;
        ui.wait_until("document.querySelector(\".table-row[aria-rowindex='602']\") !== null")?;

        // A raw IPC call reaches the core and answers with this run's data dir.
        let reply = ui.invoke("app_info", json!({}))?;
        let info = &reply["ok"];
        ensure!(info["name"] == "Till", "app_info answered {reply}");
        let data_dir = app.data_dir().display().to_string();
        ensure!(
            info["dataDir"] == data_dir.as_str(),
            "data dir {} != {data_dir}",
            info["dataDir"]
        );
        ensure!(
            info["keychain"]["state"] == "available",
            "the test keychain should answer: {}",
            info["keychain"]
        );

        // The app keeps its log in that directory, and nowhere else.
        ensure!(
            app.data_dir().join("logs/till.log").is_file(),
            "no log in the data dir"
        );

        // A command no capability grants is refused by Tauri's ACL.
        let refused = ui.invoke("plugin:updater|check", json!({}))?;
        ensure!(
            refused.get("err").is_some(),
            "an ungranted command ran: {refused}"
        );

        // Settings shows the same facts to the user.
        ui.click(&ui.find("a[data-section='settings']")?)?;
        ui.wait_for_text("[data-testid='about-data-dir']", |text| text == data_dir)?;
        ui.wait_for_text("[data-testid='about-keychain']", |text| {
            text.contains("Available")
        })?;
        app.save_screenshot("settings")?;

        // A section not built yet says so plainly, and what it will hold.
        ui.click(&ui.find("a[data-section='customers']")?)?;
        ui.wait_for_text("[data-testid='empty-state'] h2", |text| {
            text == "Customers: not built yet"
        })?;
        app.save_screenshot("customers")?;
        // Checkouts has three tabs; the list is the first, the others are
        // not built yet. The arrow keys move between them.
        ui.click(&ui.find("a[data-section='checkouts']")?)?;
        ui.wait_for_text("[role='tab'][aria-selected='true']", |text| {
            text == "Checkouts"
        })?;
        let tabs: Vec<String> = ui
            .find_all("[role='tablist'] [role='tab']")?
            .iter()
            .map(|tab| ui.attribute(tab, "data-tab").map(Option::unwrap_or_default))
            .collect::<Outcome<_>>()?;
        ensure!(
            tabs == ["checkouts", "payment-links", "catalog"],
            "checkout tabs were {tabs:?}"
        );
        ui.click(&ui.find("[role='tab'][data-tab='catalog']")?)?;
        ui.wait_for_text("[data-testid='empty-state'] h2", |text| {
            text == "Catalog: not built yet"
        })?;
        // ArrowLeft, as WebDriver types it.
        ui.send_keys(&ui.find("[role='tab'][data-tab='catalog']")?, "\u{E012}")?;
        ui.wait_for_text("[data-testid='empty-state'] h2", |text| {
            text == "Payment links: not built yet"
        })?;
        ensure!(
            ui.execute("return window.location.hash;", json!([]))? == "#/checkouts/payment-links",
            "the tab is not in the location"
        );
        app.save_screenshot("payment-links")?;
        Ok(())
    })
    .outcome()
}

#[test]
fn a_failing_scenario_leaves_artifacts_and_no_processes() {
    let report = scenario("harness-self-test", |app| {
        app.session().find("nav[aria-label='Sections']")?;
        Err(Failure::Assertion("deliberate failure".to_owned()))
    });
    assert!(
        matches!(report.failure, Some(Failure::Assertion(_))),
        "{:?}",
        report.failure
    );
    assert!(
        report.output_dir.join("failure.png").is_file(),
        "no screenshot saved"
    );
    assert!(
        report.output_dir.join("till.log").is_file(),
        "no app log saved"
    );
    assert!(
        report.output_dir.join("tauri-driver.log").is_file(),
        "no driver log saved"
    );
    assert_eq!(report.process_groups.len(), 2, "Xvfb and tauri-driver");
    for pgid in report.process_groups {
        assert!(
            processes_in_group(pgid).is_empty(),
            "group {pgid} still has processes"
        );
    }
}

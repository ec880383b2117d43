//! A key lost from the keychain and put back (issue 17, 3), in the real app:
//! Till starts with an account whose keychain entry is gone and says so in
//! the status line, with a way to fix it; the same key added again takes
//! effect at once: the sync runs and the status says it is synced, with no
//! restart.

use serde_json::json;
use till_e2e::{Failure, Outcome, ensure, scenario_in};
use till_sim::{SimConfig, Simulator};

const OWNER_KEY: &str = "sk_test_keyrestorede2e000001";

/// Where a development build keeps its keys (`till_core::STORAGE_NAMESPACE`
/// in a debug build): the app under test is one.
const DEV_KEYCHAIN_SERVICE: &str = "dev.till.desktop.development";

/// The simulator's account id: the keychain entry's user name.
fn account_id(base_url: &str) -> Outcome<String> {
    let mut reply = ureq::get(format!("{base_url}/_sim/accounts"))
        .call()
        .map_err(|err| Failure::Assertion(format!("listing accounts: {err}")))?;
    let accounts: serde_json::Value = reply
        .body_mut()
        .read_json()
        .map_err(|err| Failure::Assertion(format!("listing accounts: {err}")))?;
    accounts["data"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Failure::Assertion(format!("no account in {accounts}")))
}

#[test]
fn a_key_put_back_restarts_the_sync_without_a_restart() -> Outcome {
    let sim = Simulator::start(SimConfig {
        seed: 17_003,
        ..SimConfig::default()
    })
    .map_err(|err| Failure::Assertion(format!("simulator: {err}")))?;
    till_e2e::register_key(
        &sim.base_url(),
        &json!({ "key": OWNER_KEY, "same_account_as": sim.demo_key() }),
    )?;
    let base = sim.base_url();
    let env = [("TILL_STRIPE_API_BASE", base.as_str())];
    let kept = tempfile::tempdir().map_err(|err| Failure::Assertion(err.to_string()))?;
    let data_dir = kept.path().join("data");

    // First run: the account is added and synced.
    scenario_in("key-restored-first-run", Some(&data_dir), &env, |app| {
        let ui = app.session();
        ui.click(&ui.find("a[data-section='settings']")?)?;
        ui.send_keys(&ui.find("#new-key")?, OWNER_KEY)?;
        ui.click(&ui.find(".add-account button[type='submit']")?)?;
        ui.wait_for_text(".account-name", |t| t == "Demo")?;
        ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;
        Ok(())
    })
    .outcome()?;

    // The keychain entry goes, as when a keyring is reset.
    let account = account_id(&base)?;
    let cleared = std::process::Command::new("secret-tool")
        .args([
            "clear",
            "service",
            DEV_KEYCHAIN_SERVICE,
            "username",
            &account,
        ])
        .status()
        .map_err(|err| Failure::Assertion(format!("secret-tool: {err}")))?;
    ensure!(cleared.success(), "the keychain entry could not be cleared");

    // Second run: said, with the fix; the key put back takes effect at once.
    scenario_in("key-restored", Some(&data_dir), &env, |app| {
        let ui = app.session();
        let missing = ui.wait_for_text("[data-testid='status-line']", |t| {
            t.contains("no longer in your keychain")
        })?;
        ensure!(
            missing.contains("Replace key"),
            "a way to fix it: {missing}"
        );
        app.save_screenshot("key-missing")?;
        ui.click(&ui.find("[data-testid='status-line'] a")?)?;
        ui.send_keys(&ui.find("#new-key")?, OWNER_KEY)?;
        ui.click(&ui.find(".add-account button[type='submit']")?)?;
        let synced = ui.wait_for_text("[data-testid='status-line']", |t| t.contains("Synced"))?;
        ensure!(
            !synced.contains("keychain"),
            "the status line is mended: {synced}"
        );
        // The alert that said the key was gone clears too.
        ui.wait_until("document.querySelectorAll(\"[role='alert']\").length === 0")?;
        app.save_screenshot("key-restored")?;
        Ok(())
    })
    .outcome()
}

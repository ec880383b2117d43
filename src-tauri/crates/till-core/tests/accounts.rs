//! Adding accounts against the simulator and a real Secret Service (the test
//! command runs inside a private gnome-keyring session).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use serde_json::json;
use till_core::Error;
use till_core::accounts::{self, parse_key, validate};
use till_core::error::KeyProblem;
use till_sim::{SimConfig, Simulator};
use till_store::Store;
use till_stripe::Endpoint;

fn control(sim: &Simulator, path: &str, body: serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let reply = agent
        .post(format!("{}/_sim/{path}", sim.base_url()))
        .send_json(&body)
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
}

fn secret_tool_lookup(account_id: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            till_core::STORAGE_NAMESPACE,
            "username",
            account_id,
        ])
        .output()
        .unwrap();
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
        .filter(|s| !s.is_empty())
}

/// Each test its own seed: account ids (and so keychain entries) differ.
fn sim(seed: u64) -> Simulator {
    Simulator::start(SimConfig {
        rate_limit: 0,
        seed,
        ..SimConfig::default()
    })
    .unwrap()
}

/// Every file the database consists of, as bytes.
fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_key_goes_to_the_keychain_and_only_its_last_four_to_the_database() {
    let sim = sim(2);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("till.sqlite3")).unwrap();
    let key = parse_key(sim.demo_key()).unwrap();
    let validated = validate(key, Endpoint::parse(&sim.base_url()).unwrap())
        .await
        .unwrap();
    assert_eq!(validated.display_name, "Demo");
    let account = accounts::save(&store, &validated, 1_700_000_000, false).unwrap();
    assert_eq!(
        account.key_last4,
        &sim.demo_key()[sim.demo_key().len() - 4..]
    );
    assert!(account.capabilities.refund && account.capabilities.capture);

    assert_eq!(
        secret_tool_lookup(&account.id).as_deref(),
        Some(sim.demo_key()),
        "secret-tool finds the key in the keychain"
    );
    drop(store);
    let bytes = database_bytes(dir.path());
    assert!(
        !contains(&bytes, sim.demo_key()),
        "the key is not in the database files"
    );
    assert!(
        contains(&bytes, &account.key_last4),
        "the scanner does find what is there"
    );

    let store = Store::open(&dir.path().join("till.sqlite3")).unwrap();
    accounts::rename(&store, &account.id, "Café Ada").unwrap();
    assert_eq!(accounts::list(&store).unwrap()[0].display_name, "Café Ada");
    accounts::remove(&store, &account.id).unwrap();
    assert!(accounts::list(&store).unwrap().is_empty());
    assert_eq!(
        secret_tool_lookup(&account.id),
        None,
        "removing the account removes its keychain entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_key_can_capture_but_not_refund_create_checkouts_or_export() {
    let sim = sim(3);
    let staff = "rk_test_frontdeskstaff0001";
    control(
        &sim,
        "keys",
        json!({ "key": staff, "same_account_as": sim.demo_key(), "permissions": { "payment_intent": "write" } }),
    );
    let validated = validate(
        parse_key(staff).unwrap(),
        Endpoint::parse(&sim.base_url()).unwrap(),
    )
    .await
    .unwrap();
    assert!(
        validated.account_id.starts_with("acct_"),
        "learned from Stripe's permission error"
    );
    let c = validated.capabilities;
    assert!(c.read_payments && c.capture);
    assert!(!c.refund && !c.create_checkouts && !c.export, "{c:?}");
    let store = Store::in_memory().unwrap();
    let account = accounts::save(&store, &validated, 1, false).unwrap();
    assert!(account.restricted);
    assert_eq!(
        accounts::list(&store).unwrap()[0].capabilities,
        c,
        "remembered"
    );
    accounts::remove(&store, &account.id).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_keys_are_refused_with_a_reason_and_nothing_is_saved() {
    let sim = sim(4);
    let endpoint = Endpoint::parse(&sim.base_url()).unwrap();
    assert!(matches!(
        parse_key("sk_test_short"),
        Err(Error::KeyRejected {
            reason: KeyProblem::Malformed,
            ..
        })
    ));
    assert!(matches!(
        parse_key("pk_live_abcdefghijkl"),
        Err(Error::KeyRejected {
            reason: KeyProblem::WrongPrefix,
            ..
        })
    ));

    let revoked = "sk_test_revokedbeforeuse01";
    control(
        &sim,
        "keys",
        json!({ "key": revoked, "same_account_as": sim.demo_key() }),
    );
    control(&sim, "keys/revoke", json!({ "key": revoked }));
    let err = validate(parse_key(revoked).unwrap(), endpoint.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyRejected {
                reason: KeyProblem::NotAccepted,
                ..
            }
        ),
        "{err:?}"
    );

    let blind = "rk_test_cannotreadanything1";
    control(
        &sim,
        "keys",
        json!({ "key": blind, "same_account_as": sim.demo_key(), "permissions": { "customer": "read" } }),
    );
    let err = validate(parse_key(blind).unwrap(), endpoint.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyRejected {
                reason: KeyProblem::CannotReadPayments,
                ..
            }
        ),
        "{err:?}"
    );

    let unknown_live = parse_key("sk_live_neverregistered01").unwrap();
    let err = validate(unknown_live, endpoint).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyRejected {
                reason: KeyProblem::NotAccepted,
                ..
            }
        ),
        "{err:?}"
    );
}

/// Runs in a child process (the keychain connection is set up once per
/// process) with no D-Bus session at all.
#[test]
fn without_a_keychain_storing_is_refused_with_the_fix() {
    if std::env::var_os("TILL_TEST_NO_KEYCHAIN_CHILD").is_some() {
        let key = till_stripe::ApiKey::parse("sk_test_neverstored000001").unwrap();
        let err = till_core::keychain::store_key("acct_nokeychain", &key).unwrap_err();
        let Error::KeychainUnavailable { fix, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(
            fix.contains("gnome-keyring")
                || fix.contains("Keychain")
                || fix.contains("Credential Manager"),
            "{fix}"
        );
        assert!(matches!(
            till_core::keychain::probe(),
            till_core::KeychainStatus::Unavailable { .. }
        ));
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "without_a_keychain_storing_is_refused_with_the_fix",
            "--nocapture",
        ])
        .env("TILL_TEST_NO_KEYCHAIN_CHILD", "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/till-test-bus",
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "child failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}

/// Adding a key for an account Till already has: the same key says so; a
/// missing keychain entry is put back; another key of the account asks
/// first, saying which key would be used, and is then a replacement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_till_already_has_is_not_added_twice() {
    let sim = sim(18_007);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = till_core::DataDir::at(dir.path().join("data")).unwrap();
    let till =
        till_core::Till::open_with(data_dir, Endpoint::parse(&sim.base_url()).unwrap()).unwrap();
    let key = sim.demo_key().to_owned();
    let account = till.add_account(&key).await.unwrap();
    till.rename_account(&account.id, "Café Ada").unwrap();

    // The same key again.
    let again = till.add_account(&key).await.unwrap_err();
    assert!(
        matches!(&again, Error::AccountAlreadyAdded { account_id, display_name }
            if *account_id == account.id && display_name == "Café Ada"),
        "{again:?}"
    );

    // Another key of the same account, restricted: asked, not replaced.
    let staff = "rk_test_FrontDeskOfTheSameAccount0071";
    control(
        &sim,
        "keys",
        json!({ "key": staff, "same_account_as": key,
                "permissions": { "payment_intent": "write", "charge": "read" } }),
    );
    let asked = till.add_account(staff).await.unwrap_err();
    assert!(
        matches!(&asked, Error::KeyReplaceAsked { current_last4, new_last4, new_restricted: true, .. }
            if *current_last4 == key[key.len() - 4..] && new_last4 == "0071"),
        "{asked:?}"
    );
    assert_eq!(
        secret_tool_lookup(&account.id).as_deref(),
        Some(key.as_str()),
        "the stored key is untouched until the person says so"
    );
    // Said so: the replacement.
    let replaced = till.replace_account_key(&account.id, staff).await.unwrap();
    assert_eq!(replaced.key_last4, "0071");
    assert_eq!(secret_tool_lookup(&account.id).as_deref(), Some(staff));

    // The keychain entry lost: the same account's key puts it back, and the
    // account keeps its name.
    till_core::keychain::delete_key(&account.id).unwrap();
    assert_eq!(secret_tool_lookup(&account.id), None);
    let restored = till.add_account(staff).await.unwrap();
    assert_eq!(restored.display_name, "Café Ada");
    assert_eq!(secret_tool_lookup(&account.id).as_deref(), Some(staff));
    assert_eq!(
        till.accounts()
            .unwrap()
            .iter()
            .filter(|a| a.id == account.id)
            .count(),
        1
    );
}

/// Records a sync's reports, and wakes whoever waits for one.
#[derive(Default)]
struct Reports(
    std::sync::Mutex<Vec<till_core::sync::SyncProgress>>,
    tokio::sync::Notify,
);

impl till_core::sync::SyncListener for Reports {
    fn progress(&self, progress: &till_core::sync::SyncProgress) {
        self.0.lock().unwrap().push(progress.clone());
        self.1.notify_waiters();
    }
    fn changed(&self, _: &str, _: u32) {}
}

impl Reports {
    /// Waits for a report that matches, on the sync's own events.
    async fn until(&self, matches: impl Fn(&till_core::sync::SyncProgress) -> bool) {
        let seen = async {
            loop {
                let next = self.1.notified();
                if self.0.lock().unwrap().iter().any(&matches) {
                    return;
                }
                next.await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), seen)
            .await
            .expect("the sync never reported it");
    }
}

/// A key put back, by Add account or Replace key, takes effect at once: the
/// sync that was waiting for it starts (issue 17, 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_put_back_restarts_the_sync_at_once() {
    use till_core::sync::{SyncPhase, SyncProblem};
    let sim = sim(17_003);
    let dir = tempfile::tempdir().unwrap();
    let endpoint = Endpoint::parse(&sim.base_url()).unwrap();
    let open = || {
        let data_dir = till_core::DataDir::at(dir.path().join("data")).unwrap();
        till_core::Till::open_with(data_dir, endpoint.clone()).unwrap()
    };
    let key = sim.demo_key().to_owned();
    let account = open().add_account(&key).await.unwrap();

    for restore_by_replacing in [false, true] {
        // Till starts with the account's keychain entry gone.
        till_core::keychain::delete_key(&account.id).unwrap();
        let till = open();
        let reports = std::sync::Arc::new(Reports::default());
        let refused = till.start_sync(&account.id, reports.clone()).unwrap_err();
        assert!(matches!(refused, Error::KeyMissing { .. }), "{refused:?}");
        reports
            .until(|p| p.problem == Some(SyncProblem::KeyMissing))
            .await;

        // The same key, put back: the sync runs, with no restart of Till.
        if restore_by_replacing {
            till.replace_account_key(&account.id, &key).await.unwrap();
        } else {
            till.add_account(&key).await.unwrap();
        }
        reports
            .until(|p| p.phase == SyncPhase::Live && p.problem.is_none())
            .await;
        till.cancel_sync(&account.id);
    }
}

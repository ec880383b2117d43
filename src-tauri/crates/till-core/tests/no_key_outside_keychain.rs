//! The whole app, at trace level, never writes a Stripe key anywhere but the
//! OS keychain: not the database (nor its WAL), not the logs, not a config
//! file, not an IPC reply. The scanner is first shown to find a planted copy.
//!
//! One test in this binary: it installs the process's global log subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

mod common;

use common::control;
use serde_json::json;
use till_core::{DataDir, Till};
use till_sim::{SimConfig, Simulator};
use till_stripe::Endpoint;

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The files (and IPC replies) holding any of `needles`.
fn scan(places: &[PathBuf], replies: &[String], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in places.iter().flat_map(|p| files(p)) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        for needle in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.display().to_string());
            }
        }
    }
    for (index, reply) in replies.iter().enumerate() {
        if needles.iter().any(|n| reply.contains(n)) {
            found.push(format!("IPC reply #{index}"));
        }
    }
    found
}

/// What identifies a key without its last four characters (which Till
/// keeps on purpose): the whole key, its secret body, and a middle slice.
fn needles(key: &str) -> Vec<&str> {
    let body = &key[..key.len() - 4];
    vec![key, body, &key[8..key.len() - 8]]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_reaches_the_database_logs_config_or_ipc_replies() {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 77,
        history: Some(till_sim::seed::SeedSpec {
            payments: 120,
            ..till_sim::seed::SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = DataDir::at(dir.path().join("data")).unwrap();
    let guard = till_core::logging::init_with(&data_dir, "trace", false).unwrap();
    tracing::trace!("trace logging is on");

    let endpoint = Endpoint::parse(&sim.base_url()).unwrap();
    let key = sim.demo_key().to_owned();
    let till = Till::open_with(data_dir.clone(), endpoint.clone()).unwrap();
    let mut replies: Vec<String> = Vec::new();
    let mut reply = |value: &dyn erased::Json| replies.push(value.json());

    let account = till.add_account(&key).await.unwrap();
    reply(&account);
    reply(&till.accounts().unwrap());
    reply(&till.sync_once(&account.id).await.unwrap());
    reply(&till.cache_counts(&account.id).unwrap());
    let page = till
        .payments(&account.id, Default::default(), None, 50)
        .unwrap();
    reply(&page);
    let first = &page.rows[0];
    reply(&till.payment_detail(&account.id, &first.id).unwrap());
    reply(&till.search_payments(&account.id, &first.id).unwrap());
    reply(&till.jump(&account.id, &first.id).unwrap());
    reply(&till.overview(&account.id, &[0]).unwrap());
    reply(&till.app_info());
    // A rolled key for the same account: the replacement path too.
    let rolled = "sk_test_RolledKeyOfTheSameAccount0042";
    control(
        &sim,
        "keys",
        json!({ "key": rolled, "same_account_as": key }),
    );
    reply(&till.replace_account_key(&account.id, rolled).await.unwrap());
    till.rename_account(&account.id, "Café Ada").unwrap();
    // The key is read from the keychain once a session and then held in
    // memory: with the entry gone, this session still syncs.
    let cleared = std::process::Command::new("secret-tool")
        .args([
            "clear",
            "service",
            till_core::STORAGE_NAMESPACE,
            "username",
            &account.id,
        ])
        .status()
        .unwrap();
    assert!(cleared.success());
    till.sync_once(&account.id).await.unwrap();
    let bad = till
        .add_account("sk_test_thisKeyIsNotKnownToStripe000")
        .await;
    reply(&format!("{bad:?}"));
    let mut places = vec![data_dir.root().to_path_buf()];
    for config in [dirs::config_dir(), dirs::cache_dir()]
        .into_iter()
        .flatten()
    {
        places.push(config.join(till_core::STORAGE_NAMESPACE));
    }
    // While Till runs, the database's recent writes are in its WAL.
    assert!(
        files(data_dir.root())
            .iter()
            .any(|p| p.to_string_lossy().ends_with("-wal")),
        "the database's WAL is among the files scanned"
    );
    for secret in [key.as_str(), rolled] {
        let found = scan(&places, &replies, &needles(secret));
        assert!(
            found.is_empty(),
            "key material found while running: {found:?}"
        );
    }
    drop(till);
    drop(guard); // flushes the log file

    let log = std::fs::read_to_string(data_dir.logs_dir().join("till.log")).unwrap();
    assert!(log.contains("TRACE"), "the log was written at trace level");
    for secret in [key.as_str(), rolled] {
        let found = scan(&places, &replies, &needles(secret));
        assert!(found.is_empty(), "key material found in {found:?}");
    }

    // The scanner finds a planted copy: in the database (through SQLite, so
    // in its own file format) and in the log.
    let till = Till::open_with(data_dir.clone(), endpoint).unwrap();
    till.rename_account(&account.id, &key).unwrap();
    drop(till);
    tracing::trace!(planted = %key, "a planted copy");
    let found = scan(&places, &[], &needles(&key));
    assert!(
        found.iter().any(|f| f.contains("till.sqlite3")),
        "a key planted in the database is found: {found:?}"
    );
    assert!(
        !scan(&[], &[format!("{{\"k\":\"{key}\"}}")], &needles(&key)).is_empty(),
        "a key in an IPC reply is found"
    );
}

mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

//! The real `till` binary against the simulator, in the private keychain
//! session the Rust tests run in (`scripts/with-test-keyring.sh`): every
//! verb with and without `--json`, each exit code provoked, the key never
//! in any output, no escape codes when not on a terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;
use till_sim::{SimConfig, Simulator};

/// The binary under test (one place to change its name).
const BIN: &str = env!("CARGO_BIN_EXE_till");

/// What one run of the binary said.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}\n{}", self.stdout, self.stderr))
    }
}

/// A simulator and a data directory of its own; every run's output is
/// checked for the key and for escape codes.
struct Setup {
    sim: Option<Simulator>,
    url: String,
    key: String,
    data: tempfile::TempDir,
}

fn setup(seed: u64, seed_payments: Option<usize>) -> Setup {
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed,
        // Ten days: few payouts, whose transactions a first sync reads
        // one request each.
        history: seed_payments.map(|payments| till_sim::seed::SeedSpec {
            payments,
            seed,
            days: 10,
            lapsing_holds: 0,
        }),
        ..SimConfig::default()
    })
    .unwrap();
    Setup {
        url: sim.base_url(),
        key: sim.demo_key().to_owned(),
        sim: Some(sim),
        data: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("TILL_DATA_DIR", self.data.path())
            .env("TILL_STRIPE_API_BASE", &self.url)
            .env_remove("RUST_LOG")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        command
    }

    fn output(&self, mut command: Command, input: Option<&str>) -> Run {
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        if let Some(input) = input {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains(&self.key), "the key was printed: {run:?}");
        assert!(
            !all.contains('\u{1b}'),
            "escape codes when not on a terminal: {run:?}"
        );
        run
    }

    fn run(&self, args: &[&str]) -> Run {
        self.output(self.command(args), None)
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        self.output(self.command(args), Some(input))
    }

    /// Adds the simulator's key; returns the account's id.
    fn add(&self) -> String {
        let added = self.run_with_input(&["--json", "accounts", "add"], &self.key);
        assert_eq!(added.code, 0, "{added:?}");
        added.json()["id"].as_str().unwrap().to_owned()
    }

    /// Adds the simulator's key and syncs (a first sync costs seconds:
    /// the tests make their payments before it).
    fn add_and_sync(&self) -> String {
        let id = self.add();
        let synced = self.run(&["sync"]);
        assert_eq!(synced.code, 0, "{synced:?}");
        id
    }

    /// A card payment made at Stripe (the simulator) with `key`: held
    /// when `hold`, else paid.
    fn payment(&self, key: &str, amount: i64, hold: bool) -> String {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let amount = amount.to_string();
        let mut reply = agent
            .post(format!("{}/v1/payment_intents", self.url))
            .header("Authorization", &format!("Bearer {key}"))
            .send_form([
                ("amount", amount.as_str()),
                ("currency", "usd"),
                ("payment_method", "pm_card_visa"),
                ("confirm", "true"),
                ("capture_method", if hold { "manual" } else { "automatic" }),
                ("receipt_email", "ada@example.com"),
            ])
            .unwrap();
        let status = reply.status().as_u16();
        let body: Value = reply.body_mut().read_json().unwrap();
        assert_eq!(status, 200, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    fn control(&self, path: &str, body: Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let reply = agent
            .post(format!("{}/_sim/{path}", self.url))
            .send_json(&body)
            .unwrap();
        assert_eq!(reply.status().as_u16(), 200, "{path}");
    }
}

fn contains(run: &Run, text: &str) {
    assert!(
        run.stdout.contains(text) || run.stderr.contains(text),
        "{text:?} not said: {run:?}"
    );
}

#[test]
fn accounts_are_added_from_standard_input_listed_renamed_marked_and_removed() {
    let s = setup(2301, None);
    // No account yet: nothing to act on.
    let none = s.run(&["holds"]);
    assert_eq!(none.code, 3, "{none:?}");
    assert_eq!(
        s.run(&["--json", "accounts", "list"]).json(),
        Value::Array(vec![])
    );

    let added = s.run_with_input(&["accounts", "add"], &format!("{}\n", s.key));
    assert_eq!(added.code, 0, "{added:?}");
    contains(&added, "Added");
    // The same key again: already there, still a success.
    let again = s.run_with_input(&["--json", "accounts", "add"], &s.key);
    assert_eq!(again.code, 0, "{again:?}");
    let id = again.json()["id"].as_str().unwrap().to_owned();
    contains(&again, "already in Till");

    let listed = s.run(&["--json", "accounts", "list"]).json();
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(
        listed[0]["isDefault"], true,
        "the only account is the default"
    );
    assert_eq!(listed[0]["keyLast4"], &s.key[s.key.len() - 4..]);
    let human = s.run(&["accounts", "list"]);
    assert_eq!(human.code, 0);
    contains(&human, &id);

    let renamed = s.run(&["accounts", "rename", &id, "Front desk"]);
    assert_eq!(renamed.code, 0, "{renamed:?}");
    let by_name = s.run(&["--json", "accounts", "default", "front desk"]);
    assert_eq!(by_name.code, 0, "{by_name:?}");
    assert_eq!(by_name.json()["displayName"], "Front desk");
    assert_eq!(
        std::fs::read_to_string(s.data.path().join("default-account"))
            .unwrap()
            .trim(),
        id
    );
    let unknown = s.run(&["--account", "nobody", "holds"]);
    assert_eq!(unknown.code, 3, "{unknown:?}");

    let removed = s.run(&["--json", "accounts", "remove", "Front desk"]);
    assert_eq!(removed.code, 0, "{removed:?}");
    assert_eq!(
        s.run(&["--json", "accounts", "list"]).json(),
        Value::Array(vec![])
    );
    assert!(!s.data.path().join("default-account").exists());
}

#[test]
fn a_key_given_as_an_argument_is_refused_with_the_reason_and_not_repeated() {
    let s = setup(2302, None);
    let refused = s.run(&["accounts", "add", &s.key]);
    assert_eq!(refused.code, 2, "{refused:?}");
    contains(&refused, "shell history");
    // The run checks the key is nowhere in the output; nothing was added.
    assert_eq!(
        s.run(&["--json", "accounts", "list"]).json(),
        Value::Array(vec![])
    );
    // Nor is a key anything but one: usage.
    let malformed = s.run_with_input(&["accounts", "add"], "hello");
    assert_eq!(malformed.code, 2, "{malformed:?}");
}

#[test]
fn sync_then_read_payments_holds_and_balance_from_the_cache_with_and_without_json() {
    let s = setup(2303, Some(30));
    s.add();
    let hold = s.payment(&s.key, 4200, true);
    let synced = s.run(&["--json", "sync"]).json();
    assert_eq!(synced[0]["synced"], true);
    assert!(synced[0]["cached"]["payment_intents"].as_i64().unwrap() >= 31);

    let listed = s
        .run(&["--json", "payments", "list", "--limit", "5"])
        .json();
    assert_eq!(listed["payments"].as_array().unwrap().len(), 5);
    assert!(listed["total"].as_u64().unwrap() >= 31);
    let human = s.run(&["payments", "list", "--limit", "5"]);
    assert_eq!(human.code, 0);
    assert_eq!(
        human.stdout.lines().count(),
        7,
        "a header, 5 rows, the count: {human:?}"
    );

    // The filters: status, currency and an amount in the locale's words.
    let held = s
        .run(&[
            "--json",
            "payments",
            "list",
            "--status",
            "requires-capture",
            "--currency",
            "USD",
            "--min",
            "42,00",
            "--max",
            "42",
            "--locale",
            "de-DE",
        ])
        .json();
    let ids: Vec<&str> = held["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [hold.as_str()]);
    let bad_amount = s.run(&["payments", "list", "--currency", "jpy", "--min", "1.5"]);
    assert_eq!(bad_amount.code, 2, "{bad_amount:?}");

    let holds = s.run(&["--json", "holds"]).json();
    assert!(
        holds
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == hold.as_str())
    );
    let human = s.run(&["holds"]);
    contains(&human, &hold);
    contains(&human, "left)");

    let shown = s.run(&["--json", "payments", "show", &hold]).json();
    assert_eq!(shown["amountCapturable"], 4200);
    let human = s.run(&["payments", "show", &hold]);
    contains(&human, "42.00 USD");
    contains(&human, "ada@example.com");
    let missing = s.run(&["payments", "show", "pi_nothing"]);
    assert_eq!(missing.code, 3, "{missing:?}");

    let balance = s.run(&["--json", "balance"]).json();
    assert!(balance["asOf"].as_i64().is_some());
    assert_eq!(s.run(&["balance"]).code, 0);
}

#[test]
fn stripe_out_of_reach_is_4_for_a_sync_and_the_cache_still_answers() {
    let mut s = setup(2304, Some(10));
    s.add_and_sync();
    s.sim = None; // stopped
    let sync = s.run(&["sync"]);
    assert_eq!(sync.code, 4, "{sync:?}");
    let listed = s.run(&["--json", "payments", "list"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    assert_eq!(listed.json()["payments"].as_array().unwrap().len(), 10);
}

#[test]
fn capture_release_refund_and_the_journal_go_through_the_core() {
    let s = setup(2305, None);
    let to_capture = s.payment(&s.key, 5000, true);
    let to_release = s.payment(&s.key, 3000, true);
    let paid = s.payment(&s.key, 2000, false);
    s.add_and_sync();

    let captured = s.run(&["--json", "capture", &to_capture, "--amount", "12.50"]);
    assert_eq!(captured.code, 0, "{captured:?}");
    let done = captured.json();
    assert_eq!(done["payment"]["status"], "succeeded");
    assert_eq!(done["payment"]["amountReceived"], 1250);

    let released = s.run(&["release", &to_release, "--reason", "abandoned"]);
    assert_eq!(released.code, 0, "{released:?}");
    contains(&released, "Released");

    let too_much = s.run(&["refund", &paid, "--amount", "25", "--reason", "duplicate"]);
    assert_eq!(too_much.code, 2, "{too_much:?}");
    let refunded = s.run(&[
        "--json",
        "refund",
        &paid,
        "--amount",
        "5.00",
        "--reason",
        "requested-by-customer",
    ]);
    assert_eq!(refunded.code, 0, "{refunded:?}");
    assert!(
        refunded.json()["refundId"]
            .as_str()
            .unwrap()
            .starts_with("re_")
    );
    // Not a hold: refused before anything is sent.
    let not_a_hold = s.run(&["capture", &paid]);
    assert_eq!(not_a_hold.code, 1, "{not_a_hold:?}");

    let journal = s.run(&["--json", "journal"]).json();
    let ops = journal["operations"].as_array().unwrap();
    let kinds: Vec<(&str, &str, &str)> = ops
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap(),
                o["target"].as_str().unwrap(),
                o["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("capture", to_capture.as_str(), "succeeded")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("release", to_release.as_str(), "succeeded")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("refund", paid.as_str(), "succeeded")),
        "{kinds:?}"
    );
    assert_eq!(journal["unknown"], Value::Array(vec![]));
    // Only a movement never sent can be discarded; an unknown one is not there.
    let capture_op = ops.iter().find(|o| o["kind"] == "capture").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = s.run(&["journal", "--discard", &capture_op]);
    assert_eq!(sent.code, 1, "{sent:?}");
    assert_eq!(s.run(&["journal", "--discard", "op_nothing"]).code, 3);
    let checked = s.run(&["--json", "journal", "--check"]);
    assert_eq!(checked.code, 0, "{checked:?}");
    assert_eq!(checked.json()["unknown"], Value::Array(vec![]));
    let human = s.run(&["journal"]);
    contains(&human, &to_capture);
    contains(&human, "12.50 USD");
    // The app's journal view (its `list_operations` command) reads the
    // same data directory through the same call: the CLI's capture is there.
    let till = till_core::Till::open(till_core::DataDir::at(s.data.path()).unwrap()).unwrap();
    let id = s.run(&["--json", "accounts", "list"]).json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = till.operations(&id).unwrap();
    assert!(
        seen.iter().any(|o| o.kind == "capture"
            && o.target == to_capture
            && o.state == "succeeded"
            && o.amount == Some(1250)),
        "{seen:?}"
    );
}

#[test]
fn a_lost_answer_is_4_and_journal_check_settles_it_once() {
    let s = setup(2313, None);
    let hold = s.payment(&s.key, 6000, true);
    s.add_and_sync();
    // Stripe captures, and its answer is lost (a 500 after the commit).
    s.control("faults", serde_json::json!({ "stored_500_next": 1 }));
    let lost = s.run(&["capture", &hold]);
    assert_eq!(lost.code, 4, "{lost:?}");
    contains(&lost, "never be doubled");
    let unknown = s.run(&["--json", "journal"]).json()["unknown"].clone();
    assert_eq!(unknown.as_array().unwrap().len(), 1, "{unknown}");
    assert_eq!(unknown[0]["target"], hold.as_str());

    let checked = s.run(&["--json", "journal", "--check"]);
    assert_eq!(checked.code, 0, "{checked:?}");
    let checked = checked.json();
    assert_eq!(checked["settled"][0]["outcome"], "succeeded");
    assert_eq!(checked["unknown"], Value::Array(vec![]));
    let shown = s.run(&["--json", "payments", "show", &hold]).json();
    assert_eq!(shown["captured"], 6000, "captured once");
}

#[test]
fn stripe_refusing_is_1() {
    let s = setup(2306, None);
    let paid = s.payment(&s.key, 2000, false);
    s.add_and_sync();
    // Refunded elsewhere (another computer's Till) while this cache still
    // thinks it refundable: Stripe refuses.
    let other = tempfile::tempdir().unwrap();
    let mut elsewhere = s.command(&["refund", &paid, "--reason", "duplicate"]);
    elsewhere.env("TILL_DATA_DIR", other.path());
    let mut add = s.command(&["accounts", "add"]);
    add.env("TILL_DATA_DIR", other.path());
    assert_eq!(s.output(add, Some(&s.key)).code, 0);
    let mut sync = s.command(&["sync"]);
    sync.env("TILL_DATA_DIR", other.path());
    assert_eq!(s.output(sync, None).code, 0);
    assert_eq!(s.output(elsewhere, None).code, 0);

    let refused = s.run(&["--json", "refund", &paid, "--reason", "duplicate"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    let json = refused.json();
    assert_eq!(json["exit_code"], 1);
    assert_eq!(json["error"]["code"], "stripeRefused");
    contains(&refused, "Stripe refused");
}

#[test]
fn a_live_refund_without_a_terminal_or_yes_is_refused_and_nothing_is_journaled() {
    let s = setup(2307, None);
    let live = "sk_live_clitest2307abcdefghijklmnop";
    s.control(
        "keys",
        serde_json::json!({"key": live, "same_account_as": s.key}),
    );
    let paid = s.payment(live, 2000, false);
    let added = s.run_with_input(&["--json", "accounts", "add"], live);
    assert_eq!(added.code, 0, "{added:?}");
    assert_eq!(added.json()["livemode"], true);
    assert_eq!(s.run(&["sync"]).code, 0);

    let refused = s.run(&["refund", &paid, "--reason", "duplicate"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    contains(&refused, "--yes");
    let journal = s.run(&["--json", "journal"]).json();
    assert_eq!(journal["operations"], Value::Array(vec![]));
    assert!(!refused.stdout.contains(live) && !refused.stderr.contains(live));

    let done = s.run(&["refund", &paid, "--reason", "duplicate", "--yes"]);
    assert_eq!(done.code, 0, "{done:?}");
    let journal = s.run(&["--json", "journal"]).json();
    assert_eq!(journal["operations"].as_array().unwrap().len(), 1);
}

#[test]
fn a_sync_held_by_another_process_leaves_the_cache_and_says_so() {
    let s = setup(2308, Some(5));
    let id = s.add();
    let dir = till_core::DataDir::at(s.data.path()).unwrap();
    let held = till_core::sync_lock::SyncLock::try_acquire(&dir, &id)
        .unwrap()
        .unwrap();
    let run = s.run(&["--json", "sync"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()[0]["synced"], false);
    contains(&run, "being synced by the app");
    drop(held);
    assert_eq!(s.run(&["--json", "sync"]).json()[0]["synced"], true);
}

/// Waits (polling, with a deadline) until the account's sync lock is held
/// (`held`) or free.
fn wait_for_lock(dir: &till_core::DataDir, id: &str, held: bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let free = till_core::sync_lock::SyncLock::try_acquire(dir, id)
            .unwrap()
            .is_some();
        if free != held {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lock never became {}",
            if held { "held" } else { "free" }
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn the_app_and_the_command_line_never_sync_one_account_at_once() {
    let s = setup(2311, Some(5));
    let id = s.add();
    let dir = till_core::DataDir::at(s.data.path()).unwrap();
    // The app's side: Till::start_sync, as its start_sync command calls it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let app =
        till_core::Till::open_with(dir.clone(), till_stripe::Endpoint::parse(&s.url).unwrap())
            .unwrap();
    runtime.block_on(async {
        app.start_sync(&id, std::sync::Arc::new(till_core::sync::Quiet))
            .unwrap();
    });
    wait_for_lock(&dir, &id, true);
    let run = s.run(&["--json", "sync"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()[0]["synced"], false, "the app is syncing it");
    contains(&run, "being synced by the app");

    // The app stops following the account: the command line syncs.
    app.cancel_sync(&id);
    wait_for_lock(&dir, &id, false);
    assert_eq!(s.run(&["--json", "sync"]).json()[0]["synced"], true);
}

#[test]
fn a_key_gone_from_the_keychain_is_5_and_the_cache_still_answers() {
    let s = setup(2312, Some(3));
    let id = s.add_and_sync();
    let cleared = Command::new("secret-tool")
        .args([
            "clear",
            "service",
            till_core::STORAGE_NAMESPACE,
            "username",
            &id,
        ])
        .status()
        .unwrap();
    assert!(cleared.success());
    let sync = s.run(&["sync"]);
    assert_eq!(sync.code, 5, "{sync:?}");
    contains(&sync, "accounts add");
    let cached = s.run(&["--json", "payments", "list"]);
    assert_eq!(cached.code, 0, "{cached:?}");
    assert_eq!(cached.json()["payments"].as_array().unwrap().len(), 3);
}

#[test]
fn no_keychain_is_5() {
    let s = setup(2309, None);
    let mut add = s.command(&["accounts", "add"]);
    add.env_remove("DBUS_SESSION_BUS_ADDRESS").env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/till-test-bus",
    );
    let run = s.output(add, Some(&s.key));
    assert_eq!(run.code, 5, "{run:?}");
    contains(&run, "keychain");
}

#[test]
fn usage_errors_help_completions_and_the_man_page() {
    let s = setup(2310, None);
    let wrong = s.run(&["payments", "list", "--bogus"]);
    assert_eq!(wrong.code, 2, "{wrong:?}");
    let help = s.run(&["--help"]);
    assert_eq!(help.code, 0);
    for code in [
        "0  done",
        "1  refused",
        "2  usage",
        "3  no such",
        "4  the verb needed Stripe",
        "5  the keychain",
    ] {
        contains(&help, code);
    }
    let completions = s.run(&["completions", "bash"]);
    assert_eq!(completions.code, 0);
    contains(&completions, "complete");
    let man = s.run(&["man"]);
    assert_eq!(man.code, 0);
    contains(&man, ".TH");
}

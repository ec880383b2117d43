//! `kill -9` during a backfill, at several points, then a restart: the
//! database passes `PRAGMA integrity_check`, the backfill resumes from its
//! saved plan instead of starting over, nothing is duplicated, and the end
//! state equals the simulator's.
//!
//! The sync runs in a child process: this test binary again, with
//! `TILL_CRASH_CHILD` set, running only `child_sync`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ACCOUNT, cached_state, client, client_at, differences, simulator_state};
use till_core::sync::{Controls, Kind, Quiet, SyncOptions, Syncer};
use till_sim::seed::SeedSpec;
use till_sim::{SimConfig, Simulator};
use till_store::Store;

const CHILD: &str = "TILL_CRASH_CHILD";

/// The child: syncs `TILL_CRASH_DB` from `TILL_CRASH_URL` with `TILL_CRASH_KEY`.
/// Run only by its parent (`--ignored --exact child_sync`), never counted
/// as a test of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the crash test's child process, started by its parent"]
async fn child_sync() {
    let db = std::env::var(CHILD).expect("started by sync_crash's parent, with TILL_CRASH_CHILD");
    let url = std::env::var("TILL_CRASH_URL").unwrap();
    let key = std::env::var("TILL_CRASH_KEY").unwrap();
    let syncer = Syncer {
        client: client_at(&url, &key),
        store: Arc::new(Mutex::new(Store::open(Path::new(&db)).unwrap())),
        account_id: ACCOUNT.to_owned(),
        listener: Arc::new(Quiet),
        options: SyncOptions {
            parallel: 4,
            ..SyncOptions::default()
        },
        controls: Arc::new(Controls::default()),
    };
    syncer.sync_once().await.unwrap();
}

fn spawn_child(db: &Path, sim: &Simulator) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_sync",
            "--test-threads=1",
            "--quiet",
        ])
        .env(CHILD, db)
        .env("TILL_CRASH_URL", sim.base_url())
        .env("TILL_CRASH_KEY", sim.demo_key())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Cached objects of the account, read as another process would.
fn cached_objects(db: &Path) -> i64 {
    let Ok(conn) = rusqlite::Connection::open(db) else {
        return 0;
    };
    Kind::ALL
        .iter()
        .map(|kind| {
            conn.query_row(
                &format!("SELECT count(*) FROM {} WHERE account_id = ?1", kind.name()),
                [ACCOUNT],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0)
        })
        .sum()
}

fn saved_progress(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT coalesce(sum(objects_done), 0) FROM sync_cursors WHERE account_id = ?1 AND stream LIKE 'window:%'",
        [ACCOUNT],
        |r| r.get(0),
    )
    .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sync_resumes_without_duplicates_or_damage() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let sim = Simulator::start(SimConfig {
        rate_limit: 0,
        seed: 21,
        latency: Duration::from_millis(3),
        history: Some(SeedSpec {
            payments: 2_500,
            days: 120,
            ..SeedSpec::demo()
        }),
        ..SimConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("till.sqlite3");
    drop(Store::open(&db).unwrap()); // migrated before the first child

    let expected = simulator_state(&client(&sim)).await;
    let total = i64::try_from(expected.len()).unwrap();
    // Kill points: after this many objects are cached.
    let points = [
        total / 10,
        total / 4,
        total * 2 / 5,
        total * 3 / 5,
        total * 4 / 5,
    ];
    let mut kills = 0;
    let mut last_progress = 0;
    for point in points {
        let mut child = spawn_child(&db, &sim);
        let deadline = Instant::now() + Duration::from_secs(60);
        let killed = loop {
            if cached_objects(&db) >= point {
                child.kill().unwrap(); // SIGKILL: no chance to tidy up
                child.wait().unwrap();
                break true;
            }
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "the child failed: {status}");
                break false;
            }
            assert!(Instant::now() < deadline, "the child made no progress");
            std::thread::sleep(Duration::from_millis(2));
        };
        if !killed {
            break;
        }
        kills += 1;
        let conn = rusqlite::Connection::open(&db).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "after kill #{kills}");
        drop(conn);
        // What was committed stays committed, and the plan remembers it.
        let progress = saved_progress(&db);
        assert!(
            progress >= last_progress,
            "kill #{kills}: saved progress went back ({progress} < {last_progress})"
        );
        last_progress = progress;
    }
    assert!(kills >= 3, "the sync was killed {kills} times");

    // A last restart runs to the end: the plan resumed, not restarted.
    let started_from = cached_objects(&db);
    let status = spawn_child(&db, &sim).wait().unwrap();
    assert!(status.success());
    let store = Store::open(&db).unwrap();
    let cached = cached_state(&store);
    let diff = differences(&expected, &cached);
    assert!(
        diff.is_empty(),
        "{} differences: {:?}",
        diff.len(),
        &diff[..diff.len().min(3)]
    );
    // Row for row, each table holds exactly what Stripe has: nothing the
    // kills left half-written, nothing from elsewhere.
    for kind in Kind::ALL {
        let rows: i64 = store
            .conn()
            .query_row(
                &format!("SELECT count(*) FROM {} WHERE account_id = ?1", kind.name()),
                [ACCOUNT],
                |r| r.get(0),
            )
            .unwrap();
        let at_stripe = expected.keys().filter(|(k, _)| *k == kind).count();
        assert_eq!(
            usize::try_from(rows).unwrap(),
            at_stripe,
            "{} rows against Stripe's",
            kind.name()
        );
    }
    println!(
        "killed the sync {kills} times (at {points:?} of {total} objects); resumed with {started_from} cached; integrity ok each time; 0 duplicated, 0 missing"
    );
}

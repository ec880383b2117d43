//! `till sync`: brings an account's cache up to date once, then exits. The
//! app and the command line never sync one account at once: both take the
//! account's [`SyncLock`]; the second leaves the cache as it is and says
//! so, or waits with `--wait`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use till_core::Till;
use till_core::accounts::Account;
use till_core::sync::{SyncListener, SyncPhase, SyncProgress};
use till_core::sync_lock::SyncLock;

use crate::cli::SyncArgs;
use crate::failure::Failure;
use crate::out::{self, Out};

/// Progress on a terminal: a bar with the counts and the estimate left.
struct Bar {
    bar: ProgressBar,
}

fn phase_words(phase: SyncPhase) -> &'static str {
    match phase {
        SyncPhase::Newest => "newest pages",
        SyncPhase::Recent => "last 31 days",
        SyncPhase::Backfill => "history",
        SyncPhase::Live => "events",
        SyncPhase::Offline => "waiting for Stripe",
        SyncPhase::Canceled => "stopped",
    }
}

impl SyncListener for Bar {
    fn progress(&self, progress: &SyncProgress) {
        let done = u64::from(progress.done);
        // Each phase counts from zero: the position first, so a phase's
        // start never shows more done than its length.
        self.bar.set_position(done);
        self.bar.set_length(match progress.remaining {
            Some(left) => done + u64::from(left),
            None => done.max(1),
        });
        let rate = if progress.rate > 0.0 {
            format!(", {:.0}/s", progress.rate)
        } else {
            String::new()
        };
        self.bar
            .set_message(format!("{}{rate}", phase_words(progress.phase)));
    }

    fn changed(&self, _: &str, _: u32) {}
}

/// Not a terminal: one line per phase reached, on standard error.
#[derive(Default)]
struct Lines {
    last: Mutex<Option<SyncPhase>>,
}

impl SyncListener for Lines {
    fn progress(&self, progress: &SyncProgress) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if *last != Some(progress.phase) {
            *last = Some(progress.phase);
            eprintln!("  {}", phase_words(progress.phase));
        }
    }

    fn changed(&self, _: &str, _: u32) {}
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Synced {
    account_id: String,
    display_name: String,
    /// False when another process was syncing it: the cache was left as it is.
    synced: bool,
    stored: i64,
    /// Objects cached per type, after.
    cached: BTreeMap<String, i64>,
}

async fn sync_one(
    till: &Arc<Till>,
    out: Out,
    account: &Account,
    wait: bool,
) -> Result<Synced, Failure> {
    let lock = match SyncLock::try_acquire(till.data_dir(), &account.id)? {
        Some(lock) => lock,
        None if wait => {
            out::warn(&format!(
                "{} is being synced by the app or another `till sync`: waiting for it to finish.",
                account.display_name
            ));
            let data_dir = till.data_dir().clone();
            let id = account.id.clone();
            tokio::task::spawn_blocking(move || SyncLock::acquire(&data_dir, &id))
                .await
                .map_err(|err| Failure::local(format!("waiting for the sync lock: {err}")))??
        }
        None => {
            out::warn(&format!(
                "{} is being synced by the app or another `till sync` right now: the cache is \
                 left as it is (it keeps it current). `--wait` waits for it instead.",
                account.display_name
            ));
            return Ok(Synced {
                account_id: account.id.clone(),
                display_name: account.display_name.clone(),
                synced: false,
                stored: 0,
                cached: till.cache_counts(&account.id)?,
            });
        }
    };
    let terminal = !out.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = terminal.then(|| {
        let bar = ProgressBar::new(1);
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}, about {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(account.display_name.clone());
        bar.set_message("starting");
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    if !terminal && !out.json {
        eprintln!("Syncing {} ({})", account.display_name, account.id);
    }
    let listener: Arc<dyn SyncListener> = match &bar {
        Some(bar) => Arc::new(Bar { bar: bar.clone() }),
        None if out.json => Arc::new(till_core::sync::Quiet),
        None => Arc::new(Lines::default()),
    };
    let result = till.sync_once_with(&account.id, listener).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    drop(lock);
    let stored = result?;
    Ok(Synced {
        account_id: account.id.clone(),
        display_name: account.display_name.clone(),
        synced: true,
        stored,
        cached: till.cache_counts(&account.id)?,
    })
}

pub async fn run(
    till: &Arc<Till>,
    out: Out,
    account: Option<&str>,
    args: SyncArgs,
) -> Result<(), Failure> {
    let accounts = if args.all {
        let all = crate::accounts::saved(till)?;
        if all.is_empty() {
            // The same words as a verb without an account.
            return crate::accounts::resolve(till, None).map(|_| ());
        }
        all
    } else {
        vec![crate::accounts::resolve(till, account)?]
    };
    let mut all = Vec::new();
    for account in &accounts {
        let synced = sync_one(till, out, account, args.wait).await?;
        if !out.json {
            let state = if synced.synced {
                out::green("up to date")
            } else {
                out::amber("synced elsewhere")
            };
            out::line(&format!(
                "{} ({}): {state}, {} objects stored",
                synced.display_name, synced.account_id, synced.stored
            ));
            for (kind, count) in &synced.cached {
                out::line(&format!("  {kind}: {count} cached"));
            }
        }
        all.push(synced);
    }
    if out.json {
        out.answer(&all, || {})?;
    }
    Ok(())
}

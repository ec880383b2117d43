//! The backfill's writer: the workers hand each fetched page to a thread of
//! its own, which stores it in one transaction with the plan that covers it.
//!
//! A page is committed alone whenever the writer is free for it, which under
//! Stripe's rate limit is nearly always (the backfill benchmark counts it).
//! Pages that arrive while a commit runs wait for the next one and share it,
//! whole, up to [`GROUP_OBJECTS`] objects: a commit rewrites the index pages
//! the objects touched (random ids, amounts, the text index), and a backlog
//! of pages rewriting the same ones one by one ran at half the speed. Either
//! way the saved plan covers exactly the pages stored with it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Semaphore, SemaphorePermit, mpsc, oneshot};

use till_store::{Store, StoreError};

use super::kinds::{self, Batch};
use super::windows::{Plan, Window};
use crate::Error;

/// Most objects one commit takes when pages have piled up.
pub const GROUP_OBJECTS: usize = 1000;

/// Pages fetched ahead of the writer before the workers wait for it, so a
/// network faster than the disk cannot fill memory.
const AHEAD: usize = 64;

/// One fetched page and the plan as it stood once the page was counted.
struct Page {
    batch: Batch,
    objects: usize,
    plan: Vec<Window>,
}

/// How the pages were committed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Commits {
    pub pages: usize,
    pub transactions: usize,
    /// Transactions that held a single page.
    pub alone: usize,
}

/// The sending side, held by the backfill's workers.
pub struct PageWriter {
    pages: mpsc::UnboundedSender<Page>,
    room: Arc<Semaphore>,
    outcome: oneshot::Receiver<Result<Commits, Error>>,
}

/// A place for one page, taken before fetching it; given back if the page
/// is never sent.
pub struct Room<'a>(SemaphorePermit<'a>);

impl PageWriter {
    /// Starts the writer thread. `committed` is called after every commit
    /// with the number of objects it stored.
    pub fn start(
        store: Arc<Mutex<Store>>,
        account_id: String,
        mut committed: impl FnMut(usize) + Send + 'static,
    ) -> Result<Self, Error> {
        let (pages, mut incoming) = mpsc::unbounded_channel::<Page>();
        let room = Arc::new(Semaphore::new(AHEAD));
        let (report, outcome) = oneshot::channel();
        let freed = Arc::clone(&room);
        std::thread::Builder::new()
            .name("till-sync-writer".to_owned())
            .spawn(move || {
                let mut commits = Commits::default();
                let mut saved: HashMap<u64, Window> = HashMap::new();
                let result = loop {
                    let Some(first) = incoming.blocking_recv() else {
                        break Ok(commits);
                    };
                    let mut objects = first.objects;
                    let mut group = vec![first];
                    while objects < GROUP_OBJECTS {
                        match incoming.try_recv() {
                            Ok(page) => {
                                objects += page.objects;
                                group.push(page);
                            }
                            Err(_) => break,
                        }
                    }
                    let stored = {
                        let mut store = store.lock().unwrap_or_else(PoisonError::into_inner);
                        commit(&mut store, &account_id, &group, &mut saved)
                    };
                    if let Err(err) = stored {
                        break Err(Error::from(err));
                    }
                    commits.pages += group.len();
                    commits.transactions += 1;
                    commits.alone += usize::from(group.len() == 1);
                    freed.add_permits(group.len());
                    committed(objects);
                };
                // Workers waiting for room stop rather than wait for ever.
                freed.close();
                incoming.close();
                let _ = report.send(result);
            })
            .map_err(|err| Error::Internal {
                detail: format!("the sync could not start its writer: {err}"),
            })?;
        Ok(Self {
            pages,
            room,
            outcome,
        })
    }

    /// Waits until the writer has room for one more page. `None` when the
    /// writer has stopped (on an error [`PageWriter::finish`] returns).
    pub async fn room(&self) -> Option<Room<'_>> {
        self.room.acquire().await.ok().map(Room)
    }

    /// Hands a page over with the plan that covers it. Call with the plan
    /// locked, so that pages reach the writer in the order they were counted
    /// and each plan covers every page sent before it. `false` when the
    /// writer has stopped.
    pub fn send(&self, room: Room<'_>, batch: Batch, objects: usize, plan: &Plan) -> bool {
        // The writer gives the place back once the page is committed.
        room.0.forget();
        let page = Page {
            batch,
            objects,
            plan: plan.windows.clone(),
        };
        self.pages.send(page).is_ok()
    }

    /// Waits for every page handed over to be committed.
    pub async fn finish(self) -> Result<Commits, Error> {
        drop(self.pages);
        self.outcome.await.unwrap_or_else(|_| {
            Err(Error::Internal {
                detail: "the sync's writer stopped unexpectedly".to_owned(),
            })
        })
    }
}

/// Stores a group of pages and the windows that changed since the last
/// commit, in one transaction.
fn commit(
    store: &mut Store,
    account_id: &str,
    group: &[Page],
    saved: &mut HashMap<u64, Window>,
) -> Result<(), StoreError> {
    let tx = store.conn_mut().transaction()?;
    for page in group {
        kinds::store(&tx, account_id, &page.batch)?;
    }
    let mut changed = Vec::new();
    if let Some(last) = group.last() {
        for window in &last.plan {
            // Whether a worker holds it is not saved.
            let window = Window {
                busy: false,
                ..window.clone()
            };
            if saved.get(&window.id) != Some(&window) {
                changed.push(window);
            }
        }
    }
    Plan::save_windows(&tx, account_id, &changed, super::unix_now())?;
    tx.commit()?;
    for window in changed {
        saved.insert(window.id, window);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::mpsc as std_mpsc;

    use till_store::table;

    use super::*;
    use crate::sync::Kind;

    const ACCOUNT: &str = "acct_test";

    /// A page of `n` customers, numbered from `from`.
    fn page(from: usize, n: usize) -> Batch {
        let body = (from..from + n)
            .map(|i| format!(r#"{{"id":"cus_{i:05}","object":"customer","created":{i}}}"#))
            .collect::<Vec<_>>()
            .join(",");
        Batch::Customers(serde_json::from_str(&format!("[{body}]")).unwrap())
    }

    fn store() -> Arc<Mutex<Store>> {
        Arc::new(Mutex::new(Store::in_memory().unwrap()))
    }

    fn customers(store: &Arc<Mutex<Store>>) -> i64 {
        table::counts(store.lock().unwrap().conn(), ACCOUNT).unwrap()["customers"]
    }

    #[tokio::test]
    async fn a_free_writer_commits_each_page_alone_and_a_backlog_together() {
        let store = store();
        let (commits_tx, commits_rx) = std_mpsc::channel();
        let writer = PageWriter::start(Arc::clone(&store), ACCOUNT.to_owned(), move |objects| {
            commits_tx.send(objects).unwrap();
        })
        .unwrap();
        let plan = Plan::new(&[(Kind::Customers, 0, 1_000_000)], 1);
        // Each page waited for: a transaction each.
        for i in 0..3 {
            let room = writer.room().await.unwrap();
            assert!(writer.send(room, page(i * 10, 10), 10, &plan));
            assert_eq!(commits_rx.recv().unwrap(), 10);
        }
        // Pages arriving while a commit holds the store: they share commits.
        let mut rooms = Vec::new();
        for _ in 3..8 {
            rooms.push(writer.room().await.unwrap());
        }
        let held = store.lock().unwrap();
        for (i, room) in (3..8).zip(rooms) {
            assert!(writer.send(room, page(i * 10, 10), 10, &plan));
        }
        drop(held);
        let commits = writer.finish().await.unwrap();
        assert_eq!(commits.pages, 8);
        assert!(
            commits.transactions <= 5,
            "five waiting pages took {} commits",
            commits.transactions - 3
        );
        assert!(commits.alone >= 3);
        assert_eq!(customers(&store), 80);
    }

    #[tokio::test]
    async fn the_saved_plan_covers_exactly_the_pages_stored() {
        let store = store();
        let writer = PageWriter::start(Arc::clone(&store), ACCOUNT.to_owned(), |_| {}).unwrap();
        let mut plan = Plan::new(&[(Kind::Customers, 0, 1_000_000)], 1);
        for i in 0..4usize {
            let window = plan.get_mut(0).unwrap();
            window.objects += 25;
            let last = i * 25 + 24;
            window.after = Some((format!("cus_{last:05}"), i64::try_from(last).unwrap()));
            let room = writer.room().await.unwrap();
            assert!(writer.send(room, page(i * 25, 25), 25, &plan));
        }
        writer.finish().await.unwrap();
        let saved = Plan::load(store.lock().unwrap().conn(), ACCOUNT)
            .unwrap()
            .unwrap();
        assert_eq!(saved.windows[0].objects, 100);
        assert_eq!(saved.windows[0].after, Some(("cus_00099".to_owned(), 99)));
        assert_eq!(customers(&store), 100);
    }

    #[tokio::test]
    async fn a_failed_commit_stops_the_workers_and_is_reported() {
        let store = store();
        store
            .lock()
            .unwrap()
            .conn()
            .execute_batch("DROP TABLE customers_text; DROP TABLE customers;")
            .unwrap();
        let writer = PageWriter::start(Arc::clone(&store), ACCOUNT.to_owned(), |_| {}).unwrap();
        let plan = Plan::new(&[(Kind::Customers, 0, 1_000_000)], 1);
        let room = writer.room().await.unwrap();
        assert!(writer.send(room, page(0, 10), 10, &plan));
        // A worker asking for room once the commit has failed gets none: it
        // stops. The places are taken until then (the failure may come
        // before any is taken, or only once all are and one more waits).
        let mut held = Vec::new();
        let mut stopped = false;
        for _ in 0..AHEAD {
            match writer.room().await {
                Some(room) => held.push(room),
                None => {
                    stopped = true;
                    break;
                }
            }
        }
        assert!(stopped, "room was given after the commit failed");
        drop(held);
        let err = writer.finish().await.unwrap_err();
        assert!(matches!(err, Error::Store { .. }), "{err:?}");
    }
}

//! A desktop's notification service, played by the test: it takes the
//! `org.freedesktop.Notifications` name on the session bus the app shares
//! with the test, and records every notification the app raises.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use zbus::zvariant::Value;

use crate::failure::{Failure, Outcome};

/// One notification: its title and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub summary: String,
    pub body: String,
}

struct Service {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: &str,
        _replaces_id: u32,
        _app_icon: &str,
        summary: &str,
        body: &str,
        _actions: Vec<String>,
        _hints: HashMap<String, Value<'_>>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        shown.push(Shown {
            summary: summary.to_owned(),
            body: body.to_owned(),
        });
        u32::try_from(shown.len()).unwrap_or(u32::MAX)
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_owned()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("till-e2e".into(), "till".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// Serves notifications until dropped.
pub struct Notifications {
    shown: Arc<Mutex<Vec<Shown>>>,
    _connection: zbus::blocking::Connection,
}

impl Notifications {
    /// Takes the service's name on the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    pub fn serve() -> Outcome<Self> {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let service = Service {
            shown: Arc::clone(&shown),
        };
        let connection = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.name("org.freedesktop.Notifications"))
            .and_then(|b| b.serve_at("/org/freedesktop/Notifications", service))
            .and_then(zbus::blocking::connection::Builder::build)
            .map_err(|err| {
                Failure::Setup(format!("no notification service on the session bus: {err}"))
            })?;
        Ok(Self {
            shown,
            _connection: connection,
        })
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.shown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits up to 20 s for a notification that `accept` takes.
    pub fn wait_for(&self, accept: impl Fn(&Shown) -> bool) -> Outcome<Shown> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(found) = self.shown().into_iter().find(|s| accept(s)) {
                return Ok(found);
            }
            if Instant::now() >= deadline {
                return Err(Failure::Assertion(format!(
                    "no such notification; shown: {:?}",
                    self.shown()
                )));
            }
            // The service runs on zbus's own thread: nothing to wake us.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

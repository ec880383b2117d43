//! Desktop notifications for holds about to lapse: checked once a minute
//! (and at start-up) while the app runs, each hold announced once.

use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use till_core::Till;
use till_core::hold_alerts::HoldAlert;

const EVERY: Duration = Duration::from_secs(60);

fn left(seconds: i64) -> String {
    let hours = seconds / 3600;
    let minutes = (seconds % 3600) / 60;
    if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{} min", minutes.max(1))
    }
}

fn text(alerts: &[HoldAlert], now: i64) -> (String, String) {
    match alerts {
        [one] => (
            "A hold expires within 24 hours".to_owned(),
            format!(
                "{}{} lapses in {}: capture or release it in Holds.",
                one.amount_text,
                one.customer
                    .as_deref()
                    .map(|c| format!(" from {c}"))
                    .unwrap_or_default(),
                left(one.capture_before - now)
            ),
        ),
        many => (
            format!("{} holds expire within 24 hours", many.len()),
            "Capture or release them in Holds before they lapse.".to_owned(),
        ),
    }
}

/// Wakes the check early: the cache changed, a new hold may be due.
pub struct Nudge(Mutex<Sender<()>>);

impl Nudge {
    pub fn nudge(&self) {
        let sender = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // The thread gone means no more warnings this run; nothing to do.
        let _ = sender.send(());
    }
}

/// Runs for the life of the app, on a thread of its own (the check reads
/// SQLite: blocking, and cheap): at start, after each change to the cache,
/// and once a minute for holds that cross the line as time passes.
pub fn start(app: &AppHandle, till: Arc<Till>) -> Nudge {
    let (sender, woken) = channel::<()>();
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("hold-warnings".into())
        .spawn(move || {
            loop {
                match till.hold_alerts_due() {
                    Ok(alerts) if !alerts.is_empty() => {
                        let (title, body) = text(&alerts, till_core::sync::unix_now());
                        tracing::info!(holds = alerts.len(), %title, "hold warning raised");
                        if let Err(err) = handle.notification().builder().title(title).body(body).show() {
                            tracing::warn!(error = %err, "the desktop did not show the hold warning");
                        }
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "holds could not be checked"),
                }
                match woken.recv_timeout(EVERY) {
                    Ok(()) | Err(RecvTimeoutError::Timeout) => {
                        // A burst of changes is one check.
                        while woken.try_recv().is_ok() {}
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(error = %err, "no hold warnings this run");
    }
    Nudge(Mutex::new(sender))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hold_is_named_several_are_counted() {
        let alert = HoldAlert {
            account_id: "demo".into(),
            payment_id: "pi_1".into(),
            amount: 1250,
            currency: "usd".into(),
            amount_text: "12.50 USD".into(),
            customer: Some("ada@example.com".into()),
            capture_before: 10_000 + 3 * 3600 + 600,
        };
        let (title, body) = text(std::slice::from_ref(&alert), 10_000);
        assert_eq!(title, "A hold expires within 24 hours");
        assert_eq!(
            body,
            "12.50 USD from ada@example.com lapses in 3 h 10 min: capture or release it in Holds."
        );
        let (title, _) = text(&[alert.clone(), alert], 10_000);
        assert_eq!(title, "2 holds expire within 24 hours");
    }
}

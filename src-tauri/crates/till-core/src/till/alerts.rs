//! Desktop warnings the app raises: holds about to lapse.

use super::{Till, now};
use crate::Result;
use crate::hold_alerts::HoldAlert;

impl Till {
    /// Holds of every account that came within 24 hours of lapsing since
    /// the last call (each one once a run). The app turns them into
    /// desktop notifications.
    pub fn hold_alerts_due(&self) -> Result<Vec<HoldAlert>> {
        let now = now();
        let mut out = Vec::new();
        for account in self.accounts()? {
            let holds = self.holds(&account.id)?;
            let mut alerts = self
                .hold_alerts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            out.extend(alerts.due(&account.id, &holds, now));
        }
        Ok(out)
    }
}

//! The journal as the audit view and its CSV export.

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::operations;
use till_stripe::{Currency, Money};

use crate::Error;

/// One line of the audit view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OperationEntry {
    pub id: String,
    /// `capture`, `release`, `refund`, `checkout`, `checkout_expire`.
    pub kind: String,
    pub target: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub operator: Option<String>,
    pub note: Option<String>,
    /// `pending`, `sent`, `succeeded`, `failed`, `unknown`, `discarded`.
    pub state: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
    pub request_id: Option<String>,
}

/// The journal, newest first.
pub fn entries(
    store: &Store,
    account_id: &str,
    limit: usize,
) -> Result<Vec<OperationEntry>, Error> {
    Ok(operations::list(store.conn(), account_id, limit)?
        .into_iter()
        .map(|op| OperationEntry {
            id: op.id,
            kind: op.kind.as_str().to_owned(),
            // A new checkout has no target until Stripe names it.
            target: if op.target.is_empty() {
                op.result_id.unwrap_or_default()
            } else {
                op.target
            },
            amount: op.amount,
            currency: op.currency,
            operator: op.operator,
            note: op.note,
            state: op.state.as_str().to_owned(),
            created_at: op.created_at,
            finished_at: op.finished_at,
            error: op.error,
            request_id: op.request_id,
        })
        .collect())
}

/// One CSV field, quoted when it must be (RFC 4180), and never read as a
/// formula by a spreadsheet (a leading `=`, `+`, `-` or `@` gets a `'`).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The journal as CSV, newest first, times in UTC (ISO 8601), amounts in
/// the currency's major unit.
pub fn journal_csv(entries: &[OperationEntry]) -> String {
    let mut out = String::from(
        "created_utc,operation,kind,target,amount,currency,operator,note,outcome,finished_utc,stripe_request,error\n",
    );
    let time = |t: i64| {
        let days = t.div_euclid(86_400);
        let secs = t.rem_euclid(86_400);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    };
    for e in entries {
        let amount = match (e.amount, &e.currency) {
            (Some(amount), Some(currency)) => Money::new(amount, Currency::new(currency))
                .display_major()
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        };
        let fields = [
            time(e.created_at),
            e.id.clone(),
            e.kind.clone(),
            e.target.clone(),
            amount,
            e.currency.clone().unwrap_or_default().to_uppercase(),
            e.operator.clone().unwrap_or_default(),
            e.note.clone().unwrap_or_default(),
            e.state.clone(),
            e.finished_at.map(time).unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
            e.error.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_csv_quotes_what_it_must_and_disarms_formulas() {
        let entry = OperationEntry {
            id: "op_1".into(),
            kind: "refund".into(),
            target: "pi_1".into(),
            amount: Some(1250),
            currency: Some("usd".into()),
            operator: Some("Ada, front desk".into()),
            note: Some("=HYPERLINK(\"x\")".into()),
            state: "succeeded".into(),
            created_at: 1_795_380_000,
            finished_at: Some(1_795_380_001),
            error: None,
            request_id: Some("req_1".into()),
        };
        let csv = journal_csv(&[entry]);
        let line = csv.lines().nth(1).unwrap();
        assert!(line.starts_with("2026-11-22T"), "{line}");
        assert!(line.contains(",12.50,USD,\"Ada, front desk\","), "{line}");
        assert!(line.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{line}");
        assert_eq!(csv.lines().count(), 2);
        assert_eq!(csv_field("-5"), "'-5");
    }
}

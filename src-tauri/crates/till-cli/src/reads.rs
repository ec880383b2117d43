//! What the command line reads from the cache, through the same queries as
//! the app's screens: payments, a payment, the holds, the balance. Nothing
//! here asks Stripe; `till sync` brings the cache up to date.

use serde::Serialize;
use till_core::Till;
use till_core::accounts::Account;
use till_core::payment_detail::Fee;
use till_core::payments::{PaymentQuery, PaymentSummary};

use crate::cli::{ListArgs, PaymentsCommand};
use crate::failure::Failure;
use crate::out::{self, Out};
use crate::words;

/// Says on standard error when the account was never synced: an empty
/// answer then means nothing.
fn warn_if_never_synced(till: &Till, account: &Account) -> Result<(), Failure> {
    if till.overview(&account.id, &[])?.balance_as_of.is_none() {
        out::warn(&format!(
            "{} was never synced on this computer: the cache may be empty. `till sync` fills it.",
            account.display_name
        ));
    }
    Ok(())
}

/// The status as the app says it.
fn status_words(p: &PaymentSummary) -> String {
    let refunded = p.amount_refunded > 0 && p.status == "succeeded";
    match p.status.as_str() {
        _ if refunded && p.amount_refunded >= p.amount_received => "Refunded".into(),
        _ if refunded => "Partially refunded".into(),
        "succeeded" => out::green("Succeeded"),
        "requires_capture" => out::amber("Held"),
        "canceled" => "Canceled".into(),
        "processing" => "Processing".into(),
        "requires_payment_method" => "Failed or incomplete".into(),
        "requires_action" => "Waiting for the customer".into(),
        other => other.to_owned(),
    }
}

fn payment_rows(payments: &[PaymentSummary], now: i64) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        out::bold("Id"),
        out::bold("Created"),
        out::bold("Amount"),
        out::bold("Status"),
        out::bold("Customer"),
    ]];
    for p in payments {
        let mut status = status_words(p);
        if let (Some(at), "requires_capture") = (p.capture_before, p.status.as_str()) {
            status.push_str(&format!(" ({} left)", words::countdown(at, now)));
        }
        rows.push(vec![
            p.id.clone(),
            words::time(p.created),
            words::money(p.amount, &p.currency),
            status,
            p.customer_email.clone().unwrap_or_default(),
        ]);
    }
    rows
}

fn query(args: &ListArgs) -> Result<PaymentQuery, Failure> {
    let locale = words::locale(args.locale.as_deref());
    let currency = args
        .currency
        .as_ref()
        .map(|c| c.trim().to_ascii_lowercase());
    let amount = |text: &Option<String>| -> Result<Option<i64>, Failure> {
        match (text, &currency) {
            (Some(text), Some(currency)) => words::parse_amount(text, currency, &locale).map(Some),
            (Some(_), None) => Err(Failure::usage("--min and --max need --currency")),
            (None, _) => Ok(None),
        }
    };
    Ok(PaymentQuery {
        statuses: args.status.iter().map(|s| s.stripe().to_owned()).collect(),
        currency: currency.clone(),
        created_from: args
            .since
            .as_deref()
            .map(|t| words::parse_when(t, "--since"))
            .transpose()?,
        created_before: args
            .until
            .as_deref()
            .map(|t| words::parse_when(t, "--until"))
            .transpose()?,
        amount_min: amount(&args.min)?,
        amount_max: amount(&args.max)?,
        ..PaymentQuery::default()
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    payments: Vec<PaymentSummary>,
    /// How many match in all (more than listed when `--limit` cut).
    total: u32,
}

pub fn payments(
    till: &Till,
    out: Out,
    account: &Account,
    command: PaymentsCommand,
) -> Result<(), Failure> {
    match command {
        PaymentsCommand::List(args) => {
            let query = query(&args)?;
            warn_if_never_synced(till, account)?;
            let mut payments = Vec::new();
            let mut after = None;
            let mut total = 0;
            while payments.len() < args.limit as usize {
                let left = args.limit as usize - payments.len();
                let page = till.payments(
                    &account.id,
                    query.clone(),
                    after,
                    u32::try_from(left.min(500)).unwrap_or(500),
                )?;
                total = page.total;
                payments.extend(page.rows);
                after = page.next;
                if after.is_none() {
                    break;
                }
            }
            payments.truncate(args.limit as usize);
            let listed = Listed { payments, total };
            out.answer(&listed, || {
                if listed.payments.is_empty() {
                    out::line("No payment matches.");
                    return;
                }
                out::table(&payment_rows(&listed.payments, words::now()));
                if listed.total as usize > listed.payments.len() {
                    out::line(&out::dim(&format!(
                        "{} of {} payments (--limit shows more)",
                        listed.payments.len(),
                        listed.total
                    )));
                }
            })
        }
        PaymentsCommand::Show { id } => {
            let detail = till.payment_detail(&account.id, id.trim())?;
            out.answer(&detail, || {
                let p = &detail.payment;
                let c = p.currency.as_str();
                out::line(&format!(
                    "{}  {}  {}",
                    out::bold(&p.id),
                    words::money(p.amount, c),
                    status_words(p)
                ));
                let mut rows = vec![vec!["Created".into(), words::time(p.created)]];
                if let Some(email) = &p.customer_email {
                    let name = detail.customer_name.clone().unwrap_or_default();
                    rows.push(vec![
                        "Customer".into(),
                        format!("{name} {email}").trim().into(),
                    ]);
                }
                if let Some(description) = &p.description {
                    rows.push(vec!["Description".into(), description.clone()]);
                }
                if let (Some(brand), Some(last4)) = (&p.card_brand, &p.card_last4) {
                    rows.push(vec!["Card".into(), format!("{brand} …{last4}")]);
                }
                if detail.amount_capturable > 0 {
                    let mut held = words::money(detail.amount_capturable, c);
                    if let Some(at) = p.capture_before {
                        held.push_str(&format!(
                            ", lapses {} ({} left)",
                            words::time(at),
                            words::countdown(at, words::now())
                        ));
                    }
                    rows.push(vec!["Held".into(), held]);
                }
                rows.push(vec!["Captured".into(), words::money(detail.captured, c)]);
                rows.push(vec!["Refunded".into(), words::money(detail.refunded, c)]);
                rows.push(vec![
                    "Refundable".into(),
                    words::money(detail.refundable, c),
                ]);
                rows.push(vec![
                    "Fee".into(),
                    match &detail.fee {
                        Fee::Known { currency, fee, net } => format!(
                            "{}, net {}",
                            words::money(*fee, currency),
                            words::money(*net, currency)
                        ),
                        Fee::Pending => "not known yet".into(),
                        Fee::None => "none".into(),
                        _ => "not readable with this key".into(),
                    },
                ]);
                for m in &detail.metadata {
                    rows.push(vec![format!("metadata.{}", m.key), m.value.clone()]);
                }
                out::table(&rows);
                if !detail.refunds.is_empty() {
                    out::line(&out::bold("Refunds"));
                    for r in &detail.refunds {
                        out::line(&format!(
                            "  {}  {}  {}  {}",
                            r.id,
                            words::time(r.created),
                            words::money(r.amount, &r.currency),
                            r.status
                        ));
                    }
                }
                out::line(&out::bold("Timeline"));
                for t in &detail.timeline {
                    let amount = match (t.amount, &t.currency) {
                        (Some(a), Some(cur)) => format!("  {}", words::money(a, cur)),
                        _ => String::new(),
                    };
                    let said = t
                        .detail
                        .clone()
                        .map(|d| format!("  {d}"))
                        .unwrap_or_default();
                    out::line(&format!(
                        "  {}  {:?}{amount}{said}",
                        words::time(t.at),
                        t.step
                    ));
                }
                if let Some(url) = &detail.dashboard_url {
                    out::line(&out::dim(url));
                }
            })
        }
    }
}

pub fn holds(till: &Till, out: Out, account: &Account) -> Result<(), Failure> {
    warn_if_never_synced(till, account)?;
    let holds = till.holds(&account.id)?;
    out.answer(&holds, || {
        if holds.is_empty() {
            out::line("No hold.");
            return;
        }
        out::table(&payment_rows(&holds, words::now()));
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Balance {
    balance: Vec<till_core::overview::BalanceAmount>,
    /// When it was read from Stripe (Unix time); none before a first sync.
    as_of: Option<i64>,
}

pub fn balance(till: &Till, out: Out, account: &Account) -> Result<(), Failure> {
    let overview = till.overview(&account.id, &[])?;
    let balance = Balance {
        balance: overview.balance,
        as_of: overview.balance_as_of,
    };
    let Some(as_of) = balance.as_of else {
        out::warn(&format!(
            "{}'s balance was never read on this computer: `till sync` reads it.",
            account.display_name
        ));
        return out.answer(&balance, || {});
    };
    out.answer(&balance, || {
        let mut rows = vec![vec![
            out::bold("Currency"),
            out::bold("Available"),
            out::bold("Pending"),
        ]];
        for b in &balance.balance {
            rows.push(vec![
                b.currency.to_ascii_uppercase(),
                words::money(b.available, &b.currency),
                words::money(b.pending, &b.currency),
            ]);
        }
        out::table(&rows);
        out::line(&out::dim(&format!("as of {}", words::time(as_of))));
    })
}

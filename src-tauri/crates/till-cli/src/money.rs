//! Captures, releases and refunds, through the same journal as the app
//! (`Till::capture`, `release`, `refund`): written before it is sent, so a
//! lost answer or a crash never doubles one, and the app shows what the
//! command line did. On a live account a person confirms on a terminal,
//! the amount, currency and customer restated; elsewhere `--yes` is needed.

use std::io::{BufRead, Write};

use serde::Serialize;
use till_core::Till;
use till_core::accounts::Account;
use till_core::operations::{Actor, Amount, Done, RefundWhy, ReleaseReason};
use till_core::payment_detail::PaymentDetail;

use crate::cli::{self, CaptureArgs, Confirm, JournalArgs, RefundArgs, ReleaseArgs};
use crate::failure::Failure;
use crate::out::{self, Out};
use crate::words;

fn actor(confirm: &Confirm) -> Actor {
    let who = confirm
        .operator
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|w| !w.trim().is_empty());
    Actor {
        operator: who,
        note: Some("from the command line".to_owned()),
    }
}

/// The amount typed, in the payment's currency and decimals.
fn amount(
    text: Option<&str>,
    detail: &PaymentDetail,
    confirm: &Confirm,
) -> Result<Option<Amount>, Failure> {
    let currency = &detail.payment.currency;
    text.map(|t| {
        let locale = words::locale(confirm.locale.as_deref());
        words::parse_amount(t, currency, &locale).map(|minor| Amount::new(minor, currency))
    })
    .transpose()
}

/// On a live account: asks on a terminal, restating what moves; without
/// one, `--yes` must have been given. Nothing is journaled before this.
fn confirm_live(account: &Account, confirm: &Confirm, what: &str) -> Result<(), Failure> {
    if !account.livemode || confirm.yes {
        return Ok(());
    }
    if !out::interactive() {
        return Err(Failure::usage(format!(
            "{} is a live account and there is no terminal to confirm on: nothing was done. \
             Add --yes to {what}.",
            account.display_name
        )));
    }
    let mut err = anstream::stderr().lock();
    let _ = write!(
        err,
        "{} on the live account {}? [y/N] ",
        out::bold(what),
        account.display_name
    );
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("no answer: {e}")))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::refused("Not confirmed: nothing was done."))
    }
}

fn customer(detail: &PaymentDetail) -> String {
    match (&detail.customer_name, &detail.payment.customer_email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (None, Some(email)) => email.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => "no customer named".to_owned(),
    }
}

fn said(done: &Done, verb: &str) -> String {
    let p = &done.payment;
    let mut line = format!(
        "{} {} ({}): now {}",
        out::green(verb),
        p.id,
        words::money(p.amount, &p.currency),
        p.status
    );
    if let Some(refund) = &done.refund_id {
        line.push_str(&format!(", refund {refund}"));
    }
    line.push_str(&out::dim(&format!("  [journal {}]", done.operation_id)));
    line
}

pub async fn capture(
    till: &Till,
    out: Out,
    account: &Account,
    args: CaptureArgs,
) -> Result<(), Failure> {
    let detail = till.payment_detail(&account.id, args.payment.trim())?;
    let amount = amount(args.amount.as_deref(), &detail, &args.confirm)?;
    let minor = amount
        .as_ref()
        .map_or(detail.amount_capturable, |a| a.minor);
    confirm_live(
        account,
        &args.confirm,
        &format!(
            "Capture {} of {} from {}",
            words::money(minor, &detail.payment.currency),
            detail.payment.id,
            customer(&detail)
        ),
    )?;
    let done = till
        .capture(
            &account.id,
            &detail.payment.id,
            amount,
            actor(&args.confirm),
        )
        .await?;
    out.answer(&done, || out::line(&said(&done, "Captured")))
}

pub async fn release(
    till: &Till,
    out: Out,
    account: &Account,
    args: ReleaseArgs,
) -> Result<(), Failure> {
    let detail = till.payment_detail(&account.id, args.payment.trim())?;
    confirm_live(
        account,
        &args.confirm,
        &format!(
            "Release the hold of {} on {} from {}",
            words::money(detail.amount_capturable, &detail.payment.currency),
            detail.payment.id,
            customer(&detail)
        ),
    )?;
    let reason = match args.reason {
        cli::ReleaseWhy::RequestedByCustomer => ReleaseReason::RequestedByCustomer,
        cli::ReleaseWhy::Duplicate => ReleaseReason::Duplicate,
        cli::ReleaseWhy::Fraudulent => ReleaseReason::Fraudulent,
        cli::ReleaseWhy::Abandoned => ReleaseReason::Abandoned,
    };
    let done = till
        .release(
            &account.id,
            &detail.payment.id,
            Some(reason),
            actor(&args.confirm),
        )
        .await?;
    out.answer(&done, || out::line(&said(&done, "Released")))
}

pub async fn refund(
    till: &Till,
    out: Out,
    account: &Account,
    args: RefundArgs,
) -> Result<(), Failure> {
    let detail = till.payment_detail(&account.id, args.payment.trim())?;
    let amount = amount(args.amount.as_deref(), &detail, &args.confirm)?;
    let minor = amount.as_ref().map_or(detail.refundable, |a| a.minor);
    confirm_live(
        account,
        &args.confirm,
        &format!(
            "Refund {} of {} to {}",
            words::money(minor, &detail.payment.currency),
            detail.payment.id,
            customer(&detail)
        ),
    )?;
    let reason = match args.reason {
        cli::RefundWhy::RequestedByCustomer => RefundWhy::RequestedByCustomer,
        cli::RefundWhy::Duplicate => RefundWhy::Duplicate,
        cli::RefundWhy::Fraudulent => RefundWhy::Fraudulent,
    };
    let done = till
        .refund(
            &account.id,
            &detail.payment.id,
            amount,
            Some(reason),
            actor(&args.confirm),
        )
        .await?;
    out.answer(&done, || out::line(&said(&done, "Refunded")))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Journal {
    operations: Vec<till_core::operations::OperationEntry>,
    /// Sent and not answered: Till asks Stripe again until it knows.
    unknown: Vec<till_core::journal::Unsettled>,
}

fn state_words(state: &str) -> String {
    match state {
        "succeeded" => out::green("done"),
        "failed" => "failed".to_owned(),
        "pending" => out::amber("never sent"),
        "sent" | "unknown" => out::amber("outcome unknown"),
        "discarded" => "discarded".to_owned(),
        other => other.to_owned(),
    }
}

pub async fn journal(
    till: &Till,
    out: Out,
    account: &Account,
    args: JournalArgs,
) -> Result<(), Failure> {
    if let Some(operation) = args.send {
        let sent = till.send_pending(&account.id, operation.trim()).await?;
        #[derive(Serialize)]
        struct Sent {
            sent: String,
        }
        return out.answer(&Sent { sent: sent.clone() }, || {
            out::line(&format!("{} {sent}.", out::green("Sent")));
        });
    }
    if let Some(operation) = args.discard {
        till.discard_operation(&account.id, operation.trim())?;
        #[derive(Serialize)]
        struct Discarded {
            discarded: String,
        }
        return out.answer(
            &Discarded {
                discarded: operation.clone(),
            },
            || out::line(&format!("Discarded {operation}: it was never sent.")),
        );
    }
    if args.check {
        let settled = till.check_movements(&account.id).await?;
        let still = till.unsettled_movements(&account.id)?;
        #[derive(Serialize)]
        struct Checked {
            settled: Vec<till_core::journal::SettledMovement>,
            unknown: Vec<till_core::journal::Unsettled>,
        }
        let checked = Checked {
            settled,
            unknown: still,
        };
        return out.answer(&checked, || {
            for s in &checked.settled {
                out::line(&format!("{} {:?}: {:?}", s.operation_id, s.kind, s.outcome));
            }
            out::line(&format!(
                "{} settled, {} still unknown.",
                checked.settled.len(),
                checked.unknown.len()
            ));
        });
    }
    let mut operations = till.operations(&account.id)?;
    operations.truncate(args.limit);
    let journal = Journal {
        operations,
        unknown: till.unsettled_movements(&account.id)?,
    };
    out.answer(&journal, || {
        if journal.operations.is_empty() {
            out::line("No money movement yet.");
            return;
        }
        let mut rows = vec![vec![
            out::bold("When"),
            out::bold("What"),
            out::bold("On"),
            out::bold("Amount"),
            out::bold("State"),
            out::bold("Who"),
            out::bold("Id"),
        ]];
        for op in &journal.operations {
            rows.push(vec![
                words::time(op.created_at),
                op.kind.clone(),
                op.target.clone(),
                match (op.amount, &op.currency) {
                    (Some(a), Some(c)) => words::money(a, c),
                    _ => "all".to_owned(),
                },
                state_words(&op.state),
                op.operator.clone().unwrap_or_default(),
                op.id.clone(),
            ]);
        }
        out::table(&rows);
        if journal.operations.iter().any(|op| op.state == "pending") {
            out::line(&out::dim(
                "A movement never sent (Till stopped first): `till journal --send <id>` sends it, `--discard <id>` drops it.",
            ));
        }
        if !journal.unknown.is_empty() {
            out::warn(&format!(
                "{} movement(s) sent without an answer yet: Till asks Stripe again; none is ever doubled.",
                journal.unknown.len()
            ));
        }
    })
}

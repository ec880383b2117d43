//! Settling what a crash or a lost answer left open: at start-up, at the
//! user's word (send or discard a never-sent entry), or by looking at Stripe.

use super::*;

/// How start-up settled an open operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    pub operation_id: String,
    pub kind: String,
    pub target: String,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// The journal's state after the attempt: `succeeded`, `failed`,
    /// `unknown` or `sent` (still open: Stripe could not be asked or did not
    /// tell; tried again at the next start), or `pending` (never sent: the
    /// user decides).
    pub state: String,
}

/// Settles an account's sent or unknown operations: inside the idempotency
/// window by sending again with the same key (Stripe answers as the first
/// time, or does it once); after it, by looking for what the operation made.
/// Pending ones (never sent) are left for the user.
///
/// Every open operation is tried: one that cannot be settled now (Stripe
/// unreachable, a lookup refused, the database failing) stays as it was and
/// the others carry on. Each is reported in the state the journal holds
/// after its attempt, read back, so the report never says more than the
/// journal does.
pub async fn resolve_open(
    client: &StripeClient,
    store: &Mutex<Store>,
    account_id: &str,
    now: i64,
) -> Result<Vec<Settled>, Error> {
    let open = operations::open(lock(store).conn(), account_id)?;
    let mut settled = Vec::with_capacity(open.len());
    for op in open {
        let on = On {
            client,
            store,
            account_id,
        };
        let attempt = match (op.state.as_str(), request_of(&op)) {
            ("pending", _) => Ok(()),
            _ if crate::checkouts::journal::is_checkout(&op.kind) => {
                crate::checkouts::journal::resolve(on, &op, now)
                    .await
                    .map(drop)
            }
            (_, None) => Ok(()),
            (_, Some(request))
                if now - op.sent_at.unwrap_or(op.created_at) < IDEMPOTENCY_WINDOW =>
            {
                match execute(client, store, &op, &request, now).await {
                    Ok(_) => Ok(()),
                    // Stripe keeps answering this key with the same error (a
                    // stored 500): what the operation made tells. Not
                    // finding it proves nothing yet: the first request may
                    // still be running (409 `idempotency_key_in_use`), so it
                    // stays unknown, safe to send again with its key.
                    Err(Error::OutcomeUnknown { .. }) => {
                        settle_by_lookup(client, store, &op, &request, now, false).await
                    }
                    // Stripe's refusal is in the journal already (failed);
                    // anything else (the database) left the row open.
                    Err(err) => Err(err),
                }
            }
            (_, Some(request)) => settle_by_lookup(client, store, &op, &request, now, true).await,
        };
        if let Err(err) = &attempt {
            tracing::warn!(
                operation = %op.id,
                error = %err,
                "an open operation could not be settled now; it is tried again at the next start"
            );
        }
        // What the journal says now. Unreadable, it is reported as it was
        // found: open, never settled by guess.
        let state = match operations::get(lock(store).conn(), &op.id) {
            Ok(Some(row)) => row.state,
            Ok(None) => op.state.clone(),
            Err(err) => {
                tracing::warn!(operation = %op.id, error = %err, "the journal could not be read back");
                op.state.clone()
            }
        };
        settled.push(Settled {
            operation_id: op.id.clone(),
            kind: op.kind.clone(),
            target: op.target.clone(),
            amount: op.amount,
            currency: op.currency.clone(),
            state,
        });
    }
    Ok(settled)
}

/// Sends an operation the user chose to send after it was left pending
/// (written, never sent: a crash came in between).
pub async fn send_pending(on: On<'_>, operation_id: &str, now: i64) -> Result<Done, Error> {
    let op = operations::get(lock(on.store).conn(), operation_id)?
        .filter(|op| op.account_id == on.account_id && op.state == "pending")
        .ok_or_else(|| Error::NotFound {
            id: operation_id.to_owned(),
        })?;
    let request =
        request_of(&op).ok_or_else(|| Error::internal("the journal entry cannot be read"))?;
    // Checked again: the payment may have changed since.
    check(on.store, on.account_id, &op.target, &request, now)?;
    execute(on.client, on.store, &op, &request, now).await
}

/// Drops an operation that was never sent, at the user's word.
pub fn discard(
    store: &Mutex<Store>,
    account_id: &str,
    operation_id: &str,
    now: i64,
) -> Result<(), Error> {
    let op = operations::get(lock(store).conn(), operation_id)?
        .filter(|op| op.account_id == account_id)
        .ok_or_else(|| Error::NotFound {
            id: operation_id.to_owned(),
        })?;
    if !write(store, |tx| operations::discard(tx, &op.id, now))? {
        return Err(Error::ActionRefused {
            reason: ActionProblem::AlreadySent,
            detail: "only an operation that was never sent can be discarded".to_owned(),
        });
    }
    Ok(())
}

/// Did the operation happen? A refund carries its operation id in metadata
/// (all the payment's refunds are read, page by page); a capture leaves it
/// on the PaymentIntent; a release shows as the PaymentIntent canceled for
/// the reason it gave (a hold that lapsed is canceled `automatic` by Stripe:
/// the release did not happen). Not found settles it as failed only when
/// `absent_is_final` (past the idempotency window); otherwise it stays
/// unknown. A lookup that fails leaves the journal as it was.
async fn settle_by_lookup(
    client: &StripeClient,
    store: &Mutex<Store>,
    op: &OperationRow,
    request: &Request,
    now: i64,
    absent_is_final: bool,
) -> Result<(), Error> {
    let pi = client.retrieve_payment_intent(&op.target, &[]).await?;
    let marked = |metadata: &till_stripe::models::Metadata| {
        metadata
            .get(till_stripe::OPERATION_METADATA_KEY)
            .map(String::as_str)
            == Some(op.id.as_str())
    };
    let mut made = None;
    // Why it did not happen, when Stripe shows it cannot have.
    let mut refuted: Option<String> = None;
    let (happened, result) = match request {
        Request::Capture { .. } => (marked(&pi.metadata), Some(pi.id.clone())),
        // A cancel takes no metadata: the hold released for our reason is
        // the sign.
        Request::Release { reason } => {
            let canceled = pi.status.as_str() == "canceled";
            let why = pi.cancellation_reason.as_deref();
            let ours = match reason {
                Some(reason) => why == Some(cancellation_reason(*reason).as_str()),
                None => why != Some(LAPSED),
            };
            if canceled && why == Some(LAPSED) {
                refuted = Some(format!(
                    "the hold lapsed: Stripe canceled {} itself (reason {LAPSED}), so the release did not happen",
                    pi.id
                ));
            }
            (canceled && ours, Some(pi.id.clone()))
        }
        Request::Refund { .. } => {
            let list = ListRefunds {
                payment_intent: Some(op.target.clone()),
                ..ListRefunds::default()
            };
            let mut page = Page::first(100);
            made = loop {
                let refunds = client.list_refunds(&list, &page).await?;
                let found = refunds.data.iter().find(|r| marked(&r.metadata)).cloned();
                match (found.is_none() && refunds.has_more, refunds.data.last()) {
                    (true, Some(last)) => page = Page::after(100, last.id.clone()),
                    _ => break found,
                }
            };
            let found = made.as_ref().map(|r| r.id.clone());
            (found.is_some(), found)
        }
    };
    let (state, error) = match (happened, refuted, absent_is_final) {
        (true, _, _) => (State::Succeeded, None),
        // Final inside the window too: the key cannot make it happen now.
        (false, Some(why), _) => (State::Failed, Some(why)),
        (false, None, true) => (State::Failed, Some(NOT_FOUND_FINAL.to_owned())),
        (false, None, false) => (State::Unknown, Some(NOT_FOUND_YET.to_owned())),
    };
    write(store, |tx| {
        kinds::store_payment(tx, &op.account_id, &pi)?;
        // The refund found is cached too: what is left to refund counts it.
        if let Some(refund) = &made {
            refunds::upsert(tx, &op.account_id, &rows::refund(refund))?;
        }
        operations::finish(
            tx,
            &op.id,
            state,
            now,
            None,
            result.as_deref().filter(|_| happened),
            error.as_deref(),
        )
    })?;
    Ok(())
}

/// The `cancellation_reason` Stripe gives a hold that lapsed uncaptured.
const LAPSED: &str = "automatic";

use serde_json::{Value, json};

use super::{Metadata, metadata_json};

/// One movement of the account's balance. Its status is derived from the
/// clock: `pending` until `available_on`, then `available`.
#[derive(Debug, Clone)]
pub struct BalanceTransaction {
    pub id: String,
    pub created: i64,
    pub available_on: i64,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    pub currency: String,
    pub exchange_rate: Option<f64>,
    /// Stripe's `type`: `charge`, `refund`, `adjustment`, `stripe_fee`,
    /// `payout`, `payout_failure`, `refund_failure`.
    pub kind: &'static str,
    /// Stripe's mapping of `type` (see [`crate::ledger`]).
    pub reporting_category: &'static str,
    /// The charge, refund, dispute or payout it comes from; none for a
    /// stand-alone Stripe fee.
    pub source: Option<String>,
    pub description: Option<String>,
    /// What `fee` is, in `fee_details` ("Stripe processing fees", "Dispute fee"…).
    pub fee_description: &'static str,
    /// The automatic payout that swept this transaction, once one has.
    pub payout: Option<String>,
}

impl BalanceTransaction {
    pub fn status(&self, now: i64) -> &'static str {
        if now >= self.available_on {
            "available"
        } else {
            "pending"
        }
    }

    pub fn to_json(&self, now: i64) -> Value {
        let fee_details: Vec<Value> = if self.fee == 0 {
            Vec::new()
        } else {
            vec![json!({
                "amount": self.fee,
                "application": null,
                "currency": self.currency,
                "description": self.fee_description,
                "type": "stripe_fee",
            })]
        };
        json!({
            "id": self.id,
            "object": "balance_transaction",
            "amount": self.amount,
            "available_on": self.available_on,
            "created": self.created,
            "currency": self.currency,
            "description": self.description,
            "exchange_rate": self.exchange_rate,
            "fee": self.fee,
            "fee_details": fee_details,
            "net": self.net,
            "reporting_category": self.reporting_category,
            "source": self.source,
            "status": self.status(now),
            "type": self.kind,
        })
    }
}

/// Why a payout bounced, once it has.
#[derive(Debug, Clone)]
pub struct PayoutFailure {
    pub code: String,
    pub message: String,
    /// The `payout_failure` transaction that put the money back.
    pub balance_transaction: String,
}

#[derive(Debug, Clone)]
pub struct Payout {
    pub id: String,
    pub created: i64,
    pub arrival_date: i64,
    pub livemode: bool,
    /// Negative when the balance was negative: the bank account is debited.
    pub amount: i64,
    pub currency: String,
    pub balance_transaction: String,
    /// Made by the daily schedule (true) or by `POST /v1/payouts` (false).
    pub automatic: bool,
    /// `standard` or `instant`.
    pub method: &'static str,
    pub description: Option<String>,
    pub statement_descriptor: Option<String>,
    pub metadata: Metadata,
    /// When an automatic payout's transactions are all reconciled (listed
    /// by `payout=`); none for a manual payout (`not_applicable`).
    pub reconciled_at: Option<i64>,
    pub failure: Option<PayoutFailure>,
}

impl Payout {
    pub fn status(&self, now: i64) -> &'static str {
        if self.failure.is_some() {
            "failed"
        } else if now >= self.arrival_date {
            "paid"
        } else {
            "in_transit"
        }
    }

    pub fn reconciliation_status(&self, now: i64) -> &'static str {
        match self.reconciled_at {
            None => "not_applicable",
            Some(at) if now >= at => "completed",
            Some(_) => "in_progress",
        }
    }

    /// Whether `GET /v1/balance_transactions?payout=` lists its transactions now.
    pub fn reconciled(&self, now: i64) -> bool {
        self.reconciled_at.is_some_and(|at| now >= at)
    }

    pub fn to_json(&self, now: i64) -> Value {
        let failure = self.failure.as_ref();
        json!({
            "id": self.id,
            "object": "payout",
            "amount": self.amount,
            "arrival_date": self.arrival_date,
            "automatic": self.automatic,
            "balance_transaction": self.balance_transaction,
            "created": self.created,
            "currency": self.currency,
            "description": self.description,
            "destination": "ba_sim_bank_account",
            "failure_balance_transaction": failure.map(|f| f.balance_transaction.clone()),
            "failure_code": failure.map(|f| f.code.clone()),
            "failure_message": failure.map(|f| f.message.clone()),
            "livemode": self.livemode,
            "metadata": metadata_json(&self.metadata),
            "method": self.method,
            "original_payout": null,
            "reconciliation_status": self.reconciliation_status(now),
            "reversed_by": null,
            "source_type": "card",
            "statement_descriptor": self.statement_descriptor,
            "status": self.status(now),
            "type": "bank_account",
        })
    }
}

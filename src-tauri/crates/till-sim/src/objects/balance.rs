use serde_json::{Value, json};

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
    /// `charge`, `refund` or `payout`.
    pub kind: &'static str,
    pub reporting_category: &'static str,
    pub source: String,
    pub description: Option<String>,
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
                "description": "Stripe processing fees",
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

#[derive(Debug, Clone)]
pub struct Payout {
    pub id: String,
    pub created: i64,
    pub arrival_date: i64,
    pub livemode: bool,
    pub amount: i64,
    pub currency: String,
    pub balance_transaction: String,
}

impl Payout {
    pub fn status(&self, now: i64) -> &'static str {
        if now >= self.arrival_date {
            "paid"
        } else {
            "in_transit"
        }
    }

    pub fn to_json(&self, now: i64) -> Value {
        json!({
            "id": self.id,
            "object": "payout",
            "amount": self.amount,
            "arrival_date": self.arrival_date,
            "automatic": true,
            "balance_transaction": self.balance_transaction,
            "created": self.created,
            "currency": self.currency,
            "description": "STRIPE PAYOUT",
            "destination": "ba_sim_bank_account",
            "failure_balance_transaction": null,
            "failure_code": null,
            "failure_message": null,
            "livemode": self.livemode,
            "metadata": {},
            "method": "standard",
            "original_payout": null,
            // Automatic payouts can be reconciled once paid.
            "reconciliation_status": if self.status(now) == "paid" { "completed" } else { "in_progress" },
            "reversed_by": null,
            "source_type": "card",
            "statement_descriptor": null,
            "status": self.status(now),
            "type": "bank_account",
        })
    }
}

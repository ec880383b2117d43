use serde::Deserialize;

use super::{Expandable, Metadata};
use crate::money::Currency;

#[derive(Debug, Clone, Deserialize)]
pub struct BalanceAmount {
    pub amount: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Balance {
    pub available: Vec<BalanceAmount>,
    pub pending: Vec<BalanceAmount>,
    #[serde(default)]
    pub livemode: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BusinessProfile {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dashboard {
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AccountSettings {
    #[serde(default)]
    pub dashboard: Option<Dashboard>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub business_profile: Option<BusinessProfile>,
    #[serde(default)]
    pub settings: Option<AccountSettings>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub default_currency: Option<Currency>,
    /// When the account was opened: where its history starts.
    #[serde(default)]
    pub created: Option<i64>,
}

impl Account {
    /// The name the merchant gave the account, as the Dashboard shows it.
    pub fn display_name(&self) -> Option<&str> {
        self.settings
            .as_ref()
            .and_then(|s| s.dashboard.as_ref())
            .and_then(|d| d.display_name.as_deref())
            .or_else(|| {
                self.business_profile
                    .as_ref()
                    .and_then(|b| b.name.as_deref())
            })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeeDetail {
    pub amount: i64,
    pub currency: Currency,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BalanceTransaction {
    pub id: String,
    pub amount: i64,
    pub fee: i64,
    pub net: i64,
    pub currency: Currency,
    pub created: i64,
    pub available_on: i64,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub reporting_category: Option<String>,
    #[serde(default)]
    pub fee_details: Vec<FeeDetail>,
    #[serde(default)]
    pub exchange_rate: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
    /// The charge, refund or payout this transaction comes from (an id,
    /// whatever kind of object it names).
    #[serde(default)]
    pub source: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Payout {
    pub id: String,
    pub amount: i64,
    pub currency: Currency,
    pub created: i64,
    pub arrival_date: i64,
    pub status: String,
    #[serde(default)]
    pub automatic: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    /// `in_progress` until Stripe has itemized an automatic payout, then
    /// `completed` (event `payout.reconciliation_completed`); `not_applicable`
    /// for manual payouts, which Stripe never itemizes.
    #[serde(default)]
    pub reconciliation_status: Option<String>,
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_message: Option<String>,
    #[serde(default)]
    pub failure_balance_transaction: Option<Expandable<BalanceTransaction>>,
}

//! Stripe accounts: a pasted key is checked for its form, then by Stripe
//! with calls its role may make, then stored in the OS keychain; SQLite
//! keeps only what is not secret (id, name, mode, kind, last four).
//!
//! A restricted key's permissions are found without side effects: a write
//! to an id that cannot exist answers 403 without the permission and 404
//! with it; a read of one list item answers 403 or 200.

use serde::Serialize;
use specta::Type;
use till_store::Store;
use till_store::table::accounts::{self, AccountRow};
use till_stripe::requests::{
    CancelPaymentIntent, CreateRefund, ListCharges, ListCheckoutSessions, ListEvents,
    ListPaymentIntents, ListRefunds, RefundTarget,
};
use till_stripe::{
    ApiKey, Endpoint, Idempotency, KeyKind, KeyMode, Page, StripeClient, StripeError,
};

use crate::error::{Error, KeyProblem};
use crate::keychain;

/// What a key may do, as Till's screens need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub read_payments: bool,
    pub capture: bool,
    pub refund: bool,
    pub create_checkouts: bool,
    pub export: bool,
}

impl Capabilities {
    pub const ALL: Self = Self {
        read_payments: true,
        capture: true,
        refund: true,
        create_checkouts: true,
        export: true,
    };
}

/// An account as the UI shows it. Never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub display_name: String,
    pub livemode: bool,
    pub restricted: bool,
    pub key_last4: String,
    pub added_at: i64,
    pub is_demo: bool,
    pub capabilities: Capabilities,
}

impl Account {
    fn from_row(row: AccountRow) -> Self {
        let capabilities = row
            .permissions
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or(Capabilities::ALL);
        Self {
            id: row.id,
            display_name: row.display_name,
            livemode: row.livemode,
            restricted: row.key_kind == "restricted",
            key_last4: row.key_last4,
            added_at: row.added_at,
            is_demo: row.is_demo,
            capabilities,
        }
    }
}

fn rejected(reason: KeyProblem, detail: impl Into<String>) -> Error {
    Error::KeyRejected {
        reason,
        detail: detail.into(),
    }
}

/// Parses a pasted key, with the reason a person can act on.
pub fn parse_key(text: &str) -> Result<ApiKey, Error> {
    ApiKey::parse(text).map_err(|err| {
        let reason = match err {
            till_stripe::KeyError::Publishable | till_stripe::KeyError::WrongPrefix => {
                KeyProblem::WrongPrefix
            }
            till_stripe::KeyError::Empty | till_stripe::KeyError::Malformed => {
                KeyProblem::Malformed
            }
        };
        rejected(reason, err.to_string())
    })
}

/// The account id a 403's message names (`… on account 'acct_…'`).
fn account_in(message: &str) -> Option<String> {
    let start = message.find("'acct_")? + 1;
    let end = message[start..].find('\'')? + start;
    Some(message[start..end].to_owned())
}

/// Whether a probe found the permission: 404 or success means yes, 403 no.
fn granted<T>(answer: Result<T, StripeError>) -> Result<bool, Error> {
    match answer {
        Ok(_) | Err(StripeError::NotFound { .. }) => Ok(true),
        Err(StripeError::Permission { .. }) => Ok(false),
        // A write to an id that cannot exist may also be refused as invalid
        // once permitted: still a yes.
        Err(StripeError::InvalidRequest { .. }) => Ok(true),
        Err(err) => Err(err.into()),
    }
}

async fn probe(client: &StripeClient) -> Result<Capabilities, Error> {
    let nowhere = "pi_till_permission_probe";
    let one = Page::first(1);
    let capture = granted(
        client
            .cancel_payment_intent(nowhere, &CancelPaymentIntent::default(), Idempotency::Auto)
            .await,
    )?;
    let refund_write = granted(
        client
            .create_refund(
                &CreateRefund {
                    target: RefundTarget::PaymentIntent(nowhere.to_owned()),
                    amount: None,
                    reason: None,
                    metadata: Default::default(),
                },
                Idempotency::Auto,
            )
            .await,
    )?;
    let checkout_write = granted(
        client
            .expire_checkout_session("cs_till_permission_probe", Idempotency::Auto)
            .await,
    )?;
    let charges = granted(client.list_charges(&ListCharges::default(), &one).await)?;
    let refunds = granted(client.list_refunds(&ListRefunds::default(), &one).await)?;
    let sessions = granted(
        client
            .list_checkout_sessions(&ListCheckoutSessions::default(), &one)
            .await,
    )?;
    let transactions = granted(client.list_balance_transactions(None, &one).await)?;
    let payouts = granted(client.list_payouts(&one).await)?;
    let _events = granted(client.list_events(&ListEvents::default(), &one).await)?;
    Ok(Capabilities {
        read_payments: true,
        capture,
        refund: refund_write && charges,
        create_checkouts: checkout_write && sessions,
        export: charges && refunds && transactions && payouts,
    })
}

/// A key Stripe accepted, and what it learned about the account.
#[derive(Debug)]
pub struct Validated {
    pub key: ApiKey,
    pub account_id: String,
    pub display_name: String,
    pub capabilities: Capabilities,
}

/// Asks Stripe about a key with calls its role is allowed to make.
pub async fn validate(key: ApiKey, endpoint: Endpoint) -> Result<Validated, Error> {
    let client = StripeClient::builder(key.clone())
        .endpoint(endpoint)
        .build()?;
    let not_accepted = |err: &StripeError| rejected(KeyProblem::NotAccepted, err.to_string());
    let mut learned_account = None;
    if key.kind() == KeyKind::Restricted {
        match client
            .list_payment_intents(&ListPaymentIntents::default(), &Page::first(1))
            .await
        {
            Ok(_) => {}
            Err(err @ StripeError::Authentication { .. }) => return Err(not_accepted(&err)),
            Err(StripeError::Permission { .. }) => {
                return Err(rejected(
                    KeyProblem::CannotReadPayments,
                    "this restricted key cannot read PaymentIntents; give it at least PaymentIntents: Read in Stripe's Dashboard",
                ));
            }
            Err(err) => return Err(err.into()),
        }
    }
    let (account_id, name) = match client.account().await {
        Ok(account) => (
            account.id.clone(),
            account.display_name().map(str::to_owned),
        ),
        Err(err @ StripeError::Authentication { .. }) => return Err(not_accepted(&err)),
        Err(StripeError::Permission { message, .. }) => {
            learned_account = account_in(&message);
            (learned_account.clone().unwrap_or_default(), None)
        }
        Err(err) => return Err(err.into()),
    };
    if account_id.is_empty() {
        return Err(Error::Stripe {
            detail: "Stripe did not say which account this key belongs to".to_owned(),
            request_id: None,
            request: Some("GET /v1/account".to_owned()),
            kind: crate::error::StripeFailure::Unreadable,
        });
    }
    let capabilities = if key.kind() == KeyKind::Restricted {
        probe(&client).await?
    } else {
        Capabilities::ALL
    };
    // Unnamed accounts are told apart by the end of their id; the mode is
    // on the badge beside the name.
    let display_name = name.unwrap_or_else(|| {
        let id = learned_account.as_deref().unwrap_or(&account_id);
        let tail: String = id
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("Stripe account ··{tail}")
    });
    Ok(Validated {
        key,
        account_id,
        display_name,
        capabilities,
    })
}

/// Saves a validated account: the key to the keychain first (so a database
/// row never points at a missing key), then the row.
pub fn save(
    store: &Store,
    validated: &Validated,
    now: i64,
    is_demo: bool,
) -> Result<Account, Error> {
    keychain::store_key(&validated.account_id, &validated.key)?;
    let restricted = validated.key.kind() == KeyKind::Restricted;
    let row = AccountRow {
        id: validated.account_id.clone(),
        display_name: validated.display_name.clone(),
        livemode: validated.key.mode() == KeyMode::Live,
        key_kind: if restricted { "restricted" } else { "secret" }.to_owned(),
        key_last4: validated.key.last4(),
        added_at: accounts::get(store.conn(), &validated.account_id)?
            .map_or(now, |existing| existing.added_at),
        permissions: restricted
            .then(|| serde_json::to_string(&validated.capabilities).unwrap_or_default()),
        is_demo,
    };
    if let Err(err) = accounts::upsert(store.conn(), &row) {
        let _ = keychain::delete_key(&validated.account_id);
        return Err(err.into());
    }
    Ok(Account::from_row(row))
}

pub fn list(store: &Store) -> Result<Vec<Account>, Error> {
    Ok(accounts::list(store.conn())?
        .into_iter()
        .map(Account::from_row)
        .collect())
}

pub fn rename(store: &Store, account_id: &str, display_name: &str) -> Result<(), Error> {
    let name = display_name.trim();
    if name.is_empty() {
        return Err(Error::Internal {
            detail: "an account needs a name".to_owned(),
        });
    }
    if !accounts::rename(store.conn(), account_id, name)? {
        return Err(Error::UnknownAccount {
            account_id: account_id.to_owned(),
        });
    }
    Ok(())
}

/// Removes an account and its keychain entry. (Its cached data goes with
/// it once the cache tables exist.)
pub fn remove(store: &Store, account_id: &str) -> Result<(), Error> {
    if !accounts::remove(store.conn(), account_id)? {
        return Err(Error::UnknownAccount {
            account_id: account_id.to_owned(),
        });
    }
    keychain::delete_key(account_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_read_from_a_permission_error() {
        let message = "The provided key 'rk_test_***0001' does not have the required permissions for this endpoint on account 'acct_1AbC'. Having the 'rak_account_read' permission would allow this request to continue.";
        assert_eq!(account_in(message).as_deref(), Some("acct_1AbC"));
        assert_eq!(account_in("no account here"), None);
    }

    #[test]
    fn pasted_keys_are_classified() {
        assert!(matches!(
            parse_key("pk_test_abcdefghij"),
            Err(Error::KeyRejected {
                reason: KeyProblem::WrongPrefix,
                ..
            })
        ));
        assert!(matches!(
            parse_key("sk_test_x"),
            Err(Error::KeyRejected {
                reason: KeyProblem::Malformed,
                ..
            })
        ));
        assert!(parse_key(" sk_test_abcdefghij ").is_ok());
    }
}

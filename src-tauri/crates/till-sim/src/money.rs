//! Stripe's currency rules: which currencies exist here, their decimals, and
//! the amounts Stripe accepts (docs.stripe.com/currencies).

use crate::api::error::ApiError;

const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];
const TWO_DECIMAL: &[&str] = &[
    "usd", "eur", "gbp", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk", "pln", "czk", "huf",
    "sgd", "hkd", "mxn", "brl", "inr", "zar", "aed", "ils", "thb", "myr", "php", "idr", "ron",
    "bgn", "try", "twd", "isk",
];

/// Stripe's largest amount for most currencies.
pub const MAX_AMOUNT: i64 = 99_999_999;

pub fn decimals(currency: &str) -> Option<u32> {
    if ZERO_DECIMAL.contains(&currency) {
        Some(0)
    } else if THREE_DECIMAL.contains(&currency) {
        Some(3)
    } else if TWO_DECIMAL.contains(&currency) {
        Some(2)
    } else {
        None
    }
}

/// A lower-case, supported currency code.
pub fn currency(param: &str, value: &str) -> Result<String, ApiError> {
    let code = value.to_ascii_lowercase();
    if decimals(&code).is_some() {
        Ok(code)
    } else {
        Err(ApiError::invalid_param(
            param,
            format!(
                "Invalid currency: {value}. Stripe currently supports these currencies: usd, eur, gbp, jpy, …"
            ),
        ))
    }
}

/// Stripe's smallest charge in `currency`, in its smallest unit.
pub fn minimum(currency: &str) -> i64 {
    match decimals(currency) {
        Some(3) => 500,
        _ => 50,
    }
}

/// `amount_too_small` below the currency's minimum charge (a charge, or
/// the captured part of a hold).
pub fn at_least_minimum(param: &str, amount: i64, currency: &str) -> Result<(), ApiError> {
    let minimum = minimum(currency);
    if amount < minimum {
        return Err(ApiError::invalid_request(format!(
            "Amount must be at least {minimum} in the smallest currency unit of {currency}."
        ))
        .with_code("amount_too_small")
        .with_param(param));
    }
    Ok(())
}

/// Checks a charge amount: positive, at least the minimum, at most the
/// maximum, and a multiple of 10 in three-decimal currencies.
pub fn charge_amount(param: &str, amount: i64, currency: &str) -> Result<(), ApiError> {
    at_least_minimum(param, amount, currency)?;
    if amount > MAX_AMOUNT {
        return Err(ApiError::invalid_request(format!(
            "Amount must be no more than {MAX_AMOUNT}."
        ))
        .with_code("amount_too_large")
        .with_param(param));
    }
    if decimals(currency) == Some(3) && amount % 10 != 0 {
        return Err(ApiError::invalid_request(format!(
            "Amounts in {currency} must be a multiple of 10: {currency} payments are settled to two decimals."
        ))
        .with_code("invalid_amount")
        .with_param(param));
    }
    Ok(())
}

//! Money is an integer in the currency's smallest unit plus the currency.
//! Decimals follow Stripe's rules (docs.stripe.com/currencies), not ISO's.

use serde::{Deserialize, Serialize};

/// Currencies Stripe writes without decimals. Exported to the UI through
/// the bindings: the one table of decimals.
pub const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
/// Currencies with three decimals, charged in multiples of 10.
pub const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// Stripe's largest amount for most currencies, in the smallest unit.
pub const MAX_AMOUNT: i64 = 99_999_999;

/// A lower-case ISO currency code, as Stripe writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Currency(String);

impl From<String> for Currency {
    fn from(code: String) -> Self {
        Self(code.to_ascii_lowercase())
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

impl Currency {
    pub fn new(code: &str) -> Self {
        Self(code.to_ascii_lowercase())
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    /// Decimal places in Stripe's amounts for this currency.
    pub fn decimals(&self) -> u32 {
        if ZERO_DECIMAL.contains(&self.0.as_str()) {
            0
        } else if THREE_DECIMAL.contains(&self.0.as_str()) {
            3
        } else {
            2
        }
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_ascii_uppercase())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not an amount: {0}")]
    NotANumber(String),
    #[error("{currency} has {decimals} decimal places; {text} has more")]
    TooManyDecimals {
        text: String,
        currency: String,
        decimals: u32,
    },
    #[error("amounts in {0} must be a multiple of 0.010")]
    NotMultipleOfTen(String),
    #[error("the amount must be more than zero")]
    NotPositive,
    #[error("the amount is above Stripe's maximum of {max}")]
    TooLarge { max: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// In the currency's smallest unit (cents, yen, fils…).
    pub amount: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Parses what a person types ("10.50", "1050" for JPY) into minor
    /// units, refusing decimals the currency does not have.
    pub fn parse_major(text: &str, currency: &Currency) -> Result<Self, MoneyError> {
        let trimmed = text.trim();
        let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || trimmed.ends_with('.') {
            return Err(MoneyError::NotANumber(text.to_owned()));
        }
        let decimals = currency.decimals();
        let significant = fraction.trim_end_matches('0');
        if u32::try_from(significant.len()).unwrap_or(u32::MAX) > decimals {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_owned(),
                currency: currency.to_string(),
                decimals,
            });
        }
        let mut minor = whole
            .parse::<i64>()
            .map_err(|_| MoneyError::TooLarge { max: MAX_AMOUNT })?;
        let mut padded = significant.to_owned();
        while u32::try_from(padded.len()).unwrap_or(u32::MAX) < decimals {
            padded.push('0');
        }
        for _ in 0..decimals {
            minor = minor
                .checked_mul(10)
                .ok_or(MoneyError::TooLarge { max: MAX_AMOUNT })?;
        }
        if !padded.is_empty() {
            let fraction = padded
                .parse::<i64>()
                .map_err(|_| MoneyError::NotANumber(text.to_owned()))?;
            minor = minor
                .checked_add(fraction)
                .ok_or(MoneyError::TooLarge { max: MAX_AMOUNT })?;
        }
        let money = Self::new(minor, currency.clone());
        money.check_chargeable()?;
        Ok(money)
    }

    /// What Stripe accepts for a charge, capture or refund amount.
    pub fn check_chargeable(&self) -> Result<(), MoneyError> {
        if self.amount <= 0 {
            return Err(MoneyError::NotPositive);
        }
        if self.amount > MAX_AMOUNT {
            return Err(MoneyError::TooLarge { max: MAX_AMOUNT });
        }
        if self.currency.decimals() == 3 && self.amount % 10 != 0 {
            return Err(MoneyError::NotMultipleOfTen(self.currency.to_string()));
        }
        Ok(())
    }

    /// "10.50 USD", "1050 JPY", "1.250 BHD".
    pub fn display_major(&self) -> String {
        let decimals = self.currency.decimals();
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        if decimals == 0 {
            return format!("{sign}{abs} {}", self.currency);
        }
        let unit = 10u64.pow(decimals);
        format!(
            "{sign}{}.{:0width$} {}",
            abs / unit,
            abs % unit,
            self.currency,
            width = decimals as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_per_stripes_decimals() {
        assert_eq!(
            Money::parse_major("92233720368547758.99", &Currency::new("usd")),
            Err(MoneyError::TooLarge { max: MAX_AMOUNT }),
            "an overflow is too large, not a panic or a wrap"
        );
        let usd = Currency::new("USD");
        assert_eq!(Money::parse_major("10.5", &usd).unwrap().amount, 1050);
        assert_eq!(Money::parse_major("10.50", &usd).unwrap().amount, 1050);
        assert_eq!(
            Money::parse_major("1050", &Currency::new("jpy"))
                .unwrap()
                .amount,
            1050
        );
        assert_eq!(
            Money::parse_major("1.25", &Currency::new("bhd"))
                .unwrap()
                .amount,
            1250
        );
        assert_eq!(
            Money::parse_major("999999.99", &usd).unwrap().amount,
            MAX_AMOUNT
        );
    }

    #[test]
    fn refuses_what_stripe_would_refuse() {
        let usd = Currency::new("usd");
        assert!(matches!(
            Money::parse_major("10.505", &usd),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Money::parse_major("10.5", &Currency::new("jpy")),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Money::parse_major("1.255", &Currency::new("kwd")),
            Err(MoneyError::NotMultipleOfTen(_))
        ));
        assert!(matches!(
            Money::parse_major("0", &usd),
            Err(MoneyError::NotPositive)
        ));
        assert!(matches!(
            Money::parse_major("-5", &usd),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse_major("1000000.00", &usd),
            Err(MoneyError::TooLarge { .. })
        ));
        assert!(matches!(
            Money::parse_major("1e3", &usd),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse_major("10.", &usd),
            Err(MoneyError::NotANumber(_))
        ));
    }

    #[test]
    fn displays_major_units() {
        assert_eq!(
            Money::new(1050, Currency::new("usd")).display_major(),
            "10.50 USD"
        );
        assert_eq!(
            Money::new(1050, Currency::new("jpy")).display_major(),
            "1050 JPY"
        );
        assert_eq!(
            Money::new(-1250, Currency::new("bhd")).display_major(),
            "-1.250 BHD"
        );
    }
}

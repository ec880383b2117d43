//! Amounts and times as a person reads and types them: minor units and
//! Unix times inside, words at the edge. An amount is parsed once, here,
//! in the currency's decimals (Stripe's table, from the core) and the
//! person's locale.

use till_core::currencies::{MAX_AMOUNT, THREE_DECIMAL, ZERO_DECIMAL};

use crate::failure::Failure;

/// Stripe's decimals for a currency (JPY 0, BHD 3, most 2).
pub fn decimals(currency: &str) -> u32 {
    let code = currency.to_ascii_lowercase();
    if ZERO_DECIMAL.contains(&code.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

/// "12.50 USD", "1050 JPY", "-3.000 BHD".
pub fn money(minor: i64, currency: &str) -> String {
    let decimals = decimals(currency);
    let code = currency.to_ascii_uppercase();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{abs} {code}");
    }
    let unit = 10u64.pow(decimals);
    format!(
        "{sign}{}.{:0width$} {code}",
        abs / unit,
        abs % unit,
        width = decimals as usize
    )
}

/// The decimal separator of a locale (`de-DE`, `fr_FR.UTF-8`): a comma for
/// the languages that write one, a point otherwise (and for C and POSIX).
fn decimal_comma(locale: &str) -> bool {
    let language = locale
        .split(['-', '_', '.', '@'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    const COMMA: &[&str] = &[
        "de", "fr", "es", "it", "nl", "pt", "da", "sv", "nb", "nn", "no", "fi", "pl", "cs", "sk",
        "sl", "hr", "hu", "ro", "ru", "uk", "tr", "el", "bg", "lt", "lv", "et", "is", "id", "vi",
        "ca", "gl", "eu", "sr", "be", "az", "kk",
    ];
    COMMA.contains(&language.as_str())
}

/// The locale given, else LC_ALL, LC_NUMERIC or LANG, as the app does.
pub fn locale(given: Option<&str>) -> String {
    given
        .map(str::to_owned)
        .or_else(|| {
            ["LC_ALL", "LC_NUMERIC", "LANG"]
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        })
        .unwrap_or_else(|| "en-US".to_owned())
}

/// Parses what a person typed ("12.50"; "12,50" or "1.234,50" in German)
/// into minor units of `currency`, refusing decimals the currency does not
/// have, grouping that is not in threes, zero and Stripe's maximum.
pub fn parse_amount(text: &str, currency: &str, locale: &str) -> Result<i64, Failure> {
    let (decimal, group) = if decimal_comma(locale) {
        (',', '.')
    } else {
        ('.', ',')
    };
    let bad = || {
        Failure::usage(format!(
            "{text:?} is not an amount in {} as {locale} writes it (e.g. {})",
            currency.to_ascii_uppercase(),
            money_example(currency, decimal)
        ))
    };
    let trimmed = text.trim().replace([' ', '\u{a0}', '\u{202f}'], "");
    let (whole, fraction) = match trimmed.split_once(decimal) {
        Some((w, f)) => (w.to_owned(), f.to_owned()),
        None => (trimmed.clone(), String::new()),
    };
    // Grouping: every group after the first is three digits.
    let mut groups = whole.split(group);
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(first)
        || rest.iter().any(|g| g.len() != 3 || !digits(g))
        || (trimmed.contains(decimal) && !digits(&fraction))
    {
        return Err(bad());
    }
    let whole: String = std::iter::once(first).chain(rest).collect();
    let places = decimals(currency) as usize;
    let significant = fraction.trim_end_matches('0');
    if significant.len() > places {
        return Err(Failure::usage(format!(
            "{} has {places} decimal places; {text} has more",
            currency.to_ascii_uppercase()
        )));
    }
    let mut padded = significant.to_owned();
    while padded.len() < places {
        padded.push('0');
    }
    let too_large = || {
        Failure::usage(format!(
            "{text} is above Stripe's maximum of {}",
            money(MAX_AMOUNT, currency)
        ))
    };
    let minor: i64 = format!("{whole}{padded}")
        .parse()
        .map_err(|_| too_large())?;
    if minor <= 0 {
        return Err(Failure::usage("the amount must be more than zero"));
    }
    if minor > MAX_AMOUNT {
        return Err(too_large());
    }
    if places == 3 && minor % 10 != 0 {
        return Err(Failure::usage(format!(
            "amounts in {} must be a multiple of 0.010",
            currency.to_ascii_uppercase()
        )));
    }
    Ok(minor)
}

fn money_example(currency: &str, decimal: char) -> String {
    match decimals(currency) {
        0 => "1250".to_owned(),
        3 => format!("12{decimal}500"),
        _ => format!("12{decimal}50"),
    }
}

/// A Unix time as a local date and time: "2026-03-01 14:05".
pub fn time(unix: i64) -> String {
    match jiff::Timestamp::from_second(unix) {
        Ok(ts) => ts
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => unix.to_string(),
    }
}

/// How long until `unix`: "3 d 4 h", "2 h 5 min", "lapsed".
pub fn countdown(unix: i64, now: i64) -> String {
    let left = unix - now;
    if left <= 0 {
        return "lapsed".to_owned();
    }
    let (days, hours, minutes) = (left / 86_400, (left % 86_400) / 3600, (left % 3600) / 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{} min", minutes.max(1))
    }
}

/// `--since`/`--until`: a Unix time, or a date at local midnight.
pub fn parse_when(text: &str, option: &str) -> Result<i64, Failure> {
    if let Ok(unix) = text.trim().parse::<i64>() {
        return Ok(unix);
    }
    let date: jiff::civil::Date = text.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "{option} {text:?}: give a date (2026-03-01) or a Unix time"
        ))
    })?;
    date.to_zoned(jiff::tz::TimeZone::system())
        .map(|z| z.timestamp().as_second())
        .map_err(|err| Failure::usage(format!("{option} {text:?}: {err}")))
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_the_currencys_decimals_and_the_locales_separator() {
        let ok = |t, c, l| parse_amount(t, c, l).map_err(|f| f.words);
        assert_eq!(ok("12.50", "usd", "en-US"), Ok(1250));
        assert_eq!(ok("12,50", "eur", "de-DE"), Ok(1250));
        assert_eq!(ok("1.234,5", "eur", "de_DE.UTF-8"), Ok(123_450));
        assert_eq!(ok("1,234.50", "usd", "C"), Ok(123_450));
        assert_eq!(ok("1250", "jpy", "ja-JP"), Ok(1250));
        assert_eq!(ok("1.25", "bhd", "en"), Ok(1250));
        assert!(ok("12.5", "jpy", "en").is_err(), "yen have no decimals");
        assert!(
            ok("12.50", "eur", "de-DE").is_err(),
            "12.50 is no German amount"
        );
        assert!(ok("1.2345", "bhd", "en").is_err());
        assert!(ok("1.001", "bhd", "en").is_err(), "multiples of ten");
        assert!(ok("0", "usd", "en").is_err());
        assert!(ok("-5", "usd", "en").is_err());
        assert!(ok("12.", "usd", "en").is_err());
        assert!(ok("1e3", "usd", "en").is_err());
        assert!(ok("99999999999999999999", "usd", "en").is_err());
        assert!(ok("1000000.00", "usd", "en").is_err(), "above the maximum");
    }

    #[test]
    fn money_is_written_in_the_currencys_decimals() {
        assert_eq!(money(1250, "usd"), "12.50 USD");
        assert_eq!(money(1250, "jpy"), "1250 JPY");
        assert_eq!(money(-1250, "bhd"), "-1.250 BHD");
        assert_eq!(money(5, "eur"), "0.05 EUR");
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(100, 200), "lapsed");
        assert_eq!(countdown(200 + 2 * 86_400 + 3 * 3600, 200), "2 d 3 h");
        assert_eq!(countdown(200 + 3600 + 300, 200), "1 h 5 min");
        assert_eq!(countdown(230, 200), "1 min");
    }
}

//! A Stripe API key, as a type that never shows itself: `Debug` and
//! `Display` print only the prefix and the last four characters, there is no
//! `Serialize`, and the memory is zeroed when the key is dropped.

use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyMode {
    Test,
    Live,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `sk_…`: full access.
    Secret,
    /// `rk_…`: per-resource permissions.
    Restricted,
}

/// Why a string is not a Stripe secret or restricted key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is empty")]
    Empty,
    #[error(
        "this is a publishable key (pk_…); Till needs a secret (sk_…) or restricted (rk_…) key"
    )]
    Publishable,
    #[error("a Stripe key starts with sk_test_, sk_live_, rk_test_ or rk_live_")]
    WrongPrefix,
    #[error("the key has characters a Stripe key never has, or is too short")]
    Malformed,
}

pub struct ApiKey {
    secret: Zeroizing<String>,
    mode: KeyMode,
    kind: KeyKind,
}

impl ApiKey {
    /// Checks the key's form (not whether Stripe accepts it). Surrounding
    /// white space, as a paste often brings, is removed.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        if text.starts_with("pk_") {
            return Err(KeyError::Publishable);
        }
        let (kind, mode, rest) = [
            ("sk_test_", KeyKind::Secret, KeyMode::Test),
            ("sk_live_", KeyKind::Secret, KeyMode::Live),
            ("rk_test_", KeyKind::Restricted, KeyMode::Test),
            ("rk_live_", KeyKind::Restricted, KeyMode::Live),
        ]
        .iter()
        .find_map(|(prefix, kind, mode)| text.strip_prefix(prefix).map(|rest| (*kind, *mode, rest)))
        .ok_or(KeyError::WrongPrefix)?;
        if rest.len() < 8
            || rest.len() > 247
            || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(KeyError::Malformed);
        }
        Ok(Self {
            secret: Zeroizing::new(text.to_owned()),
            mode,
            kind,
        })
    }

    pub fn mode(&self) -> KeyMode {
        self.mode
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The last four characters, which Stripe's Dashboard also shows.
    pub fn last4(&self) -> String {
        let chars: Vec<char> = self.secret.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }

    /// `sk_test_…abcd`: safe to log and to show.
    pub fn redacted(&self) -> String {
        let prefix = match (self.kind, self.mode) {
            (KeyKind::Secret, KeyMode::Test) => "sk_test_",
            (KeyKind::Secret, KeyMode::Live) => "sk_live_",
            (KeyKind::Restricted, KeyMode::Test) => "rk_test_",
            (KeyKind::Restricted, KeyMode::Live) => "rk_live_",
        };
        format!("{prefix}…{}", self.last4())
    }

    /// The secret itself, for the `Authorization` header and the keychain
    /// only. Every use is a place a key could leak: keep them few.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl Clone for ApiKey {
    fn clone(&self) -> Self {
        Self {
            secret: Zeroizing::new(self.secret.to_string()),
            mode: self.mode,
            kind: self.kind,
        }
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({})", self.redacted())
    }
}

impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_kinds_of_key() {
        let key = ApiKey::parse(" sk_live_abcdefgh1234\n").unwrap();
        assert_eq!((key.mode(), key.kind()), (KeyMode::Live, KeyKind::Secret));
        assert_eq!(key.expose_secret(), "sk_live_abcdefgh1234");
        let key = ApiKey::parse("rk_test_abcdefgh5678").unwrap();
        assert_eq!(
            (key.mode(), key.kind()),
            (KeyMode::Test, KeyKind::Restricted)
        );
    }

    #[test]
    fn refuses_what_is_not_a_key() {
        assert_eq!(ApiKey::parse("").unwrap_err(), KeyError::Empty);
        assert_eq!(
            ApiKey::parse("pk_test_abcdefgh").unwrap_err(),
            KeyError::Publishable
        );
        assert_eq!(
            ApiKey::parse("sk_prod_abcdefgh").unwrap_err(),
            KeyError::WrongPrefix
        );
        assert_eq!(
            ApiKey::parse("sk_test_abc").unwrap_err(),
            KeyError::Malformed
        );
        assert_eq!(
            ApiKey::parse("sk_test_abc def ghi").unwrap_err(),
            KeyError::Malformed
        );
    }

    #[test]
    fn never_prints_the_secret() {
        let key = ApiKey::parse("sk_test_51SuperSecretValue9876").unwrap();
        for shown in [format!("{key:?}"), format!("{key}"), key.redacted()] {
            assert!(!shown.contains("SuperSecret"), "{shown}");
            assert!(
                shown.ends_with("9876") || shown.ends_with("9876)"),
                "{shown}"
            );
        }
    }
}

//! Who is calling: the key from the request, and the account behind it.

use hyper::header::HeaderMap;

use crate::api::error::ApiError;
use crate::server::{Shared, lock, random_token};
use crate::state::{Account, KeyInfo, KeyKind};

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The key from `Authorization: Bearer …` or basic auth (key as user name).
pub fn bearer_key(headers: &HeaderMap) -> Option<String> {
    let value = header(headers, "authorization")?.trim();
    if let Some(key) = value.strip_prefix("Bearer ") {
        return Some(key.trim().to_owned());
    }
    let encoded = value.strip_prefix("Basic ")?;
    let decoded =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split(':').next().unwrap_or_default().to_owned())
}

pub fn well_formed(key: &str) -> bool {
    ["sk_test_", "sk_live_", "rk_test_", "rk_live_"]
        .iter()
        .any(|prefix| {
            key.strip_prefix(prefix).is_some_and(|rest| {
                rest.len() >= 8
                    && rest.len() <= 247
                    && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
        })
}

pub fn redact(key: &str) -> String {
    let prefix_len = key
        .find('_')
        .and_then(|first| key[first + 1..].find('_').map(|second| first + second + 2))
        .unwrap_or(0);
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{}***{tail}", &key[..prefix_len.min(key.len())])
}

/// Finds (or, for a new `sk_test_` key, opens) the account behind a key.
pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<KeyInfo, ApiError> {
    let Some(key) = bearer_key(headers).filter(|k| !k.is_empty()) else {
        return Err(ApiError::authentication(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        ));
    };
    if !well_formed(&key) {
        return Err(ApiError::authentication(format!(
            "Invalid API Key provided: {}",
            redact(&key)
        )));
    }
    let mut world = lock(&shared.world);
    if let Some(info) = world.keys.get(&key) {
        if info.revoked {
            return Err(ApiError::authentication(format!(
                "Expired API Key provided: {}",
                redact(&key)
            ))
            .with_code("api_key_expired"));
        }
        return Ok(info.clone());
    }
    if !key.starts_with("sk_test_") {
        return Err(ApiError::authentication(format!(
            "Invalid API Key provided: {}",
            redact(&key)
        )));
    }
    let account_id = {
        let mut rng = lock(&shared.rng);
        format!("acct_{}", random_token(&mut rng, 16))
    };
    world.accounts.insert(
        account_id.clone(),
        Account::new(
            account_id.clone(),
            "Test account".to_owned(),
            shared.default_rate,
        ),
    );
    let info = KeyInfo {
        account: account_id,
        live: false,
        kind: KeyKind::Secret,
        revoked: false,
    };
    world.keys.insert(key, info.clone());
    Ok(info)
}

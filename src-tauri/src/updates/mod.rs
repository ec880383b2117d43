//! Updates: found at the endpoint and checked against the public key in
//! tauri.conf.json (`plugins.updater`). Tauri's updater verifies each
//! package's minisign signature before it installs anything; this module
//! says its refusals in words ([`UpdateError`]) and never lets an update
//! start while a money movement is in flight ([`ensure_no_money_in_flight`]).
//!
//! A debug build (the tests) may point the updater at a test server with
//! `TILL_UPDATE_ENDPOINT` and `TILL_UPDATE_PUBKEY`; a release build reads
//! neither, so the shipped endpoint and key are the only ones it trusts.

use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};
use till_core::Till;

#[cfg(test)]
mod tests;

/// Why an update was not found, downloaded or installed, in the words the
/// UI shows. After any of them nothing has changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum UpdateError {
    /// The package does not carry a valid signature from Till's key: it was
    /// changed on the way, or signed by someone else. It is not installed.
    BadSignature { detail: String },
    /// The update server could not be reached (no network, or it is down).
    NoNetwork { detail: String },
    /// The update server answered, but not with an update Till can read
    /// (an error status, or a manifest that is not valid JSON).
    BadAnswer { detail: String },
    /// The update has no package for this kind of computer.
    NoPackageForThisComputer { looked_for: Vec<String> },
    /// The update could not be written to disk (full, read-only, no permission).
    DiskNotWritable { detail: String },
    /// Money movements were sent and are not settled yet: the update waits.
    MoneyInFlight { count: u32 },
    /// The package manager refused to install it, or the password was not given.
    InstallFailed { detail: String },
    /// Till could not read its journal to know whether money is in flight.
    JournalUnreadable { detail: String },
    /// Anything else the updater reported.
    Other { detail: String },
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CheckOutcome {
    /// No newer version (the server answered 204, or with this version).
    UpToDate,
    /// A newer version, with its notes.
    Available(UpdateOffer),
}

/// A newer version the server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub current_version: String,
    pub notes: Option<String>,
}

impl From<&Update> for UpdateOffer {
    fn from(update: &Update) -> Self {
        Self {
            version: update.version.clone(),
            current_version: update.current_version.clone(),
            notes: update.body.clone(),
        }
    }
}

/// Where updates come from when not from tauri.conf.json: a test server.
#[derive(Debug, Clone)]
pub struct Source {
    pub endpoint: tauri::Url,
    /// The minisign public key, as `plugins.updater.pubkey` holds it (base64).
    pub pubkey: String,
}

impl Source {
    /// `TILL_UPDATE_ENDPOINT` and `TILL_UPDATE_PUBKEY`, in a debug build only.
    pub fn from_env() -> Option<Self> {
        if !cfg!(debug_assertions) {
            return None;
        }
        let endpoint = std::env::var("TILL_UPDATE_ENDPOINT").ok()?;
        let pubkey = std::env::var("TILL_UPDATE_PUBKEY").ok()?;
        match tauri::Url::parse(&endpoint) {
            Ok(endpoint) => Some(Self { endpoint, pubkey }),
            Err(err) => {
                tracing::warn!(error = %err, "TILL_UPDATE_ENDPOINT is not a URL; using tauri.conf.json");
                None
            }
        }
    }
}

/// The updater: tauri.conf.json's endpoint and key, or `source`'s.
pub fn updater<R: Runtime>(
    app: &AppHandle<R>,
    source: Option<&Source>,
) -> Result<Updater, UpdateError> {
    let mut builder = app.updater_builder();
    if let Some(source) = source {
        builder = builder
            .endpoints(vec![source.endpoint.clone()])
            .map_err(|err| describe(&err))?
            .pubkey(source.pubkey.clone());
    }
    builder.build().map_err(|err| describe(&err))
}

/// Asks the update server whether there is a newer version.
pub async fn check(updater: &Updater) -> Result<(CheckOutcome, Option<Update>), UpdateError> {
    match updater.check().await {
        Ok(None) => Ok((CheckOutcome::UpToDate, None)),
        Ok(Some(update)) => Ok((
            CheckOutcome::Available(UpdateOffer::from(&update)),
            Some(update),
        )),
        Err(err) => Err(describe(&err)),
    }
}

/// Downloads the package and verifies its signature; `progress` hears the
/// bytes so far and the total when the server said it. Only verified bytes
/// are returned.
pub async fn download(
    update: &Update,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, UpdateError> {
    let mut received = 0u64;
    update
        .download(
            |chunk, total| {
                received += chunk as u64;
                progress(received, total);
            },
            || {},
        )
        .await
        .map_err(|err| describe(&err))
}

/// Refuses while any account has a money movement sent and not settled, or
/// being sent now: an update restarts Till, and the journal must see each
/// answer first.
pub fn ensure_no_money_in_flight(till: &Till) -> Result<(), UpdateError> {
    let count = till
        .movements_in_flight()
        .map_err(|err| UpdateError::JournalUnreadable {
            detail: err.to_string(),
        })?;
    if count == 0 {
        Ok(())
    } else {
        Err(UpdateError::MoneyInFlight {
            count: u32::try_from(count).unwrap_or(u32::MAX),
        })
    }
}

/// The updater's error, by what the merchant can do about it.
pub fn describe(err: &tauri_plugin_updater::Error) -> UpdateError {
    use tauri_plugin_updater::Error as E;
    let detail = err.to_string();
    match err {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => UpdateError::BadSignature { detail },
        E::Reqwest(inner) if inner.is_decode() => UpdateError::BadAnswer { detail },
        E::Reqwest(inner) if inner.is_status() => UpdateError::BadAnswer { detail },
        E::Reqwest(_) => UpdateError::NoNetwork { detail },
        E::Serialization(_) | E::ReleaseNotFound | E::Network(_) => {
            UpdateError::BadAnswer { detail }
        }
        E::TargetNotFound(target) => UpdateError::NoPackageForThisComputer {
            looked_for: vec![target.clone()],
        },
        E::TargetsNotFound(targets) => UpdateError::NoPackageForThisComputer {
            looked_for: targets.clone(),
        },
        E::Io(io) if disk_refused(io) => UpdateError::DiskNotWritable { detail },
        E::TempDirNotFound | E::TempDirNotOnSameMountPoint => {
            UpdateError::DiskNotWritable { detail }
        }
        E::DebInstallFailed
        | E::PackageInstallFailed
        | E::AuthenticationFailed
        | E::InvalidUpdaterFormat
        | E::PreviousAppNotRestored(_) => UpdateError::InstallFailed { detail },
        _ => UpdateError::Other { detail },
    }
}

fn disk_refused(err: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        err.kind(),
        K::PermissionDenied | K::ReadOnlyFilesystem | K::StorageFull | K::QuotaExceeded
    )
}

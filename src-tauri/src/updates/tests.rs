//! The updater against a test server on 127.0.0.1, the way the plugin's own
//! tests go: a manifest and a package, signed with keys made for the test by
//! the Tauri CLI (`tauri signer`, what `./dev release` signs with). The app
//! is Tauri's mock runtime with the real updater plugin; the endpoint and key
//! come from [`Source`], never from tauri.conf.json.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::json;
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};

use super::*;

/// The mock app is version 0.1.0; the test server offers this.
const NEWER: &str = "0.2.0";

fn tauri_cli() -> PathBuf {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/.bin/tauri");
    assert!(
        cli.exists(),
        "the Tauri CLI is missing at {}: run ./dev setup (npm ci in ui/)",
        cli.display()
    );
    cli
}

/// A minisign key pair made now, without a password.
struct Key {
    dir: tempfile::TempDir,
}

impl Key {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let made = Command::new(tauri_cli())
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(dir.path().join("test.key"))
            .output()
            .unwrap();
        assert!(made.status.success(), "tauri signer generate: {made:?}");
        Self { dir }
    }

    /// As `plugins.updater.pubkey` holds it.
    fn public(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("test.key.pub"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// The `.sig` of `bytes` for `version`, as the manifest carries it.
    fn sign(&self, bytes: &[u8], version: &str) -> String {
        let file = self.dir.path().join("package.deb");
        std::fs::write(&file, bytes).unwrap();
        let signed = Command::new(tauri_cli())
            .args(["signer", "sign", "-p", "", "--app-version", version, "-f"])
            .arg(self.dir.path().join("test.key"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(signed.status.success(), "tauri signer sign: {signed:?}");
        std::fs::read_to_string(self.dir.path().join("package.deb.sig"))
            .unwrap()
            .trim()
            .to_owned()
    }
}

/// What the test server answers on a path: a status and a body.
type Routes = HashMap<&'static str, (u16, Vec<u8>)>;

/// A plain HTTP/1.1 server on `listener` answering from `routes` (404
/// otherwise), one connection at a time, for the test's whole run.
fn serve(listener: TcpListener, routes: Routes) {
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &routes);
        }
    });
}

fn answer(mut stream: TcpStream, routes: &Routes) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let (status, body) = routes
        .get(path.as_str())
        .cloned()
        .unwrap_or((404, b"not found".to_vec()));
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        _ => "Other",
    };
    let mut response = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n").into_bytes();
    if status != 204 {
        response.extend(format!("Content-Length: {}\r\n", body.len()).bytes());
    }
    response.extend(b"\r\n");
    if status != 204 {
        response.extend(&body);
    }
    let _ = stream.write_all(&response);
}

/// The updater plugin's configuration: empty, as a test-only source replaces it.
fn app() -> tauri::App<MockRuntime> {
    let mut context = mock_context(noop_assets());
    context
        .config_mut()
        .plugins
        .0
        .insert("updater".into(), json!({ "pubkey": "", "endpoints": [] }));
    mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(context)
        .unwrap()
}

fn this_computer() -> String {
    tauri_plugin_updater::target().unwrap()
}

fn manifest(base: &str, version: &str, platform: &str, signature: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "version": version,
        "notes": "Faster sync.",
        "pub_date": "2026-12-01T00:00:00Z",
        "platforms": {
            platform: { "signature": signature, "url": format!("{base}/till.deb") }
        }
    }))
    .unwrap()
}

/// A test server answering `latest.json` with `manifest_of(its address)` and
/// `till.deb` with `package`, and the updater the app builds for it with `key`.
fn offer(
    package: Vec<u8>,
    manifest_of: impl FnOnce(&str) -> (u16, Vec<u8>),
    key: &str,
) -> (tauri::App<MockRuntime>, Updater) {
    // The manifest names the package's address: bind first.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut routes = Routes::new();
    routes.insert("/latest.json", manifest_of(&base));
    routes.insert("/till.deb", (200, package));
    serve(listener, routes);
    let app = app();
    let source = Source {
        endpoint: format!("{base}/latest.json").parse().unwrap(),
        pubkey: key.to_owned(),
    };
    let updater = updater(app.handle(), Some(&source)).unwrap();
    (app, updater)
}

/// What a check found, without the update handle (which has no Debug).
fn outcome(updater: &Updater) -> Result<CheckOutcome, UpdateError> {
    tauri::async_runtime::block_on(check(updater)).map(|(found, _)| found)
}

fn package() -> Vec<u8> {
    (0..64 * 1024).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_signed_newer_version_is_found_downloaded_and_verified() {
    let key = Key::new();
    let package = package();
    let signature = key.sign(&package, NEWER);
    let (_app, updater) = offer(
        package.clone(),
        |base| (200, manifest(base, NEWER, &this_computer(), &signature)),
        &key.public(),
    );
    let (outcome, update) = tauri::async_runtime::block_on(check(&updater)).unwrap();
    assert_eq!(
        outcome,
        CheckOutcome::Available(UpdateOffer {
            version: NEWER.into(),
            current_version: "0.1.0".into(),
            notes: Some("Faster sync.".into()),
        })
    );
    let mut heard = Vec::new();
    let bytes = tauri::async_runtime::block_on(download(&update.unwrap(), |so_far, total| {
        heard.push((so_far, total));
    }))
    .unwrap();
    // Verified and ready to install. Installing needs root and dpkg (the
    // .deb route); `./dev test-package` installs a real package instead.
    assert_eq!(bytes, package);
    let last = *heard.last().unwrap();
    assert_eq!(last, (package.len() as u64, Some(package.len() as u64)));
}

#[test]
fn a_tampered_package_is_refused_with_the_signature_error() {
    let key = Key::new();
    let package = package();
    let signature = key.sign(&package, NEWER);
    let mut tampered = package.clone();
    tampered[1000] ^= 0x01;
    let (_app, updater) = offer(
        tampered,
        |base| (200, manifest(base, NEWER, &this_computer(), &signature)),
        &key.public(),
    );
    let (_, update) = tauri::async_runtime::block_on(check(&updater)).unwrap();
    let refused = tauri::async_runtime::block_on(download(&update.unwrap(), |_, _| {}));
    assert!(
        matches!(refused, Err(UpdateError::BadSignature { .. })),
        "{refused:?}"
    );
}

#[test]
fn a_package_signed_with_another_key_is_refused() {
    let ours = Key::new();
    let theirs = Key::new();
    let package = package();
    let signature = theirs.sign(&package, NEWER);
    let (_app, updater) = offer(
        package,
        |base| (200, manifest(base, NEWER, &this_computer(), &signature)),
        &ours.public(),
    );
    let (_, update) = tauri::async_runtime::block_on(check(&updater)).unwrap();
    let refused = tauri::async_runtime::block_on(download(&update.unwrap(), |_, _| {}));
    let Err(UpdateError::BadSignature { detail }) = refused else {
        panic!("another key's signature was not refused: {refused:?}");
    };
    assert!(detail.contains("different key"), "{detail}");
}

#[test]
fn a_manifest_that_is_not_json_is_refused_without_a_crash() {
    let key = Key::new();
    let (_app, updater) = offer(
        package(),
        |_| (200, b"{\"version\": \"0.2.0\", platforms".to_vec()),
        &key.public(),
    );
    let refused = outcome(&updater);
    assert!(
        matches!(refused, Err(UpdateError::BadAnswer { .. })),
        "{refused:?}"
    );
}

#[test]
fn a_manifest_without_this_computer_is_refused_and_says_what_it_looked_for() {
    let key = Key::new();
    let package = package();
    let signature = key.sign(&package, NEWER);
    let (_app, updater) = offer(
        package,
        |base| (200, manifest(base, NEWER, "windows-x86_64", &signature)),
        &key.public(),
    );
    let refused = outcome(&updater);
    let Err(UpdateError::NoPackageForThisComputer { looked_for }) = refused else {
        panic!("a manifest for another platform was not refused: {refused:?}");
    };
    assert!(looked_for.contains(&this_computer()), "{looked_for:?}");
}

#[test]
fn no_content_or_the_same_version_is_up_to_date() {
    let key = Key::new();
    let (_app, updater) = offer(package(), |_| (204, Vec::new()), &key.public());
    let (outcome, update) = tauri::async_runtime::block_on(check(&updater)).unwrap();
    assert_eq!(outcome, CheckOutcome::UpToDate);
    assert!(update.is_none());

    let package = package();
    let signature = key.sign(&package, "0.1.0");
    let (_app, updater) = offer(
        package,
        |base| (200, manifest(base, "0.1.0", &this_computer(), &signature)),
        &key.public(),
    );
    let (outcome, _) = tauri::async_runtime::block_on(check(&updater)).unwrap();
    assert_eq!(outcome, CheckOutcome::UpToDate);
}

#[test]
fn an_unreachable_server_is_no_network() {
    let key = Key::new();
    // A port nothing listens on any more.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}/latest.json", listener.local_addr().unwrap());
    drop(listener);
    let app = app();
    let source = Source {
        endpoint: gone.parse().unwrap(),
        pubkey: key.public(),
    };
    let updater = updater(app.handle(), Some(&source)).unwrap();
    let refused = outcome(&updater);
    assert!(
        matches!(refused, Err(UpdateError::NoNetwork { .. })),
        "{refused:?}"
    );
}

#[test]
fn a_server_error_is_a_bad_answer_not_an_update() {
    let key = Key::new();
    let (_app, updater) = offer(package(), |_| (500, b"oops".to_vec()), &key.public());
    let refused = outcome(&updater);
    assert!(
        matches!(refused, Err(UpdateError::BadAnswer { .. })),
        "{refused:?}"
    );
}

#[test]
fn the_disk_and_install_refusals_have_their_own_words() {
    use tauri_plugin_updater::Error as E;
    let full = E::Io(std::io::Error::from(std::io::ErrorKind::StorageFull));
    assert!(matches!(
        describe(&full),
        UpdateError::DiskNotWritable { .. }
    ));
    let denied = E::Io(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
    assert!(matches!(
        describe(&denied),
        UpdateError::DiskNotWritable { .. }
    ));
    assert!(matches!(
        describe(&E::DebInstallFailed),
        UpdateError::InstallFailed { .. }
    ));
    assert!(matches!(
        describe(&E::TempDirNotFound),
        UpdateError::DiskNotWritable { .. }
    ));
}

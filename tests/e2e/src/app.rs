//! One scenario against the real app: Xvfb, tauri-driver, a WebDriver
//! session, then teardown and, on failure, the artifacts.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::failure::{Failure, Outcome, setup};
use crate::process::Group;
use crate::webdriver::Session;

/// The running app, as a scenario sees it.
#[derive(Debug)]
pub struct App {
    session: Session,
    data_dir: PathBuf,
    output_dir: PathBuf,
    /// Where the app's demo simulator listens (a development build takes
    /// the port the harness chose).
    demo_url: String,
}

impl App {
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The demo account as Stripe sees it (see [`crate::demo`]).
    pub fn demo_stripe(&self) -> Outcome<crate::demo::DemoStripe> {
        crate::demo::DemoStripe::connect(&self.demo_url)
    }

    /// The demo simulator's address.
    pub fn demo_url(&self) -> &str {
        &self.demo_url
    }

    /// The `TILL_DATA_DIR` the app was started with.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Saves a screenshot of the window as `<output>/<name>.png` and returns its path.
    pub fn save_screenshot(&self, name: &str) -> Outcome<PathBuf> {
        // Two animation frames: WebKit has painted what the DOM now holds
        // (without this a screenshot can show the frame before).
        self.session.execute_async(
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            serde_json::json!([]),
        )?;
        let path = self.output_dir.join(format!("{name}.png"));
        let png = self.session.screenshot_png()?;
        std::fs::write(&path, png).map_err(|err| setup(format!("{}: {err}", path.display())))?;
        Ok(path)
    }
}

/// Where the pictures the README shows are gathered, by name, for
/// `./dev screenshots` to copy into `docs/screenshots/`. A test run writes
/// nothing outside `tests/output/`, so it leaves the checkout clean.
pub fn readme_pictures_dir() -> PathBuf {
    workspace_root().join("tests/output/readme-pictures")
}

impl App {
    /// A screen the README shows (a user's journey, the Overview…): saved
    /// like [`App::save_screenshot`] and copied to [`readme_pictures_dir`].
    /// Never to `docs/screenshots/`: refreshing those is `./dev screenshots`.
    pub fn save_journey_screenshot(&self, name: &str) -> Outcome<PathBuf> {
        let shot = self.save_screenshot(name)?;
        let dir = readme_pictures_dir();
        std::fs::create_dir_all(&dir).map_err(|err| setup(format!("{}: {err}", dir.display())))?;
        let path = dir.join(format!("{name}.png"));
        std::fs::copy(&shot, &path).map_err(|err| setup(format!("{}: {err}", path.display())))?;
        Ok(path)
    }
}

/// What happened in a scenario, after every process it started is gone.
#[derive(Debug)]
pub struct ScenarioReport {
    pub output_dir: PathBuf,
    /// The process groups the scenario started (Xvfb, tauri-driver and its children).
    pub process_groups: Vec<u32>,
    pub failure: Option<Failure>,
}

impl ScenarioReport {
    pub fn outcome(self) -> Outcome {
        match self.failure {
            None => Ok(()),
            Some(failure) => {
                eprintln!(
                    "artifacts of the failed scenario: {}",
                    self.output_dir.display()
                );
                Err(failure)
            }
        }
    }
}

/// The repository's root.
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The binary under test: `TILL_E2E_APP`, else `target/debug/till-desktop`.
fn application() -> Outcome<PathBuf> {
    let path = std::env::var_os("TILL_E2E_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/till-desktop"));
    let path = path.canonicalize().map_err(|err| {
        setup(format!(
            "no app at {} ({err}): build it first with `./dev app`",
            path.display()
        ))
    })?;
    Ok(path)
}

/// Runs `body` against a freshly started app with an empty data directory.
pub fn scenario(name: &str, body: impl FnOnce(&App) -> Outcome) -> ScenarioReport {
    scenario_with(name, &[], body)
}

/// [`scenario`] with more environment for the app (e.g. `TILL_STRIPE_API_BASE`
/// pointing at a simulator the test runs).
pub fn scenario_with(
    name: &str,
    env: &[(&str, &str)],
    body: impl FnOnce(&App) -> Outcome,
) -> ScenarioReport {
    scenario_in(name, None, env, body)
}

/// [`scenario_with`] on a data directory the test keeps (`Some`), so that a
/// second run of the app finds what the first left: the app restarted.
pub fn scenario_in(
    name: &str,
    data_dir: Option<&Path>,
    env: &[(&str, &str)],
    body: impl FnOnce(&App) -> Outcome,
) -> ScenarioReport {
    let output_dir = workspace_root().join("tests/output").join(name);
    let mut groups = Vec::new();
    let failure = run(&output_dir, data_dir, env, &mut groups, body).err();
    let process_groups = groups.iter().map(Group::pgid).collect();
    // Teardown: newest first, so the driver goes before the display it uses.
    while let Some(mut group) = groups.pop() {
        group.kill();
    }
    ScenarioReport {
        output_dir,
        process_groups,
        failure,
    }
}

fn run(
    output_dir: &Path,
    kept: Option<&Path>,
    env: &[(&str, &str)],
    groups: &mut Vec<Group>,
    body: impl FnOnce(&App) -> Outcome,
) -> Outcome {
    let _ = std::fs::remove_dir_all(output_dir);
    std::fs::create_dir_all(output_dir)
        .map_err(|err| setup(format!("{}: {err}", output_dir.display())))?;
    let application = application()?;
    let scratch = tempfile::tempdir().map_err(setup)?;
    let data_dir = kept.map_or_else(|| scratch.path().join("data"), Path::to_path_buf);

    let display = start_xvfb(groups)?;
    let demo_port = free_port()?;
    let driver_url = start_driver(groups, &display, &data_dir, output_dir, demo_port, env)?;
    let session = Session::open(&driver_url, &application.display().to_string())?;
    let app = App {
        session,
        data_dir,
        output_dir: output_dir.to_path_buf(),
        demo_url: format!("http://127.0.0.1:{demo_port}"),
    };

    let result = catch_unwind(AssertUnwindSafe(|| body(&app))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "(no message)".to_owned());
        Err(Failure::Panicked(message))
    });
    if result.is_err() {
        save_artifacts(&app, output_dir);
    }
    let _ = app.session.close();
    result
}

fn save_artifacts(app: &App, output_dir: &Path) {
    if let Err(err) = app.save_screenshot("failure") {
        eprintln!("no screenshot of the failure: {err}");
    }
    let log = app.data_dir.join("logs/till.log");
    if let Err(err) = std::fs::copy(&log, output_dir.join("till.log")) {
        eprintln!("no app log at {}: {err}", log.display());
    }
}

/// Starts a private X server; Xvfb picks a free display and reports it.
fn start_xvfb(groups: &mut Vec<Group>) -> Outcome<String> {
    let mut command = Command::new("Xvfb");
    command
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut xvfb = Group::spawn("Xvfb", command)?;
    let stdout = xvfb
        .child_mut()
        .stdout
        .take()
        .ok_or_else(|| setup("Xvfb has no stdout"))?;
    groups.push(xvfb);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|err| setup(format!("Xvfb did not report its display: {err}")))?;
    let number = line.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(setup(format!("Xvfb reported no display (got {line:?})")));
    }
    Ok(format!(":{number}"))
}

fn free_port() -> Outcome<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(setup)?;
    Ok(listener.local_addr().map_err(setup)?.port())
}

/// Starts tauri-driver on the private display; the app it launches inherits
/// this environment, so it gets a data directory of its own.
fn start_driver(
    groups: &mut Vec<Group>,
    display: &str,
    data_dir: &Path,
    output_dir: &Path,
    demo_port: u16,
    env: &[(&str, &str)],
) -> Outcome<String> {
    let port = free_port()?;
    let native_port = free_port()?;
    let log = std::fs::File::create(output_dir.join("tauri-driver.log")).map_err(setup)?;
    let log_err = log.try_clone().map_err(setup)?;
    let mut command = Command::new("tauri-driver");
    command
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", display)
        .env("TILL_DATA_DIR", data_dir)
        .env("TILL_DEMO_SIM_TOKEN", crate::demo::token())
        .env("TILL_DEMO_SIM_PORT", demo_port.to_string())
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "debug".to_owned()),
        )
        .envs(env.iter().copied())
        .stdout(log)
        .stderr(log_err);
    groups.push(Group::spawn("tauri-driver", command)?);

    let url = format!("http://127.0.0.1:{port}");
    let http = crate::webdriver::agent(Duration::from_secs(2));
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(reply) = http.get(format!("{url}/status")).call()
            && reply.status().is_success()
        {
            return Ok(url);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(setup(
        "tauri-driver did not answer within 30 s (is it installed? `./dev setup`)",
    ))
}

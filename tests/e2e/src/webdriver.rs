//! A small W3C WebDriver client: just what the scenarios use.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::failure::{Failure, Outcome};

/// The key W3C uses to name an element in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Debug)]
pub struct Session {
    http: ureq::Agent,
    base: String,
    id: String,
}

#[derive(Debug, Clone)]
pub struct Element(String);

fn failure(action: &str, detail: impl std::fmt::Display) -> Failure {
    Failure::WebDriver {
        action: action.to_owned(),
        detail: detail.to_string(),
    }
}

impl Session {
    /// Opens a session on the Till binary at `application`.
    pub fn open(driver_url: &str, application: &str) -> Outcome<Self> {
        let http = agent(Duration::from_secs(90));
        let caps = json!({
            "capabilities": { "alwaysMatch": { "tauri:options": { "application": application } } }
        });
        let reply = post(
            &http,
            &format!("{driver_url}/session"),
            &caps,
            "new session",
        )?;
        let id = reply["sessionId"]
            .as_str()
            .ok_or_else(|| failure("new session", format!("no session id in {reply}")))?
            .to_owned();
        let session = Self {
            http,
            base: format!("{driver_url}/session/{id}"),
            id,
        };
        // Element look-ups wait up to 10 s for the element to appear: the
        // driver synchronises on the DOM, the scenarios never sleep.
        session.cmd("timeouts", json!({ "implicit": 10_000, "script": 30_000 }))?;
        Ok(session)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn cmd(&self, path: &str, body: Value) -> Outcome<Value> {
        post(&self.http, &format!("{}/{path}", self.base), &body, path)
    }

    fn get(&self, path: &str) -> Outcome<Value> {
        let url = format!("{}/{path}", self.base);
        let reply = self
            .http
            .get(&url)
            .call()
            .map_err(|err| failure(path, err))?;
        parse(reply, path)
    }

    pub fn find(&self, css: &str) -> Outcome<Element> {
        let value = self.cmd("element", json!({ "using": "css selector", "value": css }))?;
        element_of(&value).ok_or_else(|| failure("find", format!("{css}: {value}")))
    }

    pub fn find_all(&self, css: &str) -> Outcome<Vec<Element>> {
        let value = self.cmd("elements", json!({ "using": "css selector", "value": css }))?;
        Ok(value
            .as_array()
            .map(|items| items.iter().filter_map(element_of).collect())
            .unwrap_or_default())
    }

    pub fn text(&self, element: &Element) -> Outcome<String> {
        let value = self.get(&format!("element/{}/text", element.0))?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    pub fn attribute(&self, element: &Element, name: &str) -> Outcome<Option<String>> {
        let value = self.get(&format!("element/{}/attribute/{name}", element.0))?;
        Ok(value.as_str().map(str::to_owned))
    }

    pub fn send_keys(&self, element: &Element, text: &str) -> Outcome<()> {
        self.cmd(
            &format!("element/{}/value", element.0),
            json!({ "text": text }),
        )?;
        Ok(())
    }

    pub fn click(&self, element: &Element) -> Outcome<()> {
        self.cmd(&format!("element/{}/click", element.0), json!({}))?;
        Ok(())
    }

    /// Runs `script` in the page; it must call `arguments[arguments.length - 1]`
    /// with its result.
    pub fn execute_async(&self, script: &str, args: Value) -> Outcome<Value> {
        self.cmd("execute/async", json!({ "script": script, "args": args }))
    }

    /// Calls one of the app's commands through Tauri's IPC, as the UI does.
    /// Resolves to `{"ok": value}` or `{"err": error}`.
    pub fn invoke(&self, command: &str, args: Value) -> Outcome<Value> {
        self.execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])\
               .then((ok) => done({ ok }), (err) => done({ err: String(err?.message ?? JSON.stringify(err)) }));",
            json!([command, args]),
        )
    }

    /// Sets an input's value as typing would (Svelte listens to `input`).
    pub fn type_into(&self, css: &str, text: &str) -> Outcome<()> {
        let found = self.execute(
            "const el = document.querySelector(arguments[0]); if (!el) return false; el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true })); return true;",
            json!([css, text]),
        )?;
        if found == json!(true) {
            Ok(())
        } else {
            Err(Failure::Assertion(format!("no {css}")))
        }
    }

    /// Waits, polling the DOM, until the element's text satisfies `accept`.
    pub fn wait_for_text(&self, css: &str, accept: impl Fn(&str) -> bool) -> Outcome<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        while Instant::now() < deadline {
            // The element may be re-rendered between finding and reading it
            // (a stale reference): look it up again on the next turn.
            if let Ok(element) = self.find(css)
                && let Ok(text) = self.text(&element)
            {
                last = text;
                if accept(&last) {
                    return Ok(last);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(Failure::Assertion(format!(
            "{css} never showed the expected text; last seen: {last:?}"
        )))
    }

    /// The text content of the first element matching `css`, read from the
    /// DOM (WebDriver's visible text is empty for some cells).
    pub fn text_of(&self, css: &str) -> Outcome<String> {
        let found = self.execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            json!([css]),
        )?;
        found
            .as_str()
            .map(|t| t.trim().to_owned())
            .ok_or_else(|| Failure::Assertion(format!("no {css}")))
    }

    /// Runs `script` (which `return`s a value) in the page.
    pub fn execute(&self, script: &str, args: Value) -> Outcome<Value> {
        self.cmd("execute/sync", json!({ "script": script, "args": args }))
    }

    /// A key pressed in the window (with Ctrl or not), where the app's
    /// shortcuts listen.
    pub fn press(&self, key: &str, ctrl: bool) -> Outcome<()> {
        self.execute(
            "window.dispatchEvent(new KeyboardEvent('keydown', { key: arguments[0], ctrlKey: arguments[1], bubbles: true })); return true;",
            json!([key, ctrl]),
        )?;
        Ok(())
    }

    /// Waits, polling, until the JavaScript expression is true.
    pub fn wait_until(&self, expression: &str) -> Outcome<()> {
        self.wait_until_within(expression, Duration::from_secs(15))
    }

    /// [`Session::wait_until`] with a deadline of the caller's.
    pub fn wait_until_within(&self, expression: &str, within: Duration) -> Outcome<()> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.execute(&format!("return !!({expression});"), json!([]))? == json!(true) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(Failure::Assertion(format!("never true: {expression}")))
    }

    pub fn screenshot_png(&self) -> Outcome<Vec<u8>> {
        let value = self.get("screenshot")?;
        let encoded = value
            .as_str()
            .ok_or_else(|| failure("screenshot", "no image"))?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|err| failure("screenshot", err))
    }

    pub fn close(&self) -> Outcome<()> {
        self.http
            .delete(&self.base)
            .call()
            .map_err(|err| failure("delete session", err))?;
        Ok(())
    }
}

fn element_of(value: &Value) -> Option<Element> {
    value[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned()))
}

/// An HTTP agent that hands error statuses back as replies: WebDriver puts
/// its error in the body.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(http: &ureq::Agent, url: &str, body: &Value, action: &str) -> Outcome<Value> {
    let reply = http
        .post(url)
        .send_json(body)
        .map_err(|err| failure(action, err))?;
    parse(reply, action)
}

fn parse(mut reply: ureq::http::Response<ureq::Body>, action: &str) -> Outcome<Value> {
    let status = reply.status();
    let body: Value = reply
        .body_mut()
        .read_json()
        .map_err(|err| failure(action, err))?;
    if !status.is_success() {
        return Err(failure(action, format!("HTTP {status}: {}", body["value"])));
    }
    Ok(body["value"].clone())
}

//! The real spec, loaded once per test binary (it is 5 MB of JSON).

use std::sync::OnceLock;
use std::time::Instant;

use till_stripe_spec::{Extensions, Spec};

pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let started = Instant::now();
        let spec =
            Spec::load_default().expect("Stripe spec: set STRIPE_OPENAPI_SPEC or see README");
        eprintln!(
            "spec {:?} loaded in {:?}",
            spec.version(),
            started.elapsed()
        );
        spec
    })
}

/// A fixtures file from the shared folder, as `resources` keyed by schema name.
#[allow(dead_code)] // not every test binary reads fixtures
pub fn fixtures(file: &str) -> serde_json::Map<String, serde_json::Value> {
    let path = till_stripe_spec::shared_dir().join(file);
    let text = std::fs::read_to_string(&path).expect("fixtures file");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("fixtures are JSON");
    match doc["resources"].take() {
        serde_json::Value::Object(resources) => resources,
        other => panic!("{} has no resources object: {other}", path.display()),
    }
}

/// One object of the 2023-08-16 fixtures.
#[allow(dead_code)] // not every test binary reads fixtures
pub fn fixture(name: &str) -> serde_json::Value {
    fixtures("fixtures3.2023-08-16.json")
        .remove(name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// A request and what `check_params.py` says of it.
#[allow(dead_code)] // used by the parity tables only
pub struct Case {
    pub method: &'static str,
    pub path: &'static str,
    pub body: &'static str,
    pub template: Option<&'static str>,
    /// (kind, param, detail) exactly as `check_params.py --json` printed them
    pub problems: &'static [(&'static str, &'static str, &'static str)],
}

/// Every case must get the same template and the same problems, word for
/// word; all differences are reported at once.
#[allow(dead_code)] // used by the parity tables only
pub fn run_cases(spec: &Spec, cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let checked = spec.check_request(case.method, case.path, case.body, &Extensions::new());
        let got: Vec<(&str, &str, &str)> = checked
            .problems
            .iter()
            .map(|p| (p.kind.as_str(), p.location.as_str(), p.detail.as_str()))
            .collect();
        if checked.template.as_deref() != case.template || got != case.problems {
            failures.push(format!(
                "{} {} {:?}\n  want {:?} {:?}\n  got  {:?} {:?}",
                case.method,
                case.path,
                case.body,
                case.template,
                case.problems,
                checked.template,
                got
            ));
        }
        assert!(checked.extended.is_empty(), "no extensions were given");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

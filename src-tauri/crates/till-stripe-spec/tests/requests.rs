//! Request checking beyond the parity table: extensions, path matching,
//! loading.

// cfg(test) tells clippy these helpers are test code, where expect and
// panic are allowed.
#[cfg(test)]
mod common;

use common::{Case, run_cases, spec};
use serde_json::json;
use till_stripe_spec::{Checked, Extensions, ProblemKind, Spec, SpecError};

/// The exceptions Till documents for listing Checkout Sessions: Stripe
/// added `status` and `created` to that list after 2023-08-16.
fn checkout_list_extensions() -> Extensions {
    Extensions::new()
        .request_param(
            "GET",
            "/v1/checkout/sessions",
            "status",
            json!({"type": "string", "enum": ["complete", "expired", "open"]}),
        )
        .request_param(
            "get", // methods are case-insensitive
            "/v1/checkout/sessions",
            "created",
            // as the spec writes `created` on other lists
            json!({"anyOf": [
                {"type": "object", "title": "range_query_specs", "properties": {
                    "gt": {"type": "integer"}, "gte": {"type": "integer"},
                    "lt": {"type": "integer"}, "lte": {"type": "integer"}}},
                {"type": "integer"}
            ]}),
        )
}

#[test]
fn an_extension_param_is_accepted_only_where_listed() {
    let spec = spec();
    let url = "/v1/checkout/sessions?status=open&created[gte]=1700000000&limit=3";

    let plain = spec.check_request("GET", url, "", &Extensions::new());
    let kinds: Vec<_> = plain
        .problems
        .iter()
        .map(|p| (p.kind, p.location.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ProblemKind::Unknown, "status"),
            (ProblemKind::Unknown, "created[gte]")
        ],
        "without extensions the spec does not know them"
    );

    let ext = checkout_list_extensions();
    let extended = spec.check_request("GET", url, "", &ext);
    assert_eq!(
        extended,
        Checked {
            template: Some("/v1/checkout/sessions".into()),
            problems: vec![],
            extended: vec!["status".into(), "created[gte]".into()],
        },
        "accepted, and reported as accepted by an extension"
    );

    // Listed for GET /v1/checkout/sessions only: not for another list,
    // nor for creating a session.
    let charges = spec.check_request("GET", "/v1/charges?status=open", "", &ext);
    assert_eq!(charges.problems.len(), 1, "{:?}", charges.problems);
    assert!(charges.extended.is_empty());
    let create = spec.check_request(
        "POST",
        "/v1/checkout/sessions",
        "success_url=x&status=open",
        &ext,
    );
    assert_eq!(create.problems[0].location, "status");

    // The extension's schema still judges the value; the problem reported
    // is the spec's own.
    let bad = spec.check_request(
        "GET",
        "/v1/checkout/sessions?status=pending&created[gte]=soon&created[between]=1",
        "",
        &ext,
    );
    let kinds: Vec<_> = bad
        .problems
        .iter()
        .map(|p| (p.kind, p.location.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ProblemKind::Unknown, "status"),
            (ProblemKind::Unknown, "created[gte]"),
            (ProblemKind::Unknown, "created[between]"),
        ]
    );
    assert!(bad.extended.is_empty());
}

#[test]
fn an_extension_can_name_a_nested_key_or_widen_an_enum() {
    let spec = spec();
    let body = "amount=100&currency=usd\
        &payment_method_options[card][request_overcapture]=if_available\
        &payment_method_options[card][capture_method]=automatic_async";
    let plain = spec.check_request("POST", "/v1/payment_intents", body, &Extensions::new());
    let kinds: Vec<_> = plain.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ProblemKind::Unknown, ProblemKind::BadValue]);

    let ext = Extensions::new()
        .request_param(
            "POST",
            "/v1/payment_intents",
            "payment_method_options[card][request_overcapture]",
            json!({"type": "string", "enum": ["if_available", "never"]}),
        )
        .request_param(
            "POST",
            "/v1/payment_intents",
            "payment_method_options[card][capture_method]",
            json!({"type": "string", "enum": ["automatic_async"]}),
        );
    let extended = spec.check_request("POST", "/v1/payment_intents", body, &ext);
    assert!(extended.is_ok(), "{:?}", extended.problems);
    assert_eq!(extended.extended.len(), 2);
}

#[test]
fn operations_and_match_path_map_routes_to_templates() {
    let spec = spec();
    let ops: Vec<(&str, &str)> = spec.operations().collect();
    // Every operation in this spec has a 200 and a default response: 468 of each.
    assert_eq!(ops.len(), 468);
    assert!(ops.contains(&("POST", "/v1/payment_intents/{intent}/capture")));
    assert!(ops.contains(&("DELETE", "/v1/customers/{customer}")));
    assert!(!ops.contains(&("DELETE", "/v1/payment_intents/{intent}")));

    // A concrete path made from each template maps back to it.
    for (_, template) in &ops {
        let concrete: Vec<String> = template
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "x_1".to_owned()
                } else {
                    seg.to_owned()
                }
            })
            .collect();
        let concrete = concrete.join("/");
        assert_eq!(spec.match_path(&concrete), Some(*template), "{concrete}");
        assert_eq!(spec.match_path(template), Some(*template));
    }

    assert_eq!(
        spec.match_path("/v1/invoices/upcoming"),
        Some("/v1/invoices/upcoming")
    );
    assert_eq!(
        spec.match_path("/v1/invoices/in_1"),
        Some("/v1/invoices/{invoice}")
    );
    assert_eq!(
        spec.match_path("/v1/customers/cus_1?expand[]=x"),
        Some("/v1/customers/{customer}")
    );
    assert_eq!(spec.match_path("/v1/customers/"), None);
    assert_eq!(spec.match_path("v1/customers"), None);
    assert_eq!(spec.match_path("/v2/customers"), None);
    assert_eq!(spec.version(), Some("2023-08-16"));
}

#[test]
fn loading_reports_what_is_wrong() {
    let missing = Spec::load("/nonexistent/spec3.json");
    assert!(
        matches!(missing, Err(SpecError::Read { .. })),
        "{missing:?}"
    );

    let not_openapi = Spec::from_value(json!({"openapi": "3.0.0"}));
    assert!(
        matches!(not_openapi, Err(SpecError::NotOpenApi)),
        "{not_openapi:?}"
    );

    let dangling = Spec::from_value(
        json!({"paths": {"/a": {"get": {"parameters": [{"$ref": "#/nowhere"}]}}}}),
    );
    assert!(
        matches!(dangling, Err(SpecError::BadRef { .. })),
        "{dangling:?}"
    );

    let remote = Spec::from_value(json!({"paths": {}, "x": {"$ref": "other.json#/a"}}));
    assert!(
        matches!(remote, Err(SpecError::BadRef { .. })),
        "{remote:?}"
    );

    let looping =
        Spec::from_value(json!({"paths": {}, "a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}));
    assert!(
        matches!(looping, Err(SpecError::RefLoop { .. })),
        "{looping:?}"
    );
    let message = looping.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("chain of more than 50"), "{message}");
}

/// The corners the real spec does not exercise (allOf, oneOf, `$ref`'d
/// parameters, non-string enum members, `additionalProperties: 0`), on a
/// tiny spec; expectations again from `check_params.py --spec mini.json`.
#[test]
fn agrees_with_check_params_py_on_a_tiny_spec() {
    let mini = json!({
        "openapi": "3.0.0",
        "info": {"version": "mini"},
        "paths": {
            "/v1/things": {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/things_form"}
            }}}}},
            "/v1/things/{thing}": {"get": {"parameters": [
                {"$ref": "#/components/parameters/p_open"},
                {"name": "flag", "in": "query", "required": true, "schema": {"type": "boolean"}}
            ]}}
        },
        "components": {
            "parameters": {
                "p_open": {"name": "open", "in": "query", "schema": {"additionalProperties": true}}
            },
            "schemas": {
                "things_form": {"type": "object", "required": ["a"], "properties": {
                    "a": {"allOf": [
                        {"properties": {"x": {"type": "integer"}}},
                        {"$ref": "#/components/schemas/part_y"}
                    ]},
                    "n": {"oneOf": [{"type": "number"}, {"type": "string", "enum": [""]}]},
                    "z": {"additionalProperties": 0},
                    "tags": {"items": {"type": "string", "enum": [1, true, null, 2.5]}}
                }},
                "part_y": {
                    "properties": {"y": {"type": "string"}},
                    "additionalProperties": {"type": "integer"}
                }
            }
        }
    });
    let spec = Spec::from_value(mini).expect("the tiny spec loads");
    run_cases(&spec, MINI_CASES);
}

const MINI_CASES: &[Case] = &[
    Case {
        method: "POST",
        path: "/v1/things",
        body: "a[x]=1&a[y]=s",
        template: Some("/v1/things"),
        problems: &[],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "a[x]=z",
        template: Some("/v1/things"),
        problems: &[("BADVALUE", "a[x]", "'z': not an integer")],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "a[q]=5",
        template: Some("/v1/things"),
        problems: &[],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "a[q]=w",
        template: Some("/v1/things"),
        problems: &[("BADVALUE", "a[q]", "'w': not an integer")],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "n=",
        template: Some("/v1/things"),
        problems: &[("MISSING", "a", "required by spec")],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "n=1.5",
        template: Some("/v1/things"),
        problems: &[("MISSING", "a", "required by spec")],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "n=x",
        template: Some("/v1/things"),
        problems: &[
            ("BADVALUE", "n", "'x': not a number; not in enum ['']"),
            ("MISSING", "a", "required by spec"),
        ],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "z[k]=1",
        template: Some("/v1/things"),
        problems: &[
            ("UNKNOWN", "z[k]", "unknown at 'k' under z"),
            ("MISSING", "a", "required by spec"),
        ],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "a=1&tags[]=1&tags[]=true&tags[]=None&tags[]=2.5",
        template: Some("/v1/things"),
        problems: &[("BADVALUE", "a", "'1': expects object")],
    },
    Case {
        method: "POST",
        path: "/v1/things",
        body: "a[x]=1&tags[]=True&tags[1]=",
        template: Some("/v1/things"),
        problems: &[
            (
                "BADVALUE",
                "tags[]",
                "'True': not in enum [1, True, None, 2.5]",
            ),
            (
                "BADVALUE",
                "tags[1]",
                "'': not in enum [1, True, None, 2.5]",
            ),
        ],
    },
    Case {
        method: "GET",
        path: "/v1/things/t1?flag=true&open[a][b]=1",
        body: "",
        template: Some("/v1/things/{thing}"),
        problems: &[],
    },
    Case {
        method: "GET",
        path: "/v1/things/t1?open=1",
        body: "",
        template: Some("/v1/things/{thing}"),
        problems: &[
            ("BADVALUE", "open", "'1': expects object"),
            ("MISSING", "flag", "required by spec"),
        ],
    },
    Case {
        method: "DELETE",
        path: "/v1/things/x",
        body: "",
        template: Some("/v1/things/{thing}"),
        problems: &[(
            "NOMETHOD",
            "/v1/things/x",
            "DELETE not defined for /v1/things/{thing} (has GET)",
        )],
    },
    Case {
        method: "GET",
        path: "/v1/things/{thing}",
        body: "flag=false",
        template: Some("/v1/things/{thing}"),
        problems: &[],
    },
];

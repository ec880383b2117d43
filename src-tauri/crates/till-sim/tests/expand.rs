//! `expand[]` against Stripe's spec: the simulator's copy of each object's
//! `x-expandableFields` is the spec's, every path it renders is one the spec
//! allows (through what each field becomes), the expanded objects answer in
//! the shape the spec describes, and the paths it refuses are refused in
//! Stripe's words or, when Stripe would expand them, saying the simulator
//! does not render them yet.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Api, Reply, start};
use till_sim::api::expand::{EXPANDABLE, RENDERED, renders};
use till_stripe_spec::{Extensions, Spec};

fn spec_document() -> Value {
    let path = match std::env::var_os("STRIPE_OPENAPI_SPEC") {
        Some(path) if !path.is_empty() => std::path::PathBuf::from(path),
        _ => till_stripe_spec::shared_dir().join("spec3.json"),
    };
    serde_json::from_slice(&std::fs::read(&path).expect("the spec")).unwrap()
}

fn expandable_in_spec(doc: &Value, object: &str) -> Vec<String> {
    doc["components"]["schemas"][object]["x-expandableFields"]
        .as_array()
        .unwrap_or_else(|| panic!("{object} has no x-expandableFields"))
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// What `object.field` may become when expanded, as the spec says: the
/// schemas its `x-expansionResources` names (a customer may be a
/// `deleted_customer`), or `list` for a list.
fn becomes_in_spec(doc: &Value, object: &str, field: &str) -> Vec<String> {
    let property = &doc["components"]["schemas"][object]["properties"][field];
    if let Some(refs) = property["x-expansionResources"]["oneOf"].as_array() {
        return refs
            .iter()
            .filter_map(|r| r["$ref"].as_str()?.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
            .collect();
    }
    if property["properties"]["object"]["enum"] == json!(["list"]) {
        return vec!["list".to_owned()];
    }
    Vec::new()
}

/// The one object `object.field` becomes, when it is one (a deleted
/// object aside).
fn single_in_spec(doc: &Value, object: &str, field: &str) -> Option<String> {
    let live: Vec<String> = becomes_in_spec(doc, object, field)
        .into_iter()
        .filter(|name| !name.starts_with("deleted_"))
        .collect();
    (live.len() == 1).then(|| live[0].clone())
}

#[test]
fn the_expandable_fields_are_the_specs_and_every_rendered_path_is_one_of_them() {
    let doc = spec_document();
    for (object, fields) in EXPANDABLE {
        assert_eq!(
            expandable_in_spec(&doc, object),
            *fields,
            "x-expandableFields of {object}"
        );
    }
    for (object, field, becomes) in RENDERED {
        assert!(
            expandable_in_spec(&doc, object).iter().any(|f| f == field),
            "{object}.{field} is rendered but not in the spec's x-expandableFields"
        );
        assert_eq!(
            single_in_spec(&doc, object, field).as_deref(),
            Some(*becomes),
            "what {object}.{field} becomes"
        );
    }
    // Every path the simulator accepts, walked segment by segment through
    // the spec alone: each segment expandable where it stands.
    let mut accepted = 0;
    for (object, _) in EXPANDABLE {
        for path in candidate_paths(&doc, object, 4) {
            if !renders(object, &path) {
                continue;
            }
            accepted += 1;
            let mut kind = (*object).to_owned();
            for field in path.split('.') {
                assert!(
                    expandable_in_spec(&doc, &kind).iter().any(|f| f == field),
                    "{object} accepts {path}, but {kind}.{field} is not expandable in the spec"
                );
                kind = single_in_spec(&doc, &kind, field).unwrap_or_default();
            }
        }
    }
    // payment_intent: latest_charge, its balance_transaction, customer;
    // charge: balance_transaction; refund: charge (+1), payment_intent (+3);
    // checkout.session: line_items, customer, payment_intent (+3).
    assert_eq!(accepted, 3 + 1 + 6 + 6, "the paths rendered");
    for path in ["latest_charge", "latest_charge.balance_transaction"] {
        assert!(renders("payment_intent", path), "{path}");
    }
    assert!(renders("charge", "balance_transaction"));
}

/// Every path of up to `depth` fields the spec allows on `object`, plus a
/// field that is not expandable at each level.
fn candidate_paths(doc: &Value, object: &str, depth: usize) -> Vec<String> {
    let mut out = vec!["metadata".to_owned(), "nope".to_owned()];
    if depth == 0 || doc["components"]["schemas"][object].is_null() {
        return out;
    }
    for field in expandable_in_spec(doc, object) {
        out.push(field.clone());
        if let Some(next) = single_in_spec(doc, object, &field)
            && doc["components"]["schemas"][&next]["x-expandableFields"].is_array()
        {
            for rest in candidate_paths(doc, &next, depth - 1) {
                out.push(format!("{field}.{rest}"));
            }
        }
    }
    out
}

/// The contract's extension for the one field newer than the spec.
fn extensions() -> Extensions {
    Extensions::new().response_field(
        "payment_method_details_card",
        "capture_before",
        json!({ "type": "integer", "nullable": true }),
    )
}

struct Checked {
    api: Api,
    spec: Spec,
    ext: Extensions,
    problems: Vec<String>,
}

impl Checked {
    /// A request and its answer, both checked against the spec.
    fn call(&mut self, method: &str, path: &str, body: &str) -> Reply {
        let reply = match method {
            "GET" => self.api.get(path, body),
            _ => self.api.post(path, body),
        };
        let (with_query, form) = if method == "GET" {
            (format!("{path}?{body}"), "")
        } else {
            (path.to_owned(), body)
        };
        let request = self
            .spec
            .check_request(method, &with_query, form, &self.ext);
        for problem in request.problems {
            self.problems
                .push(format!("request {method} {path} {body}: {problem}"));
        }
        for problem in self
            .spec
            .check_response(method, path, reply.status, &reply.body, &self.ext)
        {
            self.problems.push(format!(
                "response {} to {method} {path} {body}: {problem}",
                reply.status
            ));
        }
        reply
    }

    fn ok(&mut self, method: &str, path: &str, body: &str) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path} {body}: {}", reply.body);
        reply.body
    }

    fn refused(&mut self, method: &str, path: &str, body: &str, message: &str) {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 400, "{method} {path} {body}: {}", reply.body);
        let error = &reply.body["error"];
        assert_eq!(error["type"], "invalid_request_error", "{}", reply.body);
        assert_eq!(error["param"], "expand", "{}", reply.body);
        assert_eq!(error["message"], message, "{method} {path} {body}");
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

/// An expanded object: a JSON object of the type, not its id.
fn expanded<'a>(value: &'a Value, object: &str, what: &str) -> &'a Value {
    assert_eq!(
        value["object"], object,
        "{what} is not an expanded {object}: {value}"
    );
    value
}

#[test]
fn expanded_charges_intents_and_balance_transactions_answer_in_the_specs_shape() {
    let mut c = Checked {
        api: start(),
        spec: Spec::load_default().unwrap(),
        ext: extensions(),
        problems: Vec::new(),
    };
    let paid = c.api.payment(5000);
    let hold = c.api.hold(3000);
    let customer = c.ok("POST", "/v1/customers", "email=ada%40example.com");
    let with_customer = c.ok(
        "POST",
        "/v1/payment_intents",
        &format!(
            "amount=1500&currency=eur&customer={}&payment_method=pm_card_visa",
            id(&customer)
        ),
    );

    // A PaymentIntent: retrieve, list, search and the POSTs that answer one.
    let pi = c.ok(
        "GET",
        &format!("/v1/payment_intents/{}", id(&paid)),
        "expand[]=latest_charge&expand[]=latest_charge.balance_transaction",
    );
    let charge = expanded(&pi["latest_charge"], "charge", "latest_charge");
    let bt = expanded(
        &charge["balance_transaction"],
        "balance_transaction",
        "its balance transaction",
    );
    assert_eq!(bt["amount"], 5000);
    assert_eq!(bt["source"], charge["id"]);
    // The deeper path alone expands what leads to it.
    let pi = c.ok(
        "GET",
        &format!("/v1/payment_intents/{}", id(&paid)),
        "expand[]=latest_charge.balance_transaction",
    );
    expanded(
        &pi["latest_charge"]["balance_transaction"],
        "balance_transaction",
        "deeper alone",
    );
    // Without expansions, ids.
    let pi = c.ok("GET", &format!("/v1/payment_intents/{}", id(&paid)), "");
    assert!(pi["latest_charge"].is_string());

    let list = c.ok(
        "GET",
        "/v1/payment_intents",
        "limit=10&expand[]=data.latest_charge.balance_transaction&expand[]=data.customer",
    );
    let items = list["data"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        match item["status"].as_str().unwrap() {
            "succeeded" => {
                expanded(
                    &item["latest_charge"]["balance_transaction"],
                    "balance_transaction",
                    "a listed payment's",
                );
            }
            "requires_capture" => {
                // A hold has a charge but nothing in the balance yet.
                expanded(&item["latest_charge"], "charge", "a listed hold's charge");
                assert!(item["latest_charge"]["balance_transaction"].is_null());
            }
            _ => {
                assert!(item["latest_charge"].is_null(), "unconfirmed: no charge");
                expanded(&item["customer"], "customer", "a listed customer");
            }
        }
    }
    let found = c.ok(
        "GET",
        "/v1/payment_intents/search",
        "query=status%3A%27succeeded%27&expand[]=data.latest_charge",
    );
    expanded(
        &found["data"][0]["latest_charge"],
        "charge",
        "a search hit's charge",
    );

    let captured = c.ok(
        "POST",
        &format!("/v1/payment_intents/{}/capture", id(&hold)),
        "amount_to_capture=2000&expand[]=latest_charge.balance_transaction",
    );
    let bt = expanded(
        &captured["latest_charge"]["balance_transaction"],
        "balance_transaction",
        "capture's",
    );
    // A partial capture books the whole authorization; the released rest is
    // a partial_capture_reversal row of its own (see tests/payouts.rs).
    assert_eq!(bt["amount"], 3000);
    let confirmed = c.ok(
        "POST",
        &format!("/v1/payment_intents/{}/confirm", id(&with_customer)),
        "expand[]=latest_charge&expand[]=customer",
    );
    expanded(&confirmed["latest_charge"], "charge", "confirm's charge");
    expanded(&confirmed["customer"], "customer", "confirm's customer");
    let created = c.ok(
        "POST",
        "/v1/payment_intents",
        "amount=900&currency=usd&payment_method=pm_card_visa&confirm=true&expand[]=latest_charge.balance_transaction",
    );
    expanded(
        &created["latest_charge"]["balance_transaction"],
        "balance_transaction",
        "create's",
    );

    // Charges: retrieve and list.
    let charge_id = pi["latest_charge"].as_str().unwrap().to_owned();
    let charge = c.ok(
        "GET",
        &format!("/v1/charges/{charge_id}"),
        "expand[]=balance_transaction",
    );
    expanded(
        &charge["balance_transaction"],
        "balance_transaction",
        "a charge's",
    );
    let charges = c.ok(
        "GET",
        "/v1/charges",
        "limit=10&expand[]=data.balance_transaction",
    );
    let mut with_funds = 0;
    for item in charges["data"].as_array().unwrap() {
        if item["captured"] == true {
            expanded(
                &item["balance_transaction"],
                "balance_transaction",
                "a listed charge's",
            );
            with_funds += 1;
        } else {
            assert!(item["balance_transaction"].is_null());
        }
    }
    assert_eq!(
        with_funds, 4,
        "the payment, the capture, the confirm, the create"
    );

    // Refunds reach through their charge and intent.
    let refund = c.ok(
        "POST",
        "/v1/refunds",
        &format!("payment_intent={}&amount=500", id(&paid)),
    );
    let refund = c.ok(
        "GET",
        &format!("/v1/refunds/{}", id(&refund)),
        "expand[]=charge.balance_transaction&expand[]=payment_intent.latest_charge",
    );
    expanded(
        &refund["charge"]["balance_transaction"],
        "balance_transaction",
        "a refund's charge's",
    );
    expanded(
        &refund["payment_intent"]["latest_charge"],
        "charge",
        "a refund's intent's charge",
    );
    let refunds = c.ok("GET", "/v1/refunds", "expand[]=data.charge");
    expanded(
        &refunds["data"][0]["charge"],
        "charge",
        "a listed refund's charge",
    );

    assert!(
        c.problems.is_empty(),
        "{} problems:\n{}",
        c.problems.len(),
        c.problems.join("\n")
    );
}

#[test]
fn paths_are_refused_in_stripes_words_or_as_not_rendered_yet() {
    let mut c = Checked {
        api: start(),
        spec: Spec::load_default().unwrap(),
        ext: extensions(),
        problems: Vec::new(),
    };
    let hold = c.api.hold(3000);
    let pi_path = format!("/v1/payment_intents/{}", id(&hold));
    let charge_path = format!("/v1/charges/{}", hold["latest_charge"].as_str().unwrap());

    c.refused(
        "GET",
        &pi_path,
        "expand[]=metadata",
        "This property cannot be expanded (metadata).",
    );
    c.refused(
        "GET",
        &pi_path,
        "expand[]=latest_charge.nope",
        "This property cannot be expanded (latest_charge.nope).",
    );
    c.refused(
        "GET",
        &charge_path,
        "expand[]=amount",
        "This property cannot be expanded (amount).",
    );
    c.refused(
        "GET",
        "/v1/charges",
        "expand[]=balance_transaction",
        "This property cannot be expanded (balance_transaction). You may want to try expanding 'data.balance_transaction' instead.",
    );
    c.refused(
        "GET",
        "/v1/charges",
        "expand[]=data.nope",
        "This property cannot be expanded (data.nope).",
    );
    c.refused(
        "GET",
        "/v1/payment_intents/search",
        "query=amount%3E0&expand[]=metadata",
        "This property cannot be expanded (metadata).",
    );

    let not_yet = |path: &str| {
        format!(
            "This property can be expanded at Stripe, but the simulator does not render that expansion yet ({path})."
        )
    };
    c.refused(
        "GET",
        &pi_path,
        "expand[]=payment_method",
        &not_yet("payment_method"),
    );
    c.refused(
        "GET",
        &pi_path,
        "expand[]=latest_charge.outcome",
        &not_yet("latest_charge.outcome"),
    );
    c.refused(
        "GET",
        "/v1/charges",
        "expand[]=data.customer",
        &not_yet("data.customer"),
    );
    c.refused(
        "GET",
        "/v1/payment_intents",
        "expand[]=data.latest_charge.refunds",
        &not_yet("data.latest_charge.refunds"),
    );
    c.refused(
        "GET",
        "/v1/customers",
        "expand[]=data.tax_ids",
        &not_yet("data.tax_ids"),
    );

    // A refused expansion changes nothing: the hold is still held.
    c.refused(
        "POST",
        &format!("{pi_path}/capture"),
        "expand[]=latest_charge.review",
        &not_yet("latest_charge.review"),
    );
    let still = c.ok("GET", &pi_path, "");
    assert_eq!(still["status"], "requires_capture");
    assert_eq!(still["amount_capturable"], 3000);

    // Every field the spec lets a PaymentIntent expand: answered when the
    // simulator renders it, else refused as not rendered yet.
    let doc = spec_document();
    for field in expandable_in_spec(&doc, "payment_intent") {
        let reply = c.call("GET", &pi_path, &format!("expand[]={field}"));
        if renders("payment_intent", &field) {
            assert_eq!(reply.status, 200, "{field}: {}", reply.body);
        } else {
            assert_eq!(reply.status, 400, "{field}: {}", reply.body);
            assert_eq!(reply.body["error"]["message"], not_yet(&field));
        }
    }

    assert!(
        c.problems.is_empty(),
        "{} problems:\n{}",
        c.problems.len(),
        c.problems.join("\n")
    );
}

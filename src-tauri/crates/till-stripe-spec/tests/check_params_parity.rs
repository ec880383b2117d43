//! Request checking: the Rust port gives `check_params.py`'s verdicts, word
//! for word.

// cfg(test) tells clippy these helpers are test code, where expect and
// panic are allowed.
#[cfg(test)]
mod common;

use common::{Case, run_cases, spec};

/// Expected outcomes from running `check_params.py --json METHOD PATH BODY`
/// (beside the spec in `shared/stripe-openapi`) on each case (spec 2023-08-16); the port must agree on the template and
/// on every problem, word for word.
const CASES: &[Case] = &[
    // capture with amount_to_capture and free-form metadata
    Case {
        method: "POST",
        path: "/v1/payment_intents/pi_123/capture",
        body: "amount_to_capture=3000&metadata[k]=v",
        template: Some("/v1/payment_intents/{intent}/capture"),
        problems: &[],
    },
    // an unknown top-level parameter
    Case {
        method: "POST",
        path: "/v1/payment_intents/pi_123/capture",
        body: "amount_to_capture=3000&bogus=1",
        template: Some("/v1/payment_intents/{intent}/capture"),
        problems: &[("UNKNOWN", "bogus", "unknown at 'bogus'")],
    },
    // an enum value the spec does not list
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&capture_method=sometimes",
        template: Some("/v1/payment_intents"),
        problems: &[(
            "BADVALUE",
            "capture_method",
            "'sometimes': not in enum ['automatic', 'automatic_async', 'manual']",
        )],
    },
    // a decimal where an integer belongs
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=12.5&currency=usd",
        template: Some("/v1/payment_intents"),
        problems: &[("BADVALUE", "amount", "'12.5': not an integer")],
    },
    // a required parameter left out
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "currency=usd",
        template: Some("/v1/payment_intents"),
        problems: &[("MISSING", "amount", "required by spec")],
    },
    // this version requires success_url for Checkout
    Case {
        method: "POST",
        path: "/v1/checkout/sessions",
        body: "mode=payment",
        template: Some("/v1/checkout/sessions"),
        problems: &[("MISSING", "success_url", "required by spec")],
    },
    // nested line_items down to product_data[name], percent-encoded values
    Case {
        method: "POST",
        path: "/v1/checkout/sessions",
        body: "mode=payment&success_url=https%3A%2F%2Fx.test%2Fok&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=500&line_items[0][price_data][product_data][name]=Tea%20cup&line_items[0][quantity]=2",
        template: Some("/v1/checkout/sessions"),
        problems: &[],
    },
    // an unknown key deep inside line_items
    Case {
        method: "POST",
        path: "/v1/checkout/sessions",
        body: "mode=payment&success_url=x&line_items[0][price_data][product_data][colour]=red",
        template: Some("/v1/checkout/sessions"),
        problems: &[(
            "UNKNOWN",
            "line_items[0][price_data][product_data][colour]",
            "unknown at 'colour' under line_items[0][price_data][product_data]",
        )],
    },
    // expand[] and expand[0] are both array items
    Case {
        method: "POST",
        path: "/v1/payment_intents/pi_1",
        body: "expand[]=latest_charge&expand[0]=customer",
        template: Some("/v1/payment_intents/{intent}"),
        problems: &[],
    },
    // list query parameters on GET
    Case {
        method: "GET",
        path: "/v1/checkout/sessions?limit=10&starting_after=cs_1",
        body: "",
        template: Some("/v1/checkout/sessions"),
        problems: &[],
    },
    // created[gte]/created[lt] on a list, through the anyOf of integer and range object
    Case {
        method: "GET",
        path: "/v1/charges?created[gte]=1700000000&created[lt]=1800000000&limit=3",
        body: "",
        template: Some("/v1/charges"),
        problems: &[],
    },
    // a range bound that is not an integer
    Case {
        method: "GET",
        path: "/v1/charges?created[gte]=soon",
        body: "",
        template: Some("/v1/charges"),
        problems: &[("BADVALUE", "created[gte]", "'soon': not an integer")],
    },
    // status/created on Checkout list came after 2023-08-16: unknown without an extension
    Case {
        method: "GET",
        path: "/v1/checkout/sessions?status=open&created[gte]=1",
        body: "",
        template: Some("/v1/checkout/sessions"),
        problems: &[
            ("UNKNOWN", "status", "unknown at 'status'"),
            ("UNKNOWN", "created[gte]", "unknown at 'created'"),
        ],
    },
    // DELETE without parameters
    Case {
        method: "DELETE",
        path: "/v1/customers/cus_1",
        body: "",
        template: Some("/v1/customers/{customer}"),
        problems: &[],
    },
    // an unknown path
    Case {
        method: "GET",
        path: "/v1/nonexistent/thing",
        body: "",
        template: None,
        problems: &[(
            "NOPATH",
            "/v1/nonexistent/thing",
            "no such path in spec 2023-08-16",
        )],
    },
    // a known path with a method it lacks
    Case {
        method: "DELETE",
        path: "/v1/payment_intents/pi_1",
        body: "",
        template: Some("/v1/payment_intents/{intent}"),
        problems: &[(
            "NOMETHOD",
            "/v1/payment_intents/pi_1",
            "DELETE not defined for /v1/payment_intents/{intent} (has GET, POST)",
        )],
    },
    // a refund with a reason from the enum
    Case {
        method: "POST",
        path: "/v1/refunds",
        body: "payment_intent=pi_1&amount=100&reason=requested_by_customer",
        template: Some("/v1/refunds"),
        problems: &[],
    },
    // a refund reason outside the enum
    Case {
        method: "POST",
        path: "/v1/refunds",
        body: "payment_intent=pi_1&reason=because",
        template: Some("/v1/refunds"),
        problems: &[(
            "BADVALUE",
            "reason",
            "'because': not in enum ['duplicate', 'fraudulent', 'requested_by_customer']",
        )],
    },
    // a boolean spelled yes
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&confirm=yes",
        template: Some("/v1/payment_intents"),
        problems: &[("BADVALUE", "confirm", "'yes': not a boolean")],
    },
    // metadata= on create: the spec offers no enum [''] to unset it here
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&metadata=",
        template: Some("/v1/payment_intents"),
        problems: &[("BADVALUE", "metadata", "'': expects object")],
    },
    // metadata is one level deep
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&metadata[a][b]=c",
        template: Some("/v1/payment_intents"),
        problems: &[(
            "UNKNOWN",
            "metadata[a][b]",
            "unknown at 'b' under metadata[a]",
        )],
    },
    // array items by [] and objects by [key]
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&payment_method_types[]=card&automatic_payment_methods[enabled]=true",
        template: Some("/v1/payment_intents"),
        problems: &[],
    },
    // a scalar where an object belongs
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&shipping[address]=x",
        template: Some("/v1/payment_intents"),
        problems: &[("BADVALUE", "shipping[address]", "'x': expects object")],
    },
    // malformed brackets
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&bad[key=1",
        template: Some("/v1/payment_intents"),
        problems: &[("UNKNOWN", "bad[key", "malformed bracket key")],
    },
    // search with its required query in the query string
    Case {
        method: "GET",
        path: "/v1/customers/search?query=email%3A%27a%40b.c%27",
        body: "",
        template: Some("/v1/customers/search"),
        problems: &[],
    },
    // search without its required query
    Case {
        method: "GET",
        path: "/v1/customers/search",
        body: "",
        template: Some("/v1/customers/search"),
        problems: &[("MISSING", "query", "required by spec")],
    },
    // a literal template wins over {invoice}: fewest {params} first
    Case {
        method: "GET",
        path: "/v1/invoices/upcoming",
        body: "",
        template: Some("/v1/invoices/upcoming"),
        problems: &[],
    },
    // a template given as such matches itself
    Case {
        method: "POST",
        path: "/v1/payment_intents/{intent}/capture",
        body: "amount_to_capture=10",
        template: Some("/v1/payment_intents/{intent}/capture"),
        problems: &[],
    },
    // decimal strings are strings (format: decimal), not numbers
    Case {
        method: "POST",
        path: "/v1/prices",
        body: "currency=usd&unit_amount_decimal=12.50&product=prod_1",
        template: Some("/v1/prices"),
        problems: &[],
    },
    // even in exponent form
    Case {
        method: "POST",
        path: "/v1/prices",
        body: "currency=usd&unit_amount_decimal=1e3&product=prod_1",
        template: Some("/v1/prices"),
        problems: &[],
    },
    // + and %XX decoding in values
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&description=caf%C3%A9+latte%26more",
        template: Some("/v1/payment_intents"),
        problems: &[],
    },
    // a sub-resource list with a limit
    Case {
        method: "GET",
        path: "/v1/checkout/sessions/cs_1/line_items?limit=5",
        body: "",
        template: Some("/v1/checkout/sessions/{session}/line_items"),
        problems: &[],
    },
    // arrays of objects inside objects, and an enum
    Case {
        method: "POST",
        path: "/v1/customers/cus_1",
        body: "invoice_settings[custom_fields][0][name]=a&invoice_settings[custom_fields][0][value]=b&tax_exempt=none",
        template: Some("/v1/customers/{customer}"),
        problems: &[],
    },
    // off_session is a boolean or an enum: the enum value
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&off_session=one_off",
        template: Some("/v1/payment_intents"),
        problems: &[],
    },
    // off_session: the boolean
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd&off_session=true",
        template: Some("/v1/payment_intents"),
        problems: &[],
    },
    // a number that is not a number
    Case {
        method: "POST",
        path: "/v1/tax_rates",
        body: "display_name=VAT&inclusive=false&percentage=abc",
        template: Some("/v1/tax_rates"),
        problems: &[("BADVALUE", "percentage", "'abc': not a number")],
    },
    // a negative decimal number
    Case {
        method: "POST",
        path: "/v1/tax_rates",
        body: "display_name=VAT&inclusive=false&percentage=-20.5",
        template: Some("/v1/tax_rates"),
        problems: &[],
    },
    // ; does not separate parameters (it stays in the value)
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=100&currency=usd;description=x",
        template: Some("/v1/payment_intents"),
        problems: &[],
    },
    // an empty integer
    Case {
        method: "POST",
        path: "/v1/payment_intents",
        body: "amount=&currency=usd",
        template: Some("/v1/payment_intents"),
        problems: &[("BADVALUE", "amount", "'': not an integer")],
    },
    // percent-encoded brackets in a key
    Case {
        method: "POST",
        path: "/v1/checkout/sessions",
        body: "success_url=x&line_items%5B0%5D%5Bprice%5D=price_1&line_items[0][quantity]=1",
        template: Some("/v1/checkout/sessions"),
        problems: &[],
    },
    // an array index that is not a number
    Case {
        method: "POST",
        path: "/v1/checkout/sessions",
        body: "success_url=x&line_items[x][price]=price_1",
        template: Some("/v1/checkout/sessions"),
        problems: &[(
            "UNKNOWN",
            "line_items[x][price]",
            "unknown at 'x' under line_items",
        )],
    },
    // a nested boolean that is not one
    Case {
        method: "POST",
        path: "/v1/checkout/sessions",
        body: "success_url=x&line_items[0][adjustable_quantity][enabled]=maybe",
        template: Some("/v1/checkout/sessions"),
        problems: &[(
            "BADVALUE",
            "line_items[0][adjustable_quantity][enabled]",
            "'maybe': not a boolean",
        )],
    },
    // + in values and a quote in a key (Python's repr quoting)
    Case {
        method: "POST",
        path: "/v1/customers",
        body: "email=a%40b.c&name=J+Doe&it%27s=1",
        template: Some("/v1/customers"),
        problems: &[("UNKNOWN", "it's", r#"unknown at "it's""#)],
    },
    // a GET list: created as a plain integer, limit not an integer
    Case {
        method: "GET",
        path: "/v1/charges",
        body: "created=1700000000&limit=ten",
        template: Some("/v1/charges"),
        problems: &[("BADVALUE", "limit", "'ten': not an integer")],
    },
    // query string on a retrieve, with expand[]
    Case {
        method: "GET",
        path: "/v1/payment_intents/pi_1?client_secret=x&expand[]=customer",
        body: "",
        template: Some("/v1/payment_intents/{intent}"),
        problems: &[],
    },
    // a method the path does not have (PUT)
    Case {
        method: "PUT",
        path: "/v1/customers",
        body: "",
        template: Some("/v1/customers"),
        problems: &[(
            "NOMETHOD",
            "/v1/customers",
            "PUT not defined for /v1/customers (has GET, POST)",
        )],
    },
    // a trailing slash matches no template
    Case {
        method: "GET",
        path: "/v1/payment_intents/pi_1/",
        body: "",
        template: None,
        problems: &[(
            "NOPATH",
            "/v1/payment_intents/pi_1/",
            "no such path in spec 2023-08-16",
        )],
    },
];

#[test]
fn agrees_with_check_params_py() {
    run_cases(spec(), CASES);
}

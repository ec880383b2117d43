//! Stripe's own example objects against the spec's schemas.

// cfg(test) tells clippy these helpers are test code, where expect and
// panic are allowed.
#[cfg(test)]
mod common;

use std::collections::BTreeMap;

use common::{fixtures, spec};
use till_stripe_spec::{Extensions, ProblemKind};

/// Where Stripe's 2023-08-16 fixtures disagree with its 2023-08-16 spec:
/// (fixture, kind, location). The checker is right on each; the fixture
/// file is not quite of the spec's version.
const FIXTURE_EXCEPTIONS: &[(&str, ProblemKind, &str)] = &[
    // The fixture's address says `zip`; the spec's `address` (shared by
    // every object) has `postal_code`, which the fixture lacks.
    (
        "identity.verification_report",
        ProblemKind::Undocumented,
        "/document/address/zip",
    ),
    // The spec's `card` (the Card object of Tokens and Sources) has no
    // `wallet`; the fixture includes `"wallet": null`.
    ("token", ProblemKind::Undocumented, "/card/wallet"),
    // The fixture shows the older shape of an OutboundPayment's destination
    // details (`destination` id, no `billing_details`), which the spec
    // requires.
    (
        "treasury.outbound_payment",
        ProblemKind::Missing,
        "/destination_payment_method_details/billing_details",
    ),
    (
        "treasury.outbound_payment",
        ProblemKind::Undocumented,
        "/destination_payment_method_details/destination",
    ),
];

#[test]
fn every_fixture_of_the_spec_version_fits_its_schema() {
    let spec = spec();
    let resources = fixtures("fixtures3.2023-08-16.json");
    assert_eq!(resources.len(), 131);
    let mut unexpected = Vec::new();
    let mut excepted = Vec::new();
    for (name, object) in &resources {
        for p in spec.check_object(name, object, &Extensions::new()) {
            let listed = FIXTURE_EXCEPTIONS
                .iter()
                .find(|(n, k, at)| n == name && *k == p.kind && *at == p.location);
            if let Some(exception) = listed {
                excepted.push(*exception);
            } else {
                unexpected.push(format!("{name}: {p}"));
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} problems:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    // Each exception is still needed: when a fixture or the checker
    // changes, the list shrinks rather than hiding new problems.
    let mut expected_exceptions = FIXTURE_EXCEPTIONS.to_vec();
    expected_exceptions.sort();
    excepted.sort();
    assert_eq!(excepted, expected_exceptions);
}

/// Fixtures of API version 2026-07-29 against the 2023-08-16 spec: they
/// parse and check, and what differs is what Stripe changed since (new
/// fields and enum values, fields no longer always sent, new objects).
/// Counts are printed, not pinned.
#[test]
fn newer_fixtures_differ_only_by_later_changes() {
    let spec = spec();
    let resources = fixtures("fixtures3.json");
    assert!(resources.len() > 131, "{} fixtures", resources.len());
    let mut counts: BTreeMap<ProblemKind, usize> = BTreeMap::new();
    for (name, object) in &resources {
        for p in spec.check_object(name, object, &Extensions::new()) {
            assert!(
                matches!(
                    p.kind,
                    ProblemKind::Undocumented
                        | ProblemKind::BadValue
                        | ProblemKind::Missing
                        | ProblemKind::WrongType
                        | ProblemKind::NoSchema
                ),
                "{name}: {p}"
            );
            *counts.entry(p.kind).or_default() += 1;
        }
    }
    eprintln!(
        "{} fixtures of 2026-07-29 against spec 2023-08-16: {counts:?}",
        resources.len()
    );
    let undocumented = counts.get(&ProblemKind::Undocumented).copied();
    assert!(
        undocumented.unwrap_or(0) > 100,
        "three years of additions should show: {counts:?}"
    );
    // Objects Stripe introduced after the spec (billing.meter, ...).
    assert!(counts.get(&ProblemKind::NoSchema).copied().unwrap_or(0) > 0);
}

use super::*;

fn query(text: &str) -> Query {
    match parse(text) {
        Parsed::Query(query) => query,
        other => panic!("{text}: {other:?}"),
    }
}

fn problem(text: &str) -> QueryProblem {
    match parse(text) {
        Parsed::Invalid(problem) => problem,
        other => panic!("{text}: {other:?}"),
    }
}

fn clause(field: Field, test: Test) -> Clause {
    Clause {
        field,
        test,
        negated: false,
    }
}

#[test]
fn plain_words_are_words_and_the_starts_of_ids_are_ids() {
    assert_eq!(
        query("  ines haddad pi_3Mx1 cs_test_a1 O'Brien 12:30 -40.61 status https://x.y "),
        Query {
            words: [
                "ines",
                "haddad",
                "O'Brien",
                "12:30",
                "-40.61",
                "status",
                "https://x.y"
            ]
            .map(String::from)
            .to_vec(),
            ids: vec!["pi_3Mx1".into(), "cs_test_a1".into()],
            ..Query::default()
        }
    );
    assert_eq!(query(""), Query::default());
    assert_eq!(
        query("and or"),
        Query::words("and or"),
        "only AND and OR join"
    );
}

#[test]
fn stripes_clauses_read_as_stripe_reads_them() {
    assert_eq!(
        query("status:'succeeded' AND amount>=1000 AND -currency:\"USD\" AND created<1700000000"),
        Query {
            clauses: vec![
                clause(Field::Status, Test::Is("succeeded".into())),
                clause(Field::Amount, Test::AtLeast(1000)),
                Clause {
                    field: Field::Currency,
                    test: Test::Is("usd".into()),
                    negated: true,
                },
                clause(Field::Created, Test::Below(1_700_000_000)),
            ],
            ..Query::default()
        }
    );
    assert_eq!(
        query("customer:null amount:500 status:canceled"),
        Query {
            clauses: vec![
                clause(Field::Customer, Test::Missing),
                clause(Field::Amount, Test::IsNumber(500)),
                clause(Field::Status, Test::Is("canceled".into())),
            ],
            ..Query::default()
        },
        "white space joins as AND does"
    );
    // A metadata value's words narrow the search through the index.
    assert_eq!(
        query(r#"metadata['order id']:'ORD 42\'s' haddad"#),
        Query {
            words: vec!["haddad".into(), "ORD".into(), "42's".into()],
            clauses: vec![clause(
                Field::Metadata("order id".into()),
                Test::Is("ORD 42's".into())
            )],
            ..Query::default()
        }
    );
    let either = query("status:'canceled' OR metadata[\"table\"]:'T4'");
    assert!(either.any);
    assert!(either.words.is_empty(), "one side of an OR narrows nothing");
    assert_eq!(either.clauses.len(), 2);
}

#[test]
fn a_query_being_typed_waits_instead_of_failing() {
    for typing in [
        "status:",
        "status:'succ",
        "status:succ",
        "haddad status:\"requires_",
        "currency:us",
        "amount>",
        "amount>=",
        "metadata[",
        "metadata['order",
        "metadata['order']",
        "metadata['order']:'ORD",
        "status:'canceled' AND",
        "status:'canceled' OR ",
        "customer:'cus_1\\",
    ] {
        assert_eq!(parse(typing), Parsed::Incomplete, "{typing}");
    }
}

#[test]
fn a_finished_query_that_cannot_run_says_why() {
    assert!(matches!(
        problem("status:'succ'"),
        QueryProblem::UnknownStatus { value, known } if value == "succ" && known.len() == 7
    ));
    assert!(
        matches!(
            problem("status:succ amount>1"),
            QueryProblem::UnknownStatus { .. }
        ),
        "not at the end: finished"
    );
    assert_eq!(
        problem("amount>ten"),
        QueryProblem::NotANumber {
            field: "amount".into(),
            value: "ten".into()
        }
    );
    assert_eq!(
        problem("currency:'eu'"),
        QueryProblem::NotACurrency { value: "eu".into() }
    );
    assert_eq!(
        problem("status>1"),
        QueryProblem::NotComparable {
            field: "status".into()
        }
    );
    assert_eq!(
        problem("status:null"),
        QueryProblem::NullNotAllowed {
            field: "status".into()
        }
    );
    assert_eq!(
        problem("status: x"),
        QueryProblem::MissingValue {
            field: "status".into()
        }
    );
    assert_eq!(
        problem("amount>1 AND status:'canceled' OR amount<5"),
        QueryProblem::MixedAndOr
    );
    assert_eq!(
        problem("haddad OR status:'canceled'"),
        QueryProblem::WordsWithOr
    );
    assert_eq!(problem("AND status:'canceled'"), QueryProblem::DanglingJoin);
    assert_eq!(
        problem("amount>1 AND AND amount<5"),
        QueryProblem::DanglingJoin
    );
    assert_eq!(
        problem("status:'canceled'x"),
        QueryProblem::Unreadable { near: "x".into() }
    );
}

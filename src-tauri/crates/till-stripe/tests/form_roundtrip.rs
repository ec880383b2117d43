//! Stripe's bracket encoding round-trips: any parameter tree the client can
//! build decodes back to the same tree (the decoder here is independent of
//! the encoder, written from Stripe's rules).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use till_stripe::form::{Form, Param};

#[derive(Debug, Clone, PartialEq)]
enum Tree {
    Value(String),
    Map(BTreeMap<String, Tree>),
    List(Vec<Tree>),
}

fn to_param(tree: &Tree) -> Param {
    match tree {
        Tree::Value(v) => Param::Value(v.clone()),
        Tree::Map(m) => Param::Map(m.iter().map(|(k, v)| (k.clone(), to_param(v))).collect()),
        Tree::List(items) => Param::List(items.iter().map(to_param).collect()),
    }
}

fn arb_tree() -> impl Strategy<Value = Tree> {
    let leaf = "[ -~éü€]{0,12}".prop_map(Tree::Value);
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::btree_map("[a-z_]{1,8}", inner.clone(), 1..5).prop_map(Tree::Map),
            prop::collection::vec(inner, 1..5).prop_map(Tree::List),
        ]
    })
}

fn decode(encoded: &str) -> BTreeMap<String, Tree> {
    let mut root: BTreeMap<String, Tree> = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(encoded.as_bytes()) {
        let (head, rest) = key
            .split_once('[')
            .map_or((key.as_ref(), ""), |(h, r)| (h, r));
        let segments: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.trim_end_matches(']').split("][").collect()
        };
        let mut node = root
            .entry(head.to_owned())
            .or_insert_with(|| Tree::Map(BTreeMap::new()));
        if segments.is_empty() {
            *node = Tree::Value(value.into_owned());
            continue;
        }
        for (i, segment) in segments.iter().enumerate() {
            let last = i == segments.len() - 1;
            let index = segment.parse::<usize>().ok();
            if let Tree::Map(m) = node
                && m.is_empty()
                && index.is_some()
            {
                *node = Tree::List(Vec::new());
            }
            node = match node {
                Tree::List(items) => {
                    let index = index.unwrap();
                    while items.len() <= index {
                        items.push(Tree::Map(BTreeMap::new()));
                    }
                    &mut items[index]
                }
                Tree::Map(m) => m
                    .entry((*segment).to_owned())
                    .or_insert_with(|| Tree::Map(BTreeMap::new())),
                Tree::Value(_) => panic!("a value and children under {key}"),
            };
            if last {
                *node = Tree::Value(value.clone().into_owned());
            }
        }
    }
    root
}

proptest! {
    #[test]
    fn bracket_encoding_round_trips(params in prop::collection::btree_map("[a-z_]{1,10}", arb_tree(), 1..6)) {
        let mut form = Form::new();
        for (key, tree) in &params {
            form = form.tree(key, &to_param(tree));
        }
        prop_assert_eq!(decode(&form.encode()), params);
    }
}

//! Stripe's search query language, the subset a dashboard needs
//! (stripe.com/docs/search): `field:value`, `field>n` (also `<`, `>=`, `<=`),
//! `field~"substring"`, `-` to negate, `metadata['key']:'value'`; clauses
//! joined by `AND` or by `OR` but never both, at most 10, no parentheses.

use serde_json::{Value, json};

use super::error::ApiError;
use super::form::Params;
use super::{Ctx, expand};
use crate::objects::payment_intent::PaymentIntent;

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Status,
    Amount,
    Currency,
    Created,
    Customer,
    Metadata(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    Contains,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub negate: bool,
    pub field: Field,
    pub op: Op,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub clauses: Vec<Clause>,
    /// Joined by `OR` rather than `AND`.
    pub any: bool,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid_request(message).with_param("query")
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, token: &str) -> bool {
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn quoted(&mut self) -> Result<Option<String>, ApiError> {
        let Some(quote) = self.rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            return Ok(None);
        };
        let body = &self.rest[1..];
        let end = body
            .find(quote)
            .ok_or_else(|| invalid("Unterminated string in the search query."))?;
        let value = body[..end].to_owned();
        self.rest = &body[end + 1..];
        Ok(Some(value))
    }

    fn bare(&mut self) -> &'a str {
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        word
    }
}

pub fn parse(input: &str) -> Result<Query, ApiError> {
    let mut cursor = Cursor { rest: input };
    let mut clauses = Vec::new();
    let mut joiner: Option<bool> = None;
    loop {
        cursor.skip_spaces();
        if cursor.rest.is_empty() {
            break;
        }
        if !clauses.is_empty() {
            let any = if cursor.eat("AND ") {
                false
            } else if cursor.eat("OR ") {
                true
            } else {
                return Err(invalid(format!(
                    "Expected AND or OR before {:?} in the search query.",
                    cursor.rest
                )));
            };
            if joiner.is_some_and(|j| j != any) {
                return Err(invalid("A search query cannot combine AND and OR."));
            }
            joiner = Some(any);
            cursor.skip_spaces();
        }
        let negate = cursor.eat("-");
        let field = if cursor.eat("metadata[") {
            let key = cursor
                .quoted()?
                .ok_or_else(|| invalid("metadata keys are quoted: metadata['key']."))?;
            if !cursor.eat("]") {
                return Err(invalid("Expected ] after the metadata key."));
            }
            Field::Metadata(key)
        } else {
            let end = cursor
                .rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(cursor.rest.len());
            let (name, rest) = cursor.rest.split_at(end);
            cursor.rest = rest;
            match name {
                "status" => Field::Status,
                "amount" => Field::Amount,
                "currency" => Field::Currency,
                "created" => Field::Created,
                "customer" => Field::Customer,
                "" => return Err(invalid("Expected a field name in the search query.")),
                other => {
                    return Err(invalid(format!(
                        "Field {other} is not supported for searching PaymentIntents."
                    )));
                }
            }
        };
        let op = if cursor.eat(">=") {
            Op::GreaterOrEqual
        } else if cursor.eat("<=") {
            Op::LessOrEqual
        } else if cursor.eat(">") {
            Op::Greater
        } else if cursor.eat("<") {
            Op::Less
        } else if cursor.eat(":") {
            Op::Equals
        } else if cursor.eat("~") {
            Op::Contains
        } else {
            return Err(invalid("Expected one of : ~ > < >= <= after the field."));
        };
        let numeric = matches!(field, Field::Amount | Field::Created);
        if matches!(
            op,
            Op::Greater | Op::GreaterOrEqual | Op::Less | Op::LessOrEqual
        ) && !numeric
        {
            return Err(invalid("Comparisons work on amount and created only."));
        }
        let value = match cursor.quoted()? {
            Some(value) => value,
            None => cursor.bare().to_owned(),
        };
        if value.is_empty() {
            return Err(invalid("Expected a value after the operator."));
        }
        if numeric && value.parse::<i64>().is_err() {
            return Err(invalid(format!("{value} is not a number.")));
        }
        if op == Op::Contains && value.chars().count() < 3 {
            return Err(invalid(
                "A substring search (~) needs at least 3 characters.",
            ));
        }
        clauses.push(Clause {
            negate,
            field,
            op,
            value,
        });
        if clauses.len() > 10 {
            return Err(invalid("A search query can have at most 10 clauses."));
        }
    }
    if clauses.is_empty() {
        return Err(invalid("The search query is empty."));
    }
    Ok(Query {
        clauses,
        any: joiner.unwrap_or(false),
    })
}

fn text_matches(op: Op, actual: Option<&str>, wanted: &str) -> bool {
    match (op, actual) {
        (Op::Equals, Some(actual)) => actual == wanted,
        (Op::Contains, Some(actual)) => actual.contains(wanted),
        _ => false,
    }
}

fn number_matches(op: Op, actual: i64, wanted: &str) -> bool {
    let Ok(wanted) = wanted.parse::<i64>() else {
        return false;
    };
    match op {
        Op::Equals => actual == wanted,
        Op::Greater => actual > wanted,
        Op::GreaterOrEqual => actual >= wanted,
        Op::Less => actual < wanted,
        Op::LessOrEqual => actual <= wanted,
        Op::Contains => false,
    }
}

impl Clause {
    fn matches(&self, pi: &PaymentIntent) -> bool {
        let hit = match &self.field {
            Field::Status => text_matches(self.op, Some(pi.status.as_str()), &self.value),
            Field::Currency => text_matches(
                self.op,
                Some(&pi.currency),
                &self.value.to_ascii_lowercase(),
            ),
            Field::Customer => text_matches(self.op, pi.customer.as_deref(), &self.value),
            Field::Metadata(key) => text_matches(
                self.op,
                pi.metadata.get(key).map(String::as_str),
                &self.value,
            ),
            Field::Amount => number_matches(self.op, pi.amount, &self.value),
            Field::Created => number_matches(self.op, pi.created, &self.value),
        };
        hit != self.negate
    }
}

impl Query {
    pub fn matches(&self, pi: &PaymentIntent) -> bool {
        if self.any {
            self.clauses.iter().any(|c| c.matches(pi))
        } else {
            self.clauses.iter().all(|c| c.matches(pi))
        }
    }
}

/// `GET /v1/payment_intents/search`: newest first, paged by `page` tokens.
pub fn payment_intents(
    ctx: &mut Ctx<'_>,
    _: &[String],
    mut params: Params,
) -> Result<Value, ApiError> {
    let query = parse(&params.required_string("query")?)?;
    let limit = params.integer("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_param(
            "limit",
            format!("Invalid limit: must be between 1 and 100 (got {limit})."),
        ));
    }
    let page = params.string("page")?.filter(|p| !p.is_empty());
    let expand = expand::list(&mut params, "payment_intent")?;
    params.finish()?;
    let offset = match page {
        None => 0,
        Some(token) => token
            .strip_prefix("page_")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| ApiError::invalid_param("page", "Invalid page token.".to_owned()))?,
    };
    let limit = usize::try_from(limit).unwrap_or(10);
    let visible_until = ctx.now - ctx.imperfections.search_lag_seconds;
    let hits: Vec<&PaymentIntent> = ctx
        .account
        .payment_intents
        .newest_first()
        .map(|(_, pi)| pi)
        // Search is eventually consistent: a change shows after the lag.
        .filter(|pi| pi.updated <= visible_until && query.matches(pi))
        .collect();
    let end = (offset + limit).min(hits.len());
    let data: Vec<Value> = hits
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|pi| super::payment_intents::render(ctx, pi, &expand))
        .collect();
    let has_more = end < hits.len();
    Ok(json!({
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": if has_more { json!(format!("page_{end}")) } else { Value::Null },
        "total_count": hits.len(),
        "url": "/v1/payment_intents/search",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_operators_and_metadata_parse() {
        let query = parse("status:'requires_capture' AND amount>=1000 AND -currency:\"jpy\" AND metadata['order']:'A-1'").unwrap();
        assert_eq!(query.clauses.len(), 4);
        assert!(!query.any);
        assert_eq!(query.clauses[1].op, Op::GreaterOrEqual);
        assert!(query.clauses[2].negate);
        assert_eq!(query.clauses[3].field, Field::Metadata("order".to_owned()));
        assert!(
            parse("status:'succeeded' OR status:'canceled'")
                .unwrap()
                .any
        );
    }

    #[test]
    fn stripes_rules_on_queries_are_enforced() {
        for bad in [
            "",
            "status:'a' AND amount>1 OR currency:'usd'",
            "colour:'red'",
            "status>'x'",
            "amount:abc",
            "status:'unterminated",
            "metadata[order]:'x'",
            "customer~'ab'",
            "status:'a' status:'b'",
            &(0..11)
                .map(|i| format!("amount>{i}"))
                .collect::<Vec<_>>()
                .join(" AND "),
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}

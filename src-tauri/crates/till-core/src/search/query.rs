//! The search box's language: Stripe's search query syntax for payments
//! (`status:'succeeded' AND amount>1000`, `-currency:'usd'`,
//! `metadata['order_id']:'ORD-42'`, `customer:null`), and plain words,
//! which Till finds in any part of a payment's words. A query still being
//! typed (`status:'succ`, `amount>`, a trailing `AND`) is
//! [`Parsed::Incomplete`]: not run, and not an error either.

use serde::Serialize;
use specta::Type;
use till_store::table::payment_search::{Clause, Field, Query, Test, id_prefix};

/// What was typed, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Query(Query),
    /// Not finished yet: wait for more before searching.
    Incomplete,
    /// Finished, but not a query Till can run.
    Invalid(QueryProblem),
}

/// Why a finished query cannot run, for the merchant's words in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum QueryProblem {
    /// `status:` takes one of Stripe's statuses.
    UnknownStatus { value: String, known: Vec<String> },
    /// `currency:` takes a three-letter code.
    NotACurrency { value: String },
    /// `amount` (smallest unit) and `created` (Unix time) take whole numbers.
    NotANumber { field: String, value: String },
    /// `>` and `<` compare `amount` and `created` only.
    NotComparable { field: String },
    /// `null` means "none", for `customer` and `metadata` only.
    NullNotAllowed { field: String },
    /// A field with nothing after its `:` while more follows.
    MissingValue { field: String },
    /// Stripe allows `AND` or `OR` in one query, not both.
    MixedAndOr,
    /// Plain words must all match: they cannot be joined by `OR`.
    WordsWithOr,
    /// `AND` or `OR` with no clause on one side.
    DanglingJoin,
    /// Something after a clause's value (`status:'canceled'x`).
    Unreadable { near: String },
}

/// Stripe's PaymentIntent statuses, as `status:` takes them.
pub const STATUSES: [&str; 7] = [
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "canceled",
    "succeeded",
];

const FIELDS: [&str; 6] = [
    "amount", "created", "currency", "customer", "status", "metadata",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
    And,
    Or,
}

/// A value as typed: quoted or bare, and whether the input ended inside it.
struct Value {
    text: String,
    quoted: bool,
    at_end: bool,
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

type Step<T> = Result<T, Parsed>;

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn done(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// The rest of a word, up to white space.
    fn word(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| !c.is_whitespace()) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    /// A quoted string (`'…'` or `"…"`, a backslash escaping the next
    /// character); `Incomplete` when the input ends inside it.
    fn quoted(&mut self) -> Step<String> {
        let Some(quote) = self.peek() else {
            return Err(Parsed::Incomplete);
        };
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(Parsed::Incomplete),
                Some('\\') => {
                    self.at += 1;
                    match self.peek() {
                        None => return Err(Parsed::Incomplete),
                        Some(c) => out.push(c),
                    }
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
            self.at += 1;
        }
    }

    fn value(&mut self, field: &str) -> Step<Value> {
        let value = match self.peek() {
            None => return Err(Parsed::Incomplete),
            Some(c) if c.is_whitespace() => {
                return Err(Parsed::Invalid(QueryProblem::MissingValue {
                    field: field.to_owned(),
                }));
            }
            Some('\'' | '"') => Value {
                text: self.quoted()?,
                quoted: true,
                at_end: false,
            },
            Some(_) => {
                let text = self.word();
                Value {
                    text,
                    quoted: false,
                    at_end: self.done(),
                }
            }
        };
        match self.peek() {
            Some(c) if !c.is_whitespace() => {
                let near = self.word();
                Err(Parsed::Invalid(QueryProblem::Unreadable { near }))
            }
            _ => Ok(value),
        }
    }

    /// A field clause when the text here starts with one (`-status:`,
    /// `amount>=`, `metadata[`); `None` leaves the reader where it was.
    fn clause(&mut self) -> Step<Option<Clause>> {
        let start = self.at;
        let negated = self.peek() == Some('-');
        if negated {
            self.at += 1;
        }
        let name_start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.at += 1;
        }
        let name: String = self.chars[name_start..self.at].iter().collect();
        let known = FIELDS.contains(&name.as_str());
        let opens = match self.peek() {
            Some(':' | '<' | '>') => true,
            Some('[') => name == "metadata",
            _ => false,
        };
        if !known || !opens {
            self.at = start;
            return Ok(None);
        }
        let field = if name == "metadata" {
            if self.peek() != Some('[') {
                return Err(Parsed::Invalid(QueryProblem::MissingValue {
                    field: "metadata".to_owned(),
                }));
            }
            self.at += 1;
            let key = match self.peek() {
                Some('\'' | '"') => self.quoted()?,
                None => return Err(Parsed::Incomplete),
                Some(_) => {
                    let from = self.at;
                    while self.peek().is_some_and(|c| c != ']' && !c.is_whitespace()) {
                        self.at += 1;
                    }
                    self.chars[from..self.at].iter().collect()
                }
            };
            match self.peek() {
                None => return Err(Parsed::Incomplete),
                Some(']') => self.at += 1,
                Some(_) => {
                    let near = self.word();
                    return Err(Parsed::Invalid(QueryProblem::Unreadable { near }));
                }
            }
            Field::Metadata(key)
        } else {
            match name.as_str() {
                "amount" => Field::Amount,
                "created" => Field::Created,
                "currency" => Field::Currency,
                "customer" => Field::Customer,
                _ => Field::Status,
            }
        };
        let op = match (self.peek(), self.peek_at(1)) {
            (None, _) => return Err(Parsed::Incomplete),
            (Some('>'), Some('=')) => ">=",
            (Some('<'), Some('=')) => "<=",
            (Some(':'), _) => ":",
            (Some('>'), _) => ">",
            (Some('<'), _) => "<",
            (Some(_), _) => {
                let near = self.word();
                return Err(Parsed::Invalid(QueryProblem::Unreadable { near }));
            }
        };
        self.at += op.len();
        let value = self.value(&name)?;
        let test = test(&field, &name, op, &value)?;
        Ok(Some(Clause {
            field,
            test,
            negated,
        }))
    }
}

/// A clause's test from its operator and value, as Stripe reads them.
fn test(field: &Field, name: &str, op: &str, value: &Value) -> Step<Test> {
    let invalid = |problem| Err(Parsed::Invalid(problem));
    let bare_null = !value.quoted && value.text == "null";
    match field {
        Field::Amount | Field::Created => {
            let Ok(n) = value.text.parse::<i64>() else {
                return invalid(QueryProblem::NotANumber {
                    field: name.to_owned(),
                    value: value.text.clone(),
                });
            };
            Ok(match op {
                ">" => Test::Above(n),
                ">=" => Test::AtLeast(n),
                "<" => Test::Below(n),
                "<=" => Test::AtMost(n),
                _ => Test::IsNumber(n),
            })
        }
        _ if op != ":" => invalid(QueryProblem::NotComparable {
            field: name.to_owned(),
        }),
        Field::Customer | Field::Metadata(_) if bare_null => Ok(Test::Missing),
        _ if bare_null => invalid(QueryProblem::NullNotAllowed {
            field: name.to_owned(),
        }),
        Field::Status => {
            if STATUSES.contains(&value.text.as_str()) {
                return Ok(Test::Is(value.text.clone()));
            }
            // `status:succ` at the end is still being typed.
            if value.at_end && STATUSES.iter().any(|s| s.starts_with(&value.text)) {
                return Err(Parsed::Incomplete);
            }
            invalid(QueryProblem::UnknownStatus {
                value: value.text.clone(),
                known: STATUSES.iter().map(|s| (*s).to_owned()).collect(),
            })
        }
        Field::Currency => {
            let code = value.text.to_ascii_lowercase();
            if code.len() == 3 && code.chars().all(|c| c.is_ascii_lowercase()) {
                return Ok(Test::Is(code));
            }
            if value.at_end && code.len() < 3 && code.chars().all(|c| c.is_ascii_lowercase()) {
                return Err(Parsed::Incomplete);
            }
            invalid(QueryProblem::NotACurrency {
                value: value.text.clone(),
            })
        }
        Field::Customer | Field::Metadata(_) => Ok(Test::Is(value.text.clone())),
    }
}

/// Reads what was typed into a search.
pub fn parse(text: &str) -> Parsed {
    match read(text) {
        Ok(query) => Parsed::Query(query),
        Err(parsed) => parsed,
    }
}

fn read(text: &str) -> Step<Query> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        at: 0,
    };
    let mut query = Query::default();
    // Words typed, and words of metadata values the index can narrow by.
    let mut typed: Vec<String> = Vec::new();
    let mut narrowing: Vec<String> = Vec::new();
    let mut join: Option<Join> = None;
    // Whether the last thing read was a join, waiting for its clause.
    let mut waiting = false;
    let mut anything = false;
    loop {
        reader.skip_space();
        if reader.done() {
            break;
        }
        if let Some(clause) = reader.clause()? {
            if let (Field::Metadata(_), Test::Is(value), false) =
                (&clause.field, &clause.test, clause.negated)
            {
                // A metadata value's words are in its payment's document:
                // the index finds the few payments whose key is checked.
                narrowing.extend(
                    value
                        .split_whitespace()
                        .filter(|w| w.chars().count() >= 3 || w.chars().any(char::is_alphanumeric))
                        .map(str::to_owned),
                );
            }
            query.clauses.push(clause);
            waiting = false;
            anything = true;
            continue;
        }
        let word = reader.word();
        let this = match word.as_str() {
            "AND" => Some(Join::And),
            "OR" => Some(Join::Or),
            _ => None,
        };
        match this {
            Some(this) => {
                if waiting || !anything {
                    return Err(Parsed::Invalid(QueryProblem::DanglingJoin));
                }
                if join.is_some_and(|j| j != this) {
                    return Err(Parsed::Invalid(QueryProblem::MixedAndOr));
                }
                join = Some(this);
                waiting = true;
            }
            None => {
                if id_prefix(&word) {
                    query.ids.push(word);
                } else {
                    typed.push(word);
                }
                waiting = false;
                anything = true;
            }
        }
    }
    if waiting {
        return Err(Parsed::Incomplete);
    }
    if join == Some(Join::Or) {
        if !typed.is_empty() || !query.ids.is_empty() {
            return Err(Parsed::Invalid(QueryProblem::WordsWithOr));
        }
        // In an OR, one metadata value does not narrow the whole query.
        query.any = true;
    } else {
        query.words = typed;
        query.words.extend(narrowing);
    }
    Ok(query)
}

#[cfg(test)]
mod tests;

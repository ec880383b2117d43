//! Where a verb's answer goes: JSON for `--json`, otherwise lines for a
//! person, in colour only on a terminal without `NO_COLOR` (anstream strips
//! the escape codes everywhere else).

use std::io::{IsTerminal, Write};

use owo_colors::OwoColorize;
use serde::Serialize;

use crate::failure::Failure;

#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON (with `--json`), or runs `human`.
    pub fn answer<T: Serialize>(&self, value: &T, human: impl FnOnce()) -> Result<(), Failure> {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|err| Failure::local(format!("the answer could not be written: {err}")))?;
            line(&text);
        } else {
            human();
        }
        Ok(())
    }
}

/// One line on standard output.
pub fn line(text: &str) {
    let mut out = anstream::stdout().lock();
    // A closed pipe (`till … | head`) is not an error worth a panic.
    let _ = writeln!(out, "{text}");
}

/// A warning on standard error, in amber on a terminal.
pub fn warn(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{} {text}", "warning:".yellow().bold());
}

/// A failure on standard error, in red on a terminal.
pub fn error(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{} {text}", "error:".red().bold());
}

pub fn bold(text: &str) -> String {
    text.bold().to_string()
}

pub fn dim(text: &str) -> String {
    text.dimmed().to_string()
}

pub fn green(text: &str) -> String {
    text.green().to_string()
}

pub fn amber(text: &str) -> String {
    text.yellow().to_string()
}

/// Whether a person is at the keyboard: standard input and error are a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Rows in columns, padded to the widest cell (escape codes not counted).
pub fn table(rows: &[Vec<String>]) {
    let width = |cell: &str| {
        let plain = anstream::adapter::strip_str(cell).to_string();
        plain.chars().count()
    };
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| width(cell))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut text = String::new();
        for (c, cell) in row.iter().enumerate() {
            text.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c].saturating_sub(width(cell)) + 2;
                text.push_str(&" ".repeat(pad));
            }
        }
        line(text.trim_end());
    }
}

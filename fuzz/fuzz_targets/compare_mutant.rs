//! Comparing a capture with a mutant of itself (a line dropped, duplicated or edited, chosen by
//! the input's last byte) and building the report: must never panic.
#![no_main]

#[path = "common.rs"]
mod common;
use common::rules;

use flowdiff::compare::{accept::Accepts, compare, Options};
use flowdiff::normalize::normalize;
use flowdiff::report::{Report, Side};
use libfuzzer_sys::fuzz_target;

/// `text` with one line changed: the choice and the line come from `seed`.
fn mutant(text: &str, seed: u8) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return String::new();
    }
    let at = usize::from(seed) * 31 % lines.len();
    match seed % 4 {
        0 => {
            lines.remove(at);
        }
        1 => {
            let line = lines[at].clone();
            lines.insert(at, line);
        }
        2 => lines[at] = lines[at].replace("GET", "PUT").replace("200", "404"),
        _ => {
            let other = usize::from(seed) * 17 % lines.len();
            lines.swap(at, other);
        }
    }
    lines.join("\n")
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_last() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(old) = flowdiff::parse::parse(text) else {
        return;
    };
    let Ok(new) = flowdiff::parse::parse(&mutant(text, seed)) else {
        return;
    };
    let (old, new) = (normalize(&old, rules()), normalize(&new, rules()));
    let options = Options {
        strict_order: seed & 0x40 != 0,
        strict_plumbing: seed & 0x80 != 0,
        ..Options::default()
    };
    let comparison = compare(&old, &new, rules(), &options);
    let report = Report::new(
        Side::new("old", &old),
        Side::new("new", &new),
        comparison,
        None,
        &Accepts::default(),
    );
    // Comparing with itself finds nothing.
    let same = compare(&old, &old, rules(), &Options::default());
    assert!(same.findings.is_empty(), "a capture differs from itself");
    drop(report);
});

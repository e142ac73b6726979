//! What the collecting pass records for assignment: the spans to replace, the distinct
//! volatile values and the placeholders in order of first appearance.

use super::compiled::Compiled;

/// What a recorded span is replaced with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Repl {
    /// The placeholder assigned to entry `n`.
    Entry(u32),
    /// The constant placeholder `consts[n]`.
    Const(u32),
}

/// A replacement recorded by the collecting pass: string `seq`, byte range, replacement.
/// Kept small (millions of them on long traces); strings and traces past 4 GiB are not
/// normalized rather than mangled.
#[derive(Debug)]
pub(super) struct Span {
    pub(super) seq: u32,
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) repl: Repl,
}

/// One distinct volatile value: its generic kind and the best name offered for it.
#[derive(Debug)]
pub(super) struct Entry<'r> {
    pub(super) kind: &'r str,
    pub(super) name: Option<(u8, String)>,
}

/// A placeholder as it first appears in the output, for the variables list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Sym {
    Entry(usize),
    Kept(usize),
}

/// What the collecting pass found.
pub(super) struct Collected<'r> {
    /// The compiled rules.
    pub rules: &'r Compiled,
    /// Replacements in visiting order.
    pub spans: Vec<Span>,
    /// Distinct volatile values.
    pub entries: Vec<Entry<'r>>,
    /// Constant placeholder names.
    pub consts: Vec<String>,
    /// Placeholders already in the input.
    pub kept: Vec<String>,
    /// Placeholders in order of first appearance, with whether they appear in a path or query.
    pub order: Vec<(Sym, bool)>,
}

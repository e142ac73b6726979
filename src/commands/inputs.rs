//! Collecting captures from the command line: files as given, directories walked recursively.
//!
//! A file named on the command line must be a capture; a file found inside a directory that is
//! not one (a README, an image) is skipped with a note on stderr. Order is deterministic (name
//! order, depth first); many files are read and parsed on several threads.

use super::parse_normalized_flows;
use super::print_warnings;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::fsutil::read::{self, Limits};
use crate::normalize::RuleSet;
use crate::parse;
use crate::trace::Trace;
use std::path::{Path, PathBuf};

/// One flow read from disk, normalized: a capture file holds one (hook and diagram formats) or
/// several (a Tempest log: one per test).
#[derive(Debug, Clone)]
pub(super) struct Capture {
    /// The file, as named or found.
    pub path: PathBuf,
    /// The normalized trace of the flow.
    pub trace: Trace,
    /// True when the file is a capture of many flows: each is known by its name only.
    pub of_many: bool,
}

/// The captures read, and the files that could not be read with their errors.
pub(super) type Loaded = (Vec<Capture>, Vec<(PathBuf, Error)>);

/// A file to read, and whether it was named on the command line (then it must be a capture).
struct Candidate {
    path: PathBuf,
    named: bool,
}

/// Reads, parses and normalizes every capture in `paths` (files, or directories walked
/// recursively), in a deterministic order. Errors if none is found.
pub(super) fn load(paths: &[PathBuf], rules: &RuleSet, limits: Limits) -> Result<Vec<Capture>> {
    let (captures, mut errors) = load_partial(paths, rules, limits)?;
    match errors.is_empty() {
        true => Ok(captures),
        false => Err(errors.remove(0).1),
    }
}

/// Like [`load`], but a capture that cannot be read is set aside with its error instead of
/// stopping the run (what `check` reports next to the others' results).
pub(super) fn load_partial(paths: &[PathBuf], rules: &RuleSet, limits: Limits) -> Result<Loaded> {
    let mut candidates = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut candidates)?;
        } else {
            candidates.push(Candidate {
                path: path.clone(),
                named: true,
            });
        }
    }
    let loaded = crate::cores::par_map(&candidates, |c| read(c, rules, limits));
    let mut captures = Vec::new();
    let mut errors = Vec::new();
    for (candidate, result) in candidates.iter().zip(loaded) {
        let result = match result {
            Ok(result) => result,
            Err(error) => {
                errors.push((candidate.path.clone(), error));
                continue;
            }
        };
        match result {
            Ok(flows) => {
                for capture in flows {
                    print_warnings(&capture.path, &capture.trace);
                    captures.push(capture);
                }
            }
            Err(reason) => {
                let why = if reason.starts_with("not a capture") {
                    reason
                } else {
                    format!("not a capture ({reason})")
                };
                eprintln!(
                    "flowdiff: note: skipping {}: {why}",
                    candidate.path.display()
                );
            }
        }
    }
    if captures.is_empty() && errors.is_empty() {
        let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Usage(format!(
            "no captures found in {}",
            named.join(", ")
        )));
    }
    Ok((captures, errors))
}

/// Reads one candidate's flows: `Ok(Err(reason))` when a file found in a directory is not a
/// capture.
fn read(
    candidate: &Candidate,
    rules: &RuleSet,
    limits: Limits,
) -> Result<std::result::Result<Vec<Capture>, String>> {
    let path = &candidate.path;
    let text = match read::read_text(path, limits) {
        Ok(text) => text,
        Err(error @ Error::Input { .. }) if !candidate.named => {
            return Ok(Err(short(&error)));
        }
        Err(error) => return Err(error),
    };
    match parse_normalized_flows(&text, path, rules) {
        Ok(flows) => {
            let of_many = flows.len() > 1 || flows.first().is_some_and(|f| f.format.holds_flows());
            Ok(Ok(flows
                .into_iter()
                .map(|trace| Capture {
                    path: path.clone(),
                    trace,
                    of_many,
                })
                .collect()))
        }
        // Inside a directory, a file in none of the formats is skipped; a capture with an
        // error in it is still an error.
        Err(error) if !candidate.named && !parse::is_capture(&text) => Ok(Err(short(&error))),
        Err(error) => Err(error),
    }
}

/// The first clause of an input error's message (for a one-line note).
fn short(error: &Error) -> String {
    let message = match error {
        Error::Input { message, .. } => message.clone(),
        other => other.to_string(),
    };
    message
        .split([',', ';'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Adds the files under `dir` (recursively, name order, hidden entries skipped).
fn walk(dir: &Path, out: &mut Vec<Candidate>) -> Result<()> {
    for path in fsutil::sorted_entries(dir)? {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(Candidate { path, named: false });
        }
    }
    Ok(())
}

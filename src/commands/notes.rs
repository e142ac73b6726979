//! `flowdiff notes OLD NEW`: release notes of the flow changes between two sets of captures.

use super::inputs;
use super::parse_normalized;
use super::{emit, Context, Outcome};
use crate::cli::{NotesArgs, NotesFormat};
use crate::compare::select::{file_stem, flow_key};
use crate::compare::Options;
use crate::error::{Error, Result};
use crate::golden;
use crate::normalize::RuleSet;
use crate::notes::{self, Capture};

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The title when `--title` is not given.
const DEFAULT_TITLE: &str = "Call flow changes";

/// Runs `flowdiff notes`.
pub fn run(args: &NotesArgs, context: &Context) -> Result<Outcome> {
    let rules = context.load_rules(&args.rules)?;
    let output = args.output.as_deref();
    // `golden` names the built-in goldens unless there is such a directory here (a project's
    // own golden/, which `bless` writes to): then the files on disk are the current goldens.
    let old = if args.old == Path::new("golden") && !args.old.exists() {
        builtin(&rules)?
    } else {
        captures(&args.old, &rules, output)?
    };
    let new = captures(&args.new, &rules, output)?;
    let title = args.title.as_deref().unwrap_or(DEFAULT_TITLE);
    let notes = notes::build(
        title,
        (&args.old.display().to_string(), &old),
        (&args.new.display().to_string(), &new),
        &rules,
        &Options::default(),
    );
    let text = match args.format {
        NotesFormat::Markdown => notes::markdown(&notes),
        NotesFormat::Json => {
            let mut text = serde_json::to_string_pretty(&notes)
                .map_err(|e| Error::Usage(format!("cannot serialize notes: {e}")))?;
            text.push('\n');
            text
        }
    };
    emit(output, text.as_bytes())?;
    Ok(Outcome::Pass)
}

/// The built-in goldens, one capture per flow (built-in goldens are single files).
fn builtin(rules: &RuleSet) -> Result<Vec<Capture>> {
    golden::builtin()
        .into_iter()
        .map(|g| {
            Ok(Capture {
                trace: parse_normalized(&g.text, &g.source, rules)?,
                source: g.source,
                link: None,
                stem: g.name,
            })
        })
        .collect()
}

/// The captures of one side: a directory (recursively) or a single file. Of several captures
/// of one flow (same title, e.g. a golden set's members), the first in name order stands for it.
fn captures(path: &Path, rules: &RuleSet, output: Option<&Path>) -> Result<Vec<Capture>> {
    let loaded = inputs::load(std::slice::from_ref(&path.to_path_buf()), rules)?;
    let mut out: Vec<Capture> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for c in loaded {
        let capture = Capture {
            source: c.path.display().to_string(),
            link: Some(link(&c.path, output)),
            stem: file_stem(&c.path),
            trace: c.trace,
        };
        let key = capture
            .trace
            .name
            .as_deref()
            .map(flow_key)
            .filter(|k| !k.is_empty());
        if let Some(key) = key {
            if let Some(first) = seen.get(&key) {
                eprintln!(
                    "flowdiff: note: {} is another capture of the flow of {first}; using {first}",
                    capture.source
                );
                continue;
            }
            seen.insert(key, capture.source.clone());
        }
        out.push(capture);
    }
    Ok(out)
}

/// The path to `capture` as a link from the notes: relative to the output file's directory
/// when writing to `-o`, as given otherwise.
fn link(capture: &Path, output: Option<&Path>) -> String {
    let relative = output.and_then(|out| {
        let from = std::path::absolute(out.parent().unwrap_or(Path::new(""))).ok()?;
        let to = std::path::absolute(capture).ok()?;
        Some(relative_to(&clean(&to), &clean(&from)))
    });
    let path = relative.unwrap_or_else(|| capture.to_path_buf());
    path.to_string_lossy().replace('\\', "/")
}

/// `path` without `.` and with `..` applied (lexically).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` as a path from directory `from` (both absolute and clean).
fn relative_to(to: &Path, from: &Path) -> PathBuf {
    let (to_parts, from_parts): (Vec<_>, Vec<_>) =
        (to.components().collect(), from.components().collect());
    let shared = to_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in shared..from_parts.len() {
        out.push("..");
    }
    for part in &to_parts[shared..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_notes_file() {
        let capture = Path::new("/r/captures/new/image-create.md");
        assert_eq!(link(capture, None), "/r/captures/new/image-create.md");
        assert_eq!(
            link(capture, Some(Path::new("/r/docs/notes.md"))),
            "../captures/new/image-create.md"
        );
        assert_eq!(
            link(capture, Some(Path::new("/r/captures/./notes.md"))),
            "new/image-create.md"
        );
        assert_eq!(link(Path::new("new/a.md"), None), "new/a.md");
    }
}

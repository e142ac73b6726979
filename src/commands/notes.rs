//! `flowdiff notes OLD NEW`: release notes of the flow changes between two sets of captures.

use super::inputs;
use super::{emit, Context, Outcome};
use crate::cli::{NotesArgs, NotesFormat};
use crate::compare::Options;
use crate::error::{Error, Result};
use crate::golden;
use crate::golden::select::{file_stem, flow_key};
use crate::normalize::RuleSet;
use crate::notes::{self, Capture};

use std::collections::HashMap;
use std::path::Path;

/// The title when `--title` is not given.
const DEFAULT_TITLE: &str = "Call flow changes";

/// Runs `flowdiff notes`.
pub(super) fn run(args: &NotesArgs, context: &Context) -> Result<Outcome> {
    let rules = context.load_rules(&args.rules)?;
    let output = args.output.as_deref();
    // `golden` names the goldens in effect (the built-in ones overlaid with the golden
    // directory's, which `bless` writes to), unless a path of that name is given otherwise.
    let old = if args.old == Path::new("golden") {
        goldens(&context.store(&args.store), &rules)?
    } else {
        captures(&args.old, &rules, output, context)?
    };
    let new = captures(&args.new, &rules, output, context)?;
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
        NotesFormat::Html => notes::html(&notes),
        NotesFormat::Json => {
            let mut text =
                serde_json::to_string_pretty(&notes).map_err(|source| Error::Serialize {
                    what: "notes",
                    source,
                })?;
            text.push('\n');
            text
        }
    };
    emit(output, text.as_bytes())?;
    Ok(Outcome::Pass)
}

/// The goldens in effect, one capture per flow (a set's first member stands for it).
fn goldens(store: &golden::Store, rules: &RuleSet) -> Result<Vec<Capture>> {
    let mut goldens = store.goldens()?;
    goldens.dedup_by(|a, b| a.name == b.name);
    goldens
        .into_iter()
        .map(|g| {
            Ok(Capture {
                trace: g.trace(rules)?,
                source: g.source,
                link: None,
                stem: g.name,
            })
        })
        .collect()
}

/// The captures of one side: a directory (recursively) or a single file. Of several captures
/// of one flow (same title, e.g. a golden set's members), the first in name order stands for it.
fn captures(
    path: &Path,
    rules: &RuleSet,
    output: Option<&Path>,
    context: &Context,
) -> Result<Vec<Capture>> {
    let paths = [path.to_path_buf()];
    let loaded = inputs::load(&paths, rules, context.config.limits)?;
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
            .map(|name| flow_key(name, rules))
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
    output
        .and_then(|out| {
            crate::fsutil::relative_link(capture, out.parent().unwrap_or(Path::new("")))
        })
        .unwrap_or_else(|| capture.to_string_lossy().replace('\\', "/"))
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

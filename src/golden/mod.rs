//! Golden flows: the built-in set compiled into the binary, overlaid by name with the goldens
//! of one directory (the [`store`]: `./golden` or `--golden DIR`), which `check`, `bless`,
//! `notes` and `golden list` all read and `bless` writes.
//!
//! A golden is normalized hook Markdown written by `flowdiff normalize` (see `golden/`). In a
//! directory, `NAME.md` is one golden flow and `NAME/*.md` a golden set: several captures of
//! the same flow, one [`Golden`] entry per member, all with the name `NAME`.

pub mod flows;
pub(crate) mod plan;
pub mod select;
pub mod set;
pub mod store;
pub(crate) mod write;

pub use store::Store;

use crate::error::{InputError, Result};
use crate::fsutil;
use crate::normalize::{normalize_in_place, RuleSet};
use crate::parse;
use crate::trace::Trace;
use std::path::Path;

/// One golden flow as text (normalized hook Markdown), before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Golden {
    /// The golden's name: its file stem (`image-create`).
    pub name: String,
    /// Where it came from, for reports (`golden/image-create.md`).
    pub source: String,
    /// The golden file's text (for a golden set, one entry per member).
    pub text: String,
    /// Compiled into the binary (not read from a directory).
    pub builtin: bool,
}

impl Golden {
    /// The golden parsed and normalized with `rules` (errors name its source).
    pub fn trace(&self, rules: &RuleSet) -> Result<Trace> {
        let mut trace = parse::parse(&self.text).map_err(|e| e.in_file(Path::new(&self.source)))?;
        normalize_in_place(&mut trace, rules);
        Ok(trace)
    }
}

// `BUILTIN`: `(name, text)` of every `golden/*.md`, in name order, written by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/builtin_goldens.rs"));

/// The golden flows compiled into the binary.
pub fn builtin() -> Vec<Golden> {
    BUILTIN
        .iter()
        .map(|(name, text)| Golden {
            name: (*name).to_string(),
            source: format!("golden/{name}.md"),
            text: (*text).to_string(),
            builtin: true,
        })
        .collect()
}

/// The golden flows in directory `dir`: every `*.md` file, and every `*.md` inside a
/// subdirectory (a golden set named after the subdirectory), in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<Golden>> {
    if !dir.is_dir() {
        return Err(
            InputError::new(0, "not a directory, expected a golden flows directory").in_file(dir),
        );
    }
    let goldens = scan(dir)?;
    if goldens.is_empty() {
        return Err(InputError::new(
            0,
            "no golden flows here (expected NAME.md files or NAME/ sets)",
        )
        .in_file(dir));
    }
    Ok(goldens)
}

/// Like [`load_dir`], but a missing directory or one without goldens is simply none yet
/// (what `bless` starts from).
pub fn scan(dir: &Path) -> Result<Vec<Golden>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut goldens = Vec::new();
    for entry in fsutil::sorted_entries(dir)? {
        if entry.is_dir() {
            goldens.extend(set_members(&entry)?);
        } else if is_markdown(&entry) {
            let name = entry
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            goldens.push(read(&entry, &name)?);
        }
    }
    Ok(goldens)
}

/// The members of one golden set: every `*.md` file in `dir`, in name order, all named after
/// the directory.
pub fn load_set(dir: &Path) -> Result<Vec<Golden>> {
    let members = set_members(dir)?;
    if members.is_empty() {
        return Err(
            InputError::new(0, "no members here (expected *.md captures of one flow)").in_file(dir),
        );
    }
    Ok(members)
}

fn set_members(dir: &Path) -> Result<Vec<Golden>> {
    let set = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    fsutil::sorted_entries(dir)?
        .into_iter()
        .filter(|p| is_markdown(p))
        .map(|member| read(&member, &set))
        .collect()
}

fn is_markdown(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e == "md")
}

fn read(path: &Path, name: &str) -> Result<Golden> {
    Ok(Golden {
        name: name.to_string(),
        source: path.display().to_string(),
        text: fsutil::read_text(path)?,
        builtin: false,
    })
}

#[cfg(test)]
mod tests;

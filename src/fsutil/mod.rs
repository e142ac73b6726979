//! File access for the command layer: reading input files within limits (`read`) and writing
//! outputs atomically (`write`).

use crate::error::{Error, InputError, Result};
use std::fs;
use std::path::{Path, PathBuf};

pub(crate) mod read;
mod write;

pub(crate) use write::{stage, write_atomic, Staged};

/// Reads a file as UTF-8 text within the default [`Limits`](crate::fsutil::read::Limits); a
/// directory, a missing file or non-UTF-8 bytes are errors.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    read::read_text(path, read::Limits::default())
}

/// `bytes` of `path` (after `lines_before` lines already read) as text, or the error naming
/// the line that is not UTF-8.
pub(crate) fn utf8(bytes: Vec<u8>, lines_before: usize, path: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = lines_before + 1 + crate::parse::count_lines(valid);
        InputError::new(line, "invalid UTF-8, expected a text capture").in_file(path)
    })
}

/// The entries of directory `dir`, sorted by path (a deterministic order for every walk).
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
        .collect::<Result<Vec<PathBuf>>>()?;
    entries.sort();
    Ok(entries)
}

/// `target` as a link from directory `from` (`/`-separated, `..` where needed), computed
/// lexically on absolute paths; `None` when either path cannot be made absolute.
pub(crate) fn relative_link(target: &Path, from: &Path) -> Option<String> {
    let from = std::path::absolute(from).ok()?;
    let to = std::path::absolute(target).ok()?;
    let path = relative_to(&clean(&to), &clean(&from));
    Some(path.to_string_lossy().replace('\\', "/"))
}

/// `path` without `.` and with `..` applied (lexically).
fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
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

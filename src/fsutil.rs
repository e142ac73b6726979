//! File access for the command layer: reading captures and writing outputs atomically.

use crate::error::{Error, InputError, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads a file as UTF-8 text within the default [`Limits`](crate::reading::Limits); a
/// directory, a missing file or non-UTF-8 bytes are errors.
pub fn read_text(path: &Path) -> Result<String> {
    crate::reading::read_text(path, crate::reading::Limits::default())
}

/// `bytes` of `path` (after `lines_before` lines already read) as text, or the error naming
/// the line that is not UTF-8.
pub fn utf8(bytes: Vec<u8>, lines_before: usize, path: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = lines_before + 1 + valid.iter().filter(|&&b| b == b'\n').count();
        InputError::new(line, "invalid UTF-8, expected a text capture").in_file(path)
    })
}

/// The entries of directory `dir`, sorted by path (a deterministic order for every walk).
pub fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
        .collect::<Result<Vec<PathBuf>>>()?;
    entries.sort();
    Ok(entries)
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed and
/// renamed over the target. On error the target is left as it was.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    stage(path, contents)?.commit()
}

/// A file written and flushed next to its target but not yet in place: [`Staged::commit`]
/// renames it over the target; dropped uncommitted, it is removed. Staging every file of a
/// change first, then committing, leaves each target old or new, never half-written.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staged {
    /// The file this will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the staged file over its target.
    pub fn commit(mut self) -> Result<()> {
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `contents` to a temporary file next to `path`, flushed to disk, ready to commit.
/// A target that is a directory is refused here, before anything is renamed.
pub fn stage(path: &Path, contents: &[u8]) -> Result<Staged> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file path", path.display())))?;
    if path.is_dir() {
        return Err(InputError::new(0, "is a directory, expected a file to write").in_file(path));
    }
    let staged = Staged {
        tmp: dir.join(format!(
            ".{}.flowdiff-tmp-{}",
            file_name.to_string_lossy(),
            std::process::id()
        )),
        target: path.to_path_buf(),
        committed: false,
    };
    let written = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&staged.tmp)?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    written.map_err(|e| Error::io(path, e))?;
    Ok(staged)
}

/// `target` as a link from directory `from` (`/`-separated, `..` where needed), computed
/// lexically on absolute paths; `None` when either path cannot be made absolute.
pub fn relative_link(target: &Path, from: &Path) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("flowdiff-fsutil-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let target = dir.join("out.md");
        write_atomic(&target, b"one").expect("first write");
        write_atomic(&target, b"two").expect("second write");
        assert_eq!(fs::read_to_string(&target).expect("read back"), "two");
        let leftovers = fs::read_dir(&dir).expect("list").count();
        assert_eq!(leftovers, 1);
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn staged_files_appear_only_on_commit() {
        let dir = std::env::temp_dir().join(format!("flowdiff-stage-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub.md")).expect("temp dir");
        let target = dir.join("a.md");
        let staged = stage(&target, b"new").expect("staged");
        assert!(!target.exists());
        assert!(
            stage(&dir.join("sub.md"), b"x").is_err(),
            "a directory is refused"
        );
        drop(stage(&dir.join("b.md"), b"dropped").expect("staged"));
        staged.commit().expect("commit");
        assert_eq!(fs::read_to_string(&target).expect("read back"), "new");
        let mut left: Vec<String> = fs::read_dir(&dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.md", "sub.md"]);
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn atomic_write_into_missing_directory_fails_cleanly() {
        let target = Path::new("/nonexistent-flowdiff-dir/out.md");
        assert!(write_atomic(target, b"x").is_err());
    }
}

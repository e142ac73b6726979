//! The one writer of every file flowdiff writes (`-o`, goldens, notes, `flowdiff.toml`).
//!
//! A regular file (or a path where none is yet) is replaced atomically: the bytes go to a
//! temporary file created with `O_EXCL` (so a planted symlink cannot redirect it) under an
//! unpredictable name in the target's directory, are synced, and the file is renamed over the
//! target, then the directory is synced. A symlink is written through to its target, as
//! editors do. A character device or fifo (`/dev/null`, `/dev/stdout`) is written in place,
//! never replaced by a regular file; a directory or any other special file is refused.
//! Temporary files left by an interrupted run (`kill -9`) are removed by the next write into
//! their directory.

use crate::error::{Error, InputError, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::NamedTempFile;

/// The start of every temporary file's name: hidden, and recognizably flowdiff's.
const TEMP_PREFIX: &str = ".flowdiff-tmp-";

/// Random characters after [`TEMP_PREFIX`].
const TEMP_RANDOM: usize = 12;

/// A temporary file of flowdiff's naming older than this was left by an interrupted run (a
/// live run keeps its temporary files for the time of one write).
const STALE_AFTER: Duration = Duration::from_secs(5 * 60);

/// How many symbolic links a target may go through (Linux's limit).
const MAX_LINKS: usize = 40;

/// Writes `contents` to `path` (see the module documentation for what each kind of path
/// gets). On error a regular target is left as it was.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    stage(path, contents)?.commit()
}

/// A file written and synced next to its target but not yet in place: [`Staged::commit`]
/// renames it over the target; dropped uncommitted, it is removed. Staging every file of a
/// change first, then committing, leaves each target old or new, never half-written.
#[derive(Debug)]
pub(crate) struct Staged {
    target: PathBuf,
    pending: Pending,
}

/// What [`Staged::commit`] does.
#[derive(Debug)]
enum Pending {
    /// Rename the temporary file to `dest` (the target, or where its symlinks lead).
    Rename { file: NamedTempFile, dest: PathBuf },
    /// Write the bytes into the device or fifo in place.
    InPlace(Vec<u8>),
}

impl Staged {
    /// The file this will replace, as it was named.
    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the staged bytes in place: renames the temporary file over its destination and
    /// syncs the directory, or writes a device or fifo.
    pub(crate) fn commit(self) -> Result<()> {
        let target = self.target;
        match self.pending {
            Pending::Rename { file, dest } => {
                file.persist(&dest)
                    .map_err(|e| Error::io(&target, e.error))?;
                sync_dir(&parent_dir(&dest)).map_err(|e| Error::io(&target, e))
            }
            Pending::InPlace(contents) => OpenOptions::new()
                .append(true)
                .open(&target)
                .and_then(|mut file| file.write_all(&contents))
                .map_err(|e| Error::io(&target, e)),
        }
    }
}

/// Stages `contents` for `path`: a temporary file next to the file `path` leads to, written and
/// synced, ready to commit; for a device or fifo, the bytes to write at commit. A directory or
/// another special file is refused here, before anything is written.
pub(crate) fn stage(path: &Path, contents: &[u8]) -> Result<Staged> {
    let pending = match destination(path)? {
        Destination::InPlace => Pending::InPlace(contents.to_vec()),
        Destination::File(dest) => {
            let file = temporary(&dest, contents).map_err(|e| Error::io(path, e))?;
            Pending::Rename { file, dest }
        }
    };
    Ok(Staged {
        target: path.to_path_buf(),
        pending,
    })
}

/// Where the bytes for a path go.
enum Destination {
    /// A regular file, or none yet, at this path: replaced atomically.
    File(PathBuf),
    /// A character device or fifo, or an open descriptor (`/dev/stdout`): written in place.
    InPlace,
}

/// Follows `path`'s symbolic links (a dangling one leads to the file it names) and decides how
/// to write what it leads to.
fn destination(path: &Path) -> Result<Destination> {
    if path.file_name().is_none() {
        return Err(Error::Usage(format!("{}: not a file path", path.display())));
    }
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match fs::symlink_metadata(&current) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Destination::File(current));
            }
            Err(e) => return Err(Error::io(path, e)),
            Ok(meta) => meta,
        };
        if !meta.file_type().is_symlink() {
            return classify(meta.file_type(), current, path);
        }
        if current.starts_with("/proc") {
            // A descriptor link (`/dev/stdout` -> `/proc/self/fd/1` -> `pipe:[…]`): only the
            // kernel can follow it, and what it opens must be written, not replaced.
            let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
            return match classify(meta.file_type(), current, path)? {
                Destination::File(_) => Ok(Destination::InPlace),
                other => Ok(other),
            };
        }
        let link = fs::read_link(&current).map_err(|e| Error::io(path, e))?;
        current = parent_dir(&current).join(link);
    }
    Err(refused(path, &current, "too many levels of symbolic links"))
}

/// How to write a file of `kind` found at `found` (reached from `path`).
fn classify(kind: fs::FileType, found: PathBuf, path: &Path) -> Result<Destination> {
    if kind.is_file() {
        Ok(Destination::File(found))
    } else if kind.is_dir() {
        Err(refused(
            path,
            &found,
            "is a directory, expected a file to write",
        ))
    } else if is_stream(kind) {
        Ok(Destination::InPlace)
    } else {
        Err(refused(
            path,
            &found,
            "is a special file, expected a regular file, a character device (/dev/null, /dev/stdout) or a fifo",
        ))
    }
}

/// The refusal to write `path`, naming where its symlinks led when they did.
fn refused(path: &Path, found: &Path, what: &str) -> Error {
    let message = if found == path {
        what.to_string()
    } else {
        format!("(a symbolic link to {}) {what}", found.display())
    };
    InputError::new(0, message).in_file(path)
}

/// True for a character device or a fifo: written in place.
#[cfg(unix)]
fn is_stream(kind: fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_char_device() || kind.is_fifo()
}

/// True for a character device or a fifo: written in place.
#[cfg(not(unix))]
fn is_stream(_kind: fs::FileType) -> bool {
    false
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A temporary file in `dest`'s directory holding `contents`, synced, with `dest`'s
/// permissions when it exists (else the usual ones for a new file).
fn temporary(dest: &Path, contents: &[u8]) -> io::Result<NamedTempFile> {
    let dir = parent_dir(dest);
    remove_stale(&dir);
    let existing = fs::metadata(dest).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).rand_bytes(TEMP_RANDOM);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(&dir)?;
    if let Some(permissions) = existing {
        file.as_file().set_permissions(permissions)?;
    }
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// Syncs a directory, so that a rename in it survives a crash.
fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// True for the name of a temporary file flowdiff writes (`.flowdiff-tmp-` and random
/// characters; earlier versions wrote `.NAME.flowdiff-tmp-PID`).
fn is_own_temporary(name: &str) -> bool {
    if let Some(random) = name.strip_prefix(TEMP_PREFIX) {
        return random.len() == TEMP_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric());
    }
    name.starts_with('.')
        && name
            .rsplit_once(".flowdiff-tmp-")
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Removes the temporary files of flowdiff's naming in `dir` that an interrupted run left
/// (regular files older than [`STALE_AFTER`]), and says so on stderr.
fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let removed = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_str().is_some_and(is_own_temporary))
        .filter(|entry| {
            let Ok(meta) = fs::symlink_metadata(entry.path()) else {
                return false;
            };
            let age = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok());
            meta.is_file() && age.is_some_and(|age| age > STALE_AFTER)
        })
        .filter(|entry| fs::remove_file(entry.path()).is_ok())
        .count();
    if removed > 0 {
        let files = if removed == 1 { "file" } else { "files" };
        eprintln!(
            "flowdiff: removed {removed} stale temporary {files} in {} (left by an interrupted run)",
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory, removed when the returned guard drops.
    fn scratch(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("flowdiff-{name}-"))
            .tempdir()
            .expect("temp dir")
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let guard = scratch("fsutil");
        let dir = guard.path();
        let target = dir.join("out.md");
        write_atomic(&target, b"one").expect("first write");
        write_atomic(&target, b"two").expect("second write");
        assert_eq!(fs::read_to_string(&target).expect("read back"), "two");
        assert_eq!(names(dir), ["out.md"]);
    }

    #[test]
    fn staged_files_appear_only_on_commit() {
        let guard = scratch("stage");
        let dir = guard.path();
        fs::create_dir_all(dir.join("sub.md")).expect("sub dir");
        let target = dir.join("a.md");
        let staged = stage(&target, b"new").expect("staged");
        assert!(!target.exists());
        let refused = stage(&dir.join("sub.md"), b"x").expect_err("a directory is refused");
        assert!(refused.to_string().contains("is a directory"), "{refused}");
        drop(stage(&dir.join("b.md"), b"dropped").expect("staged"));
        staged.commit().expect("commit");
        assert_eq!(fs::read_to_string(&target).expect("read back"), "new");
        assert_eq!(names(dir), ["a.md", "sub.md"]);
    }

    #[test]
    fn atomic_write_into_missing_directory_fails_cleanly() {
        let target = Path::new("/nonexistent-flowdiff-dir/out.md");
        assert!(write_atomic(target, b"x").is_err());
    }

    #[test]
    fn own_temporary_names_are_recognized_and_nothing_else() {
        assert!(is_own_temporary(".flowdiff-tmp-a1B2c3D4e5F6"));
        assert!(is_own_temporary(".server-create.md.flowdiff-tmp-4242"));
        assert!(!is_own_temporary(".flowdiff-tmp-short"));
        assert!(!is_own_temporary(".flowdiff-tmp-a1B2c3D4e5F6.md"));
        assert!(!is_own_temporary("server-create.md"));
        assert!(!is_own_temporary(".x.flowdiff-tmp-"));
        assert!(!is_own_temporary("x.flowdiff-tmp-12"));
    }

    #[cfg(unix)]
    #[test]
    fn a_written_file_keeps_the_permissions_of_the_one_it_replaces() {
        use std::os::unix::fs::PermissionsExt;
        let guard = scratch("perms");
        let dir = guard.path();
        let target = dir.join("out.md");
        fs::write(&target, "old").expect("write");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&target, b"new").expect("write");
        let mode = fs::metadata(&target).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
}

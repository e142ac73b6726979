//! File access for the command layer: reading captures and writing outputs atomically.

use crate::error::{Error, InputError, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads a capture as UTF-8 text; a directory, a missing file or non-UTF-8 bytes are errors.
pub fn read_text(path: &Path) -> Result<String> {
    if path.is_dir() {
        return Err(InputError::new(0, "is a directory, expected a capture file").in_file(path));
    }
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        InputError::new(line, "invalid UTF-8, expected a text capture").in_file(path)
    })
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed and
/// renamed over the target. On error the target is left as it was.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.flowdiff-tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
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
    fn atomic_write_into_missing_directory_fails_cleanly() {
        let target = Path::new("/nonexistent-flowdiff-dir/out.md");
        assert!(write_atomic(target, b"x").is_err());
    }
}

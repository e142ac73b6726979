//! The golden store: the built-in goldens overlaid, name by name, with a directory's.
//!
//! The directory is `./golden` (where `bless` writes) unless `--golden DIR` names another;
//! `--no-builtin` drops the built-ins. A golden in the directory replaces the built-in golden
//! of its name (a single file or a whole set), so a team owns a flow by blessing it.

use super::{builtin, load_dir, scan, Golden};
use crate::error::{Error, InputError, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};

/// The directory a store uses when none is named.
pub const DEFAULT_DIR: &str = "golden";

/// Where goldens are read from and blessed into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    dir: PathBuf,
    /// The directory was named (`--golden DIR`): it must exist to be read.
    named: bool,
    builtin: bool,
}

impl Store {
    /// The store of `dir` (`./golden` when `None`), over the built-ins unless `no_builtin`.
    pub fn new(dir: Option<&Path>, no_builtin: bool) -> Store {
        Store {
            dir: dir.map_or_else(|| PathBuf::from(DEFAULT_DIR), Path::to_path_buf),
            named: dir.is_some(),
            builtin: !no_builtin,
        }
    }

    /// The directory goldens are blessed into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The goldens in effect, in name order: the directory's, and the built-ins whose names it
    /// does not have. A named directory must exist; the store must not be empty.
    pub fn goldens(&self) -> Result<Vec<Golden>> {
        let own = if self.named {
            load_dir_allowing_empty(&self.dir)?
        } else {
            scan(&self.dir)?
        };
        let goldens = self.overlay(own);
        if goldens.is_empty() {
            return Err(InputError::new(
                0,
                "no golden flows here (expected NAME.md files or NAME/ sets; the built-in goldens are off)",
            )
            .in_file(&self.dir));
        }
        Ok(goldens)
    }

    /// The goldens in effect before a `bless`: like [`Store::goldens`], but the directory may
    /// not exist yet and the store may be empty.
    pub fn current(&self) -> Result<Vec<Golden>> {
        Ok(self.overlay(scan(&self.dir)?))
    }

    /// `own` goldens, and the built-ins (unless off) whose names they do not have, by name.
    fn overlay(&self, own: Vec<Golden>) -> Vec<Golden> {
        let mut goldens = own.clone();
        if self.builtin {
            goldens.extend(
                builtin()
                    .into_iter()
                    .filter(|b| !own.iter().any(|g| g.name == b.name)),
            );
        }
        // Stable: a set's members keep their order.
        goldens.sort_by(|a, b| a.name.cmp(&b.name));
        goldens
    }

    /// Writes the built-in goldens into `dir` as `NAME.md` files, for a team that wants to own
    /// them; refuses to replace a file that is there. Returns the files written.
    pub fn export_builtin(dir: &Path) -> Result<Vec<PathBuf>> {
        let goldens = builtin();
        let targets: Vec<PathBuf> = goldens
            .iter()
            .map(|g| dir.join(format!("{}.md", g.name)))
            .collect();
        if let Some(there) = targets.iter().find(|t| t.exists()) {
            return Err(Error::Usage(format!(
                "{} exists: not replaced (export into an empty directory, or bless over it)",
                there.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let staged = goldens
            .iter()
            .zip(&targets)
            .map(|(g, t)| fsutil::stage(t, g.text.as_bytes()))
            .collect::<Result<Vec<_>>>()?;
        for file in staged {
            file.commit()?;
        }
        Ok(targets)
    }
}

/// The goldens of a named directory, which must exist but may hold none yet.
fn load_dir_allowing_empty(dir: &Path) -> Result<Vec<Golden>> {
    if dir.is_dir() && scan(dir)?.is_empty() {
        return Ok(Vec::new());
    }
    load_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_overlays_the_builtins_by_name() {
        let dir = std::env::temp_dir().join(format!("flowdiff-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("image-save")).expect("dirs");
        std::fs::write(dir.join("image-show.md"), "own").expect("write");
        std::fs::write(dir.join("image-save/1.md"), "member").expect("write");
        std::fs::write(dir.join("volume-create.md"), "new").expect("write");
        let store = Store::new(Some(&dir), false);
        let seen: Vec<(String, bool)> = store
            .goldens()
            .expect("goldens")
            .into_iter()
            .map(|g| (g.name, g.builtin))
            .collect();
        assert_eq!(
            seen,
            [
                ("image-create".to_string(), true),
                ("image-save".to_string(), false),
                ("image-show".to_string(), false),
                ("server-create".to_string(), true),
                ("volume-create".to_string(), false),
            ]
        );
        let own_only = Store::new(Some(&dir), true).goldens().expect("goldens");
        assert_eq!(own_only.len(), 3);
        // The default directory may be missing: the built-ins alone.
        let missing = Store::new(None, false);
        assert!(missing.dir() == Path::new(DEFAULT_DIR));
        // A named directory that is not there is an error.
        assert!(Store::new(Some(&dir.join("nope")), false)
            .goldens()
            .is_err());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}

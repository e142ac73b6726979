//! Golden flows: the built-in set compiled into the binary, or a directory given by `--golden`.
//!
//! STUB: the types and functions are the contract; the normalization work fills them in.

use crate::error::Result;
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
}

/// The golden flows compiled into the binary.
pub fn builtin() -> Vec<Golden> {
    Vec::new()
}

/// The golden flows in directory `dir` (every `*.md` file).
pub fn load_dir(dir: &Path) -> Result<Vec<Golden>> {
    let _ = dir;
    Ok(Vec::new())
}

//! The error type: every input error names its file and 1-based line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in some input text, located by 1-based line (0 when the whole input is at fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line, or 0 when no single line is at fault (an empty file).
    pub line: usize,
    /// What was found and what was expected, lower case, no trailing period.
    pub message: String,
}

impl InputError {
    /// An error at `line` with `message`.
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        InputError {
            line,
            message: message.into(),
        }
    }

    /// Attaches the file the text came from.
    pub fn in_file(self, path: impl Into<PathBuf>) -> Error {
        Error::Input {
            path: path.into(),
            line: self.line,
            message: self.message,
        }
    }
}

/// Everything that can go wrong in flowdiff; each maps to exit status 2.
#[derive(Debug)]
pub enum Error {
    /// A file that could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A file whose content is not what was expected.
    Input {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 for the whole file).
        line: usize,
        /// What was expected.
        message: String,
    },
    /// Several input errors in one file (a rules file reports every bad rule).
    Many(Vec<Error>),
    /// Wrong use of the command line.
    Usage(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::Input {
                path,
                line: 0,
                message,
            } => write!(f, "{}: {}", path.display(), message),
            Error::Input {
                path,
                line,
                message,
            } => write!(f, "{}:{}: {}", path.display(), line, message),
            Error::Many(errors) => {
                for (i, error) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{error}")?;
                }
                Ok(())
            }
            Error::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// Result with flowdiff's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

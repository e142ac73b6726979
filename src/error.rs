//! The error type: every input error names its file and 1-based line; an error caused by
//! another (an I/O error, a regex that does not compile, a serializer's) keeps it as its
//! [`source`](std::error::Error::source).
//!
//! Every variant is exit status 2 for the command line.

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

/// A boxed error from another crate (a regex builder's), kept as a [`std::error::Error::source`].
pub type BoxedSource = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in flowdiff.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file that could not be read or written.
    Io {
        /// The file (`<stdout>`, `<report>` for output that is not a file).
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
    /// A rule whose patterns do not compile (beyond what loading checks: a regex over the
    /// size limit).
    Rule {
        /// The rules file (`rules/default.toml` for a built-in rule).
        path: PathBuf,
        /// 1-based line of the rule's `[[rule]]` header.
        line: usize,
        /// The rule's name.
        rule: String,
        /// The regex compiler's error.
        source: BoxedSource,
    },
    /// Rules that compile one by one but not together (their combined scan is over the size
    /// limit).
    RuleSet {
        /// Which rules: `value`, `header`, `key` or `secret`.
        kind: &'static str,
        /// The regex compiler's error.
        source: BoxedSource,
    },
    /// Several input errors in one file (a rules file reports every bad rule).
    Many(Vec<Error>),
    /// Output that could not be serialized (JSON).
    Serialize {
        /// What was being serialized (`report`, `trace`, `notes`).
        what: &'static str,
        /// The serializer's error.
        source: serde_json::Error,
    },
    /// A report that could not be written to the writer the library was given.
    Write {
        /// What the writer said.
        source: std::io::Error,
    },
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

    /// The error of rendering `what` to output named `path`: a serialization failure when the
    /// renderer's I/O error carries one (renderers write through [`std::io::Write`], which
    /// carries serde_json's errors as I/O errors), else an I/O error on `path`.
    pub fn rendering(what: &'static str, path: &Path, error: std::io::Error) -> Self {
        match serialization(error) {
            Ok(source) => Error::Serialize { what, source },
            Err(error) => Error::io(path, error),
        }
    }
}

/// The serde_json error inside `error`, or `error` itself when it holds none.
pub(crate) fn serialization(error: std::io::Error) -> Result<serde_json::Error, std::io::Error> {
    let holds_json = error
        .get_ref()
        .is_some_and(|inner| inner.is::<serde_json::Error>());
    if !holds_json {
        return Err(error);
    }
    match error
        .into_inner()
        .map(|inner| inner.downcast::<serde_json::Error>())
    {
        Some(Ok(json)) => Ok(*json),
        // Unreachable after the check above; kept total without a panic.
        Some(Err(inner)) => Err(std::io::Error::other(inner)),
        None => Err(std::io::Error::other("I/O error")),
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
            Error::Rule {
                path,
                line,
                rule,
                source,
            } => write!(f, "{}:{}: rule `{rule}`: {source}", path.display(), line),
            Error::RuleSet { kind, source } => {
                write!(f, "the {kind} rules do not combine: {source}")
            }
            Error::Many(errors) => {
                for (i, error) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{error}")?;
                }
                Ok(())
            }
            Error::Serialize { what, source } => write!(f, "cannot serialize the {what}: {source}"),
            Error::Write { source } => write!(f, "cannot write the report: {source}"),
            Error::Usage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::Write { source } => Some(source),
            Error::Rule { source, .. } | Error::RuleSet { source, .. } => Some(source.as_ref()),
            Error::Serialize { source, .. } => Some(source),
            Error::Input { .. } | Error::Many(_) | Error::Usage(_) => None,
        }
    }
}

/// Result with flowdiff's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{serialization, Error};
    use std::error::Error as _;
    use std::path::Path;

    /// A serde_json error, as a renderer's writer carries it.
    fn json_error() -> serde_json::Error {
        serde_json::from_str::<u8>("not json").expect_err("not a number")
    }

    #[test]
    fn a_serializer_error_carried_as_io_is_a_serialization_failure() {
        let carried = std::io::Error::from(json_error());
        let error = Error::rendering("report", Path::new("<report>"), carried);
        assert!(
            matches!(error, Error::Serialize { what: "report", .. }),
            "{error:?}"
        );
        assert!(error
            .to_string()
            .starts_with("cannot serialize the report: "));
        assert!(error.source().is_some_and(|s| s.is::<serde_json::Error>()));
    }

    #[test]
    fn a_plain_io_error_stays_an_io_error_on_its_path() {
        let closed = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let error = Error::rendering("report", Path::new("<stdout>"), closed);
        match &error {
            Error::Io { path, source } => {
                assert_eq!(path, Path::new("<stdout>"));
                assert_eq!(source.kind(), std::io::ErrorKind::BrokenPipe);
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        let other = std::io::Error::other("disk full");
        assert_eq!(
            serialization(other).map_err(|e| e.to_string()).err(),
            Some("disk full".to_string())
        );
    }

    #[test]
    fn errors_with_a_cause_expose_it_as_source() {
        let unclosed = ["(", "[a-z"].concat();
        let regex = regex::Regex::new(&unclosed).expect_err("unclosed group");
        let rule = Error::Rule {
            path: "extra.toml".into(),
            line: 4,
            rule: "broken".into(),
            source: Box::new(regex),
        };
        assert!(rule
            .to_string()
            .starts_with("extra.toml:4: rule `broken`: "));
        assert!(rule.source().is_some_and(|s| s.is::<regex::Error>()));
        assert!(Error::Usage("no".into()).source().is_none());
    }
}

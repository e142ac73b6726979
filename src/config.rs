//! `flowdiff.toml`: accepted findings, rules files and report defaults for a repository.
//!
//! Found in the working directory or the nearest parent holding `.git` (the search stops
//! there), or named with `--config FILE`. Every error names the file and line.

use crate::cli::FailOn;
use crate::compare::accept::{entry_error, Accept, Date, Match};
use crate::error::{InputError, Result};
use crate::fsutil::read::{parse_size, Limits};
use crate::normalize::load::{header_lines, line_of};
use crate::report::ReportFormat;
use clap::ValueEnum;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config file's name.
pub(crate) const FILE_NAME: &str = "flowdiff.toml";

/// A loaded config file (empty when there is none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    /// The file, when there is one.
    pub path: Option<PathBuf>,
    /// `[[accept]]` entries, expired ones included.
    pub accepts: Vec<Accept>,
    /// Rules files, resolved against the config file's directory.
    pub rules: Vec<PathBuf>,
    /// Default `--fail-on`.
    pub fail_on: Option<FailOn>,
    /// Default `--format`.
    pub format: Option<ReportFormat>,
    /// The golden directory (default `--golden`), resolved against the config file's directory.
    pub golden_dir: Option<PathBuf>,
    /// Bounds on the files read (`max_input_size`, `max_line_size`).
    pub limits: Limits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    accept: Vec<RawAccept>,
    #[serde(default)]
    rules: Vec<String>,
    fail_on: Option<toml::Spanned<String>>,
    format: Option<toml::Spanned<String>>,
    golden_dir: Option<String>,
    max_input_size: Option<toml::Spanned<RawSize>>,
    max_line_size: Option<toml::Spanned<RawSize>>,
}

/// A size as written: bytes, or a number with a unit (`"2 GiB"`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawSize {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccept {
    id: Option<String>,
    kind: Option<String>,
    call: Option<String>,
    pointer: Option<String>,
    flow: Option<String>,
    reason: Option<String>,
    until: Option<toml::value::Datetime>,
}

/// Where the config file is: `explicit`, else `flowdiff.toml` in `dir` or the nearest parent,
/// stopping at the directory that holds `.git`.
pub(crate) fn find(explicit: Option<&Path>, dir: &Path) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    for d in dir.ancestors() {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

impl Config {
    /// Loads the config named by `--config`, or found from the working directory.
    pub(crate) fn discover(explicit: Option<&Path>) -> Result<Config> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        match find(explicit, &cwd) {
            // Named relative to the working directory when it is there (`flowdiff.toml:3`).
            Some(path) => Config::load(path.strip_prefix(&cwd).unwrap_or(&path)),
            None => Ok(Config::default()),
        }
    }

    /// Loads and checks `path`.
    pub(crate) fn load(path: &Path) -> Result<Config> {
        let text = crate::fsutil::read_text(path)?;
        Config::parse(&text, path).map_err(|e| e.in_file(path))
    }

    /// Parses config text read from `path`.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Config, InputError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(text, s.start));
            InputError::new(line, format!("invalid config: {}", e.message()))
        })?;
        let headers = header_lines(text, "[[accept]]");
        let accepts = raw
            .accept
            .into_iter()
            .enumerate()
            .map(|(i, a)| accept(a, headers.get(i).copied().unwrap_or(0)))
            .collect::<Result<Vec<_>, _>>()?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let defaults = Limits::default();
        let limits = Limits {
            max_input_size: size(text, raw.max_input_size, "max_input_size")?
                .unwrap_or(defaults.max_input_size),
            max_line_size: size(text, raw.max_line_size, "max_line_size")?
                .unwrap_or(defaults.max_line_size),
        };
        Ok(Config {
            path: Some(path.to_path_buf()),
            accepts,
            rules: raw.rules.iter().map(|r| dir.join(r)).collect(),
            fail_on: raw
                .fail_on
                .map(|v| value_enum(text, &v, "fail_on"))
                .transpose()?,
            format: raw
                .format
                .map(|v| value_enum(text, &v, "format"))
                .transpose()?,
            golden_dir: raw.golden_dir.map(|d| dir.join(d)),
            limits,
        })
    }
}

/// A size key's value in bytes (at least 1), or the error naming its line.
fn size(
    text: &str,
    value: Option<toml::Spanned<RawSize>>,
    key: &str,
) -> Result<Option<u64>, InputError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let line = line_of(text, value.span().start);
    let bytes = match value.into_inner() {
        RawSize::Bytes(bytes) => bytes,
        RawSize::Text(text) => {
            parse_size(&text).map_err(|e| InputError::new(line, format!("{key}: {e}")))?
        }
    };
    if bytes == 0 {
        return Err(InputError::new(
            line,
            format!("{key}: expected a size above 0"),
        ));
    }
    Ok(Some(bytes))
}

/// A `fail_on` or `format` value, or the error listing the values expected.
fn value_enum<T: ValueEnum>(
    text: &str,
    value: &toml::Spanned<String>,
    key: &str,
) -> Result<T, InputError> {
    T::from_str(value.get_ref(), false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        InputError::new(
            line_of(text, value.span().start),
            format!(
                "unknown {key} `{}` (expected {})",
                value.get_ref(),
                names.join(", ")
            ),
        )
    })
}

/// Checks one `[[accept]]` entry (header at `line`).
fn accept(raw: RawAccept, line: usize) -> Result<Accept, InputError> {
    let err = |m: String| entry_error(line, m);
    let reason = raw
        .reason
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| err("missing `reason` (why the finding is accepted)".into()))?;
    let until = raw
        .until
        .map(|d| match (d.date, d.time) {
            (Some(date), None) => Ok(Date {
                year: date.year,
                month: date.month,
                day: date.day,
            }),
            _ => Err(err(format!(
                "`until = {d}`: expected a date such as 2027-03-01"
            ))),
        })
        .transpose()?;
    let has_matchers =
        raw.kind.is_some() || raw.call.is_some() || raw.pointer.is_some() || raw.flow.is_some();
    let matches = match (raw.id, has_matchers) {
        (Some(_), true) => {
            return Err(err(
                "expected either `id` or matchers (kind, call, pointer, flow), not both".into(),
            ))
        }
        (Some(id), false) => Match::Id(id),
        (None, false) => {
            return Err(err(
                "expected `id` or at least one matcher (kind, call, pointer, flow)".into(),
            ))
        }
        (None, true) => {
            if let Some(kind) = &raw.kind {
                if crate::compare::Kind::parse(kind).is_none() {
                    return Err(err(format!(
                        "unknown kind `{kind}` (expected a finding kind such as value_changed)"
                    )));
                }
            }
            let glob = |key: &str, g: Option<String>| {
                g.map(|g| Accept::glob(key, &g)).transpose().map_err(err)
            };
            Match::Matchers {
                kind: raw.kind,
                call: glob("call", raw.call)?,
                pointer: glob("pointer", raw.pointer)?,
                flow: glob("flow", raw.flow)?,
            }
        }
    };
    Ok(Accept {
        line,
        matches,
        reason,
        until,
    })
}

/// Turns a config path into the name notes use.
pub(crate) fn display(path: Option<&Path>) -> String {
    path.map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string())
}

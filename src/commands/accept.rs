//! `flowdiff accept ID… --reason TEXT [--until DATE]`: append `[[accept]]` entries to the
//! config file, keeping its comments and layout (a format-preserving edit), atomically.

use super::{Context, Outcome};
use crate::cli::AcceptArgs;
use crate::config::{Config, FILE_NAME};
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

/// Runs `flowdiff accept`.
pub(super) fn run(
    args: &AcceptArgs,
    explicit: Option<&Path>,
    context: &Context,
) -> Result<Outcome> {
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(Error::Usage(
            "--reason is empty: say why the findings are accepted".into(),
        ));
    }
    if let Some(id) = args.ids.iter().find(|id| !is_id(id)) {
        return Err(Error::Usage(format!(
            "`{id}` is not a finding id: expected 10 hex characters, as in a report's \"id\""
        )));
    }
    let until = args.until.as_deref().map(date).transpose()?;
    let path = target(explicit, context);
    append(&path, &args.ids, reason, until)?;
    eprintln!(
        "flowdiff: accepted {} finding id(s) in {}",
        args.ids.len(),
        path.display()
    );
    Ok(Outcome::Pass)
}

/// The config file accepted findings are written to: `--config`, else the one found, else
/// `./flowdiff.toml` (created).
pub(super) fn target(explicit: Option<&Path>, context: &Context) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| context.config.path.clone())
        .unwrap_or_else(|| PathBuf::from(FILE_NAME))
}

/// Appends one `[[accept]]` entry per id (with `reason`, and `until` when given) to the config
/// file at `path` (created when missing), keeping its comments and layout, atomically; the file
/// is left alone when the result would not load.
pub(super) fn append(
    path: &Path,
    ids: &[String],
    reason: &str,
    until: Option<toml_edit::Datetime>,
) -> Result<()> {
    let text = if path.exists() {
        fsutil::read_text(path)?
    } else {
        String::new()
    };
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::Usage(format!("{}: invalid TOML: {}", path.display(), e.message()))
    })?;
    let entries = accept_tables(&mut doc, path)?;
    for id in ids {
        let mut table = Table::new();
        table.insert("id", value(id.as_str()));
        table.insert("reason", value(reason));
        if let Some(until) = until {
            table.insert("until", value(until));
        }
        if !entries.is_empty() || !text.trim().is_empty() {
            table.decor_mut().set_prefix("\n");
        }
        entries.push(table);
    }
    let updated = doc.to_string();
    // The file must still load: a broken config would stop every later run.
    Config::parse(&updated, path).map_err(|e| e.in_file(path))?;
    fsutil::write_atomic(path, updated.as_bytes())
}

/// The document's `[[accept]]` array, created when missing.
fn accept_tables<'d>(doc: &'d mut DocumentMut, path: &Path) -> Result<&'d mut ArrayOfTables> {
    let item = doc
        .entry("accept")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    item.as_array_of_tables_mut().ok_or_else(|| {
        Error::Usage(format!(
            "{}: `accept` is not an array of [[accept]] tables",
            path.display()
        ))
    })
}

/// True for a finding id: 10 lower-case hex characters.
fn is_id(id: &str) -> bool {
    id.len() == 10 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `--until`: a date such as 2027-03-01.
fn date(text: &str) -> Result<toml_edit::Datetime> {
    let bad = || {
        Error::Usage(format!(
            "--until {text}: expected a date such as 2027-03-01"
        ))
    };
    let parsed: toml_edit::Datetime = text.parse().map_err(|_| bad())?;
    match (parsed.date, parsed.time) {
        (Some(_), None) => Ok(parsed),
        _ => Err(bad()),
    }
}

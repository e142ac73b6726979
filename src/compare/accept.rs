//! Accepted findings: stable finding ids, and the `[[accept]]` entries of `flowdiff.toml` that
//! take known, reviewed findings out of the verdict.
//!
//! An id is a hash of a finding's fingerprint (kind, call, part, pointer, flow) with placeholder
//! numbers left out, never of step numbers or values, so the same change in the next run (or a
//! re-capture with other calls around it) has the same id.

use super::{without_placeholders, Finding, Part};
use crate::error::InputError;
use regex::Regex;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// Hex characters of a finding id.
const ID_LEN: usize = 10;

/// The stable id of `finding` in the flow named `flow`: 10 hex characters of the XXH3 hash of
/// its fingerprint.
pub fn finding_id(finding: &Finding, flow: Option<&str>) -> String {
    let pointer = finding.pointer.as_deref().unwrap_or("");
    let fingerprint = [
        finding.kind.as_str(),
        &without_placeholders(&finding.call),
        part_name(finding.part),
        &without_placeholders(pointer),
        flow.unwrap_or(""),
    ]
    .join("\u{1f}");
    let hash = xxhash_rust::xxh3::xxh3_64(fingerprint.as_bytes());
    format!("{hash:016x}")[..ID_LEN].to_string()
}

/// The report name of a part (`response.body`).
fn part_name(part: Part) -> &'static str {
    match part {
        Part::Call => "call",
        Part::Status => "status",
        Part::RequestQuery => "request.query",
        Part::RequestHeaders => "request.headers",
        Part::RequestBody => "request.body",
        Part::ResponseHeaders => "response.headers",
        Part::ResponseBody => "response.body",
    }
}

/// A calendar date (`until = 2027-03-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
}

impl Date {
    /// Today (UTC).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// The date `days` after 1970-01-01 (the civil-from-days algorithm).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: u16::try_from(year).unwrap_or(u16::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What an `[[accept]]` entry matches.
#[derive(Debug, Clone)]
pub enum Match {
    /// One finding id.
    Id(String),
    /// Every finding matching all the matchers given.
    Matchers {
        /// Finding kind (`value_changed`).
        kind: Option<String>,
        /// Glob over the call as printed (`glance-api -> keystone GET /v3/limits*`).
        call: Option<Regex>,
        /// Glob over the JSON pointer, header name or query parameter.
        pointer: Option<Regex>,
        /// Glob over the flow name.
        flow: Option<Regex>,
    },
}

/// One `[[accept]]` entry of the config file.
#[derive(Debug, Clone)]
pub struct Accept {
    /// Line of its `[[accept]]` header in the config file.
    pub line: usize,
    /// What it matches.
    pub matches: Match,
    /// Why the findings are accepted (required).
    pub reason: String,
    /// The last day it applies.
    pub until: Option<Date>,
}

impl Accept {
    /// A glob matcher, or the error naming the key.
    pub fn glob(key: &str, glob: &str) -> Result<Regex, String> {
        Regex::new(&crate::normalize::glob_regex(glob))
            .map_err(|e| format!("`{key}` is not a valid glob: {e}"))
    }

    /// True when the entry matches `finding` (with id `id`) of the flow `flow`.
    fn matches(&self, finding: &Finding, flow: Option<&str>) -> bool {
        let glob = |re: &Option<Regex>, text: Option<&str>| {
            re.as_ref()
                .is_none_or(|re| text.is_some_and(|t| re.is_match(t)))
        };
        match &self.matches {
            Match::Id(id) => *id == finding.id,
            Match::Matchers {
                kind,
                call,
                pointer,
                flow: flow_glob,
            } => {
                kind.as_deref().is_none_or(|k| k == finding.kind.as_str())
                    && glob(call, Some(&finding.call))
                    && glob(pointer, finding.pointer.as_deref())
                    && glob(flow_glob, flow)
            }
        }
    }

    /// How the entry reads in notes: its id, or its matchers.
    pub fn label(&self) -> String {
        match &self.matches {
            Match::Id(id) => format!("id {id}"),
            Match::Matchers { .. } => "matchers".to_string(),
        }
    }
}

/// The entries in force for a run, remembering which ones matched a finding.
#[derive(Debug, Default)]
pub struct Accepts {
    /// The config file they came from (for notes).
    pub source: String,
    entries: Vec<Accept>,
    used: Vec<AtomicBool>,
}

/// An accepted finding as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// The finding's id.
    pub id: String,
    /// The entry's reason.
    pub reason: String,
    /// The finding's kind.
    pub kind: &'static str,
    /// The finding's call.
    pub call: String,
}

/// An entry that matched no finding in the whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unused {
    /// `flowdiff.toml:12`.
    pub entry: String,
    /// The entry's reason.
    pub reason: String,
}

impl Accepts {
    /// The entries of `source` that apply on `today`; an expired one is left out with a
    /// warning on stderr.
    pub fn new(source: String, entries: Vec<Accept>, today: Date) -> Accepts {
        let mut live = Vec::new();
        for entry in entries {
            match entry.until {
                Some(until) if until < today => eprintln!(
                    "flowdiff: warning: {source}:{}: accepted finding ({}) expired on {until} and no longer applies: {}",
                    entry.line,
                    entry.label(),
                    entry.reason
                ),
                _ => live.push(entry),
            }
        }
        let used = live.iter().map(|_| AtomicBool::new(false)).collect();
        Accepts {
            source,
            entries: live,
            used,
        }
    }

    /// The first entry accepting `finding` of `flow` (marked used), as the report lists it.
    pub fn accept(&self, finding: &Finding, flow: Option<&str>) -> Option<Accepted> {
        let index = self.entries.iter().position(|e| e.matches(finding, flow))?;
        if let Some(used) = self.used.get(index) {
            used.store(true, Ordering::Relaxed);
        }
        Some(Accepted {
            id: finding.id.clone(),
            reason: self.entries[index].reason.clone(),
            kind: finding.kind.as_str(),
            call: finding.call.clone(),
        })
    }

    /// The entries that matched nothing so far.
    pub fn unused(&self) -> Vec<Unused> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !used.load(Ordering::Relaxed))
            .map(|(e, _)| Unused {
                entry: format!("{}:{}", self.source, e.line),
                reason: e.reason.clone(),
            })
            .collect()
    }

    /// Prints one `info` line per unused entry to stderr and returns them.
    pub fn report_unused(&self) -> Vec<Unused> {
        let unused = self.unused();
        for u in &unused {
            eprintln!(
                "flowdiff: info: {}: accept entry matched no finding in this run; remove it if it is stale ({})",
                u.entry, u.reason
            );
        }
        unused
    }
}

/// A config error at `line` for the `[[accept]]` entry there.
pub fn entry_error(line: usize, message: impl std::fmt::Display) -> InputError {
    InputError::new(line, format!("[[accept]]: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_513).to_string(), "2026-03-01");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
    }
}

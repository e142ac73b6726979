//! How serious a finding is, and the `--fail-on` threshold built on it.

use serde::Serialize;

/// The severity of a finding, least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; never fails a gate by default.
    Info,
    /// Probably intended but worth a look.
    Warning,
    /// A client or service relying on the old flow would break.
    Breaking,
}

impl Severity {
    /// The name used in reports and rules files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Breaking => "breaking",
        }
    }

    /// Parses `info`, `warning` or `breaking`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "breaking" => Some(Severity::Breaking),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

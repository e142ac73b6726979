//! Report-level warnings: what a reader must know about the comparison as a whole rather than
//! about one call (today: stretches aligned coarsely because they were too long and too
//! different to align exactly).

use super::align::Coarse;
use crate::trace::Trace;
use serde::Serialize;

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A stretch of one caller's calls was aligned coarsely (linear, in order) instead of
    /// exactly: findings there may call missing, extra or reordered what an exact alignment
    /// would pair.
    CoarseAlignment,
}

impl WarningKind {
    /// The name used in reports (`coarse_alignment`).
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::CoarseAlignment => "coarse_alignment",
        }
    }
}

/// A warning about the comparison as a whole, in every report format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it is about.
    pub kind: WarningKind,
    /// First and last old step (1-based) it concerns.
    pub old_steps: [usize; 2],
    /// First and last new step (1-based) it concerns.
    pub new_steps: [usize; 2],
    /// One line for humans, lower case.
    pub message: String,
    /// Line in the new capture to annotate (the first new step's request).
    #[serde(skip)]
    pub line: Option<usize>,
}

impl Warning {
    /// The warning for a stretch aligned coarsely (exchange indices of `coarse` into the traces;
    /// `new` gives the annotation line).
    pub(super) fn coarse(coarse: &Coarse, new: &Trace) -> Warning {
        let old_steps = [coarse.old.0 + 1, coarse.old.1 + 1];
        let new_steps = [coarse.new.0 + 1, coarse.new.1 + 1];
        let line = new
            .exchanges
            .get(coarse.new.0)
            .and_then(|e| e.request.line.or(e.response.line));
        Warning {
            kind: WarningKind::CoarseAlignment,
            old_steps,
            new_steps,
            message: format!(
                "old steps {}–{} and new steps {}–{} were aligned coarsely (their differences span too many calls to align exactly): calls there may be reported missing, extra or reordered where an exact alignment would pair them",
                old_steps[0], old_steps[1], new_steps[0], new_steps[1]
            ),
            line,
        }
    }
}

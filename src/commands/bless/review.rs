//! `bless --review`: walk a capture's comparison with its golden finding by finding, like
//! `cargo insta review`, and decide what happens to the golden.
//!
//! Each finding is accepted into the golden (`g`), accepted as a suppression in the config file
//! with a reason (`s`, written at once), skipped (`k`), or the review stops (`q`). The golden is
//! replaced by the capture only when at least one finding went into it and none was skipped
//! (or left unreviewed by `q`): replacing it accepts every difference at once. A new golden is
//! asked for once.

use crate::compare::Finding;
use crate::error::{Error, Result};
use crate::report::{step_label, Report};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;

/// The terminal a review talks to: answers come from `input`, questions go to `out`.
pub(super) struct Terminal<'a> {
    /// Where answers are read, a line each.
    pub(super) input: &'a mut dyn BufRead,
    /// Where findings and questions are written.
    pub(super) out: &'a mut dyn Write,
}

/// What the review decided for one flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Decision {
    /// Replace (or create) the golden with the capture.
    pub(super) write: bool,
    /// The user quit: review no further flows.
    pub(super) quit: bool,
}

/// One answer to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Golden,
    Suppress,
    Skip,
    Quit,
}

/// Where a suppression goes: called with the finding's id and the reason.
pub(super) type Suppress<'a> = dyn FnMut(&str, &str) -> Result<()> + 'a;

/// What the review of one flow's findings came to.
#[derive(Debug, Default)]
struct Tally {
    golden: usize,
    suppressed: usize,
    skipped: usize,
    unreviewed: usize,
}

impl Terminal<'_> {
    fn say(&mut self, text: &str) -> Result<()> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
            .map_err(|e| Error::io(Path::new("<terminal>"), e))
    }

    /// One line typed by the user, trimmed; `None` at the end of input.
    fn line(&mut self) -> Result<Option<String>> {
        let mut answer = String::new();
        let read = self
            .input
            .read_line(&mut answer)
            .map_err(|e| Error::io(Path::new("<stdin>"), e))?;
        Ok((read > 0).then(|| answer.trim().to_string()))
    }

    /// Asks until the answer is one of g, s, k, q (the end of input is q).
    fn choice(&mut self) -> Result<Choice> {
        loop {
            self.say(
                "[g] accept into the golden  [s] accept as a suppression  [k] skip  [q] quit: ",
            )?;
            let Some(answer) = self.line()? else {
                self.say("\n")?;
                return Ok(Choice::Quit);
            };
            match answer.to_ascii_lowercase().as_str() {
                "g" => return Ok(Choice::Golden),
                "s" => return Ok(Choice::Suppress),
                "k" => return Ok(Choice::Skip),
                "q" => return Ok(Choice::Quit),
                _ => self.say("answer g, s, k or q\n")?,
            }
        }
    }

    /// Asks for a suppression's reason until one is given; `None` at the end of input.
    fn reason(&mut self) -> Result<Option<String>> {
        loop {
            self.say("reason (required, recorded in the config file): ")?;
            match self.line()? {
                None => {
                    self.say("\n")?;
                    return Ok(None);
                }
                Some(reason) if reason.is_empty() => {
                    self.say("a suppression needs a reason: say why the finding is accepted\n")?;
                }
                Some(reason) => return Ok(Some(reason)),
            }
        }
    }

    /// A yes/no question (default no; the end of input is no).
    fn yes(&mut self, question: &str) -> Result<bool> {
        self.say(&format!("{question} [y/N] "))?;
        let answer = self.line()?.unwrap_or_default();
        Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
    }
}

/// Asks once whether to write a new golden (none existed for the flow).
pub(super) fn new_golden(
    terminal: &mut Terminal,
    name: &str,
    path: &Path,
    exchanges: usize,
) -> Result<Decision> {
    terminal.say(&format!(
        "new golden flow {name:?} from {} ({exchanges} exchanges): no golden to compare with\n",
        path.display()
    ))?;
    let write = terminal.yes("write it as the golden?")?;
    if !write {
        terminal.say("golden not written\n")?;
    }
    Ok(Decision { write, quit: false })
}

/// Walks the findings of `report` (the capture against its golden). Suppressions are passed to
/// `suppress` as they are chosen; `suppressed` holds the ids suppressed earlier in the run (a
/// finding with one of them is not asked again).
pub(super) fn findings(
    terminal: &mut Terminal,
    report: &Report,
    suppress: &mut Suppress,
    suppressed: &mut HashSet<String>,
) -> Result<Decision> {
    terminal.say(&format!(
        "\nreviewing {} against {}: {} finding(s)\n",
        report.title(),
        report.old.source,
        report.findings.len()
    ))?;
    if !report.accepted.is_empty() {
        terminal.say(&format!(
            "{} finding(s) already accepted in the config file, not asked\n",
            report.accepted.len()
        ))?;
    }
    let mut tally = Tally::default();
    let total = report.findings.len();
    let mut quit = false;
    for (i, finding) in report.findings.iter().enumerate() {
        terminal.say(&format!("\n[{}/{total}] {}", i + 1, describe(finding)))?;
        if suppressed.contains(&finding.id) {
            terminal.say(&format!(
                "already accepted as a suppression ({}) in this review\n",
                finding.id
            ))?;
            tally.suppressed += 1;
            continue;
        }
        match terminal.choice()? {
            Choice::Golden => tally.golden += 1,
            Choice::Skip => tally.skipped += 1,
            Choice::Suppress => match terminal.reason()? {
                Some(reason) => {
                    suppress(&finding.id, &reason)?;
                    suppressed.insert(finding.id.clone());
                    tally.suppressed += 1;
                }
                None => {
                    tally.unreviewed = total - i;
                    quit = true;
                    break;
                }
            },
            Choice::Quit => {
                tally.unreviewed = total - i;
                quit = true;
                break;
            }
        }
    }
    let write = tally.golden > 0 && tally.skipped == 0 && tally.unreviewed == 0;
    terminal.say(&format!("\n{}\n", outcome(&tally, write, total)))?;
    Ok(Decision { write, quit })
}

/// The closing line of a flow's review: what was chosen, and whether (and why) the golden is
/// replaced or kept.
fn outcome(tally: &Tally, write: bool, total: usize) -> String {
    let counts = format!(
        "{} into the golden, {} suppressed, {} skipped",
        tally.golden, tally.suppressed, tally.skipped
    );
    let why = if total == 0 {
        "golden kept: no findings to review".to_string()
    } else if write {
        "golden to be replaced by the capture".to_string()
    } else if tally.unreviewed > 0 {
        format!(
            "golden kept: the review stopped with {} finding(s) not reviewed",
            tally.unreviewed
        )
    } else if tally.skipped > 0 {
        format!(
            "golden kept: {} finding(s) skipped (replacing the golden would accept them too)",
            tally.skipped
        )
    } else {
        "golden kept: no finding was accepted into it".to_string()
    };
    format!("{counts}: {why}")
}

/// A finding as the review shows it: id, severity, kind, step, call, message, old → new.
fn describe(finding: &Finding) -> String {
    let value = |v: &Option<Value>| v.as_ref().map_or_else(|| "–".to_string(), Value::to_string);
    format!(
        "{} {} [{}]\n  step {} (old {}): {}\n  {}\n  {} → {}\n",
        finding.severity,
        finding.kind.as_str(),
        finding.id,
        step_label(finding.new_step),
        step_label(finding.old_step),
        finding.call,
        finding.message,
        value(&finding.old),
        value(&finding.new),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(golden: usize, skipped: usize, unreviewed: usize) -> Tally {
        Tally {
            golden,
            suppressed: 0,
            skipped,
            unreviewed,
        }
    }

    #[test]
    fn the_outcome_says_why_the_golden_is_kept() {
        assert!(outcome(&tally(1, 0, 0), true, 1).ends_with("replaced by the capture"));
        assert!(outcome(&tally(1, 1, 0), false, 2).contains("1 finding(s) skipped"));
        assert!(outcome(&tally(1, 0, 2), false, 3).contains("2 finding(s) not reviewed"));
        assert!(outcome(&tally(0, 0, 0), false, 1).contains("no finding was accepted"));
        assert!(outcome(&tally(0, 0, 0), false, 0).contains("no findings to review"));
    }

    #[test]
    fn unknown_answers_are_asked_again_and_the_end_of_input_quits() {
        let mut input: &[u8] = b"x\nS\n";
        let mut out = Vec::new();
        let mut terminal = Terminal {
            input: &mut input,
            out: &mut out,
        };
        assert_eq!(terminal.choice().ok(), Some(Choice::Suppress));
        assert_eq!(terminal.choice().ok(), Some(Choice::Quit));
        assert!(String::from_utf8_lossy(&out).contains("answer g, s, k or q"));
    }

    #[test]
    fn a_reason_is_required() {
        let mut input: &[u8] = b"\n  \nknown upstream bug\n";
        let mut out = Vec::new();
        let mut terminal = Terminal {
            input: &mut input,
            out: &mut out,
        };
        let reason = terminal.reason().ok().flatten();
        assert_eq!(reason.as_deref(), Some("known upstream bug"));
        assert_eq!(
            String::from_utf8_lossy(&out)
                .matches("a suppression needs a reason")
                .count(),
            2
        );
    }
}

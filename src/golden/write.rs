//! Writing a bless run's goldens: every file checked to read back as written, staged, then
//! moved and renamed into place.

use crate::error::{Error, Result};
use crate::fsutil::{self, Staged};
use crate::trace_output::hook_markdown::round_trip;
use std::path::{Path, PathBuf};

/// One file operation of a bless run.
#[derive(Debug)]
pub(crate) enum Op {
    /// Write a golden's text.
    Write {
        /// The golden file.
        target: PathBuf,
        /// Its normalized hook Markdown.
        text: String,
    },
    /// Move a single-file golden into its new set as the first member.
    Move {
        /// The single-file golden.
        from: PathBuf,
        /// Its place in the set.
        to: PathBuf,
    },
}

/// Stages every write, then moves and renames; names what was not written on failure. Each
/// file moved or written is told to `done` as it happens (`moved A to B`, `wrote C`).
pub(crate) fn apply(ops: Vec<Op>, mut done_one: impl FnMut(String)) -> Result<()> {
    let (mut moves, mut writes) = (Vec::new(), Vec::new());
    for op in ops {
        match op {
            Op::Move { from, to } => moves.push((from, to)),
            Op::Write { target, text } => writes.push((target, text)),
        }
    }
    // Commit order: moves, then writes; `not_written(done)` names what is left.
    let order: Vec<String> = moves
        .iter()
        .map(|(_, to)| to)
        .chain(writes.iter().map(|(target, _)| target))
        .map(|t| t.display().to_string())
        .collect();
    let not_written = |done: usize, error: Error| {
        Error::Usage(format!(
            "{error}\nflowdiff: not written: {}",
            order[done..].join(", ")
        ))
    };
    // A golden flowdiff could not read back would break every later check: refuse it.
    for (target, text) in &writes {
        round_trip(text).map_err(|e| not_written(0, e.in_file(target)))?;
    }
    let mut created: Vec<PathBuf> = Vec::new();
    let mut staged: Vec<Staged> = Vec::new();
    for (target, text) in &writes {
        let result = make_dir(target.parent(), &mut created)
            .and_then(|()| fsutil::stage(target, text.as_bytes()));
        match result {
            Ok(file) => staged.push(file),
            Err(error) => {
                drop(staged);
                for dir in created.iter().rev() {
                    let _ = std::fs::remove_dir(dir);
                }
                return Err(not_written(0, error));
            }
        }
    }
    let mut done = 0;
    for (from, to) in moves {
        if to.exists() {
            let error = Error::Usage(format!("{}: already exists", to.display()));
            return Err(not_written(done, error));
        }
        std::fs::rename(&from, &to).map_err(|e| not_written(done, Error::io(&to, e)))?;
        done_one(format!("moved {} to {}", from.display(), to.display()));
        done += 1;
    }
    for file in staged {
        let target = file.target().display().to_string();
        file.commit().map_err(|e| not_written(done, e))?;
        done_one(format!("wrote {target}"));
        done += 1;
    }
    Ok(())
}

/// Creates `dir` and its missing parents, remembering which it created.
fn make_dir(dir: Option<&Path>, created: &mut Vec<PathBuf>) -> Result<()> {
    let Some(dir) = dir.filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    created.extend(missing.into_iter().rev());
    Ok(())
}

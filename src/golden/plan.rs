//! Planning a bless run: which golden each capture is blessed as (a flow name safe as a file
//! name), and the file operations that write it, as a single golden or a member of a set.

use super::flows::{candidates, find, flows, Flow};
use super::select::{choose, defining_calls, file_stem, flow_key, no_match_reason, Choice};
use super::write::Op;
use super::{Golden, Store};
use crate::error::{Error, Result};
use crate::normalize::RuleSet;
use crate::trace::Trace;
use std::path::{Path, PathBuf};

/// Longest flow name accepted as a file name.
const MAX_NAME: usize = 100;

/// The goldens in effect before a bless: texts as read, parsed flows, and the store they come
/// from (the built-in goldens overlaid with the store directory's, which may not exist yet).
pub(crate) struct Current {
    /// The goldens as read.
    pub goldens: Vec<Golden>,
    /// The same, parsed and normalized, a set's members in one flow.
    pub flows: Vec<Flow>,
    /// Where they are read from and blessed into.
    pub store: Store,
}

/// What planning one capture added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Planned {
    /// File operations that write it (and perhaps move a single golden into its new set).
    Written,
    /// Nothing: the capture is already this single golden file.
    AlreadyGolden(PathBuf),
    /// Nothing: the capture is already a member of this golden set directory.
    AlreadyMember(PathBuf),
}

impl Current {
    /// The goldens of `store` in effect now.
    pub(crate) fn load(store: Store, rules: &RuleSet) -> Result<Current> {
        let goldens = store.current()?;
        let flows = flows(goldens.clone(), rules)?;
        Ok(Current {
            goldens,
            flows,
            store,
        })
    }

    /// The golden file stem capture `trace` (read from `path`) is blessed as, and the current
    /// golden it replaces or joins: `flow` (`--flow`), else the capture's title, else the golden
    /// its file name names, else the current golden with the same defining calls (as `check`
    /// chooses).
    pub(crate) fn target(
        &self,
        flow: Option<&str>,
        trace: &Trace,
        path: &Path,
        rules: &RuleSet,
    ) -> Result<(String, Option<usize>)> {
        let named = flow
            .or(trace.name.as_deref())
            .filter(|n| !n.trim().is_empty());
        if let Some(name) = named {
            validate(name, rules).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            return Ok(match find(&self.flows, name, rules).ok() {
                Some(index) => (self.flows[index].name.clone(), Some(index)),
                None => (flow_key(name, rules), None),
            });
        }
        let candidates = candidates(&self.flows);
        let defining = defining_calls(trace, rules);
        let stem = file_stem(path);
        match choose(None, Some(&stem), &defining, &candidates, rules) {
            Choice::ByTitle(index) | Choice::ByFileName(index) | Choice::ByCalls(index) => {
                let name = self.flows[index].name.clone();
                validate(&name, rules)?;
                Ok((name, Some(index)))
            }
            Choice::NoMatch(closest) => Err(Error::Usage(format!(
                "{}: cannot tell which flow this capture is: it has no title, its file name names no golden in {} and none has its defining calls ({}); name it with --flow NAME",
                path.display(),
                self.store.dir().display(),
                no_match_reason(closest, &candidates)
            ))),
        }
    }

    /// Adds to `ops` the file operations that bless `text` (the capture read from `path`) as
    /// flow `stem`: its single golden, or with `add` a new member of its golden set.
    pub(crate) fn plan(
        &self,
        ops: &mut Vec<Op>,
        add: bool,
        stem: &str,
        text: String,
        path: &Path,
    ) -> Result<Planned> {
        let single = self.store.dir().join(format!("{stem}.md"));
        let is_current = self
            .goldens
            .iter()
            .any(|g| !g.builtin && Path::new(&g.source) == single && g.text == text);
        if add {
            self.plan_member(ops, stem, (single, is_current), text)
        } else {
            self.plan_single(ops, stem, (single, is_current), text, path)
        }
    }

    /// [`Current::plan`] with `add`: a new member of set `stem`, the single golden `single`
    /// (if any) moved into the set first (`is_current`: the single golden holds `text`).
    fn plan_member(
        &self,
        ops: &mut Vec<Op>,
        stem: &str,
        (single, is_current): (PathBuf, bool),
        text: String,
    ) -> Result<Planned> {
        if is_current {
            return Ok(Planned::AlreadyGolden(single));
        }
        let set = self.store.dir().join(stem);
        let members: Vec<&Golden> = self
            .goldens
            .iter()
            .filter(|g| !g.builtin && Path::new(&g.source).parent() == Some(set.as_path()))
            .collect();
        let pending = ops.iter().any(|op| match op {
            Op::Write { target, text: t } => target.parent() == Some(set.as_path()) && *t == text,
            Op::Move { .. } => false,
        });
        if pending || members.iter().any(|g| g.text == text) {
            return Ok(Planned::AlreadyMember(set));
        }
        let mut number = last_member(&members, ops, &set);
        let moving = ops
            .iter()
            .any(|op| matches!(op, Op::Move { from, .. } if *from == single));
        if single.is_file() && !moving {
            number += 1;
            ops.push(Op::Move {
                from: single,
                to: set.join(format!("{number:03}.md")),
            });
        }
        ops.push(Op::Write {
            target: set.join(format!("{:03}.md", number + 1)),
            text,
        });
        Ok(Planned::Written)
    }

    /// [`Current::plan`] without `add`: the single golden `single` of flow `stem` (`is_current`:
    /// it holds `text` already).
    fn plan_single(
        &self,
        ops: &mut Vec<Op>,
        stem: &str,
        (single, is_current): (PathBuf, bool),
        text: String,
        path: &Path,
    ) -> Result<Planned> {
        let set = self.store.dir().join(stem);
        if set.is_dir() {
            return Err(Error::Usage(format!(
                "{}: golden {stem:?} is a golden set ({}/); add to it with --add",
                path.display(),
                set.display()
            )));
        }
        let written = ops
            .iter()
            .any(|op| matches!(op, Op::Write { target, .. } if *target == single));
        if written {
            return Err(Error::Usage(format!(
                "{}: another capture is already blessed as {}; use --add to make a golden set",
                path.display(),
                single.display()
            )));
        }
        if is_current {
            return Ok(Planned::AlreadyGolden(single));
        }
        ops.push(Op::Write {
            target: single,
            text,
        });
        Ok(Planned::Written)
    }
}

/// The highest member number (`NNN.md`) in set `set`, among its `members` and the files
/// `ops` already write or move into it; 0 for none.
fn last_member(members: &[&Golden], ops: &[Op], set: &Path) -> u32 {
    let number = |file: &Path| file.file_stem()?.to_str()?.parse::<u32>().ok();
    let present = members.iter().filter_map(|g| number(Path::new(&g.source)));
    let planned = ops
        .iter()
        .filter_map(|op| match op {
            Op::Write { target, .. } | Op::Move { to: target, .. } => {
                (target.parent() == Some(set)).then_some(target)
            }
        })
        .filter_map(|t| number(t));
    present.chain(planned).max().unwrap_or(0)
}

/// Refuses flow names that could leave the golden directory or make odd file names (with no
/// letters or digits once reduced by [`flow_key`] with the client names of `rules`).
pub(crate) fn validate(name: &str, rules: &RuleSet) -> Result<()> {
    let bad = if name.contains(['/', '\\']) {
        Some("contains a path separator")
    } else if name.contains("..") {
        Some("contains `..`")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.chars().count() > MAX_NAME {
        Some("is longer than 100 characters")
    } else if flow_key(name, rules).is_empty() {
        Some("has no letters or digits")
    } else {
        None
    };
    match bad {
        Some(why) => Err(Error::Usage(format!(
            "refusing flow name {name:?}: it {why} (a flow name becomes a file name in the golden directory)"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_names_that_could_escape_are_refused() {
        for bad in [
            "../../etc/x",
            "a/b",
            "a\\b",
            "..",
            "x\u{7}",
            "x\ny",
            "",
            "!!!",
        ] {
            assert!(validate(bad, &RuleSet::builtin()).is_err(), "{bad:?}");
        }
        for good in ["openstack image create", "image-create", "server_create.v2"] {
            assert!(validate(good, &RuleSet::builtin()).is_ok(), "{good:?}");
        }
    }
}

//! The flow view (one row per exchange of either side, in flow order) and the final pass over
//! findings: rule overrides, annotation lines, flow order.

use super::align::Alignment;
use super::sides::Sides;
use super::{Comparison, Finding, Part, Row, RowKind};
use crate::trace::Exchange;

pub(super) fn rows(s: &Sides, a: &Alignment) -> Vec<Row> {
    let (old_n, new_n) = (s.old.exchanges.len(), s.new.exchanges.len());
    let mut old_pair = vec![None; old_n];
    let mut new_paired = vec![false; new_n];
    for p in &a.pairs {
        old_pair[p.old] = Some(p.new);
        new_paired[p.new] = true;
    }
    let mut old_missing = vec![false; old_n];
    a.missing.iter().for_each(|&o| old_missing[o] = true);
    let mut new_extra = vec![false; new_n];
    a.extra.iter().for_each(|&n| new_extra[n] = true);
    let (old_depth, new_depth) = (s.old.depths(), s.new.depths());
    let unpaired_kind = |listed: bool, cache: bool| match (listed, cache) {
        (true, _) => RowKind::Missing,
        (false, true) => RowKind::Suppressed,
        (false, false) => RowKind::Repeat,
    };
    let mut keyed: Vec<((usize, u8, usize), Row)> = Vec::with_capacity(old_n + new_n);
    for n in 0..new_n {
        let e = &s.new.exchanges[n];
        let kind = if new_paired[n] {
            RowKind::Paired
        } else {
            match unpaired_kind(new_extra[n], s.new_cache[n]) {
                RowKind::Missing => RowKind::Extra,
                other => other,
            }
        };
        keyed.push((
            (n + 1, 0, n),
            Row {
                kind,
                old_step: None,
                new_step: Some(n + 1),
                depth: new_depth[n],
                call: s.new_sigs[n].to_string(),
                status: e.status,
                old_status: None,
            },
        ));
    }
    let mut anchor = 0;
    for (o, paired) in old_pair.iter().enumerate() {
        match paired {
            Some(n) => {
                anchor = n + 1;
                if let Some((_, row)) = keyed.get_mut(*n) {
                    row.old_step = Some(o + 1);
                    row.old_status = s.old.exchanges[o].status;
                }
            }
            None => keyed.push((
                (anchor, 1, o),
                Row {
                    kind: unpaired_kind(old_missing[o], s.old_cache[o]),
                    old_step: Some(o + 1),
                    new_step: None,
                    depth: old_depth[o],
                    call: s.old_sigs[o].to_string(),
                    status: s.old.exchanges[o].status,
                    old_status: s.old.exchanges[o].status,
                },
            )),
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, row)| row).collect()
}

/// Applies rule overrides, sets annotation lines and sorts findings in flow order.
pub(super) fn finish(s: &Sides, c: &mut Comparison) {
    let mut pos_old = vec![usize::MAX; s.old.exchanges.len()];
    let mut pos_new = vec![usize::MAX; s.new.exchanges.len()];
    let mut line_at = Vec::with_capacity(c.rows.len());
    let mut last_line = None;
    for (pos, row) in c.rows.iter().enumerate() {
        if let Some(o) = row.old_step {
            pos_old[o - 1] = pos;
        }
        if let Some(n) = row.new_step {
            pos_new[n - 1] = pos;
            let e = &s.new.exchanges[n - 1];
            last_line = e.request.line.or(e.response.line).or(last_line);
        }
        line_at.push(last_line);
    }
    let position = |f: &Finding| match (f.new_step, f.old_step) {
        (Some(n), _) => pos_new.get(n - 1).copied().unwrap_or(usize::MAX),
        (None, Some(o)) => pos_old.get(o - 1).copied().unwrap_or(usize::MAX),
        (None, None) => usize::MAX,
    };
    let before = c.findings.len();
    c.findings.retain_mut(|f| {
        let sig = match (f.new_step, f.old_step) {
            (Some(n), _) => s.new_sigs.get(n - 1),
            (None, Some(o)) => s.old_sigs.get(o - 1),
            (None, None) => None,
        };
        match sig.and_then(|sig| s.rules.severity_override(f.kind.as_str(), sig)) {
            Some(None) => return false,
            Some(Some(severity)) => f.severity = severity,
            None => {}
        }
        f.line = line_at.get(position(f)).copied().flatten();
        let part_line = |exchanges: &[Exchange], step: Option<usize>| {
            step.and_then(|n| exchanges.get(n - 1))
                .and_then(|e| part_line(e, f.part))
        };
        f.old_line = part_line(&s.old.exchanges, f.old_step);
        f.new_line = part_line(&s.new.exchanges, f.new_step);
        true
    });
    c.suppressed.ignored_by_rule += before - c.findings.len();
    c.findings.sort_by_key(|f| position(f));
}

/// The line of the part of `e` a finding of `part` is about: the response heading for the
/// status, response headers and body, the request heading otherwise (either one when the
/// other side of the exchange was not captured).
fn part_line(e: &Exchange, part: Part) -> Option<usize> {
    match part {
        Part::Status | Part::ResponseHeaders | Part::ResponseBody => {
            e.response.line.or(e.request.line)
        }
        _ => e.request.line.or(e.response.line),
    }
}

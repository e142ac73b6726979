//! Notes as Markdown for release notes: title, summary table, one section per changed flow
//! (its sequence diagram, then its changes).

use super::group::code;
use super::{Change, FlowNotes, Link, Notes, Status};
use std::fmt::Write;

/// At most this many step links per line; the rest are counted.
const MAX_LINKS: usize = 3;

/// Renders `notes` as Markdown.
pub fn render(notes: &Notes) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", one_line(&notes.title));
    let count = |s: Status| notes.flows.iter().filter(|f| f.status == s).count();
    let _ = writeln!(
        out,
        "Compared {} with {}: {} changed, {} unchanged, {} added, {} no longer captured.\n",
        code(&notes.old),
        code(&notes.new),
        count(Status::Changed),
        count(Status::Unchanged),
        count(Status::Added),
        count(Status::Removed),
    );
    let changed: Vec<&FlowNotes> = of(notes, Status::Changed);
    if changed.is_empty() {
        out.push_str("No flow changed.\n\n");
    } else {
        out.push_str("| flow | breaking | warning | info |\n|---|---:|---:|---:|\n");
        for flow in &changed {
            let c = flow.counts;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&flow.flow),
                c.breaking,
                c.warning,
                c.info
            );
        }
        out.push('\n');
    }
    list(&mut out, "Unchanged", &of(notes, Status::Unchanged));
    list(&mut out, "Flows added", &of(notes, Status::Added));
    list(
        &mut out,
        "Flows no longer captured",
        &of(notes, Status::Removed),
    );
    for flow in changed {
        section(&mut out, flow);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn of(notes: &Notes, status: Status) -> Vec<&FlowNotes> {
    notes.flows.iter().filter(|f| f.status == status).collect()
}

/// `**Unchanged:** `a`, `b`.` — one line for all flows of a status.
fn list(out: &mut String, label: &str, flows: &[&FlowNotes]) {
    if flows.is_empty() {
        return;
    }
    let names: Vec<String> = flows
        .iter()
        .map(|f| {
            let source = f.new.as_ref().or(f.old.as_ref());
            match (source, &f.link) {
                (_, Some(link)) => format!("{} ([capture]({}))", code(&f.flow), target(link)),
                (Some(source), None) => format!("{} ({})", code(&f.flow), code(source)),
                (None, None) => code(&f.flow),
            }
        })
        .collect();
    let _ = writeln!(out, "**{label}:** {}.\n", names.join(", "));
}

fn section(out: &mut String, flow: &FlowNotes) {
    let _ = writeln!(out, "## {}\n", one_line(&flow.flow));
    let c = flow.counts;
    let how = flow
        .paired_by
        .and_then(|p| serde_json::to_value(p).ok())
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} → {} (paired by {how}): {} breaking, {} warning, {} info.\n",
        code(flow.old.as_deref().unwrap_or("")),
        code(flow.new.as_deref().unwrap_or("")),
        c.breaking,
        c.warning,
        c.info
    );
    if let Some(report) = &flow.report {
        out.push_str(&crate::report::mermaid::fenced(report, false));
        out.push('\n');
    }
    let mut service: Option<&str> = None;
    let mut kind = None;
    for (i, change) in flow.changes.iter().enumerate() {
        if service != Some(change.service.as_str()) {
            let _ = writeln!(out, "### {}\n", one_line(&change.service));
            service = Some(&change.service);
            kind = None;
        }
        if kind != Some(change.kind) {
            let _ = writeln!(out, "**{}**\n", change.kind.heading());
            kind = Some(change.kind);
        }
        let _ = writeln!(out, "- {}", line(change, flow.link.as_deref()));
        let next = flow.changes.get(i + 1);
        if next.is_none_or(|n| n.service != change.service || n.kind != change.kind) {
            out.push('\n');
        }
    }
}

/// One change: severity, sentence, links to the new capture's steps.
fn line(change: &Change, link: Option<&str>) -> String {
    let mut text = format!("**{}**: {}", change.severity, change.text);
    let links: Vec<String> = change
        .links
        .iter()
        .take(MAX_LINKS)
        .map(|l| step_link(l, link))
        .collect();
    if !links.is_empty() {
        let more = change.links.len().saturating_sub(MAX_LINKS);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = write!(text, " ({}{tail})", links.join(", "));
    }
    text
}

fn step_link(l: &Link, link: Option<&str>) -> String {
    let label = match (l.step, l.after) {
        (Some(step), false) => format!("step {step}"),
        (Some(step), true) => format!("after step {step}"),
        (None, _) => format!("line {}", l.line),
    };
    match link {
        Some(file) => format!("[{label}]({}#L{})", target(file), l.line),
        None => label,
    }
}

/// A link target with spaces and parentheses escaped.
fn target(path: &str) -> String {
    path.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

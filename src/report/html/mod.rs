//! The HTML report (`--format html`): one self-contained page (inline CSS and a little inline
//! script, nothing fetched), readable without script and printable.
//!
//! A header with the verdict and counts (a summary table of the flows when there are several),
//! then per flow the comparison drawn as a sequence diagram (inline SVG, `svg`) beside the old
//! and new calls aligned row by row like the text report, each finding under its row as a
//! `<details>` opening on its part, pointer, old and new values and capture lines. Every row is
//! linkable (`#step-12`, `#old-step-7`; `#flow-2-step-12` with several flows). The script only
//! filters findings by severity and folds or unfolds everything (and unfolds before printing).
//! Every captured value is escaped.

use super::diagram::{Call, Diagram, Item};
use super::failures::Failure;
pub use super::markup::{escape, severity_class, symbol};
use super::{step_label, Report, Verdict};
use crate::compare::{Finding, Row, RowKind};
use crate::severity::Severity;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The page's style sheet.
const STYLE: &str = include_str!("style.css");
/// The page's script: severity filters, fold and unfold all, unfold before printing.
const SCRIPT: &str = include_str!("script.js");

/// A whole page: `title`, then `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// The severity filters and the fold buttons (hidden until the script shows them).
pub fn controls() -> String {
    let mut out = String::from(
        "<form id=\"controls\" class=\"controls\" hidden><fieldset><legend>Show findings</legend>",
    );
    for severity in [Severity::Breaking, Severity::Warning, Severity::Info] {
        let name = severity.as_str();
        let _ = write!(
            out,
            "<label class=\"sev-{name}\"><input type=\"checkbox\" data-severity=\"{name}\" \
             checked> {} {name}</label> ",
            symbol(severity)
        );
    }
    out.push_str(
        "</fieldset><button type=\"button\" data-fold=\"open\">Unfold all</button> \
         <button type=\"button\" data-fold=\"close\">Fold all</button></form>\n",
    );
    out
}

/// Writes the page of `reports` (and of the captures `check` could not read); `intro` lines
/// go under the title (a run's summary).
pub fn render(
    reports: &[Report],
    failures: &[Failure],
    intro: &[String],
    full: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let failed = reports.iter().any(|r| r.verdict == Verdict::Fail);
    let verdict = if failed || !failures.is_empty() {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    let mut body = String::from("<header>\n<h1>flowdiff report</h1>\n");
    let _ = writeln!(body, "<p class=\"verdict\">{}</p>", verdict_mark(verdict));
    for line in intro {
        let _ = writeln!(body, "<p>{}</p>", escape(line));
    }
    let several = reports.len() + failures.len() > 1;
    if several {
        summary_table(reports, &mut body);
    } else if let Some(report) = reports.first() {
        let _ = writeln!(body, "{}", counts_line(report));
    }
    body.push_str(&controls());
    body.push_str("</header>\n<main>\n");
    for (i, report) in reports.iter().enumerate() {
        let prefix = if several {
            format!("flow-{}-", i + 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            body,
            "<section class=\"flow\" id=\"{}\">\n<h2>{} {}</h2>",
            section_id(reports, i),
            verdict_mark(report.verdict),
            escape(&report.title())
        );
        if several {
            let _ = writeln!(body, "{}", counts_line(report));
        }
        body.push_str(&flow_body(report, &prefix, full, 3));
        body.push_str("</section>\n");
    }
    if !failures.is_empty() {
        body.push_str("<section id=\"not-checked\">\n<h2>✖ Not checked</h2>\n<ul>\n");
        for f in failures {
            let _ = writeln!(
                body,
                "<li class=\"sev-breaking\">✖ {}</li>",
                escape(&f.error)
            );
        }
        body.push_str("</ul>\n</section>\n");
    }
    body.push_str("</main>\n");
    let title = match reports {
        [one] => format!("flowdiff: {}", one.title()),
        _ => format!("flowdiff: {} flows", reports.len() + failures.len()),
    };
    out.write_all(page(&title, &body).as_bytes())
}

/// The id of report `i`'s section.
fn section_id(reports: &[Report], i: usize) -> String {
    if reports.len() > 1 {
        format!("flow-{}", i + 1)
    } else {
        "flow".to_string()
    }
}

/// `✔ pass` or `✖ fail`, coloured.
fn verdict_mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "<span class=\"pass\">✔ pass</span>",
        Verdict::Fail => "<span class=\"fail\">✖ fail</span>",
    }
}

/// The counts of one report, and what it compared.
fn counts_line(report: &Report) -> String {
    let c = report.counts;
    let s = report.suppressed;
    format!(
        "<p class=\"counts\"><span class=\"sev-breaking\">✖ {} breaking</span>, \
         <span class=\"sev-warning\">▲ {} warning</span>, <span class=\"sev-info\">ℹ {} info</span>; \
         {} accepted; suppressed {} cache-dependent calls, {} optional by golden set.<br>\
         old <code>{}</code> ({} exchanges), new <code>{}</code> ({} exchanges)</p>",
        c.breaking,
        c.warning,
        c.info,
        c.accepted,
        s.cache_dependent_calls,
        s.optional_by_golden_set,
        escape(&report.old.source),
        report.old.exchanges,
        escape(&report.new.source),
        report.new.exchanges
    )
}

/// The table of flows on top of a page of several.
fn summary_table(reports: &[Report], out: &mut String) {
    out.push_str(
        "<table class=\"summary\"><caption>Flows</caption><thead><tr><th scope=\"col\">flow</th>\
         <th scope=\"col\">verdict</th><th scope=\"col\">✖ breaking</th><th scope=\"col\">▲ warning</th>\
         <th scope=\"col\">ℹ info</th></tr></thead><tbody>\n",
    );
    for (i, r) in reports.iter().enumerate() {
        let c = r.counts;
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\"><a href=\"#{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            section_id(reports, i),
            escape(&r.title()),
            verdict_mark(r.verdict),
            c.breaking,
            c.warning,
            c.info
        );
    }
    out.push_str("</tbody></table>\n");
}

/// One flow: its warnings, the diagram beside the call list, and findings not on any row.
/// Ids start with `prefix`; sub-headings are of `level`.
pub fn flow_body(report: &Report, prefix: &str, full: bool, level: usize) -> String {
    let diagram = Diagram::of(report, full);
    let by_row = super::findings_by_row(report);
    let mut out = String::new();
    for w in &report.warnings {
        let _ = writeln!(
            out,
            "<p class=\"sev-warning\">▲ warning: {}</p>",
            escape(&w.message)
        );
    }
    let anchor = |call: &Call| row_id(prefix, &report.rows[call.rows.start]);
    let fold_anchor = |i: usize| format!("{prefix}fold-{}", i + 1);
    let _ = write!(
        out,
        "<div class=\"panes\">\n<figure class=\"diagram-pane\"><h{level}>Sequence diagram</h{level}>\n\
         {}\n<figcaption>{} participants, {} calls; missing calls on red (−), new calls on green \
         (+), moved calls on yellow (↕); arrows coloured by their worst finding.</figcaption>\
         </figure>\n<div class=\"list-pane\"><h{level}>Calls, old and new side by side</h{level}>\n",
        super::svg::render(&diagram, &anchor, &fold_anchor),
        diagram.participants.len(),
        diagram.call_count()
    );
    out.push_str(
        "<table class=\"calls\"><colgroup><col class=\"step\"><col class=\"step\"><col class=\"mark\">\
         <col><col class=\"status\"></colgroup><thead><tr><th scope=\"col\">old</th><th scope=\"col\">new</th>\
         <th scope=\"col\"><span class=\"visually-hidden\">change</span></th><th scope=\"col\">call</th>\
         <th scope=\"col\">status</th></tr></thead>\n",
    );
    let mut placed = 0;
    let mut folds = 0;
    for item in &diagram.items {
        match item {
            Item::Call(call) => {
                out.push_str("<tbody>");
                for pos in call.rows.clone() {
                    placed += row(report, pos, &by_row, prefix, &mut out);
                }
                out.push_str("</tbody>\n");
            }
            Item::Folded { calls, rows } => {
                folds += 1;
                let _ = write!(
                    out,
                    "<tbody class=\"folded\"><tr><td colspan=\"5\"><details id=\"{prefix}fold-{folds}\">\
                     <summary>… {calls} unchanged calls …</summary><table class=\"calls\"><colgroup>\
                     <col class=\"step\"><col class=\"step\"><col class=\"mark\"><col><col class=\"status\">\
                     </colgroup>"
                );
                for pos in rows.clone() {
                    placed += row(report, pos, &by_row, prefix, &mut out);
                }
                out.push_str("</table></details></td></tr></tbody>\n");
            }
        }
    }
    out.push_str("</table>\n");
    if placed < report.findings.len() {
        let _ = writeln!(out, "<h{level}>Other findings</h{level}>");
        let on_rows: std::collections::HashSet<*const Finding> = by_row
            .values()
            .flatten()
            .map(|f| std::ptr::from_ref(*f))
            .collect();
        for f in &report.findings {
            if !on_rows.contains(&std::ptr::from_ref(f)) {
                out.push_str(&finding(report, f));
            }
        }
    }
    out.push_str("</div>\n</div>\n");
    out
}

/// The id of a row: its new step's, else its old step's.
fn row_id(prefix: &str, row: &Row) -> String {
    match (row.new_step, row.old_step) {
        (Some(n), _) => format!("{prefix}step-{n}"),
        (None, Some(o)) => format!("{prefix}old-step-{o}"),
        (None, None) => format!("{prefix}row"),
    }
}

/// One row of the call list and its findings; returns how many findings it showed.
fn row(
    report: &Report,
    pos: usize,
    by_row: &HashMap<usize, Vec<&Finding>>,
    prefix: &str,
    out: &mut String,
) -> usize {
    let row = &report.rows[pos];
    let (class, mark, title) = match row.kind {
        RowKind::Paired => ("same", "", "in both"),
        RowKind::Missing => ("missing", "−", "missing in new"),
        RowKind::Extra => ("extra", "+", "new call"),
        RowKind::Repeat => ("repeat", "·", "a repetition on one side"),
        RowKind::Suppressed => ("plumbing", "·", "plumbing on one side"),
    };
    let findings = by_row.get(&pos).map_or(&[][..], Vec::as_slice);
    let worst = findings.iter().map(|f| f.severity).max();
    let sev = worst.map_or(String::new(), |s| format!(" sev-{}", severity_class(s)));
    let show = |s: Option<u16>| s.map_or_else(|| "no response".to_string(), |s| s.to_string());
    let status = if row.old_step.is_some() && row.new_step.is_some() && row.old_status != row.status
    {
        format!("{} → {}", show(row.old_status), show(row.status))
    } else {
        show(row.status)
    };
    let call = match super::split_call(&row.call) {
        Some(c) => format!(
            "<span class=\"actor\">{}</span> → <span class=\"actor\">{}</span> <b>{}</b> {}",
            escape(c.caller),
            escape(c.callee),
            escape(c.method),
            escape(c.path)
        ),
        None => escape(&row.call),
    };
    let id = row_id(prefix, row);
    let _ = writeln!(
        out,
        "<tr id=\"{id}\" class=\"row {class}{sev}\" style=\"--depth:{}\"><td><a href=\"#{id}\">{}</a></td>\
         <td><a href=\"#{id}\">{}</a></td><td title=\"{title}\">{mark}</td><td class=\"call\">{call}</td>\
         <td>{}</td></tr>",
        row.depth.min(12),
        step_label(row.old_step),
        step_label(row.new_step),
        escape(&status)
    );
    for f in findings {
        let _ = writeln!(
            out,
            "<tr class=\"finding-row\" data-severity=\"{}\"><td colspan=\"5\">{}</td></tr>",
            severity_class(f.severity),
            finding(report, f)
        );
    }
    findings.len()
}

/// One finding: a `<details>` whose summary says what it is and whose body shows the part,
/// pointer, values and capture lines.
fn finding(report: &Report, f: &Finding) -> String {
    let sev = severity_class(f.severity);
    let mut out = format!(
        "<details class=\"finding sev-{sev}\" data-finding=\"{}\" data-severity=\"{sev}\">\
         <summary><span class=\"severity\">{} {sev}</span> <b>{}</b> <code>{}</code>: {}</summary>\
         <dl>",
        escape(&f.id),
        symbol(f.severity),
        f.kind.as_str(),
        escape(&f.id),
        escape(&f.message)
    );
    let part = serde_json::to_value(f.part)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<dt>call</dt><dd><code>{}</code></dd><dt>part</dt><dd>{}</dd>",
        escape(&f.call),
        escape(&part)
    );
    if let Some(pointer) = &f.pointer {
        let _ = write!(
            out,
            "<dt>pointer</dt><dd><code class=\"pointer\">{}</code></dd>",
            escape(pointer)
        );
    }
    for (label, value) in [("old", &f.old), ("new", &f.new)] {
        if let Some(value) = value {
            let text = serde_json::to_string_pretty(value).unwrap_or_default();
            let _ = write!(
                out,
                "<dt>{label}</dt><dd><pre class=\"value {label}\">{}</pre></dd>",
                escape(&text)
            );
        }
    }
    for (label, source, line) in [
        ("old line", &report.old.source, f.old_line),
        ("new line", &report.new.source, f.new_line),
    ] {
        if let Some(line) = line {
            let _ = write!(
                out,
                "<dt>{label}</dt><dd><code>{}:{line}</code></dd>",
                escape(source)
            );
        }
    }
    out.push_str("</dl></details>");
    out
}

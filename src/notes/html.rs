//! Notes as one self-contained HTML page: title, totals, summary table, then per changed flow
//! its changes in plain language and its comparison (diagram and calls) as the HTML report
//! draws it.

use super::{FlowNotes, Notes, Status};
use crate::report::html::{escape, flow_body, page, symbol};
use std::fmt::Write;

/// Renders `notes` as HTML.
pub fn render(notes: &Notes) -> String {
    let mut body = format!("<header>\n<h1>{}</h1>\n", escape(&notes.title));
    totals(&mut body, notes);
    let changed: Vec<(usize, &FlowNotes)> = notes
        .flows
        .iter()
        .filter(|f| f.status == Status::Changed)
        .enumerate()
        .collect();
    summary(&mut body, &changed);
    for (label, status) in [
        ("Unchanged", Status::Unchanged),
        ("Flows added", Status::Added),
        ("Flows no longer captured", Status::Removed),
    ] {
        names(&mut body, notes, label, status);
    }
    body.push_str(&crate::report::html::controls());
    body.push_str("</header>\n<main>\n");
    for (i, flow) in changed {
        changed_flow(&mut body, i, flow);
    }
    body.push_str("</main>\n");
    page(&notes.title, &body)
}

/// The line saying what was compared with what, and how many flows of each status there are.
fn totals(body: &mut String, notes: &Notes) {
    let count = |s: Status| notes.flows.iter().filter(|f| f.status == s).count();
    let _ = writeln!(
        body,
        "<p>Compared <code>{}</code> with <code>{}</code>: {} changed, {} unchanged, {} added, \
         {} no longer captured.</p>",
        escape(&notes.old),
        escape(&notes.new),
        count(Status::Changed),
        count(Status::Unchanged),
        count(Status::Added),
        count(Status::Removed)
    );
}

/// The table of the `changed` flows (numbered from 0) with their findings by severity, each
/// linking to its section; nothing when none changed.
fn summary(body: &mut String, changed: &[(usize, &FlowNotes)]) {
    if changed.is_empty() {
        return;
    }
    body.push_str(
        "<table class=\"summary\"><caption>Changed flows</caption><thead><tr>\
         <th scope=\"col\">flow</th><th scope=\"col\">✖ breaking</th>\
         <th scope=\"col\">▲ warning</th><th scope=\"col\">ℹ info</th></tr></thead><tbody>\n",
    );
    for (i, flow) in changed {
        let c = flow.counts;
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\"><a href=\"#flow-{}\">{}</a></th><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            i + 1,
            escape(&flow.flow),
            c.breaking,
            c.warning,
            c.info
        );
    }
    body.push_str("</tbody></table>\n");
}

/// One line naming, after `label`, every flow of `status`; nothing when there is none.
fn names(body: &mut String, notes: &Notes, label: &str, status: Status) {
    let names: Vec<String> = notes
        .flows
        .iter()
        .filter(|f| f.status == status)
        .map(|f| format!("<code>{}</code>", escape(&f.flow)))
        .collect();
    if !names.is_empty() {
        let _ = writeln!(body, "<p><b>{label}:</b> {}.</p>", names.join(", "));
    }
}

/// The section of the `i`-th changed flow (from 0): its changes, a list per service, then its
/// comparison as the HTML report draws it.
fn changed_flow(body: &mut String, i: usize, flow: &FlowNotes) {
    let _ = writeln!(
        body,
        "<section class=\"flow\" id=\"flow-{}\">\n<h2>{}</h2>",
        i + 1,
        escape(&flow.flow)
    );
    let mut service: Option<&str> = None;
    for change in &flow.changes {
        if service != Some(change.service.as_str()) {
            if service.is_some() {
                body.push_str("</ul>\n");
            }
            let _ = writeln!(body, "<h3>{}</h3>\n<ul>", escape(&change.service));
            service = Some(&change.service);
        }
        let _ = writeln!(
            body,
            "<li class=\"sev-{0}\" data-severity=\"{0}\"><b>{1} {0}</b> ({2}): {3}</li>",
            change.severity,
            symbol(change.severity),
            escape(change.kind.heading()),
            escape(&change.text)
        );
    }
    if service.is_some() {
        body.push_str("</ul>\n");
    }
    if let Some(report) = &flow.report {
        body.push_str(&flow_body(report, &format!("flow-{}-", i + 1), false, 3));
    }
    body.push_str("</section>\n");
}

//! The comparison diagram drawn as inline SVG for the HTML report (no Mermaid, no script):
//! one lifeline per participant, one arrow (`class="arrow"`) per call drawn, each linking to
//! its row of the call list; missing, new and moved calls on a colored band with a symbol,
//! arrows colored by the highest severity of their findings, folded runs as one dashed band.

use super::diagram::{Call, Change, Diagram, Item};
use super::markup::{escape, severity_class};
use std::fmt::Write;

/// Width given to each participant.
const COLUMN: usize = 140;
/// Height of one item.
const ROW: usize = 30;
/// Height of the participant boxes.
const HEAD: usize = 34;

/// The SVG of `diagram`; `anchor(call)` gives the id of the list row an arrow links to, and
/// `fold_anchor(i)` the id of the `i`-th folded run in the list.
pub(super) fn render(
    diagram: &Diagram,
    anchor: &dyn Fn(&Call) -> String,
    fold_anchor: &dyn Fn(usize) -> String,
) -> String {
    let width = COLUMN * diagram.participants.len().max(1);
    let height = HEAD * 2 + ROW * (rows(diagram) + 1);
    let mut out = String::new();
    open(&mut out, diagram.call_count(), width, height);
    let mut items = Items {
        width,
        y: HEAD + ROW,
        folds: 0,
        bands: String::new(),
        body: String::new(),
    };
    for item in &diagram.items {
        match item {
            Item::Call(call) => items.call(call, &anchor(call)),
            Item::Folded { calls, .. } => items.folded(*calls, fold_anchor),
        }
        items.y += ROW;
    }
    out.push_str(&items.bands);
    out.push_str(&lifelines(&diagram.participants, height));
    out.push_str(&items.body);
    out.push_str("</svg>");
    out
}

/// The rows `diagram` takes: one per item, two for a call with a note.
fn rows(diagram: &Diagram) -> usize {
    diagram
        .items
        .iter()
        .map(|i| match i {
            Item::Call(c) if c.note().is_some() => 2,
            _ => 1,
        })
        .sum()
}

/// The middle of participant `i`'s column, where its lifeline runs.
fn x(i: usize) -> usize {
    COLUMN * i + COLUMN / 2
}

/// Opens the SVG element of a drawing of `calls` calls, `width` by `height`, with the arrow
/// head it uses.
fn open(out: &mut String, calls: usize, width: usize, height: usize) {
    let _ = write!(
        out,
        "<svg class=\"diagram\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-label=\"Sequence diagram of {calls} calls\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\">"
    );
    out.push_str(
        "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" \
         fill=\"context-stroke\"/></marker></defs>",
    );
}

/// Each participant's box at the top and at the bottom of a drawing `height` high, and its
/// lifeline between them.
fn lifelines(participants: &[String], height: usize) -> String {
    let mut out = String::new();
    for (i, name) in participants.iter().enumerate() {
        let name = escape(name);
        for y in [4, height - HEAD - 4] {
            let _ = write!(
                out,
                "<g class=\"participant\"><rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" \
                 rx=\"4\"/><text x=\"{}\" y=\"{}\">{name}</text></g>",
                x(i) - COLUMN / 2 + 8,
                COLUMN - 16,
                HEAD - 8,
                x(i),
                y + HEAD / 2 + 1
            );
        }
        let _ = write!(
            out,
            "<line class=\"lifeline\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
            x(i),
            HEAD,
            height - HEAD - 4
        );
    }
    out
}

/// The diagram's items drawn row by row: the bands behind calls that stand out (drawn first,
/// under the lifelines) and the arrows, notes and folded runs (drawn over them).
struct Items {
    /// The drawing's width.
    width: usize,
    /// Where the current row's arrow runs.
    y: usize,
    /// Folded runs drawn so far.
    folds: usize,
    /// The bands.
    bands: String,
    /// The arrows, notes and folded runs.
    body: String,
}

impl Items {
    /// Draws `call`, linking to the row `href` names: its band, its arrow and its note (on a
    /// row of its own).
    fn call(&mut self, call: &Call, href: &str) {
        if let Some(fill) = band(call.change) {
            let _ = write!(
                self.bands,
                "<rect class=\"band {fill}\" x=\"2\" y=\"{}\" width=\"{}\" height=\"{ROW}\"/>",
                self.y - ROW + 6,
                self.width - 4
            );
        }
        arrow(call, self.y, href, &mut self.body);
        if let Some(note) = call.note() {
            self.y += ROW;
            let (a, b) = (x(call.from.min(call.to)), x(call.from.max(call.to)));
            let _ = write!(
                self.body,
                "<g class=\"note\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\
                 <text x=\"{}\" y=\"{}\">{}</text></g>",
                a - 40,
                self.y - ROW / 2 - 2,
                b - a + 80,
                ROW - 8,
                (a + b) / 2,
                self.y - 2,
                escape(&note)
            );
        }
    }

    /// Draws a folded run of `calls` unchanged calls, linking to its row in the list.
    fn folded(&mut self, calls: usize, fold_anchor: &dyn Fn(usize) -> String) {
        let plural = if calls == 1 { "call" } else { "calls" };
        let _ = write!(
            self.body,
            "<a href=\"#{}\"><g class=\"folded\"><rect x=\"8\" y=\"{}\" width=\"{}\" \
             height=\"{}\"/><text x=\"{}\" y=\"{}\">… {calls} unchanged {plural} …</text>\
             </g></a>",
            fold_anchor(self.folds),
            self.y - ROW / 2 - 2,
            self.width - 16,
            ROW - 8,
            self.width / 2,
            self.y - 2
        );
        self.folds += 1;
    }
}

/// The class of the band behind a call that stands out.
fn band(change: Change) -> Option<&'static str> {
    match change {
        Change::Missing => Some("missing"),
        Change::Extra => Some("extra"),
        Change::Moved => Some("moved"),
        Change::Same | Change::Plumbing => None,
    }
}

/// One call's arrow (a loop for a call to itself) and its label, linking to its row.
fn arrow(call: &Call, y: usize, href: &str, out: &mut String) {
    let (change, symbol) = match call.change {
        Change::Same => ("same", ""),
        Change::Missing => ("missing", "− "),
        Change::Extra => ("extra", "+ "),
        Change::Moved => ("moved", "↕ "),
        Change::Plumbing => ("plumbing", ""),
    };
    let severity = call.severity.map_or("none", severity_class);
    let _ = write!(
        out,
        "<a href=\"#{href}\"><g class=\"arrow {change} sev-{severity}\"><title>{}</title>",
        escape(&format!("{}: {}", call.steps_text(), call.label()))
    );
    let (a, b) = (x(call.from), x(call.to));
    let label = escape(&format!("{symbol}{}", call.label()));
    if a == b {
        let _ = write!(
            out,
            "<path class=\"line\" d=\"M{a},{} h36 v10 h-34\" marker-end=\"url(#head)\" fill=\"none\"/>\
             <text class=\"label self\" x=\"{}\" y=\"{}\">{label}</text>",
            y - 6,
            a + 42,
            y + 2
        );
    } else {
        let _ = write!(
            out,
            "<line class=\"line\" x1=\"{a}\" y1=\"{y}\" x2=\"{b}\" y2=\"{y}\" marker-end=\"url(#head)\"/>\
             <text class=\"label\" x=\"{}\" y=\"{}\">{label}</text>",
            (a + b) / 2,
            y - 5
        );
    }
    out.push_str("</g></a>");
}

//! JUnit XML: one testcase per compared flow, one failure per finding that fails the gate;
//! warnings about the comparison as a whole go to the testcase's `system-out`.

use super::Report;
use std::io::{self, Write};

/// Writes one `<testsuites>` document for all reports.
pub fn render(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    let failing: Vec<usize> = reports
        .iter()
        .map(|r| r.findings.iter().filter(|f| r.fails(f)).count())
        .collect();
    let failed_cases = failing.iter().filter(|n| **n > 0).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="flowdiff" tests="{}" failures="{failed_cases}" errors="0">"#,
        reports.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="flowdiff" tests="{}" failures="{failed_cases}" errors="0" skipped="0">"#,
        reports.len()
    )?;
    for report in reports {
        writeln!(
            out,
            r#"    <testcase classname="flowdiff" name="{}">"#,
            escape(&report.title())
        )?;
        for f in report.findings.iter().filter(|f| report.fails(f)) {
            let steps = format!(
                "old step {}, new step {}",
                super::step_label(f.old_step),
                super::step_label(f.new_step)
            );
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}: {} ({steps}) [{} {}]</failure>"#,
                f.kind.as_str(),
                escape(&f.message),
                escape(&f.call),
                escape(&f.message),
                f.severity,
                f.id
            )?;
        }
        let c = report.counts;
        let warnings: String = report
            .warnings
            .iter()
            .map(|w| format!("\nwarning: {}", escape(&w.message)))
            .collect();
        writeln!(
            out,
            "      <system-out>{} vs {}: {} breaking, {} warning, {} info{warnings}</system-out>",
            escape(&report.new.source),
            escape(&report.old.source),
            c.breaking,
            c.warning,
            c.info
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Escapes text for XML content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_specials_are_escaped() {
        assert_eq!(
            super::escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}

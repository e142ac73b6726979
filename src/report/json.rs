//! The `flowdiff/v1` JSON report: one object per comparison, an array for several.

use super::Report;
use std::io::{self, Write};

/// Writes one report as an object, several as an array, pretty-printed with a final newline.
pub(super) fn render(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    let result = match reports {
        [one] => serde_json::to_writer_pretty(&mut *out, one),
        many => serde_json::to_writer_pretty(&mut *out, many),
    };
    result.map_err(io::Error::from)?;
    writeln!(out)
}

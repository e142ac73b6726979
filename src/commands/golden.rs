//! `flowdiff golden list|export`: the golden store as the other commands see it.

use super::{emit, Context, Outcome};
use crate::cli::GoldenCommand;
use crate::error::Result;
use crate::golden::Store;
use std::fmt::Write;

/// Runs `flowdiff golden …`.
pub(super) fn run(command: &GoldenCommand, context: &Context) -> Result<Outcome> {
    match command {
        GoldenCommand::List(args) => {
            let goldens = context.store(args).goldens()?;
            let mut out = String::new();
            let width = goldens.iter().map(|g| g.name.len()).max().unwrap_or(0);
            let mut names: Vec<&str> = goldens.iter().map(|g| g.name.as_str()).collect();
            names.dedup();
            for name in names {
                let members: Vec<_> = goldens.iter().filter(|g| g.name == name).collect();
                let origin = match members.as_slice() {
                    [one] if one.builtin => "built-in".to_string(),
                    [one] => one.source.clone(),
                    many => {
                        let dir = std::path::Path::new(&many[0].source)
                            .parent()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default();
                        format!("{dir}/ (golden set, {} members)", many.len())
                    }
                };
                let _ = writeln!(out, "{name:<width$}  {origin}");
            }
            emit(None, out.as_bytes())?;
        }
        GoldenCommand::Export { dir } => {
            for file in Store::export_builtin(dir)? {
                eprintln!("flowdiff: wrote {}", file.display());
            }
        }
    }
    Ok(Outcome::Pass)
}

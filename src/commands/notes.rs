//! `flowdiff notes` (not implemented yet).

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff notes`.
pub fn run(args: &crate::cli::NotesArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`notes` is not implemented yet".into()))
}

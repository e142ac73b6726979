//! `flowdiff diff` (not implemented yet).

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff diff`.
pub fn run(args: &crate::cli::DiffArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`diff` is not implemented yet".into()))
}

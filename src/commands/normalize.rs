//! `flowdiff normalize` (not implemented yet).

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff normalize`.
pub fn run(args: &crate::cli::NormalizeArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`normalize` is not implemented yet".into()))
}

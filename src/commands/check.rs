//! `flowdiff check` (not implemented yet).

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff check`.
pub fn run(args: &crate::cli::CheckArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`check` is not implemented yet".into()))
}

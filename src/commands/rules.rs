//! `flowdiff rules` (not implemented yet).

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff rules`.
pub fn run(args: &crate::cli::RulesArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`rules` is not implemented yet".into()))
}

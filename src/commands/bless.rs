//! `flowdiff bless` (not implemented yet).

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff bless`.
pub fn run(args: &crate::cli::BlessArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`bless` is not implemented yet".into()))
}

//! `flowdiff show FILE`.

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// Runs `flowdiff show`.
pub fn run(args: &crate::cli::ShowArgs, context: &Context) -> Result<Outcome> {
    let _ = (args, context);
    Err(Error::Usage("`show` is not implemented yet".into()))
}

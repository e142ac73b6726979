//! Parsing: detect a capture's format from its content and read it into a [`Trace`].
//!
//! STUB: the signature is the contract; the parsing work fills it in.

use crate::error::InputError;
use crate::trace::Trace;

/// Parses a capture in any supported format (detected from content) into a trace.
pub fn parse(text: &str) -> Result<Trace, InputError> {
    let _ = text;
    Err(InputError::new(0, "not implemented yet"))
}

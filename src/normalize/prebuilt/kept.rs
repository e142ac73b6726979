//! The one pattern of the value scan that is not a rule's (shared with `build.rs`).

/// A placeholder already in the text (`{image_id}`), kept as it is: the last pattern of the
/// value scan, so that a rule for a value that starts like one (`{SHA256}<hex>`, a hashed
/// token) wins where both start.
pub(crate) const KEPT_PLACEHOLDER: &str = r"\{[A-Za-z_][A-Za-z0-9_]*\}";

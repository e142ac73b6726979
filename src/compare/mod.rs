//! Comparison: align two normalized traces and report what drifted.

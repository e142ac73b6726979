//! flowdiff: a conformance checker and diff tool for OpenStack call flows.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! capture ──parse──▶ Trace ──normalize(RuleSet)──▶ Trace ──compare──▶ Report ──render──▶ text | json | …
//! ```
//!
//! ```
//! let text = "openstack->>keystone: GET /identity/\nkeystone-->>openstack: 300 MULTIPLE CHOICES /identity/\n";
//! let trace = flowdiff::parse::parse(text).expect("a mermaid capture");
//! assert_eq!(trace.exchanges.len(), 1);
//! assert_eq!(trace.exchanges[0].status, Some(300));
//! ```
#![warn(missing_docs)]

/// `serde_json::json!` building the model's [`Json`](crate::trace::Json), for unit tests.
#[cfg(test)]
macro_rules! model_json {
    ($($body:tt)+) => {
        crate::trace::Json::from(serde_json::json!($($body)+))
    };
}

pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod error;
pub mod fsutil;
pub mod golden;
mod intern;
pub mod normalize;
pub mod notes;
pub mod parse;
pub mod reading;
pub mod render;
pub mod report;
pub mod severity;
pub mod trace;

pub use error::{Error, InputError, Result};
pub use severity::Severity;
pub use trace::{Body, Event, EventKind, Exchange, Format, Headers, Message, Signature, Trace};

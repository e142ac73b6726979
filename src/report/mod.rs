//! Reports: findings, counts and verdict, and their renderers (one file per output format).

pub mod styles;

pub use styles::Styles;

//! The stackc stack language.
//!
//! `parse` turns text into a syntax tree with spans ([`ast`]), `eval` turns the trees of a stack
//! into values ([`value`]) with resources expanded, and `fmt` prints files in canonical style.
//! Problems are [`diag::Diagnostic`]s with stable codes. This crate knows nothing about
//! containers: resource kinds are names, and their schemas belong to the engine.

// Diagnostics are the error type throughout: large, but only built when the user's text is wrong,
// so boxing them everywhere would cost clarity for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod ast;
pub mod de;
pub mod diag;
pub mod eval;
pub mod fmt;
pub mod funcs;
pub mod parser;
pub mod source;
pub mod types;
pub mod value;

pub use diag::{Diagnostic, Diagnostics};
pub use source::{FileId, Sources, Span};
pub use value::{Value, ValueKind};

//! The stackc language server (`stackc lsp`): the diagnostics of `stackc validate` as you
//! type, hover documentation from the engine's schema tables, completion, go to definition,
//! references, formatting and an outline — over LSP on stdio (lsp-server).
//!
//! A stack is a directory of files, so a document is always checked with its siblings (open
//! documents win over their files on disk), through the same loader as `validate`
//! (`stackc_engine::load`): one code path, one set of diagnostics.

#[doc(hidden)]
pub mod analysis;
mod completion;
mod hover;
mod navigation;
mod positions;
mod server;
mod symbols;

pub use server::{run, run_stdio, ServerError};

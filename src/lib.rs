//! The `stackc` command line as a library: flag parsing, the commands, and output rendering.
//! `main.rs` is a thin wrapper, so tests can drive commands in-process.

pub mod cli;
pub mod commands;
pub mod output;
pub mod providers;
pub mod render;

//! `stackc`: the command-line interface. It parses flags once into validated options, runs one
//! command, and renders results; all the work happens in the library crates.

use stackc::{cli, commands};

/// Evaluating a stack makes many small, short-lived allocations on several threads; mimalloc
/// handles that pattern markedly faster than the system allocator (see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// The language's parser and evaluator recurse over nested expressions; a large stack keeps a
/// pathological input from overflowing it (real stacks use a tiny fraction).
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let options = match cli::parse() {
        Ok(o) => o,
        Err(e) => {
            // clap prints help and version to stdout and errors to stderr itself.
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let worker = std::thread::Builder::new()
        .name("stackc".into())
        .stack_size(STACK_SIZE)
        .spawn(move || commands::run(options));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            eprintln!("stackc: internal error: the command stopped unexpectedly");
            ExitCode::from(1)
        }
    }
}

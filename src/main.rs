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
    // `stackc shim --root DIR ID` is the native runtime's per-container supervisor, spawned by
    // stackc itself (docs/providers/native.md). It is not a user command, so it is dispatched
    // before clap, and before a worker thread or logging exist: the shim forks.
    let mut args = std::env::args_os();
    if args.nth(1).is_some_and(|a| a == "shim") {
        return stackc_provider_native::shim_main_args(args);
    }
    let options = match cli::parse() {
        Ok(o) => o,
        Err(e) => {
            // clap prints help and version to stdout and errors to stderr itself.
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging(&options);
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

/// Logs go to stderr (CLI.md "Global options"): `--log-level` wins, then `-v`/`-q`, then
/// `RUST_LOG`; warnings by default.
fn init_logging(options: &cli::Options) {
    use tracing_subscriber::EnvFilter;
    let g = &options.global;
    let level = match (&g.log_level, g.verbose, g.quiet) {
        (Some(l), _, _) => Some(l.clone()),
        (None, 0, true) => Some("error".to_string()),
        (None, 0, false) => None,
        (None, 1, _) => Some("info".to_string()),
        (None, 2, _) => Some("debug".to_string()),
        (None, _, _) => Some("trace".to_string()),
    };
    let filter = match level {
        Some(l) => EnvFilter::try_new(&l).unwrap_or_else(|_| EnvFilter::new("warn")),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match g.log_format {
        cli::LogFormat::Json => builder.json().try_init(),
        cli::LogFormat::Text => builder.try_init(),
    };
}

//! One module per command. Each returns the process exit code (CLI.md "Exit codes").

pub mod config;
mod fmt;
mod graph;
mod validate;

use crate::cli::{Cmd, Options};
use stackc_lang::eval::{self, Config, LoadOptions, VarInputs};
use stackc_lang::Diagnostics;

pub fn run(options: Options) -> u8 {
    match &options.command {
        Cmd::Validate { format } => validate::run(&options, *format),
        Cmd::Config { format } => config::run(&options, *format),
        Cmd::Fmt { check, diff, paths } => fmt::run(&options, *check, *diff, paths),
        Cmd::Graph { format } => graph::run(&options, *format),
    }
}

/// Loads, evaluates and decodes the stack named by the global options: everything short of
/// contacting a provider.
pub fn load_stack(
    options: &Options,
) -> (
    Config,
    Option<stackc_engine::model::DesiredStack>,
    Diagnostics,
) {
    load_stack_with_env(options, &VarInputs::env_from_process())
}

/// [`load_stack`] with the `STACKC_VAR_*` values given rather than read from the process
/// environment (tests run in parallel and must not share it).
pub fn load_stack_with_env(
    options: &Options,
    env: &[(String, String)],
) -> (
    Config,
    Option<stackc_engine::model::DesiredStack>,
    Diagnostics,
) {
    let g = &options.global;
    let opts = LoadOptions {
        dir: g.dir.clone(),
        file: g.file.clone(),
        vars: VarInputs {
            cli: g.vars.clone(),
            files: g.var_files.clone(),
            env: env.to_vec(),
        },
    };
    let timings = std::env::var_os("STACKC_TIMINGS").is_some();
    let t0 = std::time::Instant::now();
    let (config, mut diags) = eval::load(&opts, &stackc_engine::model::Hooks);
    let t1 = std::time::Instant::now();
    let rss_loaded = rss_mib();
    let (desired, more) = stackc_engine::model::decode(&config);
    diags.extend(more);
    let t2 = std::time::Instant::now();
    let more = stackc_engine::admission::check(&config, &desired, g.provider.as_deref());
    diags.extend(more);
    if timings {
        // A developer aid for performance work: where a run spends its time.
        eprintln!(
            "timings: load+parse+evaluate {:?} (resident {} MiB), decode {:?}, admission {:?} (resident {} MiB)",
            t1 - t0,
            rss_loaded,
            t2 - t1,
            t2.elapsed(),
            rss_mib()
        );
    }
    (config, Some(desired), diags)
}

/// The process's resident memory in MiB (Linux), for `STACKC_TIMINGS`.
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096 / (1024 * 1024))
}

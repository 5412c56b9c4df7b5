//! One module per command. Each returns the process exit code (CLI.md "Exit codes").

mod apply;
pub mod config;
mod exec;
mod fmt;
mod graph;
mod history;
mod logs;
mod outputs;
mod plan;
pub mod saved;
mod session;
mod status;
mod validate;
mod watch;

use crate::cli::{Cmd, Options};
use stackc_lang::eval::{Config, LoadOptions, VarInputs};
use stackc_lang::Diagnostics;

pub fn run(options: Options) -> u8 {
    match &options.command {
        Cmd::Validate { format } => validate::run(&options, *format),
        Cmd::Config { format } => config::run(&options, *format),
        Cmd::Fmt { check, diff, paths } => fmt::run(&options, *check, *diff, paths),
        Cmd::Graph { format } => graph::run(&options, *format),
        Cmd::Plan(args) => plan::run(&options, args),
        Cmd::Apply(args) => apply::run(&options, args),
        Cmd::Status { json, stats } => status::run(&options, *json, *stats),
        Cmd::Logs(args) => logs::run(&options, args),
        Cmd::Exec {
            address,
            interactive,
            tty,
            command,
        } => exec::run(&options, address, *interactive, *tty, command),
        Cmd::Output { name, json } => outputs::run(&options, name.as_deref(), *json),
        Cmd::History { json } => history::run(&options, *json),
        Cmd::Watch(args) => watch::run(&options, args),
        Cmd::Lsp => match stackc_lsp::run_stdio() {
            Ok(()) => 0,
            Err(e) => crate::output::fail(&e.to_string(), None),
        },
    }
}

/// [`load_stack`], or the files of a recorded revision evaluated in the stack directory.
pub(crate) fn load_stack_sources(
    options: &Options,
    files: session::Files,
) -> (
    Config,
    Option<stackc_engine::model::DesiredStack>,
    Diagnostics,
) {
    let files = match files {
        session::Files::Disk => return load_stack(options),
        session::Files::Revision(files) => files,
    };
    let g = &options.global;
    let mut sources = stackc_lang::Sources::new();
    let ids: Vec<_> = files
        .iter()
        .map(|f| sources.add(f.name.clone(), g.dir.join(&f.name), &f.text))
        .collect();
    let vars = VarInputs {
        cli: g.vars.clone(),
        files: g.var_files.clone(),
        env: VarInputs::env_from_process(),
    };
    let loaded =
        stackc_engine::load::load_sources(sources, &ids, &g.dir, &vars, g.provider.as_deref());
    (loaded.config, Some(loaded.stack), loaded.diagnostics)
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
    let loaded = stackc_engine::load::load(&opts, g.provider.as_deref());
    if timings {
        // A developer aid for performance work: where a run spends its time.
        eprintln!(
            "timings: load+evaluate+decode+admission {:?} (resident {} MiB)",
            t0.elapsed(),
            rss_mib()
        );
    }
    (loaded.config, Some(loaded.stack), loaded.diagnostics)
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

/// True when the address `wanted` (as a user gives it to `logs` or `exec`) names the object
/// at `found`: itself, an instance of a block (`container.web` names `container.web[0]`), or
/// a replica of a service (`service.api` names `service.api#2`).
fn names(wanted: &str, found: &str) -> bool {
    let replica_of = stackc_engine::service::parse_replica(found).map(|(service, _)| service);
    let base = |a: &str| a.split('[').next().map(str::to_string);
    found == wanted
        || base(found).as_deref() == Some(wanted)
        || replica_of == Some(wanted)
        || replica_of.and_then(base).as_deref() == Some(wanted)
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_name_instances_and_replicas() {
        use super::names;
        assert!(names("container.web", "container.web"));
        assert!(names("container.web", "container.web[0]"));
        assert!(names("service.api", "service.api#2"));
        assert!(names("service.api#2", "service.api#2"));
        assert!(names("service.api", "service.api[\"a\"]#1"));
        assert!(!names("service.api#1", "service.api#2"));
        assert!(!names("container.we", "container.web"));
    }
}

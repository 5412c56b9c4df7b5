//! Command-line flags: parsed once, with clap, into [`Options`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "stackc",
    version,
    about = "A declarative GitOps reconciler for containers",
    long_about = "stackc makes one host match a stack written in an HCL-like language: images, containers, networks, volumes, quotas and services."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command accepts (CLI.md "Global options").
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The stack directory.
    #[arg(
        short = 'C',
        long = "dir",
        env = "STACKC_DIR",
        default_value = ".",
        global = true
    )]
    pub dir: PathBuf,
    /// Load one file instead of the directory (give it before the command: `-f` after
    /// `logs` means follow).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// The provider: native (default), docker or swarm.
    #[arg(long, env = "STACKC_PROVIDER", global = true)]
    pub provider: Option<String>,
    /// A variable value, NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", global = true)]
    pub vars: Vec<String>,
    /// A file of variable values (*.vars.hcl or *.vars.json; repeatable, later files win).
    #[arg(long = "var-file", value_name = "FILE", global = true)]
    pub var_files: Vec<PathBuf>,
    /// Lock, history and watch status.
    #[arg(long = "state-dir", env = "STACKC_STATE_DIR", global = true)]
    pub state_dir: Option<PathBuf>,
    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Log verbosity (error, warn, info, debug, trace).
    #[arg(long = "log-level", global = true)]
    pub log_level: Option<String>,
    /// More logging.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Less output.
    #[arg(short = 'q', long = "quiet", global = true)]
    pub quiet: bool,
    /// How logs are written: text, or one JSON object per line.
    #[arg(long = "log-format", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigFormat {
    Hcl,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Text,
    Dot,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse, evaluate, type-check and admission-check the stack without contacting a provider.
    Validate {
        #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
        format: DiagFormat,
    },
    /// Rewrite files in canonical style.
    Fmt {
        /// Exit 3 when a file would change, without writing.
        #[arg(long)]
        check: bool,
        /// Print a diff of the changes.
        #[arg(long)]
        diff: bool,
        /// Files or directories (default: the stack directory).
        paths: Vec<PathBuf>,
    },
    /// Print the fully evaluated configuration.
    Config {
        #[arg(long, value_enum, default_value_t = ConfigFormat::Hcl)]
        format: ConfigFormat,
    },
    /// Print the dependency graph of resource instances.
    Graph {
        /// `text`: one line per instance with what it depends on; `dot`: Graphviz.
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
    },
    /// Observe the runtime, diff it against the stack and print the actions.
    Plan {
        /// Save the plan to FILE, for `stackc apply FILE`.
        #[arg(short = 'o', long = "out", value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print the plan as one JSON document.
        #[arg(long)]
        json: bool,
        /// Exit 0 when nothing would change, 2 when something would.
        #[arg(long = "detailed-exitcode")]
        detailed_exitcode: bool,
        /// Plan only these resources (block or instance addresses) and what they depend on.
        #[arg(long = "target", value_name = "ADDR")]
        targets: Vec<String>,
        /// Only report what changed outside stackc; plan no actions.
        #[arg(long = "refresh-only")]
        refresh_only: bool,
    },
    /// Plan (or load a saved plan) and carry it out.
    Apply {
        /// A plan saved by `stackc plan --out`.
        #[arg(value_name = "PLANFILE")]
        plan_file: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
        /// Wait until every container is running and healthy.
        #[arg(long)]
        wait: bool,
        /// How long waits for readiness may take.
        #[arg(long, value_name = "DUR", default_value = "5m")]
        timeout: String,
    },
    /// Remove what the stack created (volumes are kept unless --purge-volumes).
    Destroy {
        #[command(flatten)]
        run: RunArgs,
        /// Remove volumes too, with their data.
        #[arg(long = "purge-volumes")]
        purge_volumes: bool,
    },
    /// Each resource: address, runtime name, state, health, ports, restarts, age.
    #[command(alias = "ps")]
    Status {
        #[arg(long)]
        json: bool,
        /// Add live CPU, memory and pids use.
        #[arg(long)]
        stats: bool,
    },
    /// A container's logs.
    Logs {
        /// The container's address, like container.web.
        address: String,
        /// Keep printing new lines.
        #[arg(short = 'f', long)]
        follow: bool,
        /// Only the last N lines.
        #[arg(long, value_name = "N")]
        tail: Option<usize>,
        /// Only lines from the last DUR, like 10m.
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// Prefix each line with its time.
        #[arg(long)]
        timestamps: bool,
    },
    /// Run a command inside a running container.
    Exec {
        /// The container's address.
        address: String,
        /// Keep stdin open.
        #[arg(short = 'i', long)]
        interactive: bool,
        /// Give the command a terminal.
        #[arg(short = 't', long)]
        tty: bool,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Outputs of the last apply.
    Output {
        /// One output.
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Applied revisions of this stack.
    History {
        #[arg(long)]
        json: bool,
    },
    /// Reconcile continuously from a local directory or a git repository.
    Watch {
        /// The stack directory to watch (default: --dir).
        #[arg(id = "watch_dir", value_name = "DIR")]
        watch_dir: Option<PathBuf>,
        /// Follow a git repository instead of a directory.
        #[arg(long, value_name = "URL")]
        git: Option<String>,
        /// The branch to follow (default: the remote's default branch).
        #[arg(long, conflicts_with_all = ["tag", "rev"], requires = "git")]
        branch: Option<String>,
        /// A tag to follow.
        #[arg(long, conflicts_with = "rev", requires = "git")]
        tag: Option<String>,
        /// A pinned commit.
        #[arg(long, requires = "git")]
        rev: Option<String>,
        /// The stack's sub-directory in the repository.
        #[arg(long, value_name = "SUBDIR", requires = "git")]
        path: Option<PathBuf>,
        /// An SSH private key for the remote (default: the SSH agent).
        #[arg(long = "ssh-key", value_name = "FILE", requires = "git")]
        ssh_key: Option<PathBuf>,
        /// How often to fetch and check for drift.
        #[arg(long, value_name = "DUR", default_value = "30s")]
        interval: String,
        /// Report drift but do not heal it.
        #[arg(long = "no-self-heal")]
        no_self_heal: bool,
        /// Keep objects that are no longer in the stack.
        #[arg(long = "no-prune")]
        no_prune: bool,
        /// Serve GET /status, GET /metrics and POST /reconcile (default 127.0.0.1:9464).
        #[arg(long = "status-addr", value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:9464")]
        status_addr: Option<String>,
        /// Reconcile once, then exit with the outcome.
        #[arg(long)]
        once: bool,
        /// How many actions may run at once.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
        parallelism: u32,
        /// POST a JSON event to this webhook on every apply, failure and healed drift
        /// (repeatable).
        #[arg(long = "notify", value_name = "URL")]
        notify: Vec<String>,
    },
    /// A language server on stdio, for editors.
    Lsp,
    /// Re-apply revision N (default: the one before the last).
    Rollback {
        #[arg(value_name = "N")]
        revision: Option<u64>,
        #[command(flatten)]
        run: RunArgs,
    },
}

/// Flags of the commands that change the runtime.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Do not ask for confirmation.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Only these resources (block or instance addresses) and what they depend on.
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
    /// How many actions may run at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub parallelism: u32,
}

/// The validated form of the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub global: Global,
    pub color: bool,
    pub command: Cmd,
}

#[derive(Debug, Clone)]
pub enum Cmd {
    Validate {
        format: DiagFormat,
    },
    Fmt {
        check: bool,
        diff: bool,
        paths: Vec<PathBuf>,
    },
    Config {
        format: ConfigFormat,
    },
    Graph {
        format: GraphFormat,
    },
    Plan(PlanArgs),
    Apply(ApplyArgs),
    Status {
        json: bool,
        stats: bool,
    },
    Logs(LogsArgs),
    Exec {
        address: String,
        interactive: bool,
        tty: bool,
        command: Vec<String>,
    },
    Output {
        name: Option<String>,
        json: bool,
    },
    History {
        json: bool,
    },
    Watch(WatchArgs),
    Lsp,
}

/// Where `watch` reads the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchSource {
    Dir(PathBuf),
    Git {
        url: String,
        branch: Option<String>,
        tag: Option<String>,
        rev: Option<String>,
        path: Option<PathBuf>,
        ssh_key: Option<PathBuf>,
    },
}

#[derive(Debug, Clone)]
pub struct WatchArgs {
    pub source: WatchSource,
    pub interval: std::time::Duration,
    pub self_heal: bool,
    pub prune: bool,
    pub status_addr: Option<std::net::SocketAddr>,
    pub once: bool,
    pub parallelism: usize,
    pub notify: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PlanArgs {
    pub out: Option<PathBuf>,
    pub json: bool,
    pub detailed_exitcode: bool,
    pub targets: Vec<String>,
    pub refresh_only: bool,
}

/// What `apply`, `destroy` and `rollback` carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplySource {
    /// Plan the stack's files now.
    Files,
    /// A plan saved by `plan --out`.
    SavedPlan(PathBuf),
    /// Remove everything.
    Destroy { purge_volumes: bool },
    /// The files of revision N (`None`: the one before the last).
    Revision(Option<u64>),
}

#[derive(Debug, Clone)]
pub struct ApplyArgs {
    pub source: ApplySource,
    pub auto_approve: bool,
    pub targets: Vec<String>,
    pub parallelism: usize,
    pub wait: bool,
    pub timeout: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct LogsArgs {
    pub address: String,
    pub follow: bool,
    pub tail: Option<usize>,
    pub since: Option<std::time::Duration>,
    pub timestamps: bool,
}

fn duration_arg(flag: &str, s: &str) -> Result<std::time::Duration, clap::Error> {
    stackc_engine::model::Duration::parse(s)
        .map(|d| d.get())
        .map_err(|e| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value for {flag}: {} ({})\n", e.message, e.help),
            )
        })
}

/// Parses the process's arguments.
pub fn parse() -> Result<Options, clap::Error> {
    parse_from(std::env::args_os())
}

pub fn parse_from<I, T>(args: I) -> Result<Options, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    let color = match cli.global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
        }
    };
    if let Some(p) = &cli.global.provider {
        if !["native", "docker", "swarm"].contains(&p.as_str()) {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("unknown provider `{p}`: use native, docker or swarm\n"),
            ));
        }
    }
    let command = match cli.command {
        Command::Validate { format } => Cmd::Validate { format },
        Command::Fmt { check, diff, paths } => Cmd::Fmt { check, diff, paths },
        Command::Config { format } => Cmd::Config { format },
        Command::Graph { format } => Cmd::Graph { format },
        Command::Plan {
            out,
            json,
            detailed_exitcode,
            targets,
            refresh_only,
        } => Cmd::Plan(PlanArgs {
            out,
            json,
            detailed_exitcode,
            targets,
            refresh_only,
        }),
        Command::Apply {
            plan_file,
            run,
            wait,
            timeout,
        } => {
            if plan_file.is_some() && !run.targets.is_empty() {
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::ArgumentConflict,
                    "--target cannot be used with a saved plan: plan with --target instead\n",
                ));
            }
            Cmd::Apply(ApplyArgs {
                source: plan_file.map_or(ApplySource::Files, ApplySource::SavedPlan),
                auto_approve: run.auto_approve,
                targets: run.targets,
                parallelism: run.parallelism as usize,
                wait,
                timeout: duration_arg("--timeout", &timeout)?,
            })
        }
        Command::Destroy { run, purge_volumes } => Cmd::Apply(ApplyArgs {
            source: ApplySource::Destroy { purge_volumes },
            auto_approve: run.auto_approve,
            targets: run.targets,
            parallelism: run.parallelism as usize,
            wait: false,
            timeout: std::time::Duration::from_secs(300),
        }),
        Command::Rollback { revision, run } => Cmd::Apply(ApplyArgs {
            source: ApplySource::Revision(revision),
            auto_approve: run.auto_approve,
            targets: run.targets,
            parallelism: run.parallelism as usize,
            wait: false,
            timeout: std::time::Duration::from_secs(300),
        }),
        Command::Status { json, stats } => Cmd::Status { json, stats },
        Command::Logs {
            address,
            follow,
            tail,
            since,
            timestamps,
        } => Cmd::Logs(LogsArgs {
            address,
            follow,
            tail,
            since: since.map(|s| duration_arg("--since", &s)).transpose()?,
            timestamps,
        }),
        Command::Exec {
            address,
            interactive,
            tty,
            command,
        } => Cmd::Exec {
            address,
            interactive,
            tty,
            command,
        },
        Command::Output { name, json } => Cmd::Output { name, json },
        Command::History { json } => Cmd::History { json },
        Command::Lsp => Cmd::Lsp,
        Command::Watch {
            watch_dir: dir,
            git,
            branch,
            tag,
            rev,
            path,
            ssh_key,
            interval,
            no_self_heal,
            no_prune,
            status_addr,
            once,
            parallelism,
            notify,
        } => {
            let source = match git {
                Some(url) => {
                    if dir.is_some() {
                        return Err(clap::Error::raw(
                            clap::error::ErrorKind::ArgumentConflict,
                            "give either a directory or --git URL, not both\n",
                        ));
                    }
                    WatchSource::Git {
                        url,
                        branch,
                        tag,
                        rev,
                        path,
                        ssh_key,
                    }
                }
                None => WatchSource::Dir(dir.unwrap_or_else(|| cli.global.dir.clone())),
            };
            let interval = duration_arg("--interval", &interval)?;
            if interval.is_zero() {
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::InvalidValue,
                    "--interval must be more than 0\n",
                ));
            }
            let status_addr = status_addr
                .map(|a| {
                    a.parse::<std::net::SocketAddr>().map_err(|e| {
                        clap::Error::raw(
                            clap::error::ErrorKind::InvalidValue,
                            format!(
                                "invalid --status-addr {a}: {e} (write it like 127.0.0.1:9464)\n"
                            ),
                        )
                    })
                })
                .transpose()?;
            Cmd::Watch(WatchArgs {
                source,
                interval,
                self_heal: !no_self_heal,
                prune: !no_prune,
                status_addr,
                once,
                parallelism: parallelism as usize,
                notify,
            })
        }
    };
    Ok(Options {
        global: cli.global,
        color,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_global_options_after_the_command() {
        let o = parse_from([
            "stackc", "validate", "-C", "x", "--var", "a=1", "--format", "json",
        ])
        .unwrap();
        assert_eq!(o.global.dir, PathBuf::from("x"));
        assert_eq!(o.global.vars, vec!["a=1".to_string()]);
        assert!(matches!(
            o.command,
            Cmd::Validate {
                format: DiagFormat::Json
            }
        ));
    }

    #[test]
    fn watch_takes_a_directory_or_a_git_url() {
        let o = parse_from(["stackc", "watch", "--git", "file:///r.git", "--path", "s"]).unwrap();
        assert!(matches!(
            o.command,
            Cmd::Watch(WatchArgs {
                source: WatchSource::Git { .. },
                ..
            })
        ));
        let o = parse_from(["stackc", "watch", "stacks/shop"]).unwrap();
        let Cmd::Watch(w) = o.command else {
            panic!("not watch")
        };
        assert_eq!(w.source, WatchSource::Dir(PathBuf::from("stacks/shop")));
        assert!(parse_from(["stackc", "watch", "d", "--git", "file:///r.git"]).is_err());
    }

    #[test]
    fn rejects_unknown_provider() {
        assert!(parse_from(["stackc", "--provider", "podman", "validate"]).is_err());
    }
}

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
    /// Load one file instead of the directory.
    #[arg(short = 'f', long = "file", global = true)]
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
    fn rejects_unknown_provider() {
        assert!(parse_from(["stackc", "--provider", "podman", "validate"]).is_err());
    }
}
